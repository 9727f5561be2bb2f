import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor, Role } from "@/server/auth/roles";
import { type Database, openDatabase } from "@/server/db/client";
import { draftSpec } from "@/server/traffic/draft-spec";
import { buildReport } from "@/server/reports/build";
import { loadDemoOrganisation } from "./load";
import { DEMO_SCHEDULE_NAME } from "./reports";

describe("the demo organisation", () => {
  let db: Database;
  const now = new Date("2026-11-20T12:00:00Z");
  beforeAll(async () => {
    db = await openDatabase({ kind: "pglite", dataDir: null });
    const summary = await loadDemoOrganisation(db.prisma, { apis: 40, now });
    expect(summary).not.toMatch(/rejected/);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("goes through the pipeline: every file succeeds, inventories, a gateway log and a vault audit", async () => {
    const runs = await db.prisma.ingestRun.findMany({ select: { status: true, format: true, errorCount: true } });
    expect(runs.every((r) => r.status === "succeeded" && r.errorCount === 0)).toBe(true);
    expect(new Set(runs.map((r) => r.format))).toEqual(
      new Set(["openapi", "backstage", "csv-inventory", "kong-deck", "kong-log", "vault-audit", "zap-json", "zap-xml", "sarif", "nuclei"]),
    );
    expect(await db.prisma.api.count({ where: { discoveredFromTraffic: false } })).toBe(40);
    // The log's calls to hosts no inventory lists are shadow Apis in the inventory, each with a draft spec.
    const shadows = await db.prisma.api.findMany({ where: { discoveredFromTraffic: true }, select: { slug: true, ownerTeamId: true } });
    expect(shadows.length).toBeGreaterThanOrEqual(2);
    expect(shadows.every((s) => s.ownerTeamId === null)).toBe(true);
    const draft = await draftSpec(db.prisma, { type: "user", userId: "u", email: "s@example.com", role: "security", teamIds: [] }, shadows[0]!.slug);
    expect(Object.keys((draft.document as { paths: object }).paths).length).toBeGreaterThan(0);
    expect(await db.prisma.trafficEndpointHour.count()).toBeGreaterThan(100);
    expect(await db.prisma.trafficClientDay.count()).toBeGreaterThan(10);
    expect(await db.prisma.secret.count()).toBe(12);
  });

  it("shows every kind of problem the product looks for", async () => {
    const fired = await db.prisma.finding.groupBy({ by: ["ruleId"], where: { status: "open", kind: { not: "scan" } }, _count: { _all: true } });
    const rules = new Set(fired.map((f) => f.ruleId));
    for (const rule of [
      "ownerless-api",
      "no-auth-declared",
      "weak-auth",
      "cleartext-transport",
      "sensitive-data-exposure",
      "documentation-gaps",
      "shadow-api",
      "shadow-endpoint",
      "zombie",
      "credential-stuffing",
      "object-enumeration",
      "slow-enumeration",
      "error-leakage",
      "unauthenticated-access",
      "stale-secret",
      "over-shared-secret",
      "secret-access-denied-burst",
      "auth-weakened",
      "secret-access-anomaly",
    ]) {
      expect(rules, rule).toContain(rule);
    }
    // One access anomaly, and a clear one: a workload's token read its secret from outside its network on the last day.
    const anomalies = await db.prisma.finding.findMany({ where: { ruleId: "secret-access-anomaly" }, select: { evidence: true, apiId: true } });
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]?.apiId).not.toBeNull();
    expect(anomalies[0]?.evidence).toMatchObject({ kind: "new-network", newNetworks: ["203.0.113.0/24"], day: expect.stringMatching(/^2026-11-(19|20)$/) });
    const scored = await db.prisma.api.count({ where: { riskScore: { not: null } } });
    expect(scored).toBeGreaterThanOrEqual(40);
  });

  it("has a changelog with a breaking change and weakened auth on one Api, and this week's changes say so", async () => {
    const changed = await db.prisma.apiSourceVersion.findMany({ where: { changeCount: { gt: 0 } }, include: { api: { select: { slug: true } } } });
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ format: "openapi", authWeakened: 1 });
    expect(changed[0]!.breaking).toBeGreaterThan(0);
    const admin: Actor = { type: "user", userId: "demo-admin", email: "admin@example.com", role: "admin", teamIds: [] };
    const c = createCaller({ prisma: db.prisma, actor: admin });
    const log = await c.apis.changelog({ slug: changed[0]!.api.slug });
    expect(log.versions.map((v) => v.first)).toEqual([false, true]);
    const breaking = log.versions[0]!.changes.filter((x) => x.breaking);
    expect(breaking.length).toBe(changed[0]!.breaking);
    expect(breaking.every((x) => x.kind === "field-removed" && x.subject?.endsWith("legacyReference"))).toBe(true);
    expect(log.versions[0]?.changes).toContainEqual(expect.objectContaining({ kind: "security-weakened", before: "OAuth 2" }));
    const week = await c.apis.changesThisWeek();
    expect(week.totals).toMatchObject({ authWeakened: 1, breaking: changed[0]!.breaking });
    expect(week.changedApis.map((a) => a.slug)).toEqual([changed[0]!.api.slug]);
  });

  it("has scanner findings in every workflow state, with weeks of history, on its people", async () => {
    const states = await db.prisma.finding.groupBy({ by: ["status"], where: { kind: "scan" }, _count: { _all: true } });
    const count = Object.fromEntries(states.map((s) => [s.status, s._count._all]));
    for (const status of ["open", "triaged", "in_progress", "risk_accepted", "false_positive", "resolved"]) {
      expect(count[status] ?? 0, status).toBeGreaterThan(0);
    }
    const day = 86_400_000;
    // Mapped through the catalog: DAST by host, code findings by repository.
    expect(await db.prisma.finding.count({ where: { kind: "scan", tool: "semgrep", apiId: { not: null } } })).toBeGreaterThan(0);
    expect(await db.prisma.finding.count({ where: { kind: "scan", tool: "nuclei", apiId: { not: null } } })).toBeGreaterThan(0);
    // Regressions: resolved by a person, reported again by the later scan.
    expect(await db.prisma.finding.count({ where: { kind: "scan", regression: true, status: "open" } })).toBeGreaterThan(0);
    // Resolved by the rescan as well as by people.
    expect(await db.prisma.finding.count({ where: { status: "resolved", resolution: "not_seen_in_rescan" } })).toBeGreaterThan(0);
    expect(await db.prisma.finding.count({ where: { status: "resolved", resolution: "fixed" } })).toBeGreaterThan(0);
    // Acceptances run out in the future, some within 14 days.
    const accepted = await db.prisma.finding.findMany({ where: { status: "risk_accepted" }, select: { acceptedUntil: true } });
    expect(accepted.every((a) => a.acceptedUntil && a.acceptedUntil > now)).toBe(true);
    expect(accepted.some((a) => a.acceptedUntil!.getTime() <= now.getTime() + 14 * day)).toBe(true);
    expect(await db.prisma.finding.count({ where: { proposedStatus: "false_positive" } })).toBeGreaterThan(0);
    // Assigned to people of the owning team; the history is in the past.
    const assigned = await db.prisma.finding.findMany({
      where: { assigneeId: { not: null }, api: { ownerTeamId: { not: null } } },
      select: { assignee: { select: { memberships: { select: { teamId: true } } } }, api: { select: { ownerTeamId: true } } },
    });
    expect(assigned.length).toBeGreaterThan(0);
    expect(assigned.every((f) => f.assignee!.memberships.some((m) => m.teamId === f.api!.ownerTeamId))).toBe(true);
    const events = await db.prisma.findingEvent.findMany({ where: { actorType: "user" }, select: { createdAt: true } });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.createdAt < now && e.createdAt > new Date(now.getTime() - 40 * day))).toBe(true);
    // Demo people have no password: nobody can sign in as them.
    const people = await db.prisma.user.findMany({ where: { email: { endsWith: "@northwind.example" } }, select: { accounts: { select: { id: true } } } });
    expect(people.length).toBeGreaterThan(0);
    expect(people.every((p) => p.accounts.length === 0)).toBe(true);
  });

  it("has a weekly OWASP report schedule with its last two weeks computed from the history", async () => {
    const schedule = await db.prisma.reportSchedule.findFirstOrThrow({ where: { name: DEMO_SCHEDULE_NAME } });
    expect(schedule).toMatchObject({ framework: "owasp-api-2023", scopeKind: "all", cadence: "weekly", active: true });
    expect(schedule.nextRunAt.toISOString()).toBe("2026-11-23T00:00:00.000Z");
    const runs = await db.prisma.reportRun.findMany({ where: { scheduleId: schedule.id }, orderBy: { periodTo: "asc" } });
    expect(runs.map((r) => [r.periodFrom.toISOString().slice(0, 10), r.periodTo.toISOString().slice(0, 10), r.status])).toEqual([
      ["2026-11-02", "2026-11-09", "succeeded"],
      ["2026-11-09", "2026-11-16", "succeeded"],
    ]);
    const owner = await db.prisma.user.findUniqueOrThrow({ where: { id: schedule.createdById } });
    const actor: Actor = { type: "user", userId: owner.id, email: owner.email, role: "security", teamIds: [] };
    for (const run of runs) {
      const fresh = await buildReport(db.prisma, actor, { framework: "owasp-api-2023", scope: { kind: "all" }, from: run.periodFrom, to: run.periodTo }, run.generatedAt);
      expect(run.document).toEqual(JSON.parse(JSON.stringify(fresh)));
    }
    expect(runs[1]!.failing).toBeGreaterThan(0);
    const caller = createCaller({ prisma: db.prisma, actor: { ...actor, role: "executive" } });
    const detail = await caller.reportSchedules.run({ id: runs[1]!.id });
    expect(detail.previous?.id).toBe(runs[0]!.id);
    expect(detail.changes).not.toBeNull();
  });

  it("ranks risk as a security lead would and loads a risk history, so a fresh install shows a real trend", async () => {
    const bands = await db.prisma.api.groupBy({ by: ["riskBand"], _count: { _all: true } });
    const count = (b: string) => bands.find((x) => x.riskBand === b)?._count._all ?? 0;
    expect(count("critical")).toBeGreaterThan(0);
    expect(count("low")).toBeGreaterThan(count("critical"));
    // Every Api with an active high attack signal on the internet is critical (DESIGN.md §4).
    const attacked = await db.prisma.api.findMany({
      where: { exposure: "internet", findings: { some: { kind: "traffic", severity: { in: ["high", "critical"] }, status: "open", ruleId: { in: ["credential-stuffing", "object-enumeration", "exfiltration-anomaly", "unauthenticated-access"] } } } },
      select: { riskBand: true },
    });
    expect(attacked.length).toBeGreaterThan(0);
    expect(attacked.every((a) => a.riskBand === "critical")).toBe(true);
    const security: Actor = { type: "user", userId: "demo-sec", email: "sec@example.com", role: "security", teamIds: [] };
    const c = createCaller({ prisma: db.prisma, actor: security });
    const overview = await c.risk.overview();
    expect(overview.trend).toHaveLength(90);
    expect(new Set(overview.trend.map((p) => p.averageScore)).size).toBeGreaterThan(2);
    const summary = await c.executive.summary();
    expect(summary.weekly.some((w) => w.resolved > 0)).toBe(true);
    expect(summary.sla.length).toBeGreaterThan(0);
    // The documentation factor never claims a percentage of documented endpoints.
    for (const slug of (await db.prisma.api.findMany({ select: { slug: true } })).map((a) => a.slug)) {
      const doc = (await c.risk.api({ slug })).factors.find((f) => f.name === "documentation");
      expect(doc?.detail ?? "").not.toMatch(/% of documented endpoints/);
    }
  });

  it("shows a rule-derived finding's own evidence, not the scanner's empty fields", async () => {
    const security: Actor = { type: "user", userId: "demo-sec", email: "sec@example.com", role: "security", teamIds: [] };
    const c = createCaller({ prisma: db.prisma, actor: security });
    for (const ruleId of ["sensitive-data-exposure", "documentation-gaps", "credential-stuffing", "stale-secret"]) {
      const f = await db.prisma.finding.findFirstOrThrow({ where: { ruleId }, select: { id: true } });
      const detail = await c.findings.get({ id: f.id });
      expect(detail.evidence, ruleId).toBeNull();
      expect(detail.ruleEvidence.length, ruleId).toBeGreaterThan(0);
    }
  });

  it("answers every read procedure within its output schema, for each role (no answer fails its .output())", async () => {
    const apis = await db.prisma.api.findMany({ select: { slug: true, ownerTeamId: true }, orderBy: { slug: "asc" } });
    const findings = await db.prisma.finding.findMany({ distinct: ["ruleId"], select: { id: true }, orderBy: { ruleId: "asc" } });
    const teamId = apis.find((a) => a.ownerTeamId)!.ownerTeamId!;
    const failures: string[] = [];
    for (const role of ["admin", "developer", "executive"] satisfies Role[]) {
      const actor: Actor = { type: "user", userId: `demo-${role}`, email: `${role}@example.com`, role, teamIds: role === "developer" ? [teamId] : [] };
      const c = createCaller({ prisma: db.prisma, actor });
      const calls: [string, () => Promise<unknown>][] = [
        ["apis.list", () => c.apis.list({ pageSize: 200 })],
        ["apis.teams", () => c.apis.teams()],
        ["findings.list", () => c.findings.list({ pageSize: 200 })],
        ["findings.summary", () => c.findings.summary({})],
        ["findings.mine", () => c.findings.mine({ pageSize: 100 })],
        ["findings.counts", () => c.findings.counts()],
        ["findings.triageQueue", () => c.findings.triageQueue({ pageSize: 100 })],
        ["traffic.attackSignals", () => c.traffic.attackSignals({})],
        ...(["shadow", "zombie", "unused"] as const).map((flag): [string, () => Promise<unknown>] => [`traffic.flags ${flag}`, () => c.traffic.flags({ flag })]),
        ["risk.overview", () => c.risk.overview()],
        ["executive.summary", () => c.executive.summary()],
        ["risk.weights.get", () => c.risk.weights.get()],
        ["risk.weights.preview", async () => c.risk.weights.preview((await c.risk.weights.get()).weights)],
        ["secrets.list", () => c.secrets.list({ pageSize: 200 })],
        ["settings.thresholds", () => c.settings.thresholds()],
        ["sla.settings", () => c.sla.settings()],
        ["sla.compliance", () => c.sla.compliance({ from: new Date(Date.now() - 365 * 86_400_000), to: new Date() })],
        ["suppressions.list", () => c.suppressions.list()],
        ["ingest.formats", () => c.ingest.formats()],
        ["ingest.runs", () => c.ingest.runs({ pageSize: 100 })],
        ["tokens.list", () => c.tokens.list()],
        ["apis.changesThisWeek", () => c.apis.changesThisWeek()],
        ...apis.flatMap(({ slug }): [string, () => Promise<unknown>][] => [
          [`apis.get ${slug}`, () => c.apis.get({ slug })],
          [`risk.api ${slug}`, () => c.risk.api({ slug })],
          [`traffic.api ${slug}`, () => c.traffic.api({ slug, days: 7 })],
          [`apis.changelog ${slug}`, () => c.apis.changelog({ slug })],
        ]),
        ...findings.map(({ id }): [string, () => Promise<unknown>] => [`findings.get ${id}`, () => c.findings.get({ id })]),
      ];
      for (const [name, call] of calls) {
        try {
          await call();
        } catch (error) {
          // Refusals are the ladder's business; an answer that does not fit its schema is INTERNAL_SERVER_ERROR.
          if (error instanceof TRPCError && ["FORBIDDEN", "NOT_FOUND"].includes(error.code)) continue;
          failures.push(`${role} ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
