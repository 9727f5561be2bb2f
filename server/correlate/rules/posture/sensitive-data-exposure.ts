/**
 * sensitive-data-exposure (DESIGN.md §3, "Public vs undeclared", "Data classes"): a 2xx response schema with fields
 * classified PII / financial / credentials on an endpoint with weak or no authentication: public or undeclared
 * (neither counts as authenticated), only weak schemes (HTTP Basic, query-string API key), or any auth over plain
 * HTTP. Credentials returned by an authentication endpoint (login/token/signin/auth) are expected: not counted.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { EXPOSURE_CLASSES, isAuthenticationEndpoint, isCleartextBaseUrl, label, responseFields, schemesOf, scopeApis, scopeEndpoints, weakScheme } from "./common";

export const sensitiveDataExposure: Rule = {
  id: "sensitive-data-exposure",
  kind: "posture",
  description: "A response carries PII, financial data or credentials on an endpoint with weak or no authentication.",
  async evaluate(ctx) {
    const [apis, endpoints] = await Promise.all([scopeApis(ctx), scopeEndpoints(ctx)]);
    const out: DerivedFinding[] = [];
    for (const api of apis) {
      const cleartext = isCleartextBaseUrl(api);
      for (const e of endpoints.get(api.id) ?? []) {
        const authEndpoint = isAuthenticationEndpoint(e);
        const fields = responseFields(e).filter(
          (f) => EXPOSURE_CLASSES.includes(f.dataClass) && !(f.dataClass === "credentials" && authEndpoint),
        );
        if (fields.length === 0) continue;
        const schemes = schemesOf(e);
        let auth: string | null = null;
        if (e.securityMode === "public") auth = "explicitly public (security: [])";
        else if (e.securityMode === "undeclared") auth = "no security requirement declared";
        else if (schemes.length > 0 && schemes.every((s) => weakScheme(s) !== null)) auth = `weak authentication only (${schemes.map((s) => weakScheme(s)).join(", ")})`;
        else if (cleartext) auth = "authentication over plain HTTP";
        if (!auth) continue;
        const classes = [...new Set(fields.map((f) => f.dataClass))].sort();
        out.push({
          ruleId: "sensitive-data-exposure",
          kind: "posture",
          apiId: api.id,
          endpointId: e.id,
          subject: "",
          title: `Sensitive data (${classes.join(", ")}) exposed: ${label(e)}`,
          description: `${label(e)} of ${api.name} returns ${classes.join(", ")} fields and is ${auth}.`,
          severity: "high",
          owaspCategory: "API3",
          cwe: 200,
          evidence: { method: e.method, path: e.path, auth, dataClasses: classes, fields: fields.slice(0, 20).map((f) => `${f.path} (${f.dataClass})`) },
        });
      }
    }
    return out;
  },
};
