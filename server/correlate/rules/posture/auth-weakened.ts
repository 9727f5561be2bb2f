/**
 * auth-weakened (DESIGN.md §3): a new version of an Api's inventory drops an endpoint's security requirement or
 * replaces it with a weaker one (mTLS/OIDC/oauth2 > bearer > apiKey header > basic > apiKey query > none; the
 * comparison is server/domain/api-versions.ts). One finding per source and endpoint (or the Api, for a gateway's
 * Api-wide plugin), open while that weakening is the source's latest word on the endpoint's security.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { changeHistory, endpointOf, endpointsOf, evidenceSource, latestPerKey, sourceOf } from "./history";

const SECURITY_EVENTS = new Set(["security-weakened", "security-strengthened", "security-changed", "endpoint-added", "endpoint-removed"]);

export const authWeakened: Rule = {
  id: "auth-weakened",
  kind: "posture",
  description: "A new version of an Api's inventory drops an endpoint's security requirement or replaces it with a weaker one.",
  async evaluate(ctx) {
    const history = await changeHistory(ctx);
    const weakened = latestPerKey(
      history,
      (c) => (SECURITY_EVENTS.has(c.change.kind) ? `${c.apiId}\u0000${sourceOf(c)}\u0000${endpointOf(c)}` : null),
      (c) => c.change.kind === "security-weakened",
    );
    const endpoints = await endpointsOf(ctx, weakened);
    const out: DerivedFinding[] = [];
    for (const c of weakened) {
      const where = endpointOf(c);
      const target = where ? where : "the whole Api";
      out.push({
        ruleId: "auth-weakened",
        kind: "posture",
        apiId: c.apiId,
        endpointId: where ? (endpoints.get(`${c.apiId} ${where}`)?.id ?? null) : null,
        subject: sourceOf(c),
        title: `Authentication weakened: ${target}`,
        description: `${c.fileName} (${c.format}) changed the authentication of ${target} from ${c.change.before} to ${c.change.after}.`,
        severity: "high",
        owaspCategory: "API2",
        cwe: 287,
        evidence: {
          ...(c.change.method ? { method: c.change.method, path: c.change.path } : {}),
          before: c.change.before ?? null,
          after: c.change.after ?? null,
          source: evidenceSource(c),
        },
        observedFrom: c.at,
        observedTo: c.at,
      });
    }
    return out;
  },
};
