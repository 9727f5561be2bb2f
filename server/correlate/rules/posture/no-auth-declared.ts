/**
 * no-auth-declared (DESIGN.md §3, "Public vs undeclared"): an operation with no security requirement and none
 * global. `security: []` (explicitly public) is a decision, not a gap: not flagged. One finding per endpoint.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { label, scopeApis, scopeEndpoints } from "./common";

export const noAuthDeclared: Rule = {
  id: "no-auth-declared",
  kind: "posture",
  description: "A documented operation declares no security requirement (and there is none global), and is not marked public.",
  async evaluate(ctx) {
    const [apis, endpoints] = await Promise.all([scopeApis(ctx), scopeEndpoints(ctx)]);
    const out: DerivedFinding[] = [];
    for (const api of apis) {
      for (const e of endpoints.get(api.id) ?? []) {
        if (!e.documented || e.securityMode !== "undeclared") continue;
        out.push({
          ruleId: "no-auth-declared",
          kind: "posture",
          apiId: api.id,
          endpointId: e.id,
          subject: "",
          title: `No authentication declared: ${label(e)}`,
          description: `${label(e)} of ${api.name} has no security requirement and the spec declares none globally. Declare the scheme it needs, or security: [] if it is public on purpose.`,
          severity: "medium",
          owaspCategory: "API2",
          cwe: 306,
          evidence: { method: e.method, path: e.path, securityMode: e.securityMode },
        });
      }
    }
    return out;
  },
};
