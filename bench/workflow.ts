/**
 * `npm run bench` (part): the remediation workflow on the generated 2,000-API organisation with 200,000 findings.
 *  (a) My findings (findings.mine → server/findings/queues.ts myFindings) for a developer, p50/p95 over 200 calls
 *      (pages 1–4) — goal p95 < 100 ms;
 *  (b) a bulk transition of 10,000 findings through workflow.transitionFindings (security, open/triaged → in progress)
 *      — goal < 3 s.
 * The findings are generated in bulk SQL (INSERT … SELECT generate_series): spread over the Apis, assigned across
 * the owning teams' people (a third unassigned), mixed states, severities and due dates (some overdue).
 * BENCH_APIS / BENCH_FINDINGS override the sizes; DATABASE_URL picks the database (default: a fresh in-memory PGlite).
 */
import { performance } from "node:perf_hooks";
import type { Actor } from "../server/auth/roles";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { generateDemoOrganisation } from "../server/demo/generate";
import { myFindings } from "../server/findings/queues";
import { transitionFindings } from "../server/findings/workflow";
import { ingest } from "../server/ingest/pipeline";
import { bufferSource } from "../server/ingest/source";

const apis = Number(process.env.BENCH_APIS ?? 2000);
const findings = Number(process.env.BENCH_FINDINGS ?? 200_000);
const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: null } as const);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const db = await openDatabase(target);
try {
  const prisma = db.prisma;
  let t = performance.now();
  for (const file of generateDemoOrganisation({ apis, seed: 42 })) {
    const result = await ingest(prisma, { file: bufferSource(file.content, file.name), channel: "cli", actor: { type: "system" }, correlate: false, specLint: false });
    if (result.status !== "succeeded") throw new Error(`${file.name}: ${result.status} ${result.message}`);
  }
  const inventoryMs = performance.now() - t;

  // Three developers per team (no credentials: they are only assignees here).
  await prisma.$executeRaw`
    INSERT INTO "user" (id, name, email, "emailVerified", role, "createdAt", "updatedAt")
    SELECT 'bench-' || t.slug || '-' || g, 'Bench ' || g, 'bench-' || g || '@' || t.slug || '.bench', true, 'developer', now(), now()
    FROM team t, generate_series(1, 3) g`;
  await prisma.$executeRaw`
    INSERT INTO team_member ("teamId", "userId", "createdAt")
    SELECT t.id, 'bench-' || t.slug || '-' || g, now() FROM team t, generate_series(1, 3) g`;

  // 200,000 findings over the Apis: Api i % n; a third unassigned, the rest on one of the owning team's three people.
  t = performance.now();
  await prisma.$executeRaw`
    WITH a AS (SELECT id, "ownerTeamId", row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM api),
    t AS (SELECT id, slug FROM team)
    INSERT INTO finding (id, kind, "ruleId", tool, title, severity, fingerprint, "scopeKey", "apiId", "teamId", "assigneeId",
      status, resolution, "resolvedAt", "acceptedUntil", "slaDueAt", "firstSeenAt", "lastSeenAt", "createdAt", "updatedAt")
    SELECT 'bf-' || g, 'scan', 'rule-' || (g % 97), 'zap', 'Bench finding ' || (g % 97),
      (ARRAY['critical','high','medium','low','info'])[1 + g % 5],
      'bench-' || g, 'zap|' || a.id, a.id, a."ownerTeamId",
      CASE WHEN g % 3 = 0 OR a."ownerTeamId" IS NULL THEN NULL ELSE 'bench-' || t.slug || '-' || (1 + (g / 3) % 3) END,
      s.status,
      CASE WHEN s.status IN ('resolved','false_positive') THEN s.status ELSE NULL END,
      CASE WHEN s.status IN ('resolved','false_positive') THEN now() - interval '1 day' ELSE NULL END,
      CASE WHEN s.status = 'risk_accepted' THEN now() + (g % 90) * interval '1 day' ELSE NULL END,
      CASE WHEN g % 5 = 4 THEN NULL ELSE now() + ((g % 120) - 30) * interval '1 day' END,
      now() - (g % 60) * interval '1 day', now(), now(), now()
    FROM generate_series(1, ${findings}::int) g
    JOIN a ON a.i = g % a.n
    LEFT JOIN t ON t.id = a."ownerTeamId"
    CROSS JOIN LATERAL (SELECT (ARRAY['open','open','open','triaged','in_progress','in_progress','resolved','resolved','risk_accepted','false_positive'])[1 + (g / 7) % 10] AS status) s`;
  await prisma.$executeRawUnsafe("ANALYZE finding");
  await prisma.$executeRawUnsafe("ANALYZE api");
  const seedMs = performance.now() - t;
  const stored = await prisma.finding.count();

  // (a) My findings for the developer with the most assigned findings' team.
  const dev = await prisma.user.findFirstOrThrow({ where: { id: { startsWith: "bench-" } }, orderBy: { id: "asc" }, select: { id: true, email: true, memberships: { select: { teamId: true } } } });
  const developer: Actor = { type: "user", userId: dev.id, email: dev.email, role: "developer", teamIds: dev.memberships.map((m) => m.teamId) };
  const first = await myFindings(prisma, developer, { page: 1, pageSize: 50 });
  for (let i = 0; i < 5; i++) await myFindings(prisma, developer, { page: 1, pageSize: 50 });
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await myFindings(prisma, developer, { page: 1 + (i % 4), pageSize: 50 });
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);

  // (b) 10,000 active findings to in progress, as security (one transaction, an event and an audit row each).
  const ids = (await prisma.finding.findMany({ where: { status: { in: ["open", "triaged"] } }, select: { id: true }, orderBy: { id: "asc" }, take: 10_000 })).map((f) => f.id);
  const security: Actor = { type: "user", userId: "bench-security", email: "security@bench", role: "security", teamIds: [] };
  t = performance.now();
  const result = await transitionFindings(prisma, security, { ids, to: "in_progress" }, { origin: "api" });
  const transitionMs = performance.now() - t;

  console.log(`database: ${target.kind === "pglite" ? (target.dataDir ?? "PGlite in memory") : "PostgreSQL"}`);
  console.log(`setup: ${apis} APIs ingested in ${(inventoryMs / 1000).toFixed(1)} s; ${stored} findings generated in ${(seedMs / 1000).toFixed(1)} s`);
  console.log(
    `(a) My findings (developer, ${first.counts.assigned} assigned, ${first.counts.team} team-unassigned, ${first.counts.overdue} overdue) over ${samples.length} calls: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (goal < 100 ms), max ${(samples.at(-1) ?? 0).toFixed(1)} ms`,
  );
  console.log(`(b) bulk transition of ${ids.length} findings → in_progress: ${(transitionMs / 1000).toFixed(2)} s (goal < 3 s); changed ${result.changed}, skipped ${result.skipped.length}`);
} finally {
  await db.close();
}
