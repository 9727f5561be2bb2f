/**
 * The one table of remediation hints per OWASP API Security Top 10 2023 category, shown when a scanner gave no
 * remediation text of its own, plus reference links (CWE, OWASP page).
 */
const OWASP_PAGES: Record<string, string> = {
  API1: "0xa1-broken-object-level-authorization",
  API2: "0xa2-broken-authentication",
  API3: "0xa3-broken-object-property-level-authorization",
  API4: "0xa4-unrestricted-resource-consumption",
  API5: "0xa5-broken-function-level-authorization",
  API6: "0xa6-unrestricted-access-to-sensitive-business-flows",
  API7: "0xa7-server-side-request-forgery",
  API8: "0xa8-security-misconfiguration",
  API9: "0xa9-improper-inventory-management",
  API10: "0xaa-unsafe-consumption-of-apis",
};

export const OWASP_HINTS: Record<string, string> = {
  API1: "Check on every request that the caller may access the object named by the id in the path or body; do not rely on ids being hard to guess.",
  API2: "Use a maintained authentication library, strong credentials and short-lived tokens; rate-limit and lock out credential guessing; never hard-code secrets.",
  API3: "Return only the properties the caller may see (explicit response schemas) and accept only the properties the caller may change (no mass assignment).",
  API4: "Set limits on request rate, payload and page sizes, execution time and cost per client; return 429 when exceeded.",
  API5: "Deny by default: check the caller's role for every administrative or privileged function, not just in the UI.",
  API6: "Identify sensitive business flows and protect them against automated abuse (rate limits, device fingerprinting, human checks).",
  API7: "Validate and allow-list outbound URLs the API fetches on a user's behalf; block internal address ranges and redirects.",
  API8: "Harden the deployment: security headers, TLS everywhere, CORS allow-lists, no verbose errors or debug endpoints, validated and encoded input.",
  API9: "Keep the inventory current: document every host, version and endpoint, retire old versions, and remove what is not used.",
  API10: "Treat data from third-party APIs as untrusted: validate it, use TLS with certificate checks, and do not follow redirects blindly.",
};

export function owaspPageUrl(category: string): string | null {
  const page = OWASP_PAGES[category];
  return page ? `https://owasp.org/API-Security/editions/2023/en/${page}/` : null;
}

export function cweUrl(cwe: number): string {
  return `https://cwe.mitre.org/data/definitions/${cwe}.html`;
}

export function RemediationHint({ remediation, owaspCategory }: { remediation: string | null; owaspCategory: string | null }) {
  if (remediation) return <p style={{ whiteSpace: "pre-wrap" }}>{remediation}</p>;
  const hint = owaspCategory ? OWASP_HINTS[owaspCategory] : undefined;
  if (hint) {
    return (
      <p>
        {hint} <span className="muted">(general hint for {owaspCategory})</span>
      </p>
    );
  }
  return <p className="muted">The scanner gave no remediation and the finding has no OWASP category.</p>;
}
