/**
 * Lockouts (issue 13): wrong passwords lock a person *from one client* (the peer address, see ./client.ts), with a
 * backoff that grows at every further failure and a success that resets it; API tokens are never locked (a token
 * is its own credential; deactivation, an admin's deliberate act, still refuses them); admins list and clear them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Database } from "@/server/db/client";
import { createPerson, deactivate, listUsers, unlock } from "@/server/people/admin";
import { createUser } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import {
  listLockouts,
  LOCKOUT_CAP_MINUTES,
  LOCKOUT_MINUTES,
  LOCKOUT_THRESHOLD,
  lockedUntil,
  lockMinutes,
  recordFailedSignIn,
  recordSuccessfulSignIn,
  unlockAccount,
} from "./lockout";
import type { Actor } from "./roles";
import { authenticateToken, createApiToken } from "./tokens";

const MINUTE = 60_000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

describe("the backoff", () => {
  it("grows 1, 2, 4 … minutes with every failure past the threshold, capped at LOCKOUT_MINUTES × 8", () => {
    expect(LOCKOUT_CAP_MINUTES).toBe(LOCKOUT_MINUTES * 8);
    expect(lockMinutes(LOCKOUT_THRESHOLD - 1)).toBe(0);
    expect([0, 1, 2, 3, 4].map((n) => lockMinutes(LOCKOUT_THRESHOLD + n))).toEqual([1, 2, 4, 8, 16].map((m) => Math.min(m, LOCKOUT_CAP_MINUTES)));
    expect(lockMinutes(LOCKOUT_THRESHOLD + 40)).toBe(LOCKOUT_CAP_MINUTES);
    expect(lockMinutes(LOCKOUT_THRESHOLD + 5000)).toBe(LOCKOUT_CAP_MINUTES);
  });
});

describe.each(TEST_DATABASES)("lockouts on $name", (kind) => {
  let db: Database;
  let admin: Actor;
  beforeAll(async () => {
    db = await kind.open();
    const root = await createUser(db.prisma, { email: "root@example.com", role: "admin", password: "root-password-123" });
    admin = { type: "user", userId: root.id, email: root.email, role: "admin", teamIds: [] };
  });
  afterAll(async () => {
    await db?.close();
  });

  const fail = async (email: string, client: string, times: number, now = new Date()) => {
    for (let i = 0; i < times; i++) await recordFailedSignIn(db.prisma, email, client, now);
  };

  it("a lockout never disables API tokens: a CI token keeps working while its owner is locked out; deactivation refuses it", async () => {
    const owner = await createUser(db.prisma, { email: "ci-owner@example.com", role: "security", password: "ci-owner-password-1" });
    const ci = await createApiToken(db.prisma, { userId: owner.id, name: "pipeline", scopes: ["ingest"], expiresInDays: 30 });
    // Anyone who knows the e-mail: wrong passwords until the account locks (for that client).
    await fail("CI-Owner@example.com", "198.51.100.7", LOCKOUT_THRESHOLD + 3);
    expect(await lockedUntil(db.prisma, "ci-owner@example.com", "198.51.100.7")).toBeInstanceOf(Date);
    expect(await authenticateToken(db.prisma, ci.token, "ingest")).toMatchObject({ type: "token", userId: owner.id, tokenId: ci.id });
    // An admin's deliberate act still refuses the owner's tokens.
    await deactivate(db.prisma, admin, { id: owner.id });
    expect(await authenticateToken(db.prisma, ci.token, "ingest")).toBeNull();
  });

  it("locks a person from one client only: the same person signs in from another client; unknown e-mails are ignored", async () => {
    await createUser(db.prisma, { email: "victim@example.com", role: "developer", password: "victim-password-12" });
    await fail("victim@example.com", "203.0.113.9", LOCKOUT_THRESHOLD - 1);
    expect(await lockedUntil(db.prisma, "victim@example.com", "203.0.113.9")).toBeNull();
    await fail("victim@example.com", "203.0.113.9", 1);
    expect(await lockedUntil(db.prisma, "victim@example.com", "203.0.113.9")).toBeInstanceOf(Date);
    expect(await lockedUntil(db.prisma, "victim@example.com", "192.0.2.10")).toBeNull();
    expect(await lockedUntil(db.prisma, "VICTIM@example.com", "203.0.113.9")).toBeInstanceOf(Date);
    await fail("nobody@example.com", "203.0.113.9", LOCKOUT_THRESHOLD + 1);
    expect(await lockedUntil(db.prisma, "nobody@example.com", "203.0.113.9")).toBeNull();
    expect(await db.prisma.signInLockout.count({ where: { user: { email: "nobody@example.com" } } })).toBe(0);
  });

  it("each failure past the threshold locks for twice as long, up to the cap; a success from that client resets it, not another client's", async () => {
    const person = await createUser(db.prisma, { email: "backoff@example.com", role: "developer", password: "backoff-password-1" });
    const t0 = new Date("2026-03-01T08:00:00Z");
    await fail(person.email, "10.1.1.1", LOCKOUT_THRESHOLD, t0);
    expect(await lockedUntil(db.prisma, person.email, "10.1.1.1", t0)).toEqual(at(t0, MINUTE));
    expect(await lockedUntil(db.prisma, person.email, "10.1.1.1", at(t0, MINUTE + 1))).toBeNull();
    let now = t0;
    const durations: number[] = [];
    for (let n = 1; n <= 10; n++) {
      now = at((await lockedUntil(db.prisma, person.email, "10.1.1.1", now)) ?? now, 1000);
      await recordFailedSignIn(db.prisma, person.email, "10.1.1.1", now);
      const until = await lockedUntil(db.prisma, person.email, "10.1.1.1", now);
      durations.push(((until?.getTime() ?? now.getTime()) - now.getTime()) / MINUTE);
    }
    expect(durations).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 512, 1024].map((m) => Math.min(m, LOCKOUT_CAP_MINUTES)));
    expect(durations.at(-1)).toBe(LOCKOUT_CAP_MINUTES);

    // Another client of the same person, locked too; a success from the first client clears only the first.
    await fail(person.email, "10.2.2.2", LOCKOUT_THRESHOLD, now);
    await recordSuccessfulSignIn(db.prisma, person.id, "10.1.1.1");
    expect(await lockedUntil(db.prisma, person.email, "10.1.1.1", now)).toBeNull();
    expect(await lockedUntil(db.prisma, person.email, "10.2.2.2", now)).toBeInstanceOf(Date);
    // The count starts again: the threshold is needed again before the next lock.
    await fail(person.email, "10.1.1.1", LOCKOUT_THRESHOLD - 1, now);
    expect(await lockedUntil(db.prisma, person.email, "10.1.1.1", now)).toBeNull();
  });

  it("failures are forgotten after twice the cap without any", async () => {
    const person = await createUser(db.prisma, { email: "forgotten@example.com", role: "developer", password: "forgotten-password" });
    const t0 = new Date("2026-03-02T08:00:00Z");
    await fail(person.email, "10.3.3.3", LOCKOUT_THRESHOLD - 1, t0);
    const later = at(t0, 2 * LOCKOUT_CAP_MINUTES * MINUTE + 1000);
    await fail(person.email, "10.3.3.3", 1, later);
    expect(await lockedUntil(db.prisma, person.email, "10.3.3.3", later)).toBeNull();
  });

  it("admins see current lockouts per person with client and until (people.lockouts), and unlocking clears every client's", async () => {
    const person = await createPerson(db.prisma, admin, { email: "listed@example.com", role: "developer", password: "listed-password-1" });
    await fail(person.email, "198.51.100.20", LOCKOUT_THRESHOLD);
    await fail(person.email, "2001:db8:1:2::/64", LOCKOUT_THRESHOLD + 1);
    await fail(person.email, "198.51.100.21", LOCKOUT_THRESHOLD - 1); // not locked: not listed

    const listed = (await listLockouts(db.prisma)).filter((l) => l.userId === person.id);
    expect(listed.map((l) => [l.client, l.failures]).sort()).toEqual([
      ["198.51.100.20", LOCKOUT_THRESHOLD],
      ["2001:db8:1:2::/64", LOCKOUT_THRESHOLD + 1],
    ]);
    for (const l of listed) expect(l).toMatchObject({ email: "listed@example.com", until: expect.any(String), lastFailureAt: expect.any(String) });
    const viaRouter = await createCaller({ prisma: db.prisma, actor: admin }).people.lockouts();
    expect(viaRouter.filter((l) => l.userId === person.id)).toEqual(listed);
    expect((await listUsers(db.prisma, admin)).find((u) => u.id === person.id)?.lockedUntil).toBe(
      listed.map((l) => l.until).sort().at(-1),
    );

    expect(await unlock(db.prisma, admin, { id: person.id })).toEqual({ id: person.id, changed: true });
    expect(await db.prisma.signInLockout.count({ where: { userId: person.id } })).toBe(0);
    expect((await listLockouts(db.prisma)).filter((l) => l.userId === person.id)).toEqual([]);
    expect((await listUsers(db.prisma, admin)).find((u) => u.id === person.id)?.lockedUntil).toBeNull();
    expect(await unlockAccount(db.prisma, person.id)).toBe(false);
    const audits = await db.prisma.auditLog.findMany({ where: { targetId: person.id, action: { in: ["user.locked", "user.unlocked"] } }, orderBy: { createdAt: "asc" } });
    expect(audits.filter((a) => a.action === "user.locked").map((a) => (a.details as { client: string }).client).sort()).toEqual([
      "198.51.100.20",
      "2001:db8:1:2::/64",
      "2001:db8:1:2::/64",
    ]);
    expect(audits.at(-1)).toMatchObject({ action: "user.unlocked", details: { email: "listed@example.com", from: "locked", to: "unlocked" } });
  });
});
