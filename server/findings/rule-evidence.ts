/**
 * A derived finding's evidence (posture, traffic and secret rules write their own JSON shapes) as labelled facts the
 * finding page can show: the rule's evidence, never the scanner's request/response fields. Pure.
 */
const MAX_VALUES = 50;
const MAX_TEXT = 500;

export interface EvidenceFact {
  label: string;
  values: string[];
}

/** "endpointGapCounts" → "Endpoint gap counts". */
export function humanKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(text).join(", ");
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${humanKey(k)}: ${text(v)}`);
  const joined = entries.join("; ");
  return joined.length > MAX_TEXT ? `${joined.slice(0, MAX_TEXT)}…` : joined;
}

export function ruleEvidenceFacts(evidence: unknown): EvidenceFact[] {
  if (typeof evidence !== "object" || evidence === null || Array.isArray(evidence)) return [];
  const facts: EvidenceFact[] = [];
  for (const [key, value] of Object.entries(evidence as Record<string, unknown>)) {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    let values: string[];
    if (Array.isArray(value)) {
      values = value.slice(0, MAX_VALUES).map(text);
      if (value.length > MAX_VALUES) values.push(`… and ${value.length - MAX_VALUES} more`);
    } else if (typeof value === "object") {
      values = Object.entries(value as Record<string, unknown>)
        .slice(0, MAX_VALUES)
        .map(([k, v]) => `${humanKey(k)}: ${text(v)}`);
      if (values.length === 0) continue;
    } else {
      values = [text(value)];
    }
    facts.push({ label: humanKey(key), values });
  }
  return facts;
}
