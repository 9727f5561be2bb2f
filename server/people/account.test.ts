import { verifyPassword } from "better-auth/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import { LOCKOUT_THRESHOLD } from "@/server/auth/lockout";
import type { Actor } from "@/server/auth/roles";
import { createApiToken } from "@/server/auth/tokens";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { changeOwnPassword } from "./account";
import { createPerson } from "./admin";
import { createUser } from "./service";

describe.each(TEST_DATABASES)("my account on $name", (kind) => {
  let db: Database;
  let admin: Actor;

  const passwordOf = async (userId: string) => (await db.prisma.account.findFirstOrThrow({ where: { userId, providerId: "credential" } })).password!;
  const session = (userId: string, n: number) =>
    db.prisma.session.create({ data: { id: `s-${userId}-${n}`, token: `t-${userId}-${n}`, userId, expiresAt: new Date(Date.now() + 3600_000) } });

  beforeAll(async () => {
    db = await kind.open();
    const user = await createUser(db.prisma, { email: "root@example.com", role: "admin", password: "root-password-123" });
    admin = { type: "user", userId: user.id, email: user.email, role: "admin", teamIds: [] };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a person whose password an admin set may do nothing but change it; then everything their role allows", async () => {
    const created = await createPerson(db.prisma, admin, { email: "dev@example.com", role: "developer" });
    const pending: Actor = { type: "user", userId: created.id, email: created.email, role: "developer", teamIds: [], sessionId: `s-${created.id}-1`, mustChangePassword: true };
    await session(created.id, 1);
    await session(created.id, 2);
    const caller = createCaller({ prisma: db.prisma, actor: pending });
    await expect(caller.apis.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.account.tokens()).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await caller.account.get()).toMatchObject({ email: "dev@example.com", mustChangePassword: true });

    await expect(caller.account.changePassword({ currentPassword: created.generatedPassword!, newPassword: "short" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.account.changePassword({ currentPassword: created.generatedPassword!, newPassword: created.generatedPassword! })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/new password/),
    });
    expect(await caller.account.changePassword({ currentPassword: created.generatedPassword!, newPassword: "my-own-password-1" })).toEqual({ changed: true, sessionsEnded: 1 });
    expect(await verifyPassword({ hash: await passwordOf(created.id), password: "my-own-password-1" })).toBe(true);
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: created.id } })).mustChangePassword).toBe(false);
    // This session stays, the other one ended.
    expect((await db.prisma.session.findMany({ where: { userId: created.id } })).map((s) => s.id)).toEqual([`s-${created.id}-1`]);
    expect((await db.prisma.auditLog.findMany({ where: { action: "user.password_changed", targetId: created.id } })).map((a) => a.details)).toEqual([
      { email: "dev@example.com", sessionsEnded: 1 },
    ]);
    const after = createCaller({ prisma: db.prisma, actor: { ...pending, mustChangePassword: undefined } });
    expect((await after.apis.list({})).total).toBe(0);
  });

  it("a wrong current password is refused and counts as a failed sign-in, up to the lockout", async () => {
    const user = await createUser(db.prisma, { email: "guess@example.com", role: "security", password: "guess-password-123" });
    const actor: Actor = { type: "user", userId: user.id, email: user.email, role: "security", teamIds: [] };
    for (let attempt = 1; attempt <= LOCKOUT_THRESHOLD; attempt++) {
      await expect(changeOwnPassword(db.prisma, actor, { currentPassword: `wrong-${attempt}`, newPassword: "another-password-1" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: "The current password is wrong",
      });
    }
    // Locked for that session's password changes (its own client), not for the person's sign-in elsewhere.
    expect(await db.prisma.signInLockout.findMany({ where: { userId: user.id }, select: { client: true, lockedUntil: true } })).toEqual([
      { client: "session:none", lockedUntil: expect.any(Date) },
    ]);
    await expect(changeOwnPassword(db.prisma, actor, { currentPassword: "guess-password-123", newPassword: "another-password-1" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await verifyPassword({ hash: await passwordOf(user.id), password: "guess-password-123" })).toBe(true);
  });

  it("everyone's My account lists their own tokens only, admins included", async () => {
    const other = await createUser(db.prisma, { email: "other@example.com", role: "developer", password: "other-password-123" });
    await createApiToken(db.prisma, { userId: other.id, name: "others", scopes: ["read"], expiresInDays: 1 });
    await createApiToken(db.prisma, { userId: admin.userId, name: "mine", scopes: ["read"], expiresInDays: 1 });
    const caller = createCaller({ prisma: db.prisma, actor: admin });
    expect((await caller.account.tokens()).map((t) => t.name)).toEqual(["mine"]);
    expect((await caller.tokens.list()).map((t) => t.name).sort()).toEqual(["mine", "others"]);
    const dev: Actor = { type: "user", userId: other.id, email: other.email, role: "developer", teamIds: [] };
    expect((await createCaller({ prisma: db.prisma, actor: dev }).account.tokens()).map((t) => t.name)).toEqual(["others"]);
  });
});
