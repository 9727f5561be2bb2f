/**
 * Settings → People (admins): create people (a generated password shown once, or one the admin types), change
 * roles, deactivate and reactivate, reset passwords, unlock locked accounts. Every change is audited (who, what,
 * target, from → to).
 *
 * Deactivation is a `deactivatedAt` column of Postern's own rather than better-auth's admin plugin and its ban
 * fields: the plugin brings HTTP endpoints and a role model of its own next to Postern's permission ladder, where one
 * timestamp read at the three doors (sign-in, session, API token) is enough. Deactivating ends the person's sessions
 * and revokes their tokens at once; reactivating gives neither back.
 *
 * A password someone else set (a create or a reset) must be changed at the next sign-in (`mustChangePassword`).
 * The last active admin can be neither deactivated nor demoted.
 */
import { recordAudit } from "@/server/audit/recorder";
import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import { z } from "zod";
import { lockedUntilAnyClient, unlockAccount } from "@/server/auth/lockout";
import { type Actor, ROLES } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { DomainError, forbidden, notFound } from "@/server/domain/errors";
import { generatePassword } from "./service";

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 128;
export const passwordSchema = z.string().min(MIN_PASSWORD, `Passwords need at least ${MIN_PASSWORD} characters`).max(MAX_PASSWORD);
const userId = z.string().trim().min(1).max(64);
const teamSlug = z.string().trim().min(1).max(100);

export const createUserInput = z.object({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email("Not an email address")),
  name: z.string().trim().min(1).max(120).optional(),
  role: z.enum(ROLES),
  teams: z.array(teamSlug).max(50).default([]),
  /** Omitted: a password is generated and shown once. */
  password: passwordSchema.optional(),
});
export const userIdInput = z.object({ id: userId });
export const setRoleInput = z.object({ id: userId, role: z.enum(ROLES) });

const teamView = z.object({ slug: z.string(), name: z.string() });
export const userView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  teams: z.array(teamView),
  deactivatedAt: z.string().nullable(),
  lockedUntil: z.string().nullable(),
  mustChangePassword: z.boolean(),
  tokens: z.number().int(),
  createdAt: z.string(),
});
export const userListOutput = z.array(userView);
export const createUserOutput = z.object({ id: z.string(), email: z.string(), generatedPassword: z.string().nullable() });
export const resetPasswordOutput = z.object({ id: z.string(), email: z.string(), password: z.string() });
export const userChangeOutput = z.object({ id: z.string(), changed: z.boolean() });

type UserView = z.infer<typeof userView>;

const USER_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  deactivatedAt: true,
  mustChangePassword: true,
  createdAt: true,
  memberships: { select: { team: { select: { slug: true, name: true } } }, orderBy: { team: { slug: "asc" } } },
  _count: { select: { apiTokens: { where: { revokedAt: null } } } },
} as const;

function requireUser(actor: Actor): void {
  // Tokens reach no admin screen, but the services say so themselves rather than trust the door.
  if (actor.type !== "user") throw forbidden("People are managed by a signed-in admin, not with a token");
}

async function audit(tx: Tx | Db, actor: Actor, action: string, targetId: string, details: Record<string, unknown>): Promise<void> {
  await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action, target: { type: "user", id: targetId }, details: JSON.parse(JSON.stringify(details)) as Record<string, unknown> });
}

/** Everyone, with role, teams and state (deactivated, locked, password to change), by email. */
export async function listUsers(prisma: Db, actor: Actor, now = new Date()): Promise<UserView[]> {
  requireUser(actor);
  const users = await prisma.user.findMany({ orderBy: { email: "asc" }, select: USER_SELECT });
  // Locked out from any client (server/auth/lockout.ts; listLockouts has them per client).
  const locked = await lockedUntilAnyClient(prisma, users.map((u) => u.id), now);
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: (ROLES as readonly string[]).includes(u.role) ? (u.role as UserView["role"]) : "developer",
    teams: u.memberships.map((m) => m.team),
    deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
    lockedUntil: locked.get(u.id)?.toISOString() ?? null,
    mustChangePassword: u.mustChangePassword,
    tokens: u._count.apiTokens,
    createdAt: u.createdAt.toISOString(),
  }));
}

/** Creates a person in the given (existing) teams; their password must be changed at first sign-in. */
export async function createPerson(prisma: Db, actor: Actor, raw: z.input<typeof createUserInput>): Promise<z.infer<typeof createUserOutput>> {
  requireUser(actor);
  const input = createUserInput.parse(raw);
  const password = input.password ?? generatePassword();
  const hash = await hashPassword(password);
  const id = await prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new DomainError("CONFLICT", `A person with email ${input.email} already exists`);
    }
    const slugs = [...new Set(input.teams)];
    const teams = await tx.team.findMany({ where: { slug: { in: slugs } }, select: { id: true, slug: true } });
    const missing = slugs.filter((s) => !teams.some((t) => t.slug === s));
    if (missing.length) throw notFound(`Team "${missing[0]}"`);
    const id = randomUUID();
    await tx.user.create({
      data: {
        id,
        email: input.email,
        name: input.name ?? input.email.split("@")[0] ?? input.email,
        role: input.role,
        emailVerified: true,
        mustChangePassword: true,
        accounts: { create: { id: randomUUID(), accountId: id, providerId: "credential", password: hash } },
        memberships: { create: teams.map((t) => ({ teamId: t.id })) },
      },
    });
    await audit(tx, actor, "user.create", id, { email: input.email, role: input.role, teams: slugs, passwordGenerated: !input.password });
    return id;
  });
  return { id, email: input.email, generatedPassword: input.password ? null : password };
}

async function target(tx: Tx, id: string) {
  const user = await tx.user.findUnique({ where: { id }, select: { id: true, email: true, role: true, deactivatedAt: true } });
  if (!user) throw notFound("User");
  return user;
}

/**
 * Refuses when `user` is the last active admin. The active admins' rows are locked (FOR UPDATE) first, so two admins
 * demoting each other at once cannot both pass: the second waits, then sees the first one's change.
 */
async function keepAnActiveAdmin(tx: Tx, user: { id: string; email: string }, what: string): Promise<void> {
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "user" WHERE role = 'admin' AND "deactivatedAt" IS NULL FOR UPDATE`;
  if (admins.some((a) => a.id === user.id) && admins.length <= 1) {
    throw new DomainError("CONFLICT", `${user.email} is the last active admin and cannot be ${what}; make someone else an admin first`);
  }
}

export async function setRole(prisma: Db, actor: Actor, raw: z.input<typeof setRoleInput>): Promise<z.infer<typeof userChangeOutput>> {
  requireUser(actor);
  const input = setRoleInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const user = await target(tx, input.id);
    if (user.role === input.role) return { id: user.id, changed: false };
    if (user.role === "admin") await keepAnActiveAdmin(tx, user, "demoted");
    await tx.user.update({ where: { id: user.id }, data: { role: input.role } });
    await audit(tx, actor, "user.role_changed", user.id, { email: user.email, from: user.role, to: input.role });
    return { id: user.id, changed: true };
  });
}

/** Deactivates: sign-in refused from now on, sessions ended and tokens revoked at once. */
export async function deactivate(prisma: Db, actor: Actor, raw: z.input<typeof userIdInput>, now = new Date()): Promise<z.infer<typeof userChangeOutput>> {
  requireUser(actor);
  const input = userIdInput.parse(raw);
  if (input.id === actor.userId) throw new DomainError("BAD_REQUEST", "You cannot deactivate your own account; ask another admin");
  return prisma.$transaction(async (tx) => {
    const user = await target(tx, input.id);
    if (user.deactivatedAt) return { id: user.id, changed: false };
    if (user.role === "admin") await keepAnActiveAdmin(tx, user, "deactivated");
    await tx.user.update({ where: { id: user.id }, data: { deactivatedAt: now } });
    const sessions = await tx.session.deleteMany({ where: { userId: user.id } });
    const tokens = await tx.apiToken.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
    await audit(tx, actor, "user.deactivated", user.id, { email: user.email, from: "active", to: "deactivated", sessionsEnded: sessions.count, tokensRevoked: tokens.count });
    return { id: user.id, changed: true };
  });
}

/** Reactivates: the person may sign in again (revoked tokens stay revoked). */
export async function reactivate(prisma: Db, actor: Actor, raw: z.input<typeof userIdInput>): Promise<z.infer<typeof userChangeOutput>> {
  requireUser(actor);
  const input = userIdInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const user = await target(tx, input.id);
    if (!user.deactivatedAt) return { id: user.id, changed: false };
    await tx.user.update({ where: { id: user.id }, data: { deactivatedAt: null } });
    await unlockAccount(tx, user.id);
    await audit(tx, actor, "user.reactivated", user.id, { email: user.email, from: "deactivated", to: "active" });
    return { id: user.id, changed: true };
  });
}

/**
 * Sets a generated password (returned once), to be changed at the next sign-in; lifts a lockout and ends the
 * person's sessions. Their API tokens stay: they do not hang on the password (deactivate to revoke them).
 */
export async function resetPassword(prisma: Db, actor: Actor, raw: z.input<typeof userIdInput>): Promise<z.infer<typeof resetPasswordOutput>> {
  requireUser(actor);
  const input = userIdInput.parse(raw);
  const password = generatePassword();
  const hash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    const user = await target(tx, input.id);
    const updated = await tx.account.updateMany({ where: { userId: user.id, providerId: "credential" }, data: { password: hash } });
    if (updated.count === 0) {
      await tx.account.create({ data: { id: randomUUID(), accountId: user.id, providerId: "credential", userId: user.id, password: hash } });
    }
    await tx.user.update({ where: { id: user.id }, data: { mustChangePassword: true } });
    await unlockAccount(tx, user.id);
    const sessions = await tx.session.deleteMany({ where: { userId: user.id } });
    await audit(tx, actor, "user.password_reset", user.id, { email: user.email, sessionsEnded: sessions.count });
    return { id: user.id, email: user.email, password };
  });
}

/** Lifts a lockout (failed sign-ins) before it expires, from every client. */
export async function unlock(prisma: Db, actor: Actor, raw: z.input<typeof userIdInput>): Promise<z.infer<typeof userChangeOutput>> {
  requireUser(actor);
  const input = userIdInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const user = await target(tx, input.id);
    const wasLocked = await unlockAccount(tx, user.id);
    if (wasLocked) await audit(tx, actor, "user.unlocked", user.id, { email: user.email, from: "locked", to: "unlocked" });
    return { id: user.id, changed: wasLocked };
  });
}
