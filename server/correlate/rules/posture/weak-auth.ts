/**
 * weak-auth (DESIGN.md §3): an operation that accepts HTTP Basic or an API key in the query string (any of its
 * alternatives), or any authentication over plain HTTP (the Api's server URL is http:// on a non-local host).
 * No auth at all is `no-auth-declared`, not this rule. One finding per endpoint, listing every reason.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { isCleartextBaseUrl, label, schemesOf, scopeApis, scopeEndpoints, weakScheme } from "./common";

export const weakAuth: Rule = {
  id: "weak-auth",
  kind: "posture",
  description: "An operation accepts HTTP Basic or a query-string API key, or authenticates over plain HTTP.",
  async evaluate(ctx) {
    const [apis, endpoints] = await Promise.all([scopeApis(ctx), scopeEndpoints(ctx)]);
    const out: DerivedFinding[] = [];
    for (const api of apis) {
      const cleartext = isCleartextBaseUrl(api);
      for (const e of endpoints.get(api.id) ?? []) {
        if (e.securityMode !== "required") continue;
        const reasons = new Set<string>();
        const schemes: string[] = [];
        for (const s of schemesOf(e)) {
          const why = weakScheme(s);
          if (why) {
            reasons.add(why);
            schemes.push(s.name);
          }
        }
        if (cleartext) reasons.add("credentials sent over plain HTTP");
        if (reasons.size === 0) continue;
        const list = [...reasons];
        out.push({
          ruleId: "weak-auth",
          kind: "posture",
          apiId: api.id,
          endpointId: e.id,
          subject: "",
          title: `Weak authentication: ${label(e)} (${list.join(", ")})`,
          description: `${label(e)} of ${api.name}: ${list.join("; ")}. Prefer OAuth 2.0 / OIDC bearer tokens or mTLS, API keys in a header, and HTTPS only.`,
          severity: "medium",
          owaspCategory: "API2",
          cwe: cleartext && list.length === 1 ? 523 : 287,
          evidence: { method: e.method, path: e.path, reasons: list, schemes, ...(cleartext ? { baseUrl: api.baseUrl } : {}) },
        });
      }
    }
    return out;
  },
};
