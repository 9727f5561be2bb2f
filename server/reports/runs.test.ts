// Scheduled compliance reports on a real database, with an explicit clock: a due run covers the period that just
// ended and shows what was true then; a second pass (or process) makes nothing more; a server down for weeks makes
// only the latest period; an owner who lost their rights makes a failed run and pauses the schedule; the outbox event
// is written in the run's transaction; and the history is read by each run's scope.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import type * as Outbox from "@/server/notify/outbox";
import { startNotifyLoop, stopNotifyLoop } from "@/server/notify/loop";
import { slackText } from "@/server/notify/webhooks";
import { createUser } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { buildReport } from "./build";
import { createSchedule, deleteSchedule, getRun, latestRun, listRuns, runDueSchedules, runDocument, runSchedule, runScheduleNow, setScheduleActive } from "./runs";

const outbox = vi.hoisted(() => ({ fail: false }));
vi.mock("@/server/notify/outbox", async (original) => {
  const real = await original<typeof Outbox>();
  return {
    ...real,
    emitEvents: async (...args: Parameters<typeof real.emitEvents>) => {
      if (outbox.fail) throw new Error("outbox unavailable");
      return real.emitEvents(...args);
    },
  };
});

const d = (iso: string) => new Date(iso);

describe.each(TEST_DATABASES)("report schedules and runs on $name", (kind) => {
  let db: Database;
  let security: Actor;
  let executive: Actor;
  let developer: Actor;

  beforeAll(async () => {
    db = await kind.open();
    const p = db.prisma;
    const pay = await p.team.create({ data: { slug: "payments", name: "Payments" } });
    await p.team.create({ data: { slug: "search", name: "Search" } });
    const search = await p.team.findUniqueOrThrow({ where: { slug: "search" } });
    await p.api.create({ data: { id: "a-pay", slug: "pay", name: "Pay", ownerTeamId: pay.id, firstSeenAt: d("2026-10-01T00:00:00Z") } });
    await p.api.create({ data: { id: "a-find", slug: "find", name: "Find", ownerTeamId: search.id, firstSeenAt: d("2026-10-01T00:00:00Z") } });
    // A medium finding on Pay, open from 3 Nov and resolved on 20 Nov: failing in the week of 2–9 Nov, not today.
    await p.finding.create({
      data: {
        id: "f1", kind: "posture", ruleId: "no-auth-declared", title: "No auth", severity: "medium", fingerprint: "f1", apiId: "a-pay", teamId: pay.id,
        status: "resolved", firstSeenAt: d("2026-11-03T00:00:00Z"), lastSeenAt: d("2026-11-20T00:00:00Z"), resolvedAt: d("2026-11-20T00:00:00Z"),
        events: {
          create: [
            { actorType: "system", type: "created", toValue: "open", createdAt: d("2026-11-03T00:00:00Z") },
            { actorType: "system", type: "status", fromValue: "open", toValue: "resolved", createdAt: d("2026-11-20T00:00:00Z") },
          ],
        },
      },
    });
    const user = async (email: string, role: Actor["role"], teams: string[] = []) => {
      const u = await createUser(p, { email, role, password: `${role}-password-123`, teams });
      const teamIds = (await p.team.findMany({ where: { slug: { in: teams } }, select: { id: true } })).map((t) => t.id);
      return { type: "user", userId: u.id, email, role, teamIds } satisfies Actor;
    };
    security = await user("sec@example.com", "security");
    executive = await user("exec@example.com", "executive");
    developer = await user("dev@example.com", "developer", ["payments"]);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a weekly schedule runs at the next Monday for the week that ended, from history, once", async () => {
    const p = db.prisma;
    const created = await createSchedule(p, security, { name: "Weekly OWASP", framework: "owasp-api-2023", cadence: "weekly" }, d("2026-11-04T10:00:00Z"));
    expect(created.nextRunAt.toISOString()).toBe("2026-11-09T00:00:00.000Z");
    expect(await p.auditLog.count({ where: { action: "report.schedule.create", targetId: created.id } })).toBe(1);

    // Not due on Sunday.
    expect(await runDueSchedules(p, { now: d("2026-11-08T23:00:00Z") })).toEqual([]);

    const now = d("2026-11-09T01:00:00Z");
    const [outcome, ...more] = await runDueSchedules(p, { now });
    expect(more).toEqual([]);
    expect(outcome!.status).toBe("succeeded");
    const run = await p.reportRun.findUniqueOrThrow({ where: { id: outcome!.runId } });
    expect([run.periodFrom.toISOString(), run.periodTo.toISOString()]).toEqual(["2026-11-02T00:00:00.000Z", "2026-11-09T00:00:00.000Z"]);
    expect(run.trigger).toBe("schedule");
    expect(run.scheduleId).toBe(created.id);
    // The stored document is buildReport's for that period, as the owner: the finding resolved since counts as open then.
    const expected = await buildReport(p, security, { framework: "owasp-api-2023", scope: { kind: "all" }, from: run.periodFrom, to: run.periodTo }, now);
    expect(run.document).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(expected.summary.openFindings.medium).toBe(1);
    expect(expected.controls.find((c) => c.id === "API2")!.status).toBe("failing");
    expect([run.passing, run.failing, run.notAssessed]).toEqual([expected.summary.passing, expected.summary.failing, expected.summary.notAssessed]);

    const schedule = await p.reportSchedule.findUniqueOrThrow({ where: { id: created.id } });
    expect(schedule.nextRunAt.toISOString()).toBe("2026-11-16T00:00:00.000Z");
    expect(schedule.lastRunAt?.toISOString()).toBe(now.toISOString());

    // The event: counts and links, no finding rows.
    const events = await p.outboxEvent.findMany({ where: { type: "report.generated" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.teamId).toBeNull();
    const payload = events[0]!.payload as Record<string, unknown>;
    expect(payload).toMatchObject({
      run: { id: run.id },
      framework: { id: "owasp-api-2023" },
      scope: { kind: "all", label: "All Apis" },
      period: { from: "2026-11-02T00:00:00.000Z", to: "2026-11-09T00:00:00.000Z" },
      summary: { passing: run.passing, failing: run.failing, notAssessed: run.notAssessed },
    });
    expect((payload.links as { page: string; pdf: string }).page).toMatch(new RegExp(`/reports/runs/${run.id}$`));
    expect((payload.links as { page: string; pdf: string }).pdf).toMatch(new RegExp(`/api/v1/reports/runs/${run.id}\\?format=pdf$`));
    expect(JSON.stringify(payload)).not.toContain("f1");
    expect(JSON.stringify(payload)).not.toContain("No auth");
    const text = slackText("report.generated", payload);
    expect(text).not.toContain("\n");
    expect(text).toContain("OWASP API Security Top 10 2023 report for All Apis, 2026-11-02 to 2026-11-08");

    // Idempotent: the same pass again, and a second process holding the schedule as it was before the run.
    expect(await runDueSchedules(p, { now })).toEqual([]);
    expect(await runSchedule(p, { ...schedule, nextRunAt: d("2026-11-09T00:00:00Z") }, now)).toBeNull();
    expect(await p.reportRun.count({ where: { scheduleId: created.id } })).toBe(1);
  });

  it("after weeks down, only the latest complete period is made", async () => {
    const p = db.prisma;
    const schedule = await p.reportSchedule.findFirstOrThrow({ where: { name: "Weekly OWASP" } });
    const before = await p.reportRun.count({ where: { scheduleId: schedule.id } });
    const now = d("2026-12-02T09:00:00Z");
    const outcomes = await runDueSchedules(p, { now });
    expect(outcomes).toHaveLength(1);
    const run = await p.reportRun.findUniqueOrThrow({ where: { id: outcomes[0]!.runId } });
    expect([run.periodFrom.toISOString(), run.periodTo.toISOString()]).toEqual(["2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"]);
    expect(await p.reportRun.count({ where: { scheduleId: schedule.id } })).toBe(before + 1);
    expect((await p.reportSchedule.findUniqueOrThrow({ where: { id: schedule.id } })).nextRunAt.toISOString()).toBe("2026-12-07T00:00:00.000Z");
  });

  it("the run and its event are one transaction: no event, no run, and the period stays due", async () => {
    const p = db.prisma;
    const schedule = await p.reportSchedule.findFirstOrThrow({ where: { name: "Weekly OWASP" } });
    const runs = await p.reportRun.count();
    outbox.fail = true;
    try {
      await expect(runDueSchedules(p, { now: d("2026-12-07T02:00:00Z") })).rejects.toThrow("outbox unavailable");
    } finally {
      outbox.fail = false;
    }
    expect(await p.reportRun.count()).toBe(runs);
    expect((await p.reportSchedule.findUniqueOrThrow({ where: { id: schedule.id } })).nextRunAt.toISOString()).toBe("2026-12-07T00:00:00.000Z");
    // The next pass makes it.
    expect(await runDueSchedules(p, { now: d("2026-12-07T03:00:00Z") })).toHaveLength(1);
  });

  it("an owner who lost the permission, or was deactivated, makes a failed run and a paused schedule", async () => {
    const p = db.prisma;
    for (const [email, lose] of [
      ["lost@example.com", (id: string) => p.user.update({ where: { id }, data: { role: "developer" } })],
      ["gone@example.com", (id: string) => p.user.update({ where: { id }, data: { deactivatedAt: new Date() } })],
    ] as const) {
      const owner = await createUser(p, { email, role: "security", password: "security-password-123" });
      const actor: Actor = { type: "user", userId: owner.id, email, role: "security", teamIds: [] };
      const schedule = await createSchedule(p, actor, { name: `Monthly ${email}`, framework: "soc2", cadence: "monthly" }, d("2026-11-15T00:00:00Z"));
      await lose(owner.id);
      const events = await p.outboxEvent.count({ where: { type: "report.generated" } });
      const [outcome] = await runDueSchedules(p, { now: d("2026-12-01T00:30:00Z") });
      expect(outcome!.status).toBe("failed");
      const run = await p.reportRun.findUniqueOrThrow({ where: { id: outcome!.runId } });
      expect(run.error).toMatch(email === "lost@example.com" ? /no longer has the permission: Requires permission reports:schedule/ : /is deactivated/);
      expect(run.document).toBeNull();
      const after = await p.reportSchedule.findUniqueOrThrow({ where: { id: schedule.id } });
      expect(after.active).toBe(false);
      expect(await p.outboxEvent.count({ where: { type: "report.generated" } })).toBe(events);
      expect(await p.auditLog.count({ where: { action: "report.schedule.pause", targetId: schedule.id, actorType: "system" } })).toBe(1);
      // A paused schedule is never due.
      await runDueSchedules(p, { now: d("2027-01-01T00:30:00Z") });
      expect(await p.reportRun.count({ where: { scheduleId: schedule.id } })).toBe(1);
      await expect(runDocument(p, security, run.id)).rejects.toThrow(/failed/);
      // Resuming makes the resumer its owner, due at the next boundary.
      const resumed = await setScheduleActive(p, security, { id: schedule.id, active: true }, d("2027-01-05T00:00:00Z"));
      expect(resumed.owner).toBe("sec@example.com");
      expect(resumed.nextRunAt.toISOString()).toBe("2027-02-01T00:00:00.000Z");
      await deleteSchedule(p, security, schedule.id);
      // The run stays in the history, without its schedule.
      expect((await p.reportRun.findUniqueOrThrow({ where: { id: run.id } })).scheduleId).toBeNull();
    }
  });

  it("team and Api runs go to their team's webhooks; the history follows each run's scope", async () => {
    const p = db.prisma;
    const now = d("2026-12-08T00:00:00Z");
    const team = await createSchedule(p, security, { name: "Payments", framework: "owasp-api-2023", scopeKind: "team", scopeSlug: "payments", cadence: "weekly" }, now);
    const api = await createSchedule(p, security, { name: "Find", framework: "owasp-api-2023", scopeKind: "api", scopeSlug: "find", cadence: "weekly" }, now);
    const payRun = await runScheduleNow(p, security, team.id, now);
    const findRun = await runScheduleNow(p, security, api.id, now);
    expect(payRun.trigger).toBe("manual");
    expect(payRun.scopeLabel).toBe("Team Payments (payments)");
    const payments = await p.team.findUniqueOrThrow({ where: { slug: "payments" } });
    const search = await p.team.findUniqueOrThrow({ where: { slug: "search" } });
    const teamOf = async (runId: string) =>
      (await p.outboxEvent.findMany({ where: { type: "report.generated" } })).find((e) => (e.payload as { run: { id: string } }).run.id === runId)!.teamId;
    expect(await teamOf(payRun.id)).toBe(payments.id);
    expect(await teamOf(findRun.id)).toBe(search.id);
    expect(await p.auditLog.count({ where: { action: "report.run", targetId: team.id } })).toBe(1);
    // Run now leaves the schedule's clock alone.
    expect((await p.reportSchedule.findUniqueOrThrow({ where: { id: team.id } })).nextRunAt.toISOString()).toBe("2026-12-14T00:00:00.000Z");

    const all = await listRuns(p, executive, { pageSize: 100 });
    expect(all.items.map((r) => r.id)).toEqual(expect.arrayContaining([payRun.id, findRun.id]));
    expect(all.items.map((r) => r.generatedAt.getTime())).toEqual([...all.items.map((r) => r.generatedAt.getTime())].sort((a, b) => b - a));
    const mine = await listRuns(p, developer, { pageSize: 100 });
    expect(mine.items.map((r) => r.id)).toEqual([payRun.id]);
    // The newest report each may read: the executive's is the history's first, the developer's their team's.
    expect((await latestRun(p, executive))?.run.id).toBe(all.items[0]!.id);
    expect((await latestRun(p, developer))?.run.id).toBe(payRun.id);
    const orgWide = all.items.find((r) => r.scopeKind === "all")!;
    await expect(getRun(p, developer, orgWide.id)).rejects.toThrow("Report run not found");
    await expect(getRun(p, developer, findRun.id)).rejects.toThrow("Report run not found");
    await expect(getRun(p, developer, "no-such-run")).rejects.toThrow("Report run not found");
    expect((await getRun(p, developer, payRun.id)).document?.scope.slug).toBe("payments");
    // The Api changes owner: its runs follow it.
    await p.api.update({ where: { id: "a-find" }, data: { ownerTeamId: payments.id } });
    expect((await getRun(p, developer, findRun.id)).run.id).toBe(findRun.id);
    await p.api.update({ where: { id: "a-find" }, data: { ownerTeamId: search.id } });
  });

  it("a run shows what changed since the previous run of its schedule", async () => {
    const p = db.prisma;
    const schedule = await p.reportSchedule.findFirstOrThrow({ where: { name: "Weekly OWASP" } });
    const runs = await p.reportRun.findMany({ where: { scheduleId: schedule.id }, orderBy: { periodTo: "asc" } });
    const [first, second] = runs;
    const detail = await getRun(p, executive, second!.id);
    expect(detail.previous?.id).toBe(first!.id);
    // The finding open in the first week was resolved by the second: API2 went from failing, one medium fewer.
    expect(detail.changes?.controls.find((c) => c.id === "API2")).toMatchObject({ from: "failing" });
    expect(detail.changes?.openFindings.find((s) => s.severity === "medium")).toEqual({ severity: "medium", before: 1, after: 0, delta: -1 });
    expect((await getRun(p, executive, first!.id)).previous).toBeNull();
  });

  it("the server's loop makes a due schedule's run in its hourly part", async () => {
    const p = db.prisma;
    const schedule = await createSchedule(p, security, { name: "Loop", framework: "nist-csf-2.0", cadence: "monthly" }, d("2026-01-10T00:00:00Z"));
    expect(schedule.nextRunAt.getTime()).toBeLessThan(Date.now());
    startNotifyLoop({ everyMs: 20, prisma: async () => p });
    try {
      await vi.waitFor(async () => expect(await p.reportRun.count({ where: { scheduleId: schedule.id } })).toBe(1), { timeout: 20_000, interval: 100 });
    } finally {
      await stopNotifyLoop();
    }
    const next = (await p.reportSchedule.findUniqueOrThrow({ where: { id: schedule.id } })).nextRunAt;
    expect(next.getTime()).toBeGreaterThan(Date.now());
  });
});
