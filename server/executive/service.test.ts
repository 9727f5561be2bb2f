import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { plainRisk } from "./service";

const DAY = 86_400_000;
const now = new Date("2026-11-20T12:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const executive: Actor = { type: "user", userId: "exec", email: "exec@example.com", role: "executive", teamIds: [] };

describe("plain-language risk", () => {
  it("names exposure, auth, data and what is open", () => {
    expect(
      plainRisk({ exposure: "internet", dataClasses: ["pii", "financial"], authKinds: [], endpoints: 4, undeclared: 4, requiring: 0, critical: 2, high: 1, attackSignals: 0, owned: true }),
    ).toBe("internet-facing, no declared auth, holds card/financial data, personal data, 2 critical findings open, 1 high finding open");
    expect(plainRisk({ exposure: null, dataClasses: [], authKinds: ["bearer"], endpoints: 10, undeclared: 2, requiring: 8, critical: 0, high: 0, attackSignals: 1, owned: false })).toBe(
      "exposure unknown, 2 of 10 endpoints without declared auth, 1 active attack signal, no owning team",
    );
  });
});

describe.each(TEST_DATABASES)("executive summary on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
    const payments = await ensureTeam(db.prisma, "payments");
    const identity = await ensureTeam(db.prisma, "identity");
    const api = await db.prisma.api.create({
      data: { slug: "payments-api", name: "Payments API", identity: "payments-api", exposure: "internet", dataClasses: ["financial"], ownerTeamId: payments.id, riskScore: 85, riskBand: "critical" },
    });
    const other = await db.prisma.api.create({
      data: { slug: "identity-api", name: "Identity API", identity: "identity-api", exposure: "internal", ownerTeamId: identity.id, riskScore: 20, riskBand: "low" },
    });
    await db.prisma.endpoint.create({ data: { apiId: api.id, method: "GET", path: "/cards", securityMode: "undeclared" } });
    // Snapshots: payments was medium a week ago, identity low throughout.
    await db.prisma.riskSnapshot.createMany({
      data: [
        { apiId: api.id, day: ago(20), score: 45, band: "medium", factors: [] },
        { apiId: api.id, day: ago(1), score: 85, band: "critical", factors: [] },
        { apiId: other.id, day: ago(20), score: 20, band: "low", factors: [] },
      ],
    });
    let n = 0;
    const finding = async (o: { api: string; team: string; severity: string; status: string; firstSeen: Date; resolved?: Date; slaDays: number; title?: string }) => {
      const f = await db.prisma.finding.create({
        data: {
          kind: "scan",
          ruleId: "r",
          tool: "zap",
          title: o.title ?? "SQL injection in /cards?id=",
          severity: o.severity,
          fingerprint: `fp-${n++}`,
          apiId: o.api,
          teamId: o.team,
          status: o.status,
          evidence: { request: "GET /cards?id=1' OR 1=1 HTTP/1.1" },
          firstSeenAt: o.firstSeen,
          lastSeenAt: o.firstSeen,
          resolvedAt: o.resolved ?? null,
          slaDueAt: new Date(o.firstSeen.getTime() + o.slaDays * DAY),
        },
      });
      await db.prisma.findingEvent.create({ data: { findingId: f.id, actorType: "tool", type: "created", createdAt: o.firstSeen } });
      if (o.resolved) await db.prisma.findingEvent.create({ data: { findingId: f.id, actorType: "user", type: "status", fromValue: "open", toValue: "resolved", createdAt: o.resolved } });
    };
    // payments: two critical fixed in the last 30 days (2 and 10 days: one inside the 7-day SLA, one outside), one the
    // month before (4 days), one a year ago (20 days); one critical open and overdue; one high opened 3 days ago.
    await finding({ api: api.id, team: payments.id, severity: "critical", status: "resolved", firstSeen: ago(12), resolved: ago(10), slaDays: 7 });
    await finding({ api: api.id, team: payments.id, severity: "critical", status: "resolved", firstSeen: ago(15), resolved: ago(5), slaDays: 7 });
    await finding({ api: api.id, team: payments.id, severity: "critical", status: "resolved", firstSeen: ago(44), resolved: ago(40), slaDays: 7 });
    await finding({ api: api.id, team: payments.id, severity: "critical", status: "resolved", firstSeen: ago(400), resolved: ago(380), slaDays: 7 });
    await finding({ api: api.id, team: payments.id, severity: "critical", status: "open", firstSeen: ago(30), slaDays: 7 });
    await finding({ api: api.id, team: payments.id, severity: "high", status: "open", firstSeen: ago(3), slaDays: 30 });
    await finding({ api: other.id, team: identity.id, severity: "medium", status: "resolved", firstSeen: ago(50), resolved: ago(45), slaDays: 90 });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("aggregates trend, weekly flow, MTTR with its changes, SLA per team, top risks and the week's changes — without evidence", async () => {
    const { executiveSummary } = await import("./service");
    const s = await executiveSummary(db.prisma, executive, now);
    expect(s.trend.length).toBeGreaterThanOrEqual(20);
    expect(s.trend.at(-1)).toMatchObject({ apis: 2, critical: 1 });
    expect(s.weekly).toHaveLength(13);
    expect(s.weekly.reduce((n, w) => n + w.resolved, 0)).toBe(4);
    expect(s.weekly.reduce((n, w) => n + w.opened, 0)).toBe(6);
    const critical = s.mttr.find((m) => m.severity === "critical")!;
    expect(critical).toMatchObject({ days: 6, resolved: 2, previousMonthDays: 4, previousYearDays: 20, monthOverMonth: 50, yearOverYear: -70 });
    expect(s.mttr.find((m) => m.severity === "low")).toMatchObject({ days: null, monthOverMonth: null });
    expect(s.sla).toEqual([
      { team: "identity", closed: 1, withinSla: 1, compliance: 100, openOverdue: 0 },
      { team: "payments", closed: 3, withinSla: 2, compliance: 66.7, openOverdue: 1 },
    ]);
    expect(s.topRisks[0]).toMatchObject({ slug: "payments-api", band: "critical" });
    expect(s.topRisks[0]!.summary).toBe("internet-facing, no declared auth, holds card/financial data, 1 critical finding open, 1 high finding open");
    expect(s.changes).toMatchObject({ newFindings: { critical: 0, high: 1 }, resolvedFindings: { critical: 1, high: 0 } });
    expect(s.changes.bandRises).toEqual([{ slug: "payments-api", name: "Payments API", from: "medium", to: "critical" }]);
    const text = JSON.stringify(s);
    expect(text).not.toContain("SQL injection");
    expect(text).not.toContain("OR 1=1");
  });

  it("is the executives', security's and admins' — not developers'", async () => {
    const as = (role: Actor["role"]) => createCaller({ prisma: db.prisma, actor: { ...executive, role } });
    await expect(as("executive").executive.summary()).resolves.toBeDefined();
    await expect(as("security").executive.summary()).resolves.toBeDefined();
    await expect(as("developer").executive.summary()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
