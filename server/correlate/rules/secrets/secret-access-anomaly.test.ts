import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { sourceNetwork } from "@/server/domain/source-network";
import { TEST_DATABASES } from "@/server/test/databases";
import type { DerivedFinding } from "../../rule";
import type { RuleSettings } from "../../settings";
import { addNetwork, addRollup, evaluate, makeApi, makeSecret, reset } from "../../test-fixtures";
import { secretAccessAnomaly } from "./secret-access-anomaly";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const asOf = new Date("2024-06-30T00:00:00Z");
/** The day under test: the last whole UTC day before asOf. */
const D = asOf.getTime() - DAY;
const at = (daysBefore: number, hour: number) => new Date(D - daysBefore * DAY + hour * HOUR);
const kinds = (found: DerivedFinding[]) => found.map((f) => (f.evidence as { kind: string }).kind).sort();
const ofKind = (found: DerivedFinding[], kind: string) => found.filter((f) => (f.evidence as { kind: string }).kind === kind);

describe("source networks", () => {
  it("IPv4 /24, IPv6 /64 (IPv4-mapped as IPv4), ports dropped, host names as themselves", () => {
    expect(sourceNetwork("10.20.30.40")).toBe("10.20.30.0/24");
    expect(sourceNetwork("10.20.30.40:8200")).toBe("10.20.30.0/24");
    expect(sourceNetwork("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(sourceNetwork("[2001:db8:1:2::9]:443")).toBe("2001:db8:1:2::/64");
    expect(sourceNetwork("2001:db8::1")).toBe("2001:db8::/64");
    expect(sourceNetwork("::ffff:192.0.2.7")).toBe("192.0.2.0/24");
    expect(sourceNetwork("SecretsManager.amazonaws.com")).toBe("secretsmanager.amazonaws.com");
    expect(sourceNetwork("300.1.1.1")).toBe("300.1.1.1");
    expect(sourceNetwork("  ")).toBeNull();
  });
});

describe.each(TEST_DATABASES)("secret-access-anomaly on $name", (kind) => {
  let db: Database;
  let prodApi: string;
  let sensitiveApi: string;
  let stagingApi: string;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await reset(db.prisma);
    prodApi = (await makeApi(db.prisma, "orders-api", { lifecycle: "production" })).id;
    sensitiveApi = (await makeApi(db.prisma, "payments-api", { lifecycle: "production", dataClasses: ["financial"] })).id;
    stagingApi = (await makeApi(db.prisma, "sandbox-api", { lifecycle: "experimental" })).id;
  });

  /** `reads` successful reads of a secret by an identity, `daysBefore` D at `hour`, from `network` (null: no address). */
  async function access(secretId: string, identity: string, daysBefore: number, o: { hour?: number; reads?: number; network?: string | null; operation?: string } = {}) {
    const reads = o.reads ?? 5;
    const operation = o.operation ?? "read";
    await addRollup(db.prisma, secretId, { hourStart: at(daysBefore, o.hour ?? 9), identity, operation, count: reads });
    const network = o.network === undefined ? "10.0.0.0/24" : o.network;
    if (network) await addNetwork(db.prisma, secretId, { day: at(daysBefore, 0), identity, network, events: reads, reads: operation === "read" ? reads : 0 });
  }
  /** The same use on each of the given days before D. */
  async function history(secretId: string, identity: string, days: number[], o: Parameters<typeof access>[3] = {}) {
    for (const d of days) await access(secretId, identity, d, o);
  }
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const run = (settings: Partial<RuleSettings> = {}, when = asOf, apiIds: string[] | null = null) => evaluate(db.prisma, secretAccessAnomaly, { asOf: when, settings, apiIds });

  it("too little history: 6 days with events in the previous 14 give no finding of any kind, 7 do", async () => {
    const known = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    const other = await makeSecret(db.prisma, "secret/data/payments-api/db", { firstSeenAt: at(30, 0), apiIds: [sensitiveApi] });
    await history(known, "svc-a", range(1, 6));
    // On D: a first read of another production secret, from a new network, in a new hour, 500 reads.
    await access(other, "svc-a", 0, { hour: 3, reads: 500, network: "203.0.113.0/24" });
    expect(await run()).toEqual([]);
    // A threshold from settings.
    expect(kinds(await run({ accessAnomalyMinHistoryDays: 6 }))).toEqual(["first-access", "new-hour", "new-network", "volume-spike"]);
    await access(known, "svc-a", 7);
    const found = await run();
    expect(kinds(found)).toEqual(["first-access", "new-hour", "new-network", "volume-spike"]);
    for (const f of found) {
      expect(f).toMatchObject({ ruleId: "secret-access-anomaly", kind: "secret", apiId: sensitiveApi, severity: "high", owaspCategory: "API2" });
      expect(f.evidence).toMatchObject({ identity: "svc-a", vault: "vault", secret: "secret/data/payments-api/db", day: "2024-06-29", baseline: { days: 14, daysWithEvents: 7, medianDailyReads: 5 } });
      expect(f.description).toContain("Baseline: the 14 days before 2024-06-29, 7 of them with events");
    }
    expect(ofKind(found, "volume-spike")[0]?.evidence).toMatchObject({ reads: 500, thresholds: { spikeMultiplier: 10, spikeMinReads: 50 } });
    expect(ofKind(found, "new-network")[0]?.evidence).toMatchObject({ newNetworks: ["203.0.113.0/24"], baseline: { networks: ["10.0.0.0/24"], networkDays: 7 } });
    expect(ofKind(found, "new-hour")[0]?.evidence).toMatchObject({ newHoursUtc: [3], baseline: { hoursUtc: [9] } });
    expect(ofKind(found, "new-hour")[0]?.description).toMatch(/^New hour: on 2024-06-29 svc-a read secret\/data\/payments-api\/db during 03:00–03:59 UTC/);
  });

  it("the baseline is the 14 days before the day: history 15 days back does not count", async () => {
    const known = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(known, "svc-a", range(8, 14)); // 7 days, the oldest 14 days before D
    await access(known, "svc-a", 0, { reads: 500 });
    expect(kinds(await run())).toEqual(["volume-spike"]);
    await reset(db.prisma);
    prodApi = (await makeApi(db.prisma, "orders-api", { lifecycle: "production" })).id;
    const again = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(again, "svc-a", range(9, 15)); // 7 days, but the oldest is outside the 14-day baseline
    await access(again, "svc-a", 0, { reads: 500 });
    expect(await run()).toEqual([]);
    expect(kinds(await run({ accessAnomalyBaselineDays: 15 }))).toEqual(["volume-spike"]);
  });

  it("first-access: a secret of a production Api not read in the baseline; read 14 days before is known, 15 is not; non-production Apis never", async () => {
    const known = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    const at14 = await makeSecret(db.prisma, "secret/data/orders-api/at-14", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    const at15 = await makeSecret(db.prisma, "secret/data/orders-api/at-15", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    const staging = await makeSecret(db.prisma, "secret/data/sandbox-api/db", { firstSeenAt: at(30, 0), apiIds: [stagingApi] });
    const unlinked = await makeSecret(db.prisma, "secret/data/nobody/db", { firstSeenAt: at(30, 0) });
    const deniedOnly = await makeSecret(db.prisma, "secret/data/orders-api/denied", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(known, "svc-a", range(1, 7));
    await access(at14, "svc-a", 14);
    await access(at15, "svc-a", 15);
    await addRollup(db.prisma, deniedOnly, { hourStart: at(3, 9), identity: "svc-a", count: 2, denied: 2 });
    for (const id of [known, at14, at15, staging, unlinked, deniedOnly]) await access(id, "svc-a", 0, { reads: 1 });
    const found = await run();
    expect(kinds(found)).toEqual(["first-access", "first-access"]);
    expect(found.map((f) => f.subject).sort()).toEqual([
      "first-access:vault:svc-a:secret/data/orders-api/at-15",
      "first-access:vault:svc-a:secret/data/orders-api/denied",
    ]);
    expect(found.every((f) => f.apiId === prodApi && f.severity === "medium")).toBe(true);
    expect(found[0]?.description).toMatch(/^First access: svc-a read secret\/data\/orders-api\/\S+ on 2024-06-29 \(1 read\(s\)\) and had not read it in the 14 days before/);
  });

  it("new-network: a read from a /24 the identity never used; the same /24 is not new; networks known on fewer than 7 days are not judged", async () => {
    const s = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(s, "svc-a", range(1, 7), { network: "10.0.0.0/24" });
    await access(s, "svc-a", 1, { hour: 10 });
    await access(s, "svc-a", 1, { hour: 11 });
    await access(s, "svc-a", 0, { network: "10.0.0.0/24" });
    expect(await run()).toEqual([]);
    // A write from another network in the baseline makes that network used.
    await access(s, "svc-a", 3, { network: "10.9.9.0/24", operation: "write", reads: 1 });
    await access(s, "svc-a", 0, { hour: 10, network: "10.9.9.0/24" });
    expect(await run()).toEqual([]);
    await access(s, "svc-a", 0, { hour: 11, network: "10.0.1.0/24", reads: 3 });
    const found = await run();
    expect(kinds(found)).toEqual(["new-network"]);
    expect(found[0]).toMatchObject({ apiId: prodApi, severity: "medium", subject: "new-network:vault:svc-a", evidence: { newNetworks: ["10.0.1.0/24"], reads: 3 } });
    expect(found[0]?.description).toMatch(/^New network: on 2024-06-29 svc-a read secret\/data\/orders-api\/db from 10\.0\.1\.0\/24, outside every network it used before \(10\.0\.0\.0\/24, 10\.9\.9\.0\/24\)/);

    // Only 6 baseline days with a known network (the 7th had no address): not judged.
    await reset(db.prisma);
    prodApi = (await makeApi(db.prisma, "orders-api", { lifecycle: "production" })).id;
    const t = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(t, "svc-a", range(1, 6), { network: "10.0.0.0/24" });
    await access(t, "svc-a", 7, { network: null });
    await access(t, "svc-a", 0, { network: "10.0.1.0/24" });
    expect(await run()).toEqual([]);
    await access(t, "svc-a", 8, { network: "10.0.0.0/24" });
    expect(kinds(await run())).toEqual(["new-network"]);
    // A baseline day past the persister's network cap ("*") cannot tell new from known.
    await addNetwork(db.prisma, t, { day: at(2, 0), identity: "svc-a", network: "*" });
    expect(await run()).toEqual([]);
  });

  it("new-hour: a read in a UTC hour of day without any event in the baseline", async () => {
    const s = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(s, "svc-a", range(1, 7), { hour: 9 });
    await access(s, "svc-a", 2, { hour: 10, operation: "list", reads: 1 });
    await access(s, "svc-a", 0, { hour: 10 });
    expect(await run()).toEqual([]);
    // A denied read in a new hour is no read.
    await addRollup(db.prisma, s, { hourStart: at(0, 11), identity: "svc-a", count: 3, denied: 3 });
    expect(await run()).toEqual([]);
    await access(s, "svc-a", 0, { hour: 23 });
    const found = await run();
    expect(kinds(found)).toEqual(["new-hour"]);
    expect(found[0]?.evidence).toMatchObject({ newHoursUtc: [23], baseline: { hoursUtc: [9, 10] }, reads: 5, secrets: [{ ref: "secret/data/orders-api/db", reads: 5 }] });
  });

  it("volume-spike: more than 10 × the daily median and at least 50", async () => {
    const s = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(s, "svc-a", range(1, 7), { reads: 5 });
    await access(s, "svc-a", 0, { reads: 50 }); // = 10 × 5: not more
    expect(await run()).toEqual([]);
    await access(s, "svc-a", 0, { hour: 10, reads: 1, network: "10.0.0.0/24" }); // 51, but hour 10 is new
    expect(kinds(await run())).toEqual(["new-hour", "volume-spike"]);
    expect(ofKind(await run(), "volume-spike")[0]?.evidence).toMatchObject({ reads: 51, baseline: { medianDailyReads: 5 } });
    // The floor: median 4 → 49 reads is over 10× but under 50; 50 is a spike.
    await reset(db.prisma);
    prodApi = (await makeApi(db.prisma, "orders-api", { lifecycle: "production" })).id;
    const t = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await history(t, "svc-a", range(1, 7), { reads: 4 });
    await access(t, "svc-a", 0, { reads: 49 });
    expect(await run()).toEqual([]);
    expect(kinds(await run({ accessAnomalySpikeMinReads: 49 }))).toEqual(["volume-spike"]);
    await addRollup(db.prisma, t, { hourStart: at(0, 9), identity: "svc-a", operation: "list", count: 1 });
    expect(await run()).toEqual([]); // a list is no read
    await addRollup(db.prisma, t, { hourStart: at(0, 9), identity: "svc-a", operation: "write", count: 1 });
    expect(await run()).toEqual([]);
    const u = await makeSecret(db.prisma, "secret/data/orders-api/other", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    await access(u, "svc-a", 2, { reads: 1 });
    await access(u, "svc-a", 0, { reads: 1 }); // 49 + 1 = 50 reads across the identity's secrets
    const found = await run();
    expect(kinds(found)).toEqual(["volume-spike"]);
    expect(found[0]?.evidence).toMatchObject({ reads: 50, secret: "secret/data/orders-api/db", secrets: [{ ref: "secret/data/orders-api/db", reads: 49 }, { ref: "secret/data/orders-api/other", reads: 1 }] });
  });

  it("is measured back from the evaluation time (--as-of)", async () => {
    const s = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(60, 0), apiIds: [prodApi] });
    const batch = await makeSecret(db.prisma, "secret/data/orders-api/batch", { firstSeenAt: at(60, 0), apiIds: [prodApi] });
    await history(s, "svc-a", range(1, 20));
    await access(s, "svc-a", 0, { reads: 500 });
    // As of D's start, D's reads lie ahead: nothing; as of D 10:00, the 09:00 hour counts; as of 09:00, not yet.
    expect(await run({}, new Date(D))).toEqual([]);
    expect(kinds(await run({}, new Date(D + 10 * HOUR)))).toEqual(["volume-spike"]);
    expect(await run({}, new Date(D + 9 * HOUR))).toEqual([]);
    // Another spike ten days earlier: seen from its own time; from now, both days on one finding (the latest shown);
    // 25 days on, only D is within the 30-day look-back; 40 days on, neither.
    await access(batch, "svc-a", 10, { reads: 500 });
    const spikes = async (when: Date) => ofKind(await run({}, when), "volume-spike").map((f) => [(f.evidence as { day: string }).day, (f.evidence as { anomalousDays: number }).anomalousDays]);
    expect(await spikes(new Date(D - 9 * DAY))).toEqual([["2024-06-19", 1]]);
    expect(await spikes(asOf)).toEqual([["2024-06-29", 2]]);
    expect(await spikes(new Date(asOf.getTime() + 25 * DAY))).toEqual([["2024-06-29", 1]]);
    expect(await run({}, new Date(asOf.getTime() + 40 * DAY))).toEqual([]);
  });

  it("an identity is per vault: the same name in CyberArk is another identity; unknown identities are nobody", async () => {
    const v = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    const c = await makeSecret(db.prisma, "Orders/orders-api-db", { firstSeenAt: at(30, 0), apiIds: [prodApi], source: "cyberark" });
    await history(c, "ops", range(1, 7));
    await access(v, "ops", 0, { reads: 500 });
    await history(v, "unknown", range(1, 7));
    await access(v, "unknown", 0, { reads: 500 });
    expect(await run()).toEqual([]);
    await access(c, "ops", 0, { reads: 500 });
    const found = await run();
    expect(found.map((f) => f.subject)).toEqual(["volume-spike:cyberark:ops"]);
  });

  it("attributes to the Apis of the secrets concerned, an unlinked secret to no Api; a scoped run sees only its Apis", async () => {
    const a = await makeSecret(db.prisma, "secret/data/orders-api/db", { firstSeenAt: at(30, 0), apiIds: [prodApi] });
    const b = await makeSecret(db.prisma, "secret/data/payments-api/db", { firstSeenAt: at(30, 0), apiIds: [sensitiveApi] });
    const n = await makeSecret(db.prisma, "secret/data/nobody/db", { firstSeenAt: at(30, 0) });
    for (const id of [a, b, n]) await history(id, "svc-a", range(1, 7), { hour: 9 });
    await access(a, "svc-a", 0, { hour: 4 });
    await access(n, "svc-a", 0, { hour: 4 });
    await access(b, "svc-a", 0, { hour: 9 });
    const found = await run();
    expect(found.map((f) => [f.apiId, f.subject, (f.evidence as { secret: string }).secret]).sort()).toEqual(
      [
        [prodApi, "new-hour:vault:svc-a", "secret/data/orders-api/db"],
        [null, "new-hour:vault:svc-a", "secret/data/nobody/db"],
      ].sort(),
    );
    const scoped = await run({}, asOf, [sensitiveApi]);
    expect(scoped.map((f) => [f.apiId, f.subject])).toEqual([[null, "new-hour:vault:svc-a"]]);
  });
});
