// Control evaluation on a real database: statuses (failing / passing / not assessed), counts by severity, a past
// period read from history, the weekly trend, scopes and who may ask for them, SLA compliance and MTTR.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { evaluateFramework, trendPoints } from "./evaluate";
import { FRAMEWORK_IDS } from "./frameworks";
import { frameworkScorecards } from "./scorecards";

const DAY = 86_400_000;
const T0 = new Date("2026-01-01T00:00:00Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY);

const security: Actor = { type: "user", userId: "u-sec", email: "sec@x", role: "security", teamIds: [] };
const executive: Actor = { type: "user", userId: "u-exec", email: "exec@x", role: "executive", teamIds: [] };

describe("trend points", () => {
  it("are `to` and each week back while not before `from`, oldest first", () => {
    expect(trendPoints(at(0), at(21)).map((d) => d.toISOString())).toEqual([at(0), at(7), at(14), at(21)].map((d) => d.toISOString()));
    expect(trendPoints(at(0), at(20)).map((d) => d.toISOString())).toEqual([at(6), at(13), at(20)].map((d) => d.toISOString()));
  });
});

describe.each(TEST_DATABASES)("evaluateFramework on $name", (kind) => {
  let db: Database;
  let developer: Actor;
  let seq = 0;

  async function finding(f: {
    api: string | null;
    kind?: string;
    ruleId: string;
    severity: string;
    cwe?: number;
    owasp?: string;
    /** [day, status] history; the first is the creation (status open). */
    history: [number, string][];
    slaDueDay?: number;
  }) {
    const id = `f${++seq}`;
    const last = f.history[f.history.length - 1]!;
    const resolved = [...f.history].reverse().find(([, s]) => s === "resolved");
    await db.prisma.finding.create({
      data: {
        id,
        kind: f.kind ?? "posture",
        ruleId: f.ruleId,
        title: f.ruleId,
        severity: f.severity,
        cwe: f.cwe ?? null,
        owaspCategory: f.owasp ?? null,
        fingerprint: id,
        apiId: f.api,
        status: last[1],
        slaDueAt: f.slaDueDay === undefined ? null : at(f.slaDueDay),
        firstSeenAt: at(f.history[0]![0]),
        lastSeenAt: at(last[0]),
        resolvedAt: last[1] === "resolved" && resolved ? at(resolved[0]) : null,
        events: {
          create: f.history.map(([day, status], i) => ({
            actorType: "system",
            type: i === 0 ? "created" : "status",
            fromValue: i === 0 ? null : f.history[i - 1]![1],
            toValue: status,
            createdAt: at(day),
          })),
        },
      },
    });
    return id;
  }

  beforeAll(async () => {
    db = await kind.open();
    const p = db.prisma;
    const pay = await p.team.create({ data: { slug: "payments", name: "Payments" } });
    await p.team.create({ data: { slug: "search", name: "Search" } });
    developer = { type: "user", userId: "u-dev", email: "dev@x", role: "developer", teamIds: [pay.id] };
    await p.api.create({ data: { id: "a-pay", slug: "pay", name: "Pay", ownerTeamId: pay.id, firstSeenAt: at(-30) } });
    await p.api.create({ data: { id: "a-card", slug: "card", name: "Card", ownerTeamId: pay.id, firstSeenAt: at(-30) } });
    await p.api.create({ data: { id: "a-find", slug: "find", name: "Find", ownerTeamId: (await p.team.findUniqueOrThrow({ where: { slug: "search" } })).id, firstSeenAt: at(-30) } });
    await p.api.create({ data: { id: "a-late", slug: "late", name: "Late", firstSeenAt: at(100) } });
    // Inventory and scans were ingested; gateway logs only from day 20, vault audits never.
    for (const [family, day] of [["inventory", -30], ["scan", -20], ["traffic", 20]] as const) {
      await p.ingestRun.create({ data: { family, channel: "cli", fileName: `${family}.json`, contentHash: family, status: "succeeded", actorType: "system", startedAt: at(day) } });
    }
    await p.ingestRun.create({ data: { family: "vault", channel: "cli", fileName: "v.log", contentHash: "v", status: "failed", actorType: "system", startedAt: at(-5) } });

    // API2 (no-auth-declared): open on pay since day 0, resolved day 10 (within SLA, due day 30).
    await finding({ api: "a-pay", ruleId: "no-auth-declared", severity: "high", history: [[0, "open"], [3, "triaged"], [10, "resolved"]], slaDueDay: 30 });
    // API2 via a scanner's CWE-287: critical, open on card from day 5, still open.
    await finding({ api: "a-card", kind: "scan", ruleId: "zap-1", severity: "critical", cwe: 287, owasp: "API2", history: [[5, "open"]] });
    // API8 cleartext on find (search team): open day 2, accepted day 12.
    await finding({ api: "a-find", ruleId: "cleartext-transport", severity: "medium", history: [[2, "open"], [12, "risk_accepted"]] });
    // API9 documentation gap on pay: created day 25 (after the past period), open.
    await finding({ api: "a-pay", ruleId: "documentation-gaps", severity: "low", history: [[25, "open"]] });
    // API1 via scanner category on pay: opened day 1, resolved day 4, regression day 8, resolved day 40 (late: due day 6).
    await finding({ api: "a-pay", kind: "scan", ruleId: "zap-2", severity: "high", owasp: "API1", history: [[1, "open"], [4, "resolved"], [8, "open"], [40, "resolved"]], slaDueDay: 6 });
    // Unmapped finding (no Api), CWE-798 (hard-coded credentials → API2 by category): open.
    await finding({ api: null, kind: "scan", ruleId: "semgrep-1", severity: "medium", cwe: 798, owasp: "API2", history: [[6, "open"]] });
  });
  afterAll(async () => {
    await db?.close();
  });

  const byId = (e: Awaited<ReturnType<typeof evaluateFramework>>) => new Map(e.controls.map((c) => [c.id, c]));

  it("today: failing with open findings by severity, passing when assessed and clean, not assessed without evidence", async () => {
    const e = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "all" }, from: at(0), to: at(50) });
    const c = byId(e);
    expect(e.evidence).toEqual(["inventory", "scan", "traffic"]);
    expect(e.apisInScope).toBe(3);
    expect(c.get("API2")).toMatchObject({ status: "failing", openTotal: 2, open: { critical: 1, high: 0, medium: 1, low: 0, info: 0 }, apis: 1 });
    expect(c.get("API9")).toMatchObject({ status: "failing", openTotal: 1, open: { low: 1 }, apis: 1 });
    expect(c.get("API8")).toMatchObject({ status: "passing", openTotal: 0, accepted: 1 });
    expect(c.get("API1")).toMatchObject({ status: "passing", openTotal: 0 });
    // API4 is assessed by traffic (missing-rate-limit) and scans: passing; every control has a status.
    expect(c.get("API4")?.status).toBe("passing");
    expect(e.controls.map((x) => x.id)).toEqual(["API1", "API2", "API3", "API4", "API5", "API6", "API7", "API8", "API9", "API10"]);
    expect(e.summary).toEqual({ failing: 2, passing: 8, notAssessed: 0 });
    // Distinct findings: the critical and the unmapped medium (API2), the low (API9).
    expect(e.openFindings).toEqual({ critical: 1, high: 0, medium: 1, low: 1, info: 0 });
  });

  it("a past period shows what was true then, from the findings' history", async () => {
    const e = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "all" }, from: at(-5), to: at(9) });
    const c = byId(e);
    // Day 9: the no-auth finding was triaged (active), the regression of API1 reopened on day 8, documentation gap not yet created.
    expect(c.get("API2")).toMatchObject({ status: "failing", openTotal: 3, open: { critical: 1, high: 1, medium: 1 } });
    expect(c.get("API1")).toMatchObject({ status: "failing", openTotal: 1, open: { high: 1 } });
    expect(c.get("API9")?.status).not.toBe("failing");
    expect(c.get("API8")).toMatchObject({ status: "failing", openTotal: 1, accepted: 0 });
    // Gateway logs arrived on day 20: on day 9 the traffic-only controls were not assessed.
    expect(e.evidence).toEqual(["inventory", "scan"]);
    expect(e.apisInScope).toBe(3);
  });

  it("not assessed when no source covers a control: SOC 2 A1.1 (rate limits) before the gateway logs", async () => {
    const before = byId(await evaluateFramework(db.prisma, security, { framework: "soc2", scope: { kind: "all" }, from: at(0), to: at(9) }));
    const after = byId(await evaluateFramework(db.prisma, security, { framework: "soc2", scope: { kind: "all" }, from: at(0), to: at(50) }));
    // A1.1 maps from missing-rate-limit (traffic) and from API4 scanner findings (scan): assessed by scans alone.
    expect(before.get("A1.1")?.status).toBe("passing");
    // CC7.2 is only reached by traffic and vault rules: not assessed before the logs, passing after.
    expect(before.get("CC7.2")?.status).toBe("not_assessed");
    expect(after.get("CC7.2")?.status).toBe("passing");
    const nist = byId(await evaluateFramework(db.prisma, security, { framework: "nist-csf-2.0", scope: { kind: "all" }, from: at(0), to: at(50) }));
    // PR.PS-04 (log records) only from the vault rule: vault audits never ingested successfully.
    expect(nist.get("PR.PS-04")?.status).toBe("not_assessed");
  });

  it("draws the weekly trend of failing findings per control", async () => {
    const e = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "all" }, from: at(0), to: at(42) });
    expect(e.trendPoints.map((d) => d.toISOString())).toEqual([0, 7, 14, 21, 28, 35, 42].map((d) => at(d).toISOString()));
    const c = byId(e);
    // API2 at days 0, 7, 14, …: no-auth (open day 0–10), critical (from 5), unmapped semgrep (from 6).
    expect(c.get("API2")?.trend).toEqual([1, 3, 2, 2, 2, 2, 2]);
    // API1: open 1–4, again 8–40.
    expect(c.get("API1")?.trend).toEqual([0, 0, 1, 1, 1, 1, 0]);
    expect(c.get("API9")?.trend).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });

  it("scopes to a team or an Api, and gateway evidence only counts when it carried the scope's traffic", async () => {
    const team = byId(await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "team", slug: "payments" }, from: at(0), to: at(50) }));
    expect(team.get("API2")).toMatchObject({ openTotal: 1, open: { critical: 1 } });
    const api = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "api", slug: "card" }, from: at(0), to: at(50) });
    expect(api.apisInScope).toBe(1);
    expect(api.scope).toEqual({ kind: "api", slug: "card", label: "Api Card (card)" });
    expect(byId(api).get("API9")?.openTotal).toBe(0);
    // No traffic rollup of the payments Apis: traffic is not evidence for them.
    expect(api.evidence).toEqual(["inventory", "scan"]);
    await db.prisma.trafficEndpointHour.create({ data: { scopeKey: "a-card", apiId: "a-card", method: "GET", pathTemplate: "/x", hourStart: at(21), ingestRunId: "r" } });
    const withTraffic = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "api", slug: "card" }, from: at(0), to: at(50) });
    expect(withTraffic.evidence).toEqual(["inventory", "scan", "traffic"]);
  });

  it("lets a developer ask only about their teams; another team's answers like a missing one", async () => {
    const mine = byId(await evaluateFramework(db.prisma, developer, { framework: "owasp-api-2023", scope: { kind: "all" }, from: at(0), to: at(50) }));
    // Their teams' Apis only: the critical on card, not the unmapped semgrep finding.
    expect(mine.get("API2")).toMatchObject({ openTotal: 1, open: { critical: 1 } });
    await expect(evaluateFramework(db.prisma, developer, { framework: "owasp-api-2023", scope: { kind: "team", slug: "search" }, from: at(0), to: at(50) })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(evaluateFramework(db.prisma, developer, { framework: "owasp-api-2023", scope: { kind: "api", slug: "find" }, from: at(0), to: at(50) })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(evaluateFramework(db.prisma, developer, { framework: "owasp-api-2023", scope: { kind: "api", slug: "nope" }, from: at(0), to: at(50) })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const exec = await evaluateFramework(db.prisma, executive, { framework: "owasp-api-2023", scope: { kind: "team", slug: "search" }, from: at(0), to: at(50) });
    expect(byId(exec).get("API8")?.accepted).toBe(1);
  });

  it("reports SLA compliance and mean time to remediate of the period", async () => {
    const e = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "all" }, from: at(0), to: at(50) });
    // Resolved in the period: no-auth (day 0 → 10, within due day 30), API1 scan (day 1 → 40, due day 6: late).
    expect(e.sla).toEqual({ closed: 2, closedWithinSla: 1, share: 0.5 });
    expect(e.mttrDays.high).toEqual({ resolved: 2, meanDays: 24.5 });
    expect(e.mttrDays.critical).toEqual({ resolved: 0, meanDays: null });
    const early = await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope: { kind: "all" }, from: at(0), to: at(20) });
    expect(early.sla).toEqual({ closed: 1, closedWithinSla: 1, share: 1 });
  });

  it("gives today's scorecards of the five frameworks, as the full evaluation at now does", async () => {
    const now = new Date();
    const cards = await frameworkScorecards(db.prisma, security, now);
    expect(cards.map((c) => c.framework)).toEqual([...FRAMEWORK_IDS]);
    for (const card of cards) {
      const e = await evaluateFramework(db.prisma, security, { framework: card.framework, scope: { kind: "all" }, from: at(0), to: now });
      expect(card, card.framework).toMatchObject({ ...e.summary, controls: e.controls.length });
    }
    expect(cards[0]).toMatchObject({ framework: "owasp-api-2023", failing: 2, passing: 8, notAssessed: 0 });
    // A developer's scorecards count their teams' findings only: the unmapped semgrep finding is not theirs.
    const mine = await frameworkScorecards(db.prisma, developer, now);
    expect(mine[0]).toMatchObject({ failing: 2 });
  });

  it("counts changes at one instant, and moves between active and accepted, in any order of the history", async () => {
    // On the Api first seen on day 100: one finding suppressed as it was created (both events at one instant), one
    // accepted on day 108 and reopened when its acceptance expired on day 115, one triaged and moved on the same day.
    await finding({ api: "a-late", ruleId: "no-auth-declared", severity: "high", history: [[101, "open"], [101, "false_positive"]] });
    await finding({ api: "a-late", ruleId: "no-auth-declared", severity: "critical", history: [[101, "open"], [108, "risk_accepted"], [115, "open"]] });
    await finding({ api: "a-late", ruleId: "no-auth-declared", severity: "low", history: [[102, "open"], [106, "triaged"], [106, "in_progress"]] });
    const scope = { kind: "api", slug: "late" } as const;
    const on = async (day: number) => byId(await evaluateFramework(db.prisma, security, { framework: "owasp-api-2023", scope, from: at(100), to: at(day) })).get("API2");
    expect(await on(110)).toMatchObject({ openTotal: 1, open: { low: 1 }, accepted: 1, apis: 1, trend: [2, 1] }); // days 103 and 110
    expect(await on(121)).toMatchObject({ openTotal: 2, open: { critical: 1, low: 1 }, accepted: 0, apis: 1, trend: [0, 2, 1, 2] }); // days 100, 107, 114, 121
    // Before anything on it was found: nothing, and no Api behind the control.
    expect(await on(100.5)).toMatchObject({ openTotal: 0, apis: 0, trend: [0] });
  });

  it("refuses an empty or reversed period", async () => {
    await expect(evaluateFramework(db.prisma, security, { framework: "soc2", scope: { kind: "all" }, from: at(5), to: at(5) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
