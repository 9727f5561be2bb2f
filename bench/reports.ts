/**
 * `npm run bench` (part): a compliance report on the generated 2,000-API organisation with 200,000 findings and
 * their history — buildReport (OWASP API 2023, every Api, the last 90 days), the PDF, and the CSV streamed to a
 * counting sink — goal < 3 s in all, with bounded memory (aggregation in SQL, the CSV in pages). Also the five
 * frameworks' scorecards, and the report of the last complete week (what a weekly schedule makes). Prints each step's time and the process's peak RSS and heap growth while reporting.
 * Findings are generated in bulk SQL: derived (rule ids of the mapping) and scanner findings (OWASP category, CWE),
 * mixed severities and states, first seen over 120 days; each has its `created` event and, when it moved, a `status`
 * event (about 330,000 events). BENCH_APIS / BENCH_FINDINGS override the sizes; DATABASE_URL picks the database.
 */
import { performance } from "node:perf_hooks";
import type { Actor } from "../server/auth/roles";
import { frameworkScorecards } from "../server/compliance/scorecards";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { generateDemoOrganisation } from "../server/demo/generate";
import { latestCompletePeriod } from "../server/domain/report-cadence";
import { ingest } from "../server/ingest/pipeline";
import { bufferSource } from "../server/ingest/source";
import { buildReport } from "../server/reports/build";
import { streamReportCsv } from "../server/reports/csv";
import { renderReportPdf } from "../server/reports/pdf";
import { reportParams } from "../server/reports/schema";

const apis = Number(process.env.BENCH_APIS ?? 2000);
const findings = Number(process.env.BENCH_FINDINGS ?? 200_000);
const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: null } as const);
const RULES = ["no-auth-declared", "weak-auth", "cleartext-transport", "sensitive-data-exposure", "documentation-gaps", "ownerless-api", "shadow-endpoint", "unauthenticated-access", "missing-rate-limit", "error-leakage"];
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

const db = await openDatabase(target);
try {
  const prisma = db.prisma;
  let t = performance.now();
  for (const file of generateDemoOrganisation({ apis, seed: 42 })) {
    const result = await ingest(prisma, { file: bufferSource(file.content, file.name), channel: "cli", actor: { type: "system" }, correlate: false, specLint: false });
    if (result.status !== "succeeded") throw new Error(`${file.name}: ${result.status} ${result.message}`);
  }
  const inventoryMs = performance.now() - t;

  t = performance.now();
  // Every third finding a derived one (a mapped rule id), the others scanner findings with a category and a CWE.
  await prisma.$executeRaw`
    WITH a AS (SELECT id, "ownerTeamId", row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM api)
    INSERT INTO finding (id, kind, "ruleId", tool, title, severity, cwe, "owaspCategory", fingerprint, "apiId", "teamId",
      status, "resolvedAt", "slaDueAt", "firstSeenAt", "lastSeenAt", "createdAt", "updatedAt")
    SELECT 'rf-' || g,
      CASE WHEN g % 3 = 0 THEN 'posture' ELSE 'scan' END,
      CASE WHEN g % 3 = 0 THEN (${RULES}::text[])[1 + (g / 3) % ${RULES.length}::int] ELSE 'zap-' || (g % 97) END,
      CASE WHEN g % 3 = 0 THEN NULL ELSE 'zap' END,
      'Bench finding ' || (g % 97),
      (ARRAY['critical','high','medium','low','info'])[1 + g % 5],
      CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY[639, 287, 213, 770, 862, 841, 918, 79, 1059, 20, 319, 798])[1 + g % 12] END,
      CASE WHEN g % 3 = 0 THEN NULL ELSE (ARRAY['API1','API2','API3','API4','API5','API6','API7','API8','API9','API10','API8','API2'])[1 + g % 12] END,
      'bench-report-' || g, a.id, a."ownerTeamId",
      s.status,
      CASE WHEN s.status = 'resolved' THEN s.first + interval '20 days' ELSE NULL END,
      s.first + (ARRAY[7, 30, 90, 120, 120])[1 + g % 5] * interval '1 day',
      s.first, now(), s.first, now()
    FROM generate_series(1, ${findings}::int) g
    JOIN a ON a.i = g % a.n
    CROSS JOIN LATERAL (SELECT
      (ARRAY['open','open','open','triaged','in_progress','resolved','resolved','resolved','risk_accepted','false_positive'])[1 + (g / 7) % 10] AS status,
      now() - (g % 120) * interval '1 day' - interval '21 days' AS first) s`;
  // History: created at first seen; a finding that moved did so 20 days later.
  await prisma.$executeRaw`
    INSERT INTO finding_event (id, "findingId", "actorType", type, "fromValue", "toValue", "createdAt")
    SELECT 'c-' || f.id, f.id, 'system', 'created', NULL, 'open', f."firstSeenAt" FROM finding f WHERE f.id LIKE 'rf-%'
    UNION ALL
    SELECT 's-' || f.id, f.id, 'user', 'status', 'open', f.status, f."firstSeenAt" + interval '20 days' FROM finding f WHERE f.id LIKE 'rf-%' AND f.status <> 'open'`;
  await prisma.$executeRawUnsafe("ANALYZE finding");
  await prisma.$executeRawUnsafe("ANALYZE finding_event");
  await prisma.$executeRawUnsafe("ANALYZE api");
  const seedMs = performance.now() - t;
  const stored = await prisma.finding.count();
  const events = await prisma.findingEvent.count();

  const security: Actor = { type: "user", userId: "bench", email: "bench@bench", role: "security", teamIds: [] };
  const params = reportParams({ framework: "owasp-api-2023" });
  // One warm-up (query plans, module loading), then the measured run.
  await buildReport(prisma, security, params);

  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = process.memoryUsage().rss;
  let peakHeap = heapBefore;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  t = performance.now();
  const report = await buildReport(prisma, security, params);
  const buildMs = performance.now() - t;
  t = performance.now();
  const pdf = await renderReportPdf(report);
  const pdfMs = performance.now() - t;
  t = performance.now();
  let csvBytes = 0;
  let csvRows = -1;
  for await (const chunk of streamReportCsv(prisma, security, params)) {
    csvBytes += Buffer.byteLength(chunk);
    for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) csvRows++;
  }
  const csvMs = performance.now() - t;
  t = performance.now();
  const cards = await frameworkScorecards(prisma, security);
  const cardsMs = performance.now() - t;
  // What a weekly schedule makes (server/reports/runs.ts): last complete week, a past period from the history.
  const week = latestCompletePeriod("weekly", new Date());
  t = performance.now();
  const pastWeek = await buildReport(prisma, security, { ...params, from: week.from, to: week.to });
  const pastMs = performance.now() - t;
  clearInterval(sampler);

  console.log(`database: ${target.kind === "pglite" ? (target.dataDir ?? "PGlite in memory") : "PostgreSQL"}`);
  console.log(`setup: ${apis} APIs ingested in ${(inventoryMs / 1000).toFixed(1)} s; ${stored} findings and ${events} history events generated in ${(seedMs / 1000).toFixed(1)} s`);
  console.log(
    `report (owasp-api-2023, all Apis, 90 days, ${report.trend.points.length} weekly points): build ${(buildMs / 1000).toFixed(2)} s, ` +
      `PDF ${(pdfMs / 1000).toFixed(2)} s (${Math.round(pdf.length / 1024)} KB), CSV ${(csvMs / 1000).toFixed(2)} s (${csvRows} rows, ${mb(csvBytes)}); ` +
      `total ${((buildMs + pdfMs + csvMs) / 1000).toFixed(2)} s (goal < 3 s)`,
  );
  console.log(`  ${report.summary.failing} failing, ${report.summary.passing} passing, ${report.summary.notAssessed} not assessed; open findings behind controls: ${Object.values(report.summary.openFindings).reduce((a, b) => a + b, 0)}`);
  console.log(`report of the last complete week (a weekly schedule's run, past period from the history): build ${(pastMs / 1000).toFixed(2)} s, ${pastWeek.summary.failing} failing controls`);
  console.log(`scorecards of the five frameworks: ${(cardsMs / 1000).toFixed(2)} s (${cards.map((c) => `${c.framework} ${c.failing}/${c.controls} failing`).join(", ")})`);
  console.log(`memory while reporting: peak RSS ${mb(peakRss)}, peak heap ${mb(peakHeap)} (heap before ${mb(heapBefore)})`);
} finally {
  await db.close();
}
