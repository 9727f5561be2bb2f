import { verifyPassword } from "better-auth/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor } from "@/server/auth/roles";
import { authenticateToken, createApiToken } from "@/server/auth/tokens";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { createPerson, deactivate, listUsers, reactivate, resetPassword, setRole, unlock } from "./admin";
import { createUser, ensureTeam } from "./service";

describe.each(TEST_DATABASES)("people administration on $name", (kind) => {
  let db: Database;
  let admin: Actor;

  const passwordOf = async (userId: string) => (await db.prisma.account.findFirstOrThrow({ where: { userId, providerId: "credential" } })).password!;
  const session = (userId: string, n: number) =>
    db.prisma.session.create({ data: { id: `s-${userId}-${n}`, token: `t-${userId}-${n}`, userId, expiresAt: new Date(Date.now() + 3600_000) } });
  const audits = (action: string, targetId: string) => db.prisma.auditLog.findMany({ where: { action, targetId } });
  /** Locked out from one client (server/auth/lockout.ts), as wrong passwords from there would do. */
  const lockOut = (userId: string) =>
    db.prisma.signInLockout.create({ data: { userId, client: "203.0.113.5", failures: 5, lockedUntil: new Date(Date.now() + 600_000), lastFailureAt: new Date() } });

  beforeAll(async () => {
    db = await kind.open();
    await ensureTeam(db.prisma, "team-a");
    await ensureTeam(db.prisma, "team-b");
    const user = await createUser(db.prisma, { email: "root@example.com", role: "admin", password: "root-password-123" });
    admin = { type: "user", userId: user.id, email: user.email, role: "admin", teamIds: [] };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("creates a person with a generated password shown once, to be changed at first sign-in; audited", async () => {
    const created = await createPerson(db.prisma, admin, { email: " New.Dev@Example.com ", role: "developer", teams: ["team-a"] });
    expect(created.email).toBe("new.dev@example.com");
    expect(created.generatedPassword).toMatch(/^[\w-]{20,}$/);
    expect(await verifyPassword({ hash: await passwordOf(created.id), password: created.generatedPassword! })).toBe(true);
    const row = await db.prisma.user.findUniqueOrThrow({ where: { id: created.id }, include: { memberships: { include: { team: true } } } });
    expect(row).toMatchObject({ role: "developer", mustChangePassword: true, deactivatedAt: null });
    expect(row.memberships.map((m) => m.team.slug)).toEqual(["team-a"]);
    expect((await audits("user.create", created.id)).map((a) => a.details)).toEqual([
      { email: "new.dev@example.com", role: "developer", teams: ["team-a"], passwordGenerated: true },
    ]);
    // The password is nowhere in the audit log.
    expect(JSON.stringify(await db.prisma.auditLog.findMany())).not.toContain(created.generatedPassword);

    const typed = await createPerson(db.prisma, admin, { email: "typed@example.com", role: "security", password: "typed-password-123" });
    expect(typed.generatedPassword).toBeNull();
    expect(await verifyPassword({ hash: await passwordOf(typed.id), password: "typed-password-123" })).toBe(true);

    await expect(createPerson(db.prisma, admin, { email: "new.dev@example.com", role: "developer" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createPerson(db.prisma, admin, { email: "x@example.com", role: "developer", teams: ["no-such-team"] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(createPerson(db.prisma, admin, { email: "short@example.com", role: "developer", password: "short" })).rejects.toThrow(/12 characters/);
    await expect(createPerson(db.prisma, admin, { email: "not an email", role: "developer" })).rejects.toThrow();
    expect(await db.prisma.user.count({ where: { email: { in: ["x@example.com", "short@example.com"] } } })).toBe(0);
  });

  it("changes roles, and never demotes or deactivates the last active admin", async () => {
    const other = await createPerson(db.prisma, admin, { email: "second@example.com", role: "developer" });
    await expect(setRole(db.prisma, admin, { id: admin.userId, role: "security" })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/last active admin/) });
    await expect(deactivate(db.prisma, { ...admin, userId: other.id }, { id: admin.userId })).rejects.toMatchObject({ code: "CONFLICT" });

    expect(await setRole(db.prisma, admin, { id: other.id, role: "admin" })).toEqual({ id: other.id, changed: true });
    expect(await setRole(db.prisma, admin, { id: other.id, role: "admin" })).toEqual({ id: other.id, changed: false });
    expect((await audits("user.role_changed", other.id)).map((a) => a.details)).toEqual([{ email: "second@example.com", from: "developer", to: "admin" }]);
    // Two admins: one may go. A deactivated admin does not count as the other one.
    await deactivate(db.prisma, admin, { id: other.id });
    await expect(setRole(db.prisma, admin, { id: admin.userId, role: "developer" })).rejects.toMatchObject({ code: "CONFLICT" });
    await reactivate(db.prisma, admin, { id: other.id });
    expect(await setRole(db.prisma, admin, { id: other.id, role: "executive" })).toMatchObject({ changed: true });
    await expect(setRole(db.prisma, admin, { id: "no-such-user", role: "developer" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("deactivating ends sessions and revokes tokens at once; the person cannot use a token; reactivating lets them sign in again", async () => {
    const person = await createPerson(db.prisma, admin, { email: "leaver@example.com", role: "security" });
    await session(person.id, 1);
    await session(person.id, 2);
    const token = await createApiToken(db.prisma, { userId: person.id, name: "ci", scopes: ["ingest"], expiresInDays: 1 });
    expect(await authenticateToken(db.prisma, token.token, "ingest")).not.toBeNull();

    await expect(deactivate(db.prisma, admin, { id: admin.userId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await deactivate(db.prisma, admin, { id: person.id })).toEqual({ id: person.id, changed: true });
    expect(await db.prisma.session.count({ where: { userId: person.id } })).toBe(0);
    expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).revokedAt).not.toBeNull();
    expect(await authenticateToken(db.prisma, token.token, "ingest")).toBeNull();
    expect((await audits("user.deactivated", person.id)).map((a) => a.details)).toEqual([
      { email: "leaver@example.com", from: "active", to: "deactivated", sessionsEnded: 2, tokensRevoked: 1 },
    ]);
    expect(await deactivate(db.prisma, admin, { id: person.id })).toMatchObject({ changed: false });
    expect((await listUsers(db.prisma, admin)).find((u) => u.id === person.id)?.deactivatedAt).not.toBeNull();

    expect(await reactivate(db.prisma, admin, { id: person.id })).toMatchObject({ changed: true });
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: person.id } })).deactivatedAt).toBeNull();
    // A revoked token stays revoked.
    expect(await authenticateToken(db.prisma, token.token, "ingest")).toBeNull();
    expect(await audits("user.reactivated", person.id)).toHaveLength(1);
  });

  it("a token of a deactivated person is refused even if it was not revoked", async () => {
    const person = await createPerson(db.prisma, admin, { email: "raced@example.com", role: "security" });
    const token = await createApiToken(db.prisma, { userId: person.id, name: "ci", scopes: ["read"], expiresInDays: 1 });
    await db.prisma.user.update({ where: { id: person.id }, data: { deactivatedAt: new Date() } });
    expect(await authenticateToken(db.prisma, token.token, "read")).toBeNull();
  });

  it("resets a password: a new generated one shown once, to be changed at next sign-in; sessions end, a lockout lifts", async () => {
    const person = await createPerson(db.prisma, admin, { email: "forgetful@example.com", role: "developer", password: "first-password-123" });
    await db.prisma.user.update({ where: { id: person.id }, data: { mustChangePassword: false } });
    await lockOut(person.id);
    await session(person.id, 1);
    const reset = await resetPassword(db.prisma, admin, { id: person.id });
    expect(reset.password).not.toBe("first-password-123");
    expect(await verifyPassword({ hash: await passwordOf(person.id), password: reset.password })).toBe(true);
    expect(await verifyPassword({ hash: await passwordOf(person.id), password: "first-password-123" })).toBe(false);
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({ mustChangePassword: true });
    expect(await db.prisma.signInLockout.count({ where: { userId: person.id } })).toBe(0);
    expect(await db.prisma.session.count({ where: { userId: person.id } })).toBe(0);
    const audit = await audits("user.password_reset", person.id);
    expect(audit.map((a) => a.details)).toEqual([{ email: "forgetful@example.com", sessionsEnded: 1 }]);
    expect(JSON.stringify(audit)).not.toContain(reset.password);
  });

  it("unlocks a locked account (failed counters cleared); unlocking an unlocked one changes nothing", async () => {
    const person = await createPerson(db.prisma, admin, { email: "locked@example.com", role: "developer" });
    await lockOut(person.id);
    expect((await listUsers(db.prisma, admin)).find((u) => u.id === person.id)?.lockedUntil).not.toBeNull();
    expect(await unlock(db.prisma, admin, { id: person.id })).toEqual({ id: person.id, changed: true });
    expect(await db.prisma.signInLockout.count({ where: { userId: person.id } })).toBe(0);
    expect((await audits("user.unlocked", person.id)).map((a) => a.details)).toEqual([{ email: "locked@example.com", from: "locked", to: "unlocked" }]);
    expect(await unlock(db.prisma, admin, { id: person.id })).toEqual({ id: person.id, changed: false });
    expect(await audits("user.unlocked", person.id)).toHaveLength(1);
  });

  it("through the router: zod refuses malformed input; other roles are refused", async () => {
    const caller = createCaller({ prisma: db.prisma, actor: admin });
    await expect(caller.people.create({ email: "a@example.com", role: "root" as never })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.people.setRole({ id: "", role: "developer" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const security: Actor = { ...admin, role: "security" };
    await expect(createCaller({ prisma: db.prisma, actor: security }).people.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const list = await caller.people.list();
    expect(list.find((u) => u.email === "new.dev@example.com")).toMatchObject({ role: "developer", teams: [{ slug: "team-a" }], mustChangePassword: true });
  });
});
