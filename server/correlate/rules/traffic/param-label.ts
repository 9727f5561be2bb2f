/**
 * How the parameter tiers name parameters (server/traffic/aggregate.ts): path parameters by their template name
 * ("userId", or "id", "id2"… for an inferred template), query parameters as "?name". Shared by the enumeration rules.
 */
export interface ParamLabel {
  /** The parameter's own name. */
  name: string;
  in: "path" | "query";
  /** "{userId}" or "?phone". */
  shown: string;
}

export function paramLabel(stored: string): ParamLabel {
  if (stored.startsWith("?")) return { name: stored.slice(1), in: "query", shown: stored };
  return { name: stored, in: "path", shown: `{${stored}}` };
}

/** Whether the endpoint's spec declares the parameter (Endpoint.parameters: `{ name, in }[]`). */
export function declaredIn(parameters: unknown, label: ParamLabel): boolean {
  if (!Array.isArray(parameters)) return false;
  return (parameters as { name?: unknown; in?: unknown }[]).some((p) => p?.name === label.name && p?.in === label.in);
}
