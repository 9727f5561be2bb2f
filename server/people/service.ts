import { randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Db } from "@/server/db/client";
import { unlockAccount } from "@/server/auth/lockout";
import type { Role } from "@/server/auth/roles";
import { slugify } from "@/server/domain/slug";

export class PeopleError extends Error {}

export async function ensureTeam(prisma: Db, name: string): Promise<{ id: string; slug: string; name: string }> {
  const slug = slugify(name);
  if (!slug) throw new PeopleError(`"${name}" is not a usable team name`);
  return prisma.team.upsert({ where: { slug }, create: { slug, name }, update: {}, select: { id: true, slug: true, name: true } });
}

export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

const MIN_PASSWORD_LENGTH = 12;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new PeopleError(`passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
}

/** Creates a person who signs in with email + password (hashed with scrypt by better-auth). */
export async function createUser(
  prisma: Db,
  input: { email: string; name?: string; role: Role; password: string; teams?: string[] },
): Promise<{ id: string; email: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new PeopleError(`"${input.email}" is not an email address`);
  checkPassword(input.password);
  if (await prisma.user.findUnique({ where: { email } })) throw new PeopleError(`a user with email ${email} already exists`);
  const teams = await Promise.all((input.teams ?? []).map((team) => ensureTeam(prisma, team)));
  const id = randomUUID();
  const password = await hashPassword(input.password);
  await prisma.user.create({
    data: {
      id,
      email,
      name: input.name ?? email.split("@")[0] ?? email,
      role: input.role,
      emailVerified: true,
      accounts: { create: { id: randomUUID(), accountId: id, providerId: "credential", password } },
      memberships: { create: teams.map((team) => ({ teamId: team.id })) },
    },
  });
  return { id, email };
}

/**
 * Sets a person's sign-in password (an operator's reset): stores its scrypt hash on their credential account
 * (creating it if they had none), lifts a lockout, and ends their sessions so that whoever held the old password
 * is signed out. Returns how many sessions were ended.
 */
export async function setPassword(prisma: Db, emailInput: string, password: string): Promise<{ id: string; email: string; sessionsEnded: number }> {
  const email = emailInput.trim().toLowerCase();
  checkPassword(password);
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) throw new PeopleError(`no user with email ${email}`);
  const hash = await hashPassword(password);
  const sessionsEnded = await prisma.$transaction(async (tx) => {
    const updated = await tx.account.updateMany({ where: { userId: user.id, providerId: "credential" }, data: { password: hash } });
    if (updated.count === 0) {
      await tx.account.create({ data: { id: randomUUID(), accountId: user.id, providerId: "credential", userId: user.id, password: hash } });
    }
    await unlockAccount(tx, user.id);
    return (await tx.session.deleteMany({ where: { userId: user.id } })).count;
  });
  return { ...user, sessionsEnded };
}
