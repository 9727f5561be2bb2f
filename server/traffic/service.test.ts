import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import { correlate } from "@/server/correlate/engine";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { attackSignals, getApiTraffic, trafficFlags } from "./service";
import { ingestInventory, ingestText, kongLog, times } from "./test-helpers";

const T0 = Date.UTC(2025, 3, 1, 8, 0, 0);
const actor = (role: Actor["role"], teamIds: string[] = []): Actor => ({ type: "user", userId: `u-${role}`, email: `${role}@x.test`, role, teamIds });

describe.each(TEST_DATABASES)("traffic service and engine integration on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
    await ingestInventory(db.prisma);
    const enumeration = times(120, T0, 1000, (i, time) => ({ time, host: "shop.example.com", path: `/v1/users/${i}`, consumer: "mallory", status: 200 }));
    const legacy = [{ time: T0, host: "legacy.example.com", path: "/items/1", ip: "198.51.100.20", status: 200 }];
    const r = await ingestText(db.prisma, kongLog([...enumeration, ...legacy]), "signals.jsonl");
    expect(r.status).toBe("succeeded");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("the engine writes traffic findings from the rules; attack signals list them, without client detail for executives", async () => {
    const summary = await correlate(db.prisma, { asOf: new Date(T0 + 86_400_000) });
    expect(summary.ruleErrors).toEqual([]);
    expect(summary.fired["object-enumeration"]).toBe(1);
    expect(summary.fired.zombie).toBe(1);
    const finding = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "object-enumeration" } });
    expect(finding).toMatchObject({ kind: "traffic", severity: "high", owaspCategory: "API1", status: "open" });
    const signals = await attackSignals(db.prisma, actor("security"), { limit: 50 });
    expect(signals.find((s) => s.ruleId === "object-enumeration")).toMatchObject({ client: "mallory", api: { slug: "shop-api" } });
    const exec = await attackSignals(db.prisma, actor("executive"), { limit: 50 });
    expect(exec.length).toBe(signals.length);
    expect(exec.every((s) => s.client === null && s.counts === null && !s.title.includes("mallory"))).toBe(true);
    // A developer of no team sees none.
    expect(await attackSignals(db.prisma, actor("developer"), { limit: 50 })).toEqual([]);
    const flags = await trafficFlags(db.prisma, actor("security"), { flag: "zombie" });
    expect(flags.counts.zombie).toBe(1);
    expect(flags.apis.map((a) => a.slug)).toEqual(["legacy-api"]);
  });

  it("Api traffic: series, clients and endpoints; object-level access", async () => {
    const t = await getApiTraffic(db.prisma, actor("security"), { slug: "shop-api", days: 1 });
    expect(t.totals).toMatchObject({ requests: 120, clients: 1 });
    expect(t.series.reduce((n, s) => n + s.s2xx, 0)).toBe(120);
    expect(t.topClients?.[0]).toMatchObject({ client: "mallory", authenticated: true, requests: 120 });
    expect(t.endpoints.find((e) => e.path === "/users/{userId}")).toMatchObject({ documented: true, observed: true, requests: 120, unauthenticated2xx: 0 });
    expect(t.endpoints.find((e) => e.path === "/never-called")).toMatchObject({ documented: true, observed: false, requests: 0 });
    expect((await getApiTraffic(db.prisma, actor("executive"), { slug: "shop-api", days: 1 })).topClients).toBeNull();
    await expect(getApiTraffic(db.prisma, actor("developer", ["other-team"]), { slug: "shop-api", days: 1 })).rejects.toThrow(/No such API/);
  });
});
