/**
 * My account: everyone changes their own password (the current one required) and sees their own API tokens. A
 * password someone else set (the first admin's printed one, an admin's create or reset) must be changed before
 * anything else works (`mustChangePassword`, server/auth/permissions.ts `can`).
 *
 * Passwords are checked and hashed with better-auth's own scrypt functions, the ones its sign-in uses, on the
 * credential account it reads. A wrong current password counts as a failed sign-in (server/auth/lockout.ts) from
 * the client "session:<id>", so a stolen session cannot be used to guess the password without locking itself out
 * (the person's sign-in elsewhere is not affected).
 */
import { recordAudit } from "@/server/audit/recorder";
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { z } from "zod";
import { lockedUntil, recordFailedSignIn, recordSuccessfulSignIn } from "@/server/auth/lockout";
import { type Actor, ROLES } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError, forbidden } from "@/server/domain/errors";
import { passwordSchema } from "./admin";

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1).max(1000),
  newPassword: passwordSchema,
});
export const changePasswordOutput = z.object({ changed: z.literal(true), sessionsEnded: z.number().int() });
export const accountOutput = z.object({
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  teams: z.array(z.object({ slug: z.string(), name: z.string() })),
  mustChangePassword: z.boolean(),
});

function requireUser(actor: Actor): void {
  if (actor.type !== "user") throw forbidden("Only a signed-in person changes their password");
}

export async function getAccount(prisma: Db, actor: Actor): Promise<z.infer<typeof accountOutput>> {
  requireUser(actor);
  const user = await prisma.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { email: true, name: true, mustChangePassword: true, memberships: { select: { team: { select: { slug: true, name: true } } }, orderBy: { team: { slug: "asc" } } } },
  });
  return { email: user.email, name: user.name, role: actor.role, teams: user.memberships.map((m) => m.team), mustChangePassword: user.mustChangePassword };
}

/**
 * Changes the caller's password: the current one must match. Ends the caller's other sessions (this one stays),
 * clears `mustChangePassword`, audits.
 */
export async function changeOwnPassword(prisma: Db, actor: Actor, raw: z.input<typeof changePasswordInput>): Promise<z.infer<typeof changePasswordOutput>> {
  requireUser(actor);
  const input = changePasswordInput.parse(raw);
  const account = await prisma.account.findFirst({
    where: { userId: actor.userId, providerId: "credential" },
    select: { id: true, password: true, user: { select: { email: true } } },
  });
  if (!account?.password) throw new DomainError("BAD_REQUEST", "This account has no password to change");
  const email = account.user.email;
  const client = `session:${actor.sessionId ?? "none"}`;
  if (await lockedUntil(prisma, email, client)) throw forbidden("Locked after repeated wrong passwords; wait or ask an admin to unlock it");
  if (!(await verifyPassword({ hash: account.password, password: input.currentPassword }))) {
    await recordFailedSignIn(prisma, email, client);
    throw new DomainError("BAD_REQUEST", "The current password is wrong");
  }
  if (input.newPassword === input.currentPassword) throw new DomainError("BAD_REQUEST", "Choose a new password, not the current one");
  const hash = await hashPassword(input.newPassword);
  const sessionsEnded = await prisma.$transaction(async (tx) => {
    await tx.account.update({ where: { id: account.id }, data: { password: hash } });
    await tx.user.update({ where: { id: actor.userId }, data: { mustChangePassword: false } });
    await recordSuccessfulSignIn(tx, actor.userId, client);
    const ended = await tx.session.deleteMany({ where: { userId: actor.userId, ...(actor.sessionId ? { id: { not: actor.sessionId } } : {}) } });
    await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action: "user.password_changed", target: { type: "user", id: actor.userId }, details: { email, sessionsEnded: ended.count } });
    return ended.count;
  });
  return { changed: true, sessionsEnded };
}
