import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "@/server/db/client";
import { loadDemoOrganisation } from "./load";

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
    expect(new Set(runs.map((r) => r.format))).toEqual(new Set(["openapi", "backstage", "csv-inventory", "kong-deck", "kong-log", "vault-audit"]));
    expect(await db.prisma.api.count({ where: { discoveredFromTraffic: false } })).toBe(40);
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
      "error-leakage",
      "unauthenticated-access",
      "stale-secret",
      "over-shared-secret",
      "secret-access-denied-burst",
    ]) {
      expect(rules, rule).toContain(rule);
    }
    const scored = await db.prisma.api.count({ where: { riskScore: { not: null } } });
    expect(scored).toBeGreaterThanOrEqual(40);
  });
});
