import { randomBytes, randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Db } from "@/server/db/client";
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

/** Creates a person who signs in with email + password (hashed with scrypt by better-auth). */
export async function createUser(
  prisma: Db,
  input: { email: string; name?: string; role: Role; password: string; teams?: string[] },
): Promise<{ id: string; email: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new PeopleError(`"${input.email}" is not an email address`);
  if (input.password.length < 12) throw new PeopleError("passwords need at least 12 characters");
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
