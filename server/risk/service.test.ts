import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { sample } from "@/server/ingest/test-utils";
import { TEST_DATABASES } from "@/server/test/databases";
import { apiRiskBreakdown, riskOverview, riskTrend } from "./service";
import { defaultRiskWeights } from "./weights";

const system = { type: "system" as const };

describe.each(TEST_DATABASES)("risk overview, breakdown and weights on $name", (kind) => {
  let db: Database;
  let ownerTeam: string;
  const actor = (role: Actor["role"], teamIds: string[] = []): Actor => ({ type: "user", userId: `u-${role}`, email: `${role}@x`, role, teamIds });

  beforeAll(async () => {
    db = await kind.open();
    for (const file of ["api-inventory/crapi-openapi-spec.json", "api-inventory/swagger-petstore-v3-openapi.yaml"]) {
      const result = await ingest(db.prisma, { file: await sample(file), channel: "cli", actor: system });
      expect(result.status, file).toBe("succeeded");
      expect(result.warnings).toEqual([]);
    }
    ownerTeam = (await db.prisma.team.create({ data: { slug: "identity", name: "Identity" } })).id;
    for (const role of ["admin", "security", "developer", "executive"] as const) {
      await db.prisma.user.create({ data: { id: `u-${role}`, name: role, email: `${role}@x`, role } });
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it("ingest correlates the new Apis: posture findings, scores with factors, today's snapshot", async () => {
    const crapi = await db.prisma.api.findFirstOrThrow({ where: { name: { contains: "Petstore" } } });
    expect(crapi.riskScore).toBeGreaterThan(0);
    expect(crapi.riskFactors).toEqual(expect.arrayContaining([expect.objectContaining({ name: "ownership", points: 5 })]));
    const rules = await db.prisma.finding.groupBy({ by: ["ruleId"], where: { apiId: crapi.id, kind: "posture" }, _count: { _all: true } });
    expect(rules.map((r) => r.ruleId)).toEqual(expect.arrayContaining(["ownerless-api", "documentation-gaps", "sensitive-data-exposure"]));
    expect(await db.prisma.riskSnapshot.count({ where: { apiId: crapi.id } })).toBe(1);
  });

  it("overview: distribution, top Apis with their main factor, counts by severity, trend; developers see only their teams' Apis", async () => {
    const o = await riskOverview(db.prisma, actor("security"));
    const apis = await db.prisma.api.count();
    expect(Object.values(o.distribution).reduce((a, b) => a + b, 0) + o.unscored).toBe(apis);
    expect(o.top.length).toBe(Math.min(10, apis));
    expect(o.top[0]?.mainFactor?.points).toBeGreaterThan(0);
    expect(o.top.map((t) => t.score)).toEqual([...o.top.map((t) => t.score)].sort((a, b) => b - a));
    expect(o.openFindings.medium).toBe(await db.prisma.finding.count({ where: { severity: "medium", status: "open" } }));
    expect(o.counts.ownerless).toBe(await db.prisma.api.count({ where: { ownerTeamId: null } }));
    expect(o.trend.at(-1)).toMatchObject({ apis });
    expect(o.linksToFindings).toBe(true);

    const crapi = await db.prisma.api.findFirstOrThrow({ where: { name: { contains: "Petstore" } } });
    await db.prisma.api.update({ where: { id: crapi.id }, data: { ownerTeamId: ownerTeam } });
    const dev = await riskOverview(db.prisma, actor("developer", [ownerTeam]));
    expect(dev.top.map((t) => t.slug)).toEqual([crapi.slug]);
    expect(dev.counts.ownerless).toBe(0);
    expect(dev.trend.at(-1)).toMatchObject({ apis: 1 });
    expect((await riskOverview(db.prisma, actor("developer", ["other"]))).top).toEqual([]);
    expect((await riskOverview(db.prisma, actor("executive"))).linksToFindings).toBe(false);
    await expect(apiRiskBreakdown(db.prisma, actor("developer", ["other"]), crapi.slug)).rejects.toThrow(/not found/);
  });

  it("breakdown: each factor's points and the findings behind it; executives get no finding titles", async () => {
    const crapi = await db.prisma.api.findFirstOrThrow({ where: { name: { contains: "Petstore" } } });
    const b = await apiRiskBreakdown(db.prisma, actor("admin"), crapi.slug);
    expect(b.factors).toHaveLength(8);
    expect(b.score).toBe(crapi.riskScore);
    const openFindings = b.factors.find((f) => f.name === "openFindings")!;
    expect(openFindings.points).toBeGreaterThan(0);
    expect(openFindings.findings.length).toBeGreaterThan(0);
    expect(openFindings.findings[0]).toEqual(expect.objectContaining({ id: expect.any(String), title: expect.any(String), severity: expect.any(String) }));
    const exec = await apiRiskBreakdown(db.prisma, actor("executive"), crapi.slug);
    expect(exec.factors.every((f) => f.findings.length === 0)).toBe(true);
    expect(exec.factors.map((f) => f.points)).toEqual(b.factors.map((f) => f.points));
  });

  it("weights: anyone reads, admins and security preview, only admins save (validated, audited, rescored)", async () => {
    const admin = createCaller({ prisma: db.prisma, actor: actor("admin") });
    const security = createCaller({ prisma: db.prisma, actor: actor("security") });
    const developer = createCaller({ prisma: db.prisma, actor: actor("developer", [ownerTeam]) });
    expect((await developer.risk.weights.get()).weights).toEqual(defaultRiskWeights());

    const candidate = defaultRiskWeights();
    candidate.factors.ownership = 40;
    const preview = await security.risk.weights.preview(candidate);
    expect(preview.apis).toBe(await db.prisma.api.count());
    expect(preview.rows.length).toBeGreaterThan(0);
    const ownerless = preview.rows.find((r) => r.after.score > r.before.score);
    expect(ownerless).toBeDefined();
    await expect(developer.risk.weights.preview(candidate)).rejects.toThrow(/Requires permission risk:preview/);

    await expect(security.risk.weights.set(candidate)).rejects.toThrow(/Requires permission settings:write/);
    const bad = { ...candidate, share: { ...candidate.share, low: 0.9, medium: 0.9, high: 0.9 } };
    await expect(admin.risk.weights.set(bad)).rejects.toThrow();
    const saved = await admin.risk.weights.set(candidate);
    expect(saved.apisRescored).toBe(await db.prisma.api.count());
    expect((await admin.risk.weights.get()).weights.factors.ownership).toBe(40);
    expect(await db.prisma.auditLog.count({ where: { action: "risk.weights.set" } })).toBe(1);
    const ownerlessApi = await db.prisma.api.findFirstOrThrow({ where: { ownerTeamId: null, riskScore: { not: null } } });
    expect((ownerlessApi.riskFactors as { name: string; points: number }[]).find((f) => f.name === "ownership")?.points).toBe(40);
    expect((await riskTrend(db.prisma, actor("admin"))).length).toBeGreaterThan(0);
  });
});
