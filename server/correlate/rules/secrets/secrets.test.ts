import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { addRollup, evaluate, makeApi, makeSecret, reset } from "../../test-fixtures";
import { overSharedSecret } from "./over-shared-secret";
import { secretAccessDeniedBurst } from "./secret-access-denied-burst";
import { staleSecret } from "./stale-secret";

const DAY = 86_400_000;
const asOf = new Date("2024-06-30T12:00:00Z");
const daysBefore = (n: number) => new Date(asOf.getTime() - n * DAY);

describe.each(TEST_DATABASES)("secret rules on $name", (kind) => {
  let db: Database;
  let apiId: string;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await reset(db.prisma);
    apiId = (await makeApi(db.prisma, "payments-api")).id;
  });

  it("stale-secret: rotated exactly 90 days ago is not stale, 91 is; unknown rotation counts from first seen; unlinked secrets are not flagged", async () => {
    await makeSecret(db.prisma, "secret/data/payments-api/at-threshold", { firstSeenAt: daysBefore(200), lastRotatedAt: daysBefore(90), apiIds: [apiId] });
    const over = await makeSecret(db.prisma, "secret/data/payments-api/over", { firstSeenAt: daysBefore(200), lastRotatedAt: daysBefore(91), apiIds: [apiId] });
    const unknownOld = await makeSecret(db.prisma, "secret/data/payments-api/never-old", { firstSeenAt: daysBefore(100), apiIds: [apiId] });
    await makeSecret(db.prisma, "secret/data/payments-api/never-new", { firstSeenAt: daysBefore(10), apiIds: [apiId] });
    await makeSecret(db.prisma, "secret/data/unlinked/old", { firstSeenAt: daysBefore(300) });
    const found = await evaluate(db.prisma, staleSecret, { asOf });
    expect(found.map((f) => f.subject).sort()).toEqual(["secret/data/payments-api/never-old", "secret/data/payments-api/over"]);
    expect(found.find((f) => f.subject.endsWith("/over"))).toMatchObject({ apiId, severity: "medium", owaspCategory: "API8", evidence: { ageDays: 91, thresholdDays: 90 } });
    expect(found.find((f) => f.subject.endsWith("never-old"))?.evidence).toMatchObject({ lastRotatedAt: null, ageDays: 100 });
    expect(over && unknownOld).toBeTruthy();
    // Threshold from settings.
    expect(await evaluate(db.prisma, staleSecret, { asOf, settings: { staleSecretDays: 120 } })).toHaveLength(0);
  });

  it("stale-secret as of an earlier time reads the last rotation before it from the rollups", async () => {
    const id = await makeSecret(db.prisma, "secret/data/payments-api/db", { firstSeenAt: daysBefore(400), lastRotatedAt: daysBefore(1), apiIds: [apiId] });
    await addRollup(db.prisma, id, { hourStart: daysBefore(300), identity: "ci", operation: "write" });
    await addRollup(db.prisma, id, { hourStart: daysBefore(1), identity: "ci", operation: "write" });
    expect(await evaluate(db.prisma, staleSecret, { asOf })).toHaveLength(0);
    const past = await evaluate(db.prisma, staleSecret, { asOf: daysBefore(100) });
    expect(past).toHaveLength(1);
    expect(past[0]?.evidence).toMatchObject({ ageDays: 200 });
  });

  it("over-shared-secret: 5 identities in 30 days is fine, 6 is over-shared; reads outside the window, denied reads and unknown identities do not count", async () => {
    const five = await makeSecret(db.prisma, "secret/data/payments-api/five", { firstSeenAt: daysBefore(60), apiIds: [apiId] });
    const six = await makeSecret(db.prisma, "secret/data/payments-api/six", { firstSeenAt: daysBefore(60), apiIds: [apiId] });
    const noisy = await makeSecret(db.prisma, "secret/data/other/noisy", { firstSeenAt: daysBefore(60) });
    for (let i = 0; i < 5; i++) await addRollup(db.prisma, five, { hourStart: daysBefore(i + 1), identity: `svc-${i}` });
    await addRollup(db.prisma, five, { hourStart: daysBefore(31), identity: "svc-old" });
    await addRollup(db.prisma, five, { hourStart: daysBefore(2), identity: "svc-denied", count: 2, denied: 2 });
    await addRollup(db.prisma, five, { hourStart: daysBefore(2), identity: "unknown" });
    for (let i = 0; i < 6; i++) await addRollup(db.prisma, six, { hourStart: daysBefore(i + 1), identity: `svc-${i}`, count: 3 });
    for (let i = 0; i < 6; i++) await addRollup(db.prisma, noisy, { hourStart: daysBefore(i + 1), identity: `svc-${i}` });
    const found = await evaluate(db.prisma, overSharedSecret, { asOf });
    expect(found.map((f) => [f.apiId, f.subject])).toEqual(
      expect.arrayContaining([
        [apiId, "secret/data/payments-api/six"],
        [null, "secret/data/other/noisy"],
      ]),
    );
    expect(found).toHaveLength(2);
    expect(found.find((f) => f.apiId === apiId)?.evidence).toMatchObject({ identityCount: 6, reads: 18, identities: ["svc-0", "svc-1", "svc-2", "svc-3", "svc-4", "svc-5"] });
  });

  it("secret-access-denied-burst: 9 denied in an hour is not a burst, 10 is", async () => {
    const nine = await makeSecret(db.prisma, "secret/data/payments-api/nine", { firstSeenAt: daysBefore(5), apiIds: [apiId] });
    const ten = await makeSecret(db.prisma, "secret/data/payments-api/ten", { firstSeenAt: daysBefore(5), apiIds: [apiId] });
    const hour = new Date("2024-06-29T10:00:00Z");
    await addRollup(db.prisma, nine, { hourStart: hour, identity: "a", count: 9, denied: 9 });
    await addRollup(db.prisma, nine, { hourStart: new Date(hour.getTime() + 3600_000), identity: "a", count: 5, denied: 5 });
    await addRollup(db.prisma, ten, { hourStart: hour, identity: "a", count: 6, denied: 6 });
    await addRollup(db.prisma, ten, { hourStart: hour, identity: "b", operation: "list", count: 4, denied: 4 });
    const found = await evaluate(db.prisma, secretAccessDeniedBurst, { asOf });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      apiId,
      subject: "secret/data/payments-api/ten",
      severity: "high",
      owaspCategory: "API2",
      evidence: { worstWindowDenied: 10, burstWindows: 1, windowHours: 1, worstWindowStart: "2024-06-29T10:00:00.000Z" },
    });
    expect((found[0]?.evidence as { identities: string[] }).identities.sort()).toEqual(["a", "b"]);
    // A two-hour window sums consecutive hours.
    const wide = await evaluate(db.prisma, secretAccessDeniedBurst, { asOf, settings: { deniedBurstWindowMinutes: 120 } });
    expect(wide.map((f) => f.subject).sort()).toEqual(["secret/data/payments-api/nine", "secret/data/payments-api/ten"]);
  });
});
