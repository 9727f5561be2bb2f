import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { slaDueAt } from "@/server/findings/sla";
import { TEST_DATABASES } from "@/server/test/databases";
import { correlate } from "./engine";
import type { Rule } from "./rule";
import { ownerlessApi } from "./rules/posture/ownerless-api";
import { makeApi, makeTeam, reset } from "./test-fixtures";

const asOf = new Date("2024-06-30T12:00:00Z");

describe.each(TEST_DATABASES)("correlation engine on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
    await reset(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("opens, updates, resolves within scope, reopens as regression, and never touches what a person closed", async () => {
    const team = await makeTeam(db.prisma, "core");
    const a = await makeApi(db.prisma, "alpha", { contact: { email: "a@example.com" } });
    const b = await makeApi(db.prisma, "beta");
    const c = await makeApi(db.prisma, "gamma", { ownerTeamId: team });

    // 1. First run: two ownerless findings with fingerprint, scope key, SLA and a "created" event each.
    const first = await correlate(db.prisma, { asOf, rules: [ownerlessApi] });
    expect(first).toMatchObject({ rulesEvaluated: 1, ruleErrors: [], fired: { "ownerless-api": 2 }, findings: { fired: 2, created: 2, updated: 0, resolved: 0 } });
    const fa = await db.prisma.finding.findFirstOrThrow({ where: { apiId: a.id }, include: { events: true } });
    expect(fa).toMatchObject({
      kind: "posture",
      ruleId: "ownerless-api",
      status: "open",
      severity: "medium",
      owaspCategory: "API9",
      scopeKey: `rule:ownerless-api|api:${a.id}`,
      fingerprint: createHash("sha256").update(`ownerless-api|${a.id}||`).digest("hex"),
      regression: false,
      teamId: null,
    });
    expect(fa.firstSeenAt.toISOString()).toBe(asOf.toISOString());
    expect(fa.slaDueAt?.getTime()).toBe(slaDueAt("medium", asOf)?.getTime());
    expect(fa.events.map((e) => [e.type, e.toValue])).toEqual([["created", "open"]]);

    // 2. Same evidence: no new rows, no new events.
    const second = await correlate(db.prisma, { asOf, rules: [ownerlessApi] });
    expect(second.findings).toMatchObject({ created: 0, updated: 2, resolved: 0, reopened: 0 });
    expect(await db.prisma.findingEvent.count()).toBe(2);

    // 3. alpha gets an owner; a scoped run over beta only does not resolve alpha's finding…
    await db.prisma.api.update({ where: { id: a.id }, data: { ownerTeamId: team } });
    const scoped = await correlate(db.prisma, { asOf, apiIds: [b.id], rules: [ownerlessApi] });
    expect(scoped.findings.resolved).toBe(0);
    // …a run over alpha does, as "no longer applies".
    const fixed = await correlate(db.prisma, { asOf, apiIds: [a.id], rules: [ownerlessApi] });
    expect(fixed.findings.resolved).toBe(1);
    const resolved = await db.prisma.finding.findUniqueOrThrow({ where: { id: fa.id }, include: { events: { orderBy: { createdAt: "asc" } } } });
    expect(resolved).toMatchObject({ status: "resolved", resolution: "no_longer_applies" });
    expect(resolved.events.at(-1)).toMatchObject({ type: "status", fromValue: "open", toValue: "resolved", comment: "no longer applies" });

    // 4. The owner goes away again: reopened as a regression.
    await db.prisma.api.update({ where: { id: a.id }, data: { ownerTeamId: null } });
    const back = await correlate(db.prisma, { asOf, rules: [ownerlessApi] });
    expect(back.findings.reopened).toBe(1);
    expect(await db.prisma.finding.findUniqueOrThrow({ where: { id: fa.id } })).toMatchObject({ status: "open", regression: true, resolution: null, resolvedAt: null });

    // 5. beta's finding marked false positive: never resolved, never reopened, still updated.
    const fb = await db.prisma.finding.findFirstOrThrow({ where: { apiId: b.id } });
    await db.prisma.finding.update({ where: { id: fb.id }, data: { status: "false_positive" } });
    await db.prisma.api.update({ where: { id: b.id }, data: { ownerTeamId: team } });
    await correlate(db.prisma, { asOf, rules: [ownerlessApi] });
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: fb.id } })).status).toBe("false_positive");
    await db.prisma.api.update({ where: { id: b.id }, data: { ownerTeamId: null } });
    await correlate(db.prisma, { asOf, rules: [ownerlessApi] });
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: fb.id } })).status).toBe("false_positive");
    expect(await db.prisma.finding.count({ where: { apiId: c.id } })).toBe(0);
  });

  it("a failing rule is rolled back alone and its findings are neither updated nor resolved", async () => {
    const broken: Rule = {
      id: "ownerless-api",
      kind: "posture",
      description: "throws after a bad query",
      async evaluate(ctx) {
        await ctx.tx.$queryRawUnsafe("SELECT * FROM no_such_table");
        return [];
      },
    };
    const before = await db.prisma.finding.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, updatedAt: true } });
    const summary = await correlate(db.prisma, { asOf, rules: [broken] });
    expect(summary.rulesEvaluated).toBe(0);
    expect(summary.ruleErrors).toHaveLength(1);
    expect(summary.ruleErrors[0]?.ruleId).toBe("ownerless-api");
    expect(await db.prisma.finding.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, updatedAt: true } })).toEqual(before);
  });

  it("scores every Api and keeps one snapshot per Api per UTC day (the day's latest)", async () => {
    const apis = await db.prisma.api.count();
    const summary = await correlate(db.prisma, { asOf });
    expect(summary.apisScored).toBe(apis);
    const snapshots = await db.prisma.riskSnapshot.findMany();
    expect(snapshots).toHaveLength(apis);
    expect(snapshots.every((s) => s.day.toISOString() === "2024-06-30T00:00:00.000Z")).toBe(true);
    const alpha = await db.prisma.api.findUniqueOrThrow({ where: { slug: "alpha" } });
    expect(alpha.riskScore).toBeGreaterThan(0);
    expect(alpha.riskBand).toMatch(/^(critical|high|medium|low)$/);
    const factors = alpha.riskFactors as { name: string; points: number }[];
    expect(factors.map((f) => f.name)).toEqual(["exposure", "dataSensitivity", "authStrength", "openFindings", "attackSignals", "secretHygiene", "documentation", "ownership"]);
    expect(Math.min(100, Math.round(factors.reduce((n, f) => n + f.points, 0) * 10) / 10)).toBe(alpha.riskScore);

    // Later the same day: the same rows, updated. The next day: new rows, the old ones kept.
    await db.prisma.api.update({ where: { id: alpha.id }, data: { exposure: "internet" } });
    await correlate(db.prisma, { asOf: new Date("2024-06-30T18:00:00Z") });
    const sameDay = await db.prisma.riskSnapshot.findMany({ where: { apiId: alpha.id } });
    expect(sameDay).toHaveLength(1);
    expect(sameDay[0]?.score).toBeGreaterThan(alpha.riskScore ?? 0);
    await correlate(db.prisma, { asOf: new Date("2024-07-01T01:00:00Z") });
    expect(await db.prisma.riskSnapshot.count({ where: { apiId: alpha.id } })).toBe(2);
  });
});
