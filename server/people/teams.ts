/**
 * Settings → Teams (admins): create and rename teams, add and remove members, and list the Apis each team owns.
 * A team's slug is its identity (inventories name owners by it: Backstage spec.owner, x-owner, Kong tags, CSV), so
 * renaming changes only the display name. Every change is audited (who, what, target, from → to).
 */
import { recordAudit } from "@/server/audit/recorder";
import { z } from "zod";
import type { Actor } from "@/server/auth/roles";
import { ROLES } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { DomainError, forbidden, notFound } from "@/server/domain/errors";
import { slugify } from "@/server/domain/slug";

const teamSlug = z.string().trim().min(1).max(100);
const teamName = z.string().trim().min(1).max(80);

export const createTeamInput = z.object({ name: teamName, slug: teamSlug.optional() });
export const renameTeamInput = z.object({ slug: teamSlug, name: teamName });
export const teamSlugInput = z.object({ slug: teamSlug });
export const memberInput = z.object({ team: teamSlug, userId: z.string().trim().min(1).max(64) });

export const teamSummary = z.object({ slug: z.string(), name: z.string(), members: z.number().int(), apis: z.number().int(), createdAt: z.string() });
export const teamListOutput = z.array(teamSummary);
export const teamDetailOutput = z.object({
  slug: z.string(),
  name: z.string(),
  createdAt: z.string(),
  members: z.array(z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES), active: z.boolean() })),
  apis: z.array(z.object({ slug: z.string(), name: z.string(), lifecycle: z.string().nullable(), riskBand: z.string().nullable() })),
});
export const teamChangeOutput = z.object({ slug: z.string(), name: z.string(), changed: z.boolean() });

function requireUser(actor: Actor): void {
  if (actor.type !== "user") throw forbidden("Teams are managed by a signed-in admin, not with a token");
}

async function audit(tx: Tx | Db, actor: Actor, action: string, teamId: string, details: Record<string, unknown>): Promise<void> {
  await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action, target: { type: "team", id: teamId }, details: JSON.parse(JSON.stringify(details)) as Record<string, unknown> });
}

async function findTeam(tx: Tx | Db, slug: string) {
  const team = await tx.team.findUnique({ where: { slug }, select: { id: true, slug: true, name: true } });
  if (!team) throw notFound("Team");
  return team;
}

export async function listTeamsAdmin(prisma: Db, actor: Actor): Promise<z.infer<typeof teamListOutput>> {
  requireUser(actor);
  const teams = await prisma.team.findMany({
    orderBy: { slug: "asc" },
    select: { slug: true, name: true, createdAt: true, _count: { select: { members: true, apis: true } } },
  });
  return teams.map((t) => ({ slug: t.slug, name: t.name, members: t._count.members, apis: t._count.apis, createdAt: t.createdAt.toISOString() }));
}

/** One team: its members and the Apis it owns (by current owner). */
export async function getTeamAdmin(prisma: Db, actor: Actor, raw: z.input<typeof teamSlugInput>): Promise<z.infer<typeof teamDetailOutput>> {
  requireUser(actor);
  const { slug } = teamSlugInput.parse(raw);
  const team = await prisma.team.findUnique({
    where: { slug },
    select: {
      slug: true,
      name: true,
      createdAt: true,
      members: { select: { user: { select: { id: true, email: true, name: true, role: true, deactivatedAt: true } } }, orderBy: { user: { email: "asc" } } },
      apis: { select: { slug: true, name: true, lifecycle: true, riskBand: true }, orderBy: { name: "asc" }, take: 5000 },
    },
  });
  if (!team) throw notFound("Team");
  return {
    slug: team.slug,
    name: team.name,
    createdAt: team.createdAt.toISOString(),
    members: team.members.map(({ user }) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      role: (ROLES as readonly string[]).includes(user.role) ? (user.role as (typeof ROLES)[number]) : "developer",
      active: !user.deactivatedAt,
    })),
    apis: team.apis,
  };
}

export async function createTeam(prisma: Db, actor: Actor, raw: z.input<typeof createTeamInput>): Promise<z.infer<typeof teamChangeOutput>> {
  requireUser(actor);
  const input = createTeamInput.parse(raw);
  const slug = slugify(input.slug ?? input.name);
  if (!slug) throw new DomainError("BAD_REQUEST", `"${input.slug ?? input.name}" gives no usable team slug (letters or digits)`);
  return prisma.$transaction(async (tx) => {
    if (await tx.team.findUnique({ where: { slug }, select: { id: true } })) throw new DomainError("CONFLICT", `A team with slug ${slug} already exists`);
    const team = await tx.team.create({ data: { slug, name: input.name }, select: { id: true, slug: true, name: true } });
    await audit(tx, actor, "team.create", team.id, { slug, name: input.name });
    return { slug: team.slug, name: team.name, changed: true };
  });
}

export async function renameTeam(prisma: Db, actor: Actor, raw: z.input<typeof renameTeamInput>): Promise<z.infer<typeof teamChangeOutput>> {
  requireUser(actor);
  const input = renameTeamInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const team = await findTeam(tx, input.slug);
    if (team.name === input.name) return { slug: team.slug, name: team.name, changed: false };
    await tx.team.update({ where: { id: team.id }, data: { name: input.name } });
    await audit(tx, actor, "team.rename", team.id, { slug: team.slug, from: team.name, to: input.name });
    return { slug: team.slug, name: input.name, changed: true };
  });
}

export async function addMember(prisma: Db, actor: Actor, raw: z.input<typeof memberInput>): Promise<z.infer<typeof teamChangeOutput>> {
  requireUser(actor);
  const input = memberInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const team = await findTeam(tx, input.team);
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true } });
    if (!user) throw notFound("User");
    const existing = await tx.teamMember.findUnique({ where: { teamId_userId: { teamId: team.id, userId: user.id } } });
    if (existing) return { slug: team.slug, name: team.name, changed: false };
    await tx.teamMember.create({ data: { teamId: team.id, userId: user.id } });
    await audit(tx, actor, "team.member_added", team.id, { team: team.slug, userId: user.id, email: user.email, from: null, to: "member" });
    return { slug: team.slug, name: team.name, changed: true };
  });
}

export async function removeMember(prisma: Db, actor: Actor, raw: z.input<typeof memberInput>): Promise<z.infer<typeof teamChangeOutput>> {
  requireUser(actor);
  const input = memberInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const team = await findTeam(tx, input.team);
    const removed = await tx.teamMember.deleteMany({ where: { teamId: team.id, userId: input.userId } });
    if (removed.count === 0) return { slug: team.slug, name: team.name, changed: false };
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true } });
    await audit(tx, actor, "team.member_removed", team.id, { team: team.slug, userId: input.userId, email: user?.email ?? null, from: "member", to: null });
    return { slug: team.slug, name: team.name, changed: true };
  });
}
