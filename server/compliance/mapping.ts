/**
 * The ONE mapping table from what Postern finds to framework controls (issue 15, "framework mapping: data, not
 * code"). Three kinds of source:
 * - a correlation rule id (server/correlate/rules/**): a derived finding of that rule bears on the controls;
 * - an OWASP API Security Top 10 2023 category: a scanner finding of that category (server/domain/owasp.ts gives a
 *   scanner finding's category from its CWE) bears on the controls;
 * - a CWE: a scanner finding with that CWE bears on the controls in addition to its category's.
 * Each row gives its controls in one framework, why (rationale), and the evidence sources the row needs: all of them
 * must have been ingested for the row to say anything. A control none of whose rows has its evidence is "not
 * assessed" (isControlAssessed) — e.g. the rate-limit and monitoring controls need gateway logs (traffic).
 * A rule that deliberately maps to no control of a framework is listed in NOT_MAPPED with the reason.
 * Control ids and titles: ./frameworks.ts.
 */
import { isOwaspApiCategory, type OwaspApiCategory, owaspApiCategoryForCwe } from "@/server/domain/owasp";
import type { FrameworkId } from "./frameworks";

/** What a control's assessment rests on: API inventories (specs, gateways, catalogues), scanner reports, gateway/traffic logs, vault audit logs. */
export type EvidenceSource = "inventory" | "scan" | "traffic" | "vault";

export const EVIDENCE_SOURCES: readonly EvidenceSource[] = ["inventory", "scan", "traffic", "vault"];

export function isEvidenceSource(value: unknown): value is EvidenceSource {
  return typeof value === "string" && (EVIDENCE_SOURCES as readonly string[]).includes(value);
}

export type MappingSource =
  | { kind: "rule"; ruleId: string }
  | { kind: "owasp"; category: OwaspApiCategory }
  | { kind: "cwe"; cwe: number };

export interface MappingRow {
  source: MappingSource;
  framework: FrameworkId;
  controls: readonly string[];
  /** Why a finding of this source bears on these controls. */
  rationale: string;
  /** Every evidence source the row needs (all of them). */
  evidence: readonly EvidenceSource[];
}

export interface NotMapped {
  ruleId: string;
  framework: FrameworkId;
  reason: string;
}

type PerFramework = Partial<Record<FrameworkId, readonly [controls: readonly string[], rationale: string]>>;

function rows(source: MappingSource, evidence: readonly EvidenceSource[], per: PerFramework): MappingRow[] {
  return Object.entries(per).map(([framework, entry]) => ({
    source,
    framework: framework as FrameworkId,
    controls: entry![0],
    rationale: entry![1],
    evidence,
  }));
}

const rule = (ruleId: string, evidence: readonly EvidenceSource[], per: PerFramework) =>
  rows({ kind: "rule", ruleId }, evidence, per);
const owasp = (category: OwaspApiCategory, per: PerFramework) => rows({ kind: "owasp", category }, ["scan"], per);
const cwe = (id: number, per: PerFramework) => rows({ kind: "cwe", cwe: id }, ["scan"], per);

// ---------------------------------------------------------------------------------------------------------------
// Correlation rules. The OWASP control is the category the rule's findings carry.

const RULE_ROWS: readonly MappingRow[] = [
  ...rule("shadow-endpoint", ["traffic", "inventory"], {
    "owasp-api-2023": [["API9"], "An endpoint served in production that no inventory documents is improper inventory management."],
    "pci-dss-4.0": [["6.3.2", "12.5.1"], "The endpoint is bespoke software missing from the software and system-component inventories."],
    soc2: [["CC6.1", "CC7.1"], "CC6.1 expects an inventory of information assets; CC7.1 expects unknown components to be detected."],
    "iso27001-2022": [["5.9", "8.32"], "The asset inventory misses the endpoint, and it reached production outside a documented change."],
    "nist-csf-2.0": [["ID.AM-02", "ID.AM-03"], "The service and its data flow are missing from the inventories."],
  }),
  ...rule("shadow-api", ["traffic", "inventory"], {
    "owasp-api-2023": [["API9"], "A host or base path serving traffic that no inventory knows is an unmanaged API."],
    "pci-dss-4.0": [["6.3.2", "12.5.1"], "A whole API is missing from the software and system-component inventories."],
    soc2: [["CC6.1", "CC7.1"], "CC6.1 expects an inventory of information assets; CC7.1 expects unknown components to be detected."],
    "iso27001-2022": [["5.9", "8.32"], "The asset inventory misses the API, and it reached production outside a documented change."],
    "nist-csf-2.0": [["ID.AM-02", "ID.AM-03"], "The service and its data flows are missing from the inventories."],
  }),
  ...rule("zombie", ["traffic", "inventory"], {
    "owasp-api-2023": [["API9"], "A deprecated or retired API version still serving is the category's unpatched old version."],
    "pci-dss-4.0": [["2.2.4", "6.3.2"], "Retired functionality should be disabled; the inventory says retired while it still runs."],
    soc2: [["CC8.1"], "The retirement (a change) was not implemented as approved."],
    "iso27001-2022": [["5.9", "8.32"], "The inventory state and reality differ; the decommissioning change was not completed."],
    "nist-csf-2.0": [["ID.AM-08"], "The service is not managed through the end of its life cycle."],
  }),
  ...rule("unused-endpoint", ["traffic", "inventory"], {
    "owasp-api-2023": [["API9"], "Documented production endpoints nobody uses are attack surface the inventory keeps alive."],
    "pci-dss-4.0": [["2.2.4"], "Unnecessary functionality should be removed or disabled."],
    soc2: [["CC6.6"], "Restricting what can be done through externally reachable channels includes closing unused ones."],
    "iso27001-2022": [["5.9"], "The inventory lists an endpoint whose need is unproven."],
    "nist-csf-2.0": [["ID.AM-08"], "An endpoint without use is a life-cycle decision (retire it) not yet taken."],
  }),
  ...rule("ownerless-api", ["inventory"], {
    "owasp-api-2023": [["API9"], "An API without an owning team is not managed in the inventory."],
    soc2: [["CC1.3", "CC6.1"], "No responsibility is assigned for the asset; CC6.1's asset inventory expects managed assets."],
    "iso27001-2022": [["5.9"], "5.9 requires the inventory to include the assets' owners."],
    "nist-csf-2.0": [["ID.AM-02", "GV.RR-02"], "The inventory entry lacks an owner; nobody holds the service's cybersecurity responsibilities."],
  }),
  ...rule("unauthenticated-access", ["traffic", "inventory"], {
    "owasp-api-2023": [["API2"], "Requests without a principal were served by an endpoint that requires authentication."],
    "pci-dss-4.0": [["8.3.1"], "Access to system components must be authenticated."],
    soc2: [["CC6.1", "CC6.6"], "Logical access security did not stop unauthenticated outside requests."],
    "iso27001-2022": [["8.5", "5.15"], "Authentication and the access-control rule were not enforced."],
    "nist-csf-2.0": [["PR.AA-03"], "Users and services were not authenticated."],
  }),
  ...rule("no-auth-declared", ["inventory"], {
    "owasp-api-2023": [["API2"], "An operation declares no authentication and is not marked public."],
    "pci-dss-4.0": [["8.3.1"], "The design declares no authentication factor for access."],
    soc2: [["CC6.1"], "The documented architecture has no logical access security for the operation."],
    "iso27001-2022": [["8.5", "8.26"], "Secure authentication is missing from the application's specified security requirements."],
    "nist-csf-2.0": [["PR.AA-03"], "The service does not declare how callers are authenticated."],
  }),
  ...rule("weak-auth", ["inventory"], {
    "owasp-api-2023": [["API2"], "HTTP Basic, API keys in the query string or authentication over plain HTTP."],
    "pci-dss-4.0": [["8.3.2", "8.3.1"], "Authentication factors travel readable (query strings, plain HTTP): 8.3.2 requires strong cryptography for them in transmission."],
    soc2: [["CC6.1", "CC6.6"], "CC6.6 covers protecting credentials in transmission from outside the system boundaries."],
    "iso27001-2022": [["8.5", "5.17"], "Weak authentication technique and unprotected authentication information."],
    "nist-csf-2.0": [["PR.AA-03"], "Authentication is not commensurate with the risk."],
  }),
  ...rule("cleartext-transport", ["inventory"], {
    "owasp-api-2023": [["API8"], "Missing TLS is a security misconfiguration (CWE-319)."],
    "pci-dss-4.0": [["4.2.1", "8.3.2"], "Data and authentication factors cross networks without strong cryptography."],
    soc2: [["CC6.7"], "Information is not protected during transmission."],
    "iso27001-2022": [["8.24"], "Cryptography is not used where the transfer needs it."],
    "nist-csf-2.0": [["PR.DS-02"], "Data-in-transit is not protected."],
  }),
  ...rule("object-enumeration", ["traffic"], {
    "owasp-api-2023": [["API1"], "One client walks many object ids: the signature of broken object-level authorization probing."],
    "pci-dss-4.0": [["6.4.2", "11.5.1"], "The attack was not detected or prevented by an automated solution or intrusion detection."],
    soc2: [["CC6.3", "CC7.2"], "Object-level access should follow least privilege; the anomaly is a security event to analyse."],
    "iso27001-2022": [["8.3", "8.16"], "Access to information should be restricted per object; the behaviour was found by monitoring."],
    "nist-csf-2.0": [["PR.AA-05", "DE.CM-09"], "Authorizations should be enforced per object; the runtime was monitored for adverse events."],
  }),
  ...rule("credential-stuffing", ["traffic"], {
    "owasp-api-2023": [["API2"], "Many failed authentications from one client within minutes."],
    "pci-dss-4.0": [["8.3.4", "6.4.2"], "Invalid authentication attempts must be limited; web attacks detected and prevented."],
    soc2: [["CC6.6", "CC7.2"], "Outside threats against credentials; the anomaly is a security event to analyse."],
    "iso27001-2022": [["8.5", "8.16"], "Secure authentication limits unsuccessful attempts; found by monitoring."],
    "nist-csf-2.0": [["PR.AA-03", "DE.CM-01", "DE.CM-09"], "Authentication is attacked; network services and authentication attempts are monitored for adverse events."],
  }),
  ...rule("missing-rate-limit", ["traffic"], {
    "owasp-api-2023": [["API4"], "A sustained high request rate with no rate limit seen is unrestricted resource consumption."],
    soc2: [["A1.1"], "Capacity demand is not managed (Availability criteria)."],
    "iso27001-2022": [["8.6"], "Capacity management: use of resources is not adjusted or limited."],
    "nist-csf-2.0": [["PR.IR-04"], "Resource capacity to ensure availability is not protected."],
  }),
  ...rule("slow-enumeration", ["traffic"], {
    "owasp-api-2023": [["API6"], "A client harvests records through a business flow (lookup, search) slowly enough to evade rate limits."],
    "pci-dss-4.0": [["6.4.2", "10.4.1.1"], "Automated detection and log review should surface automated abuse of a business flow."],
    soc2: [["CC6.7", "CC7.2"], "Transmission of information to users is not restricted; the scraping is a security event."],
    "iso27001-2022": [["8.12", "8.16"], "Data leakage prevention; found by monitoring."],
    "nist-csf-2.0": [["DE.CM-09"], "Runtime activity monitored to find adverse events."],
  }),
  ...rule("new-client-harvesting", ["traffic"], {
    "owasp-api-2023": [["API3"], "A new client downloading far more than its peers suggests excessive data exposure."],
    "pci-dss-4.0": [["10.4.1.1", "11.5.1"], "Automated log review and intrusion detection should surface the anomaly."],
    soc2: [["CC6.7", "CC7.2"], "Transmission of information to users is not restricted; the anomaly is a security event."],
    "iso27001-2022": [["8.12", "8.16"], "Data leakage prevention; found by monitoring."],
    "nist-csf-2.0": [["DE.CM-09"], "Runtime data flows monitored to find adverse events."],
  }),
  ...rule("exfiltration-anomaly", ["traffic"], {
    "owasp-api-2023": [["API3"], "A client downloading far more than its baseline suggests excessive data exposure."],
    "pci-dss-4.0": [["10.4.1.1", "11.5.1"], "Automated log review and intrusion detection should surface the anomaly."],
    soc2: [["CC6.7", "CC7.2"], "Transmission of information to users is not restricted; the anomaly is a security event."],
    "iso27001-2022": [["8.12", "8.16"], "Data leakage prevention; found by monitoring."],
    "nist-csf-2.0": [["DE.CM-09"], "Runtime data flows monitored to find adverse events."],
  }),
  ...rule("error-leakage", ["traffic"], {
    "owasp-api-2023": [["API8"], "A large share of server errors: error pages often leak stack traces and internals (CWE-209)."],
    "pci-dss-4.0": [["6.2.4"], "Bespoke software should handle errors without exposing internals."],
    soc2: [["CC7.2"], "Errors affecting the system's objectives are anomalies to monitor and analyse."],
    "iso27001-2022": [["8.28", "8.16"], "Secure coding includes error handling; found by monitoring."],
    "nist-csf-2.0": [["DE.CM-09"], "Runtime software monitored to find adverse events."],
  }),
  ...rule("sensitive-data-exposure", ["inventory"], {
    "owasp-api-2023": [["API3"], "PII, financial data or credentials returned by an endpoint with weak or no authentication."],
    "pci-dss-4.0": [["8.3.1", "6.2.4"], "Sensitive data must only be reachable by authenticated access; the software exposes it."],
    soc2: [["CC6.1"], "Protected information assets without logical access security."],
    "iso27001-2022": [["8.3", "8.11"], "Access to information is not restricted, and sensitive fields are not masked."],
    "nist-csf-2.0": [["PR.AA-05", "ID.AM-07"], "Access to designated data types is not enforced; the classified fields are the data inventory."],
  }),
  ...rule("auth-weakened", ["inventory"], {
    "owasp-api-2023": [["API2"], "A new version of the API weakens or drops an endpoint's authentication."],
    "pci-dss-4.0": [["8.3.1", "6.2.4"], "A software change removed or weakened the authentication factor access relies on."],
    soc2: [["CC6.1", "CC8.1"], "A change reduced logical access security; CC8.1 expects changes to be authorised and reviewed."],
    "iso27001-2022": [["8.5", "8.32"], "Secure authentication weakened by a change to the application."],
    "nist-csf-2.0": [["PR.AA-03"], "Callers are authenticated less strongly than before the change."],
  }),
  ...rule("sensitive-data-added", ["inventory"], {
    "owasp-api-2023": [["API3"], "A new version of the API returns PII, financial data or credentials it did not return before."],
    "pci-dss-4.0": [["6.2.4"], "A software change started returning sensitive data; its exposure needs review."],
    soc2: [["CC6.1", "CC8.1"], "A change added sensitive information assets to a response; changes are to be reviewed."],
    "iso27001-2022": [["8.11", "8.32"], "Sensitive fields added by a change, to mask or to review under change management."],
    "nist-csf-2.0": [["ID.AM-07"], "The inventory of data types the API handles changed."],
  }),
  ...rule("stale-secret", ["vault"], {
    "owasp-api-2023": [["API8"], "A credential used past its rotation period (CWE-324) is a misconfiguration."],
    "pci-dss-4.0": [["8.6.3"], "Application and system account passwords/credentials must be changed periodically."],
    soc2: [["CC6.1"], "Logical access security includes managing credentials for infrastructure and software."],
    "iso27001-2022": [["5.17", "8.24"], "Authentication information and keys must be managed through their life, including rotation."],
    "nist-csf-2.0": [["PR.AA-01"], "Credentials for services are not managed."],
  }),
  ...rule("over-shared-secret", ["vault"], {
    "owasp-api-2023": [["API8"], "One secret read by many identities (CWE-732) is a permissive misconfiguration."],
    "pci-dss-4.0": [["8.2.2", "7.2.5"], "Shared credentials only by exception; application accounts limited to what needs them."],
    soc2: [["CC6.3"], "Access is not limited by least privilege."],
    "iso27001-2022": [["5.17", "5.18"], "Authentication information is spread beyond its holders; access rights are too broad."],
    "nist-csf-2.0": [["PR.AA-05", "PR.AA-01"], "Least privilege on the secret; credentials not managed per service."],
  }),
  ...rule("secret-access-denied-burst", ["vault"], {
    "owasp-api-2023": [["API2"], "A burst of denied reads on a secret: probing for credentials, or a workload lost its policy."],
    "pci-dss-4.0": [["10.2.1", "10.4.1.1"], "Invalid access attempts are logged (10.2.1.x) and logs are reviewed automatically."],
    soc2: [["CC7.2"], "An anomaly that may indicate a malicious act, to analyse as a security event."],
    "iso27001-2022": [["8.15", "8.16"], "Logging of access events and monitoring for anomalous behaviour."],
    "nist-csf-2.0": [["DE.CM-09", "PR.PS-04"], "Log records are available and monitored to find adverse events."],
  }),
  ...rule("secret-access-anomaly", ["vault"], {
    "owasp-api-2023": [["API2"], "A vault identity used its access unlike its baseline: a stolen token or credential, or a workload doing more than it should."],
    "pci-dss-4.0": [["10.4.1.1", "7.2.5"], "Audit logs are reviewed automatically; an application account's access is used beyond what it was granted for."],
    soc2: [["CC7.2"], "An anomaly that may indicate a malicious act, to analyse as a security event."],
    "iso27001-2022": [["8.16", "8.2"], "Monitoring for anomalous behaviour; privileged access rights are used as granted."],
    "nist-csf-2.0": [["DE.CM-09", "PR.AA-05"], "Access to the secrets' data is monitored to find adverse events; entitlements are used beyond their purpose."],
  }),
  ...rule("documentation-gaps", ["inventory"], {
    "owasp-api-2023": [["API9"], "Undocumented operations, parameters or responses are an inventory and documentation gap."],
    "pci-dss-4.0": [["6.3.2"], "The bespoke software inventory should describe the software well enough to manage its vulnerabilities."],
    soc2: [["CC8.1"], "Changes to software are to be documented."],
    "iso27001-2022": [["8.25", "8.26"], "Documentation is part of the secure development life cycle and of specified security requirements."],
    "nist-csf-2.0": [["ID.AM-03"], "The API's data flows are not fully represented."],
  }),
];

/** Rules that deliberately map to no control of a framework, and why. */
export const NOT_MAPPED: readonly NotMapped[] = [
  {
    ruleId: "ownerless-api",
    framework: "pci-dss-4.0",
    reason:
      "PCI DSS assigns roles per requirement (x.1.2) and inventories components by function/use (12.5.1); it has no requirement that each asset have an owning team.",
  },
  {
    ruleId: "missing-rate-limit",
    framework: "pci-dss-4.0",
    reason:
      "PCI DSS 4.0 sets no request-rate requirement; the only attempt limit (8.3.4) is on invalid authentication attempts, which credential-stuffing covers.",
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Scanner findings by OWASP API 2023 category (evidence: scan). Every category is a vulnerability found by a scanner:
// PCI 6.3.1 / SOC 2 CC7.1 / ISO 8.8 / NIST ID.RA-01 (vulnerabilities identified and managed) apply throughout, and
// ISO 8.29 (the finding comes from security testing).

const VULN = "A scanner-reported vulnerability is identified and must be managed";

const OWASP_ROWS: readonly MappingRow[] = [
  ...owasp("API1", {
    "owasp-api-2023": [["API1"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Access-control flaws in bespoke software (6.2.4). ${VULN} (6.3.1).`],
    soc2: [["CC6.3", "CC7.1"], `Object access not based on authorization. ${VULN} (CC7.1).`],
    "iso27001-2022": [["8.3", "8.8", "8.29"], `Information access restriction. ${VULN} (8.8).`],
    "nist-csf-2.0": [["PR.AA-05", "ID.RA-01"], `Authorizations not enforced per object. ${VULN} (ID.RA-01).`],
  }),
  ...owasp("API2", {
    "owasp-api-2023": [["API2"], "The category itself."],
    "pci-dss-4.0": [["8.3.1", "8.3.2", "6.3.1"], `Authentication of access and protection of authentication factors. ${VULN}.`],
    soc2: [["CC6.1", "CC6.6", "CC7.1"], `Logical access security against outside threats. ${VULN}.`],
    "iso27001-2022": [["8.5", "8.8", "8.29"], `Secure authentication. ${VULN}.`],
    "nist-csf-2.0": [["PR.AA-03", "ID.RA-01"], `Authentication. ${VULN}.`],
  }),
  ...owasp("API3", {
    "owasp-api-2023": [["API3"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Attacks on data and data structures in bespoke software. ${VULN}.`],
    soc2: [["CC6.7", "CC7.1"], `Information transmitted beyond authorized users. ${VULN}.`],
    "iso27001-2022": [["8.3", "8.11", "8.8", "8.29"], `Property-level access restriction and masking. ${VULN}.`],
    "nist-csf-2.0": [["PR.AA-05", "ID.RA-01"], `Authorizations not enforced per property. ${VULN}.`],
  }),
  ...owasp("API4", {
    "owasp-api-2023": [["API4"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Resource-exhaustion flaws in bespoke software. ${VULN}.`],
    soc2: [["A1.1", "CC7.1"], `Capacity demand not managed. ${VULN}.`],
    "iso27001-2022": [["8.6", "8.8", "8.29"], `Capacity management. ${VULN}.`],
    "nist-csf-2.0": [["PR.IR-04", "ID.RA-01"], `Resource capacity. ${VULN}.`],
  }),
  ...owasp("API5", {
    "owasp-api-2023": [["API5"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Access-control mechanism flaws in bespoke software. ${VULN}.`],
    soc2: [["CC6.3", "CC7.1"], `Functions reachable beyond roles (least privilege). ${VULN}.`],
    "iso27001-2022": [["8.2", "8.8", "8.29"], `Privileged (administrative) functions reachable without the right. ${VULN}.`],
    "nist-csf-2.0": [["PR.AA-05", "ID.RA-01"], `Authorizations not enforced per function. ${VULN}.`],
  }),
  ...owasp("API6", {
    "owasp-api-2023": [["API6"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Business-logic attacks on bespoke software. ${VULN}.`],
    soc2: [["CC7.1"], VULN],
    "iso27001-2022": [["8.26", "8.8", "8.29"], `Business-flow protection is an application security requirement. ${VULN}.`],
    "nist-csf-2.0": [["ID.RA-01"], VULN],
  }),
  ...owasp("API7", {
    "owasp-api-2023": [["API7"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Server-side request forgery in bespoke software. ${VULN}.`],
    soc2: [["CC6.6", "CC7.1"], `Outside requests reach inside the system boundary. ${VULN}.`],
    "iso27001-2022": [["8.27", "8.28", "8.8", "8.29"], `Architecture and coding that restrict outbound destinations. ${VULN}.`],
    "nist-csf-2.0": [["ID.RA-01"], VULN],
  }),
  ...owasp("API8", {
    "owasp-api-2023": [["API8"], "The category itself."],
    "pci-dss-4.0": [["6.4.1", "6.3.1"], `Public-facing web applications protected against known attacks. ${VULN}.`],
    soc2: [["CC7.1"], `Configuration changes that introduce vulnerabilities. ${VULN}.`],
    "iso27001-2022": [["8.9", "8.8", "8.29"], `Configuration management. ${VULN}.`],
    "nist-csf-2.0": [["PR.PS-01", "ID.RA-01"], `Configuration management practices. ${VULN}.`],
  }),
  ...owasp("API9", {
    "owasp-api-2023": [["API9"], "The category itself."],
    "pci-dss-4.0": [["6.3.2", "12.5.1"], "Software and system-component inventories."],
    soc2: [["CC6.1", "CC7.1"], `Asset inventory; unknown components detected. ${VULN}.`],
    "iso27001-2022": [["5.9", "8.8", "8.29"], `Asset inventory. ${VULN}.`],
    "nist-csf-2.0": [["ID.AM-02", "ID.RA-01"], `Service inventory. ${VULN}.`],
  }),
  ...owasp("API10", {
    "owasp-api-2023": [["API10"], "The category itself."],
    "pci-dss-4.0": [["6.2.4", "6.3.1"], `Input from third-party APIs handled unsafely in bespoke software. ${VULN}.`],
    soc2: [["CC7.1"], VULN],
    "iso27001-2022": [["8.28", "8.8", "8.29"], `Secure coding (validate data from other systems). ${VULN}.`],
    "nist-csf-2.0": [["ID.RA-01"], VULN],
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// Scanner findings by CWE, where a CWE points at a more specific control than its category does.

const CWE_ROWS: readonly MappingRow[] = [
  ...cwe(319, {
    "pci-dss-4.0": [["4.2.1"], "Cleartext transmission: strong cryptography over open, public networks."],
    soc2: [["CC6.7"], "Information not protected during transmission."],
    "iso27001-2022": [["8.24"], "Use of cryptography."],
    "nist-csf-2.0": [["PR.DS-02"], "Data-in-transit not protected."],
  }),
  ...cwe(798, {
    "pci-dss-4.0": [["8.6.2"], "Hard-coded credentials."],
    "iso27001-2022": [["5.17"], "Authentication information in code."],
    "nist-csf-2.0": [["PR.AA-01"], "Credentials not managed."],
  }),
  ...cwe(307, {
    "pci-dss-4.0": [["8.3.4"], "Invalid authentication attempts not limited."],
    "iso27001-2022": [["8.5"], "Secure authentication limits unsuccessful attempts."],
  }),
];

/** Every row of the table. */
export const MAPPING: readonly MappingRow[] = [...RULE_ROWS, ...OWASP_ROWS, ...CWE_ROWS];

/** The rows for a correlation rule's findings. */
export function mappingForRule(ruleId: string): MappingRow[] {
  return MAPPING.filter((r) => r.source.kind === "rule" && r.source.ruleId === ruleId);
}

/** The rows for a scanner finding: its CWE's rows and its category's (the category from the CWE when not given). */
export function mappingForScannerFinding(finding: { cwe?: number | null; owaspCategory?: string | null }): MappingRow[] {
  const category = isOwaspApiCategory(finding.owaspCategory)
    ? finding.owaspCategory
    : finding.cwe != null
      ? owaspApiCategoryForCwe(finding.cwe)
      : undefined;
  return MAPPING.filter(
    (r) =>
      (r.source.kind === "cwe" && finding.cwe != null && r.source.cwe === finding.cwe) ||
      (r.source.kind === "owasp" && category !== undefined && r.source.category === category),
  );
}

/** The rows that bear on one control. */
export function mappingForControl(framework: FrameworkId, controlId: string): MappingRow[] {
  return MAPPING.filter((r) => r.framework === framework && r.controls.includes(controlId));
}

/**
 * Whether Postern can say anything about a control given the evidence sources ingested: true when at least one row
 * mapping to it has all its evidence. False means "not assessed" (also for a control no row maps to).
 */
export function isControlAssessed(framework: FrameworkId, controlId: string, ingested: ReadonlySet<EvidenceSource>): boolean {
  return mappingForControl(framework, controlId).some((r) => r.evidence.every((e) => ingested.has(e)));
}
