/**
 * `npm run bench` (second half): scanner-result import speed through the whole pipeline (hash → detect → parse →
 * map → dedupe → batched writes), into an in-memory PGlite that already holds an inventory.
 *  (a) a 10,000-result SARIF report (code findings mapped by repository);
 *  (b) a 20,000-instance ZAP JSON report (web findings mapped by URL onto endpoint templates, instances deduped);
 *  (c) rescans: each report again with ~10 % of findings removed and ~5 % added (resolve / create / update).
 * DATABASE_URL picks the database (default: a fresh in-memory PGlite).
 */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { ingest } from "../server/ingest/pipeline";
import { bufferSource } from "../server/ingest/source";

const APIS = 40;
const ENDPOINTS = ["/items", "/items/{id}", "/items/{id}/history", "/items/search", "/users/{userId}", "/users/{userId}/orders/{orderId}", "/health", "/export"];
const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: null } as const);

function inventory(i: number): string {
  const ok = { responses: { "200": { description: "ok" } } };
  return JSON.stringify({
    openapi: "3.0.3",
    info: { title: `Bench service ${i}`, version: "1" },
    "x-owner": `team-${i % 8}`,
    "x-repository": `https://github.com/bench/service-${i}`,
    servers: [{ url: `https://svc-${i}.bench.example.com/v1` }],
    paths: Object.fromEntries(ENDPOINTS.map((p) => [p, { get: ok, post: ok, delete: ok }])),
  });
}

/** 10,000 results over 50 runs (repositories); runs for repositories 0..39 map, 40..49 stay unmapped. */
function sarif(drop: (n: number) => boolean, extra: number): string {
  const runs = [];
  let n = 0;
  for (let repo = 0; repo < 50; repo++) {
    const results = [];
    for (let k = 0; k < 200 + (repo === 0 ? extra : 0); k++, n++) {
      if (drop(n)) continue;
      results.push({
        ruleId: `rule-${k % 60}`,
        level: k % 7 === 0 ? "error" : k % 3 === 0 ? "warning" : "note",
        message: { text: `Problem ${k} in service ${repo}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: `service-${repo}/src/module-${k % 25}.ts` }, region: { startLine: 10 + k } } }],
      });
    }
    runs.push({
      tool: {
        driver: {
          name: "Semgrep",
          version: "1.50.0",
          rules: Array.from({ length: 60 }, (_, r) => ({ id: `rule-${r}`, shortDescription: { text: `Rule ${r}` }, properties: { tags: [`CWE-${[89, 79, 798, 22, 327][r % 5]}`] } })),
        },
      },
      versionControlProvenance: [{ repositoryUri: `https://github.com/bench/service-${repo}.git` }],
      results,
    });
  }
  return JSON.stringify({ version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs });
}

/** 20,000 instances: 40 sites × 25 plugins × 20 instances over concrete URLs of the endpoints (and some unknown paths). */
function zap(drop: (plugin: number) => boolean, extraPlugins: number, generated = "1"): string {
  const sites = [];
  for (let s = 0; s < APIS; s++) {
    const alerts = [];
    for (let p = 0; p < 25 + extraPlugins; p++) {
      if (drop(s * 100 + p)) continue;
      const instances = [];
      for (let k = 0; k < 20; k++) {
        const id = 1000 + ((k * 7 + p) % 40);
        const paths = [`/v1/items/${id}`, `/v1/items/${id}/history`, `/v1/users/u${id}/orders/${id * 3}`, `/v1/items/search`, `/v1/export`, `/v1/unknown/${k % 4}`, `/static/app-${p}.js`];
        instances.push({ uri: `https://svc-${s}.bench.example.com${paths[(k + p) % paths.length]}?q=${k}`, method: k % 5 === 0 ? "POST" : "GET", param: k % 3 === 0 ? "q" : "", evidence: `evidence ${k}` });
      }
      alerts.push({
        pluginid: String(10000 + p),
        alertRef: String(10000 + p),
        alert: `Alert ${p}`,
        name: `Alert ${p}`,
        riskcode: String(p % 4),
        confidence: "2",
        cweid: String([16, 200, 89, 693, 79][p % 5]),
        desc: `<p>Alert ${p} description</p>`,
        solution: "<p>Fix it.</p>",
        instances,
        count: String(instances.length),
      });
    }
    sites.push({ "@name": `https://svc-${s}.bench.example.com`, alerts });
  }
  return JSON.stringify({ "@programName": "ZAP", "@version": "2.16.1", "@generated": generated, site: sites });
}

async function timed(db: Awaited<ReturnType<typeof openDatabase>>, name: string, content: string) {
  const start = performance.now();
  const result = await ingest(db.prisma, { file: bufferSource(content, name), channel: "cli", actor: { type: "system" } });
  const ms = performance.now() - start;
  if (result.status !== "succeeded") throw new Error(`${name}: ${result.status} ${result.message}`);
  return { ms, counts: result.counts };
}

function line(label: string, ms: number, counts: Record<string, number>, perSecondOf: number) {
  const c = counts;
  console.log(
    `${label}: ${(ms / 1000).toFixed(2)} s (${((perSecondOf / ms) * 1000).toFixed(0)} records/s) — records ${c.records}, created ${c.findingsCreated}, updated ${c.findingsUpdated}, reopened ${c.findingsReopened}, resolved ${c.findingsResolved}, unmapped ${c.findingsUnmapped}, APIs ${c.apisTouched}`,
  );
}

const db = await openDatabase(target);
try {
  let t = performance.now();
  for (let i = 0; i < APIS; i++) await timed(db, `svc-${i}.json`, inventory(i));
  console.log(`database: ${target.kind === "pglite" ? (target.dataDir ?? "PGlite in memory") : "PostgreSQL"}; inventory: ${APIS} APIs × ${ENDPOINTS.length * 3} endpoints in ${((performance.now() - t) / 1000).toFixed(2)} s`);

  t = performance.now();
  const sarifReport = sarif(() => false, 0);
  const zapReport = zap(() => false, 0);
  console.log(`generated SARIF ${(sarifReport.length / 1e6).toFixed(1)} MB and ZAP JSON ${(zapReport.length / 1e6).toFixed(1)} MB in ${(performance.now() - t).toFixed(0)} ms`);

  const a = await timed(db, "bench.sarif", sarifReport);
  line("(a) SARIF 10,000 results", a.ms, a.counts, 10_000);
  const b = await timed(db, "bench-zap.json", zapReport);
  line("(b) ZAP JSON 20,000 instances", b.ms, b.counts, 20_000);

  const c1 = await timed(db, "bench.sarif", sarif((n) => n % 10 === 3, 500));
  line("(c) SARIF rescan (−10 %, +500)", c1.ms, c1.counts, c1.counts.records ?? 0);
  const c2 = await timed(db, "bench-zap.json", zap((n) => n % 10 === 3, 2));
  line("(c) ZAP rescan (−10 % alerts, +2 plugins per site)", c2.ms, c2.counts, c2.counts.records ?? 0);
  const c3 = await timed(db, "bench-zap.json", zap(() => false, 0, "3"));
  line("(c) ZAP rescan (original again: regressions)", c3.ms, c3.counts, c3.counts.records ?? 0);
  console.log(`findings in the database: ${await db.prisma.finding.count()}, events: ${await db.prisma.findingEvent.count()}`);
} finally {
  await db.close();
}
