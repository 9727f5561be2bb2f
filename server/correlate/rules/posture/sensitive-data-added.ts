/**
 * sensitive-data-added (DESIGN.md §3): a new version of an endpoint's response schema gains a field classified PII,
 * financial or credential (a new field, or an existing one newly classified). Credentials returned by an
 * authentication endpoint are expected (DESIGN.md "Data classes"): not flagged. One finding per source and endpoint,
 * listing the fields; open while the source's latest word on a field is that addition (a later removal of the field
 * or the endpoint resolves it).
 */
import { isSensitiveAddition, SENSITIVE_CLASSES } from "@/server/domain/api-versions";
import type { DerivedFinding, Rule } from "../../rule";
import { isAuthenticationEndpoint } from "./common";
import { changeHistory, endpointOf, endpointsOf, evidenceSource, sourceOf, type VersionChange } from "./history";

const FIELD_EVENTS = new Set(["field-added", "field-removed", "data-class-added"]);

export const sensitiveDataAdded: Rule = {
  id: "sensitive-data-added",
  kind: "posture",
  description: "A new version of an endpoint's response schema gains a field classified PII, financial or credential.",
  async evaluate(ctx) {
    const history = await changeHistory(ctx);
    // Per source and endpoint: where its fields were last reset (the endpoint removed or added anew); per field: its last change.
    const endpointReset = new Map<string, number>();
    const lastField = new Map<string, { index: number; c: VersionChange }>();
    history.forEach((c, index) => {
      if (!c.change.method) return;
      const endpointKey = `${c.apiId}\u0000${sourceOf(c)}\u0000${endpointOf(c)}`;
      if (c.change.kind === "endpoint-removed" || c.change.kind === "endpoint-added") endpointReset.set(endpointKey, index);
      else if (FIELD_EVENTS.has(c.change.kind)) lastField.set(`${endpointKey}\u0000${c.change.subject ?? ""}`, { index, c });
    });
    const added = [...lastField.entries()]
      .filter(([key, { index, c }]) => isSensitiveAddition(c.change) && index > (endpointReset.get(key.slice(0, key.lastIndexOf("\u0000"))) ?? -1))
      .map(([, { c }]) => c);
    const endpoints = await endpointsOf(ctx, added);

    const groups = new Map<string, VersionChange[]>();
    for (const c of added) {
      const stored = endpoints.get(`${c.apiId} ${endpointOf(c)}`);
      const sensitive = (c.change.dataClasses ?? []).filter((d) => SENSITIVE_CLASSES.includes(d));
      if (sensitive.every((d) => d === "credentials") && isAuthenticationEndpoint({ path: c.change.path ?? "", tags: stored?.tags ?? [] })) continue;
      const key = `${c.apiId}\u0000${sourceOf(c)}\u0000${endpointOf(c)}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    const out: DerivedFinding[] = [];
    for (const changes of groups.values()) {
      const first = changes[0]!;
      const latest = changes.reduce((a, b) => (b.at > a.at ? b : a));
      const where = endpointOf(first);
      const classes = [...new Set(changes.flatMap((c) => c.change.dataClasses ?? []).filter((d) => SENSITIVE_CLASSES.includes(d)))].sort();
      const fields = changes.map((c) => `${c.change.subject} (${(c.change.dataClasses ?? []).join(", ")})`).sort();
      out.push({
        ruleId: "sensitive-data-added",
        kind: "posture",
        apiId: first.apiId,
        endpointId: endpoints.get(`${first.apiId} ${where}`)?.id ?? null,
        subject: sourceOf(first),
        title: `Sensitive data (${classes.join(", ")}) added: ${where}`,
        description: `${latest.fileName} (${latest.format}) added ${classes.join(", ")} fields to the response of ${where}: ${fields.slice(0, 5).join("; ")}${fields.length > 5 ? "…" : ""}.`,
        severity: "medium",
        owaspCategory: "API3",
        cwe: 200,
        evidence: {
          method: first.change.method ?? null,
          path: first.change.path ?? null,
          dataClasses: classes,
          fields: fields.slice(0, 20),
          before: changes.map((c) => (c.change.before ? `${c.change.subject}: ${c.change.before}` : `${c.change.subject}: absent`)).slice(0, 20),
          after: fields.slice(0, 20),
          source: evidenceSource(latest),
        },
        observedFrom: changes.reduce((a, b) => (b.at < a.at ? b : a)).at,
        observedTo: latest.at,
      });
    }
    return out;
  },
};
