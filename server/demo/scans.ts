/**
 * Deterministic scanner reports for the demo organisation (issue 14): what its security tools would have sent over a
 * few weeks, in their own formats, for Postern to ingest through the normal pipeline like any customer's reports.
 *
 *   generateDemoScans(options) → two scan rounds, each { at, files }:
 *   - round 1 (35 days before `now`): a ZAP JSON report (DAST of the Apis' sites), a SARIF log (a code scanner, one run
 *     per repository the catalog names: mapped by the Apis' repositories) and Nuclei JSON lines;
 *   - round 2 (10 days before `now`): the same scopes scanned again, ZAP as XML this time. About a fifth of the first
 *     round's results are gone (fixed: the rescan resolves them), the rest are reported again (a finding someone
 *     resolved in between comes back as a regression) and a few are new.
 *
 * A pure function of the options, like ./generate.ts: one seeded PRNG (./prng.ts), dates relative to `now`, no I/O.
 */
import type { DemoApi, DemoOptions } from "./generate";
import { describeDemoOrganisation } from "./generate";
import { createRng, type Rng, seedFrom } from "./prng";

export interface DemoScanFile {
  name: string;
  content: string;
  family: "scan";
}

export interface DemoScanRound {
  at: Date;
  files: DemoScanFile[];
}

const DAY_MS = 86_400_000;
/** Days before `now` of each round. */
export const DEMO_SCAN_ROUNDS_DAYS_AGO = [35, 10] as const;

interface ZapAlert {
  id: string;
  name: string;
  risk: 0 | 1 | 2 | 3;
  cwe: number;
  desc: string;
  solution: string;
  param?: string;
}

const ZAP_ALERTS: ZapAlert[] = [
  { id: "10021", name: "X-Content-Type-Options Header Missing", risk: 1, cwe: 693, desc: "The Anti-MIME-Sniffing header X-Content-Type-Options was not set to 'nosniff'.", solution: "Set X-Content-Type-Options: nosniff on every response.", param: "x-content-type-options" },
  { id: "10035", name: "Strict-Transport-Security Header Not Set", risk: 1, cwe: 319, desc: "HTTP Strict Transport Security (HSTS) is not enforced.", solution: "Send Strict-Transport-Security on HTTPS responses." },
  { id: "10098", name: "Cross-Domain Misconfiguration", risk: 2, cwe: 264, desc: "Web browser data loading may be possible, due to a Cross Origin Resource Sharing (CORS) misconfiguration.", solution: "Do not answer Access-Control-Allow-Origin: * for authenticated resources." },
  { id: "10036", name: "Server Leaks Version Information via \"Server\" HTTP Response Header Field", risk: 1, cwe: 497, desc: "The web/application server is leaking version information via the Server response header.", solution: "Suppress the Server header or its version." },
  { id: "90022", name: "Application Error Disclosure", risk: 2, cwe: 550, desc: "This page contains an error/warning message that may disclose sensitive information like the location of the file that produced the unhandled exception.", solution: "Return generic error messages; log details on the server." },
  { id: "40018", name: "SQL Injection", risk: 3, cwe: 89, desc: "SQL injection may be possible.", solution: "Use parameterised queries; never concatenate input into SQL.", param: "id" },
  { id: "40012", name: "Cross Site Scripting (Reflected)", risk: 3, cwe: 79, desc: "Cross-site Scripting (XSS) is possible by reflecting input in the response.", solution: "Encode output for its context and validate input.", param: "q" },
  { id: "10024", name: "Information Disclosure - Sensitive Information in URL", risk: 0, cwe: 598, desc: "The request appeared to contain sensitive information leaked in the URL.", solution: "Do not pass sensitive information in URIs.", param: "token" },
  { id: "100000", name: "A Server Error response code was returned by the server", risk: 1, cwe: 388, desc: "A response code of 500 was returned by the server.", solution: "Handle errors; never answer stack traces." },
];

interface SarifRule {
  id: string;
  name: string;
  level: "error" | "warning" | "note";
  cwe: number;
  file: string;
}

const SARIF_RULES: SarifRule[] = [
  { id: "javascript.express.security.audit.express-open-redirect", name: "Open redirect from request data", level: "warning", cwe: 601, file: "src/routes/redirect.ts" },
  { id: "javascript.lang.security.audit.sqli.node-postgres-sqli", name: "SQL built from request data", level: "error", cwe: 89, file: "src/db/queries.ts" },
  { id: "generic.secrets.security.detected-generic-api-key", name: "Hard-coded API key", level: "error", cwe: 798, file: "config/default.ts" },
  { id: "javascript.jsonwebtoken.security.jwt-none-alg", name: "JWT accepts the none algorithm", level: "error", cwe: 347, file: "src/auth/jwt.ts" },
  { id: "javascript.lang.security.audit.path-traversal", name: "Path built from request data", level: "warning", cwe: 22, file: "src/files/download.ts" },
  { id: "javascript.express.security.cors-misconfiguration", name: "CORS allows any origin with credentials", level: "warning", cwe: 942, file: "src/app.ts" },
  { id: "javascript.lang.best-practice.weak-hash-md5", name: "MD5 used for hashing", level: "note", cwe: 328, file: "src/util/hash.ts" },
];

interface NucleiTemplate {
  id: string;
  name: string;
  severity: "info" | "low" | "medium" | "high" | "critical";
  tags: string[];
  path: string;
}

const NUCLEI_TEMPLATES: NucleiTemplate[] = [
  { id: "swagger-api", name: "Public Swagger API - Detect", severity: "info", tags: ["exposure", "api"], path: "/swagger.json" },
  { id: "springboot-actuator-env", name: "Spring Boot Actuator /env exposed", severity: "high", tags: ["misconfig", "springboot"], path: "/actuator/env" },
  { id: "graphql-introspection", name: "GraphQL Introspection Enabled", severity: "medium", tags: ["graphql", "misconfig"], path: "/graphql" },
  { id: "git-config", name: "Git Config Disclosure", severity: "medium", tags: ["config", "git", "exposure"], path: "/.git/config" },
  { id: "weak-cipher-suites", name: "Weak TLS cipher suites", severity: "low", tags: ["ssl", "tls"], path: "/" },
];

/** One result of a scan: its identity (stable across rounds) and how to render it. */
interface PlannedResult {
  key: string;
  api: DemoApi;
  render: number; // index into the tool's catalogue
  path: string;
  method: string;
  line: number;
}

function concretePath(template: string, rng: Rng): string {
  return template.replace(/\{[^}]+\}/g, () => String(rng.int(1000, 99999)));
}

function hostOf(api: DemoApi): string {
  return new URL(api.baseUrl).host;
}

function site(api: DemoApi): string {
  const u = new URL(api.baseUrl);
  return `${u.protocol}//${u.host}`;
}

export function generateDemoScans(options: DemoOptions & { now?: Date } = {}): DemoScanRound[] {
  const now = options.now ?? new Date();
  const org = describeDemoOrganisation(options);
  const rng = createRng(seedFrom(options.seed ?? 1, options.apis ?? 40, 0x5ca115));
  const web = org.apis.filter((a) => a.endpoints.length > 0 && a.lifecycle !== "retired");
  const dast = web.filter(() => rng.chance(0.6));
  const coded = org.apis.filter((a) => a.repository && rng.chance(0.5));
  const nucleiTargets = web.filter(() => rng.chance(0.3));

  const plan = (tool: "zap" | "sarif" | "nuclei", apis: DemoApi[], perApi: [number, number]): PlannedResult[] => {
    const results: PlannedResult[] = [];
    const size = tool === "zap" ? ZAP_ALERTS.length : tool === "sarif" ? SARIF_RULES.length : NUCLEI_TEMPLATES.length;
    for (const api of apis) {
      const count = rng.int(perApi[0], perApi[1]);
      const used = new Set<string>();
      for (let i = 0; i < count; i++) {
        const render = rng.int(0, size - 1);
        const endpoint = api.endpoints.length ? rng.pick(api.endpoints) : null;
        const path = endpoint ? concretePath(endpoint.path, rng) : "/";
        const key = `${tool}|${api.slug}|${render}|${tool === "zap" ? path : ""}`;
        if (used.has(key)) continue;
        used.add(key);
        results.push({ key, api, render, path, method: endpoint?.method ?? "GET", line: rng.int(8, 420) });
      }
    }
    return results;
  };

  const first = { zap: plan("zap", dast, [2, 6]), sarif: plan("sarif", coded, [1, 4]), nuclei: plan("nuclei", nucleiTargets, [1, 2]) };
  // Round 2: most results again, a fifth gone (fixed), a few new ones.
  const again = (results: PlannedResult[]) => results.filter(() => !rng.chance(0.2));
  const fresh = {
    zap: plan("zap", dast.filter(() => rng.chance(0.25)), [1, 2]),
    sarif: plan("sarif", coded.filter(() => rng.chance(0.25)), [1, 1]),
    nuclei: plan("nuclei", nucleiTargets.filter(() => rng.chance(0.25)), [1, 1]),
  };
  const dedupe = (results: PlannedResult[]) => [...new Map(results.map((r) => [r.key, r])).values()];
  const second = {
    zap: dedupe([...again(first.zap), ...fresh.zap]),
    sarif: dedupe([...again(first.sarif), ...fresh.sarif]),
    nuclei: dedupe([...again(first.nuclei), ...fresh.nuclei]),
  };

  const rounds: DemoScanRound[] = [];
  for (const [index, daysAgo] of DEMO_SCAN_ROUNDS_DAYS_AGO.entries()) {
    const at = new Date(now.getTime() - daysAgo * DAY_MS);
    const results = index === 0 ? first : second;
    const stamp = at.toISOString().slice(0, 10);
    const files: DemoScanFile[] = [];
    if (dast.length) {
      files.push(
        index === 0
          ? { name: `scans/${stamp}/zap-report.json`, content: renderZapJson(dast, results.zap, at), family: "scan" }
          : { name: `scans/${stamp}/zap-report.xml`, content: renderZapXml(dast, results.zap, at), family: "scan" },
      );
    }
    if (coded.length) files.push({ name: `scans/${stamp}/semgrep.sarif`, content: renderSarif(coded, results.sarif), family: "scan" });
    if (results.nuclei.length) files.push({ name: `scans/${stamp}/nuclei.jsonl`, content: renderNuclei(results.nuclei, at), family: "scan" });
    rounds.push({ at, files });
  }
  return rounds;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function instanceUrl(r: PlannedResult, alert: ZapAlert): string {
  const base = r.api.baseUrl.replace(/\/$/, "");
  return `${base}${r.path}${alert.param === "token" ? "?token=REDACTED" : ""}`;
}

function zapSites(apis: DemoApi[], results: PlannedResult[]): { api: DemoApi; alerts: { alert: ZapAlert; instances: PlannedResult[] }[] }[] {
  return apis.map((api) => {
    const byAlert = new Map<number, PlannedResult[]>();
    for (const r of results) if (r.api === api) byAlert.set(r.render, [...(byAlert.get(r.render) ?? []), r]);
    return { api, alerts: [...byAlert.entries()].map(([i, instances]) => ({ alert: ZAP_ALERTS[i]!, instances })) };
  });
}

const RISK_WORD = ["Informational", "Low", "Medium", "High"];

function renderZapJson(apis: DemoApi[], results: PlannedResult[], at: Date): string {
  const report = {
    "@programName": "ZAP",
    "@version": "2.15.0",
    "@generated": at.toUTCString(),
    site: zapSites(apis, results).map(({ api, alerts }) => {
      const u = new URL(api.baseUrl);
      return {
        "@name": site(api),
        "@host": u.hostname,
        "@port": u.protocol === "https:" ? "443" : "80",
        "@ssl": String(u.protocol === "https:"),
        alerts: alerts.map(({ alert, instances }) => ({
          pluginid: alert.id,
          alertRef: alert.id,
          alert: alert.name,
          name: alert.name,
          riskcode: String(alert.risk),
          confidence: "2",
          riskdesc: `${RISK_WORD[alert.risk]} (Medium)`,
          desc: `<p>${alert.desc}</p>`,
          instances: instances.map((r) => ({ uri: instanceUrl(r, alert), method: r.method, param: alert.param ?? "", attack: "", evidence: "" })),
          count: String(instances.length),
          solution: `<p>${alert.solution}</p>`,
          reference: "<p>https://owasp.org/API-Security/</p>",
          cweid: String(alert.cwe),
          wascid: "15",
          sourceid: "3",
        })),
      };
    }),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function renderZapXml(apis: DemoApi[], results: PlannedResult[], at: Date): string {
  const out = [`<?xml version="1.0"?>`, `<OWASPZAPReport programName="ZAP" version="2.16.1" generated="${xml(at.toUTCString())}">`];
  for (const { api, alerts } of zapSites(apis, results)) {
    const u = new URL(api.baseUrl);
    out.push(`  <site name="${xml(site(api))}" host="${xml(u.hostname)}" port="${u.protocol === "https:" ? 443 : 80}" ssl="${u.protocol === "https:"}">`, "    <alerts>");
    for (const { alert, instances } of alerts) {
      out.push(
        "      <alertitem>",
        `        <pluginid>${alert.id}</pluginid>`,
        `        <alertRef>${alert.id}</alertRef>`,
        `        <alert>${xml(alert.name)}</alert>`,
        `        <name>${xml(alert.name)}</name>`,
        `        <riskcode>${alert.risk}</riskcode>`,
        "        <confidence>2</confidence>",
        `        <riskdesc>${RISK_WORD[alert.risk]} (Medium)</riskdesc>`,
        `        <desc>${xml(alert.desc)}</desc>`,
        "        <instances>",
        ...instances.map(
          (r) =>
            `          <instance><uri>${xml(instanceUrl(r, alert))}</uri><method>${r.method}</method><param>${xml(alert.param ?? "")}</param><attack /><evidence /></instance>`,
        ),
        "        </instances>",
        `        <count>${instances.length}</count>`,
        `        <solution>${xml(alert.solution)}</solution>`,
        `        <cweid>${alert.cwe}</cweid>`,
        "        <wascid>15</wascid>",
        "      </alertitem>",
      );
    }
    out.push("    </alerts>", "  </site>");
  }
  out.push("</OWASPZAPReport>");
  return `${out.join("\n")}\n`;
}

function renderSarif(apis: DemoApi[], results: PlannedResult[]): string {
  const rules = SARIF_RULES.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.name },
    defaultConfiguration: { level: r.level },
    properties: { tags: [`CWE-${r.cwe}`, "security"], precision: "high" },
  }));
  const runs = apis.map((api) => ({
    tool: { driver: { name: "Semgrep", semanticVersion: "1.85.0", rules } },
    versionControlProvenance: [{ repositoryUri: api.repository, branch: "main" }],
    results: results
      .filter((r) => r.api === api)
      .map((r) => {
        const rule = SARIF_RULES[r.render]!;
        return {
          ruleId: rule.id,
          level: rule.level,
          message: { text: `${rule.name} in ${rule.file}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: rule.file }, region: { startLine: r.line } } }],
        };
      }),
  }));
  return `${JSON.stringify({ $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs }, null, 2)}\n`;
}

function renderNuclei(results: PlannedResult[], at: Date): string {
  return results
    .map((r, i) => {
      const t = NUCLEI_TEMPLATES[r.render]!;
      const host = site(r.api);
      return JSON.stringify({
        template: `http/${t.id}.yaml`,
        "template-id": t.id,
        info: { name: t.name, author: ["pdteam"], tags: t.tags, severity: t.severity, description: `${t.name} on ${hostOf(r.api)}.` },
        type: "http",
        host,
        "matched-at": `${r.api.baseUrl.replace(/\/$/, "")}${t.path}`,
        ip: `10.20.${(i >> 8) & 255}.${i & 255}`,
        timestamp: new Date(at.getTime() + i * 1000).toISOString(),
        "matcher-status": true,
      });
    })
    .join("\n")
    .concat("\n");
}
