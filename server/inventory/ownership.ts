/**
 * Who owns an Api, and why. Each source that names an owning team leaves a claim (api_owner_claim, one per source):
 * the catalogs (Backstage spec.owner, a CSV inventory's owner column), a Kong owner tag, a spec's x-owner, a
 * Backstage Component providing the Api, a person on the Api page (manual), or an owner recorded before claims
 * were kept (earlier). The effective owner (Api.ownerTeamId) is computed from them:
 *
 * 1. a manual claim wins until it is cleared;
 * 2. else the catalog claim (Backstage, CSV) seen last: catalogs are authoritative, the latest one read wins;
 * 3. else the other claim held longest: specs, gateways and component links fill a gap and keep it;
 * 4. else no owner.
 *
 * Whenever the effective owner changes, whichever way, `applyOwners` moves the Api's open findings to the new team
 * (server/findings/ownership.ts) and audits the change.
 */
import { recordAudit } from "@/server/audit/recorder";
import { z } from "zod";
import { correlate } from "@/server/correlate/engine";
import type { Actor } from "@/server/auth/roles";
import { apiScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { notFound } from "@/server/domain/errors";
import type { EventActor } from "@/server/findings/lifecycle";
import { moveOpenFindings, type OwnerChange } from "@/server/findings/ownership";
import { apiListFilters, apiListInput } from "./service";

export const OWNER_SOURCES = ["manual", "backstage", "csv", "kong", "spec", "backstage-component", "earlier"] as const;
export type OwnerSource = (typeof OWNER_SOURCES)[number];
const CATALOG_SOURCES: ReadonlySet<string> = new Set(["backstage", "csv"]);

export const OWNER_SOURCE_LABELS: Readonly<Record<OwnerSource, string>> = {
  manual: "set manually",
  backstage: "Backstage catalog",
  csv: "CSV inventory",
  kong: "Kong owner tag",
  spec: "spec extension (x-owner)",
  "backstage-component": "Backstage component providing it",
  earlier: "recorded before claims were kept",
};

/** The claim source of an inventory record: its format, and for Backstage whether it is a Component's link. */
export function claimSource(format: string, componentLink = false): OwnerSource {
  if (format === "backstage") return componentLink ? "backstage-component" : "backstage";
  if (format === "csv-inventory") return "csv";
  if (format === "kong-deck") return "kong";
  return "spec";
}

export interface Claim {
  source: string;
  teamId: string;
  since: Date;
  seenAt: Date;
}

function rank(source: string): number {
  return source === "manual" ? 0 : CATALOG_SOURCES.has(source) ? 1 : 2;
}

/** The claim that decides the owner (rules 1–4 above), or null. */
export function effectiveClaim<C extends Claim>(claims: readonly C[]): C | null {
  let best: C | null = null;
  for (const claim of claims) {
    if (!best) {
      best = claim;
      continue;
    }
    const r = rank(claim.source) - rank(best.source);
    if (r < 0) best = claim;
    else if (r === 0) {
      // Catalogs: the latest seen wins. Others: the longest held wins. Ties: by source name, so the answer is stable.
      const d = rank(claim.source) === 1 ? best.seenAt.getTime() - claim.seenAt.getTime() : claim.since.getTime() - best.since.getTime();
      if (d < 0 || (d === 0 && claim.source < best.source)) best = claim;
    }
  }
  return best;
}

/** Writes the claims one ingested file makes (one per Api and source; `since` moves only when the team changes). */
export async function recordClaims(
  tx: Tx,
  claims: { apiId: string; source: OwnerSource; teamId: string }[],
  file: { fileName: string; now: Date },
): Promise<void> {
  if (claims.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO api_owner_claim ("apiId", source, "teamId", "fileName", since, "seenAt")
    SELECT c.api_id, c.source, c.team_id, ${file.fileName}, ${file.now}, ${file.now}
    FROM unnest(${claims.map((c) => c.apiId)}::text[], ${claims.map((c) => c.source)}::text[], ${claims.map((c) => c.teamId)}::text[])
      AS c(api_id, source, team_id)
    ON CONFLICT ("apiId", source) DO UPDATE SET
      since = CASE WHEN api_owner_claim."teamId" = EXCLUDED."teamId" THEN api_owner_claim.since ELSE EXCLUDED.since END,
      "teamId" = EXCLUDED."teamId", "fileName" = EXCLUDED."fileName", "seenAt" = EXCLUDED."seenAt"`;
}

export interface ApplyContext {
  actor: EventActor;
  /** How the change came: "ingest" | "manual" | "bulk" (kept in the audit row). */
  via: string;
  details?: Record<string, string | number | null>;
  now?: Date;
}

/**
 * Recomputes the owner of each Api from its claims and writes the ones that changed; their open findings move to
 * the new team and each change is audited (from → to, team slugs). Runs inside the caller's transaction.
 */
export async function applyOwners(tx: Tx, apiIds: string[], context: ApplyContext): Promise<OwnerChange[]> {
  if (apiIds.length === 0) return [];
  const now = context.now ?? new Date();
  const [claims, apis] = await Promise.all([
    tx.apiOwnerClaim.findMany({ where: { apiId: { in: apiIds } }, select: { apiId: true, source: true, teamId: true, since: true, seenAt: true } }),
    tx.api.findMany({ where: { id: { in: apiIds } }, select: { id: true, ownerTeamId: true } }),
  ]);
  const byApi = new Map<string, Claim[]>();
  for (const claim of claims) byApi.set(claim.apiId, [...(byApi.get(claim.apiId) ?? []), claim]);
  const changes: OwnerChange[] = [];
  for (const api of apis) {
    const to = effectiveClaim(byApi.get(api.id) ?? [])?.teamId ?? null;
    if (to !== api.ownerTeamId) changes.push({ apiId: api.id, from: api.ownerTeamId, to });
  }
  if (changes.length === 0) return [];
  const byTeam = new Map<string | null, string[]>();
  for (const c of changes) byTeam.set(c.to, [...(byTeam.get(c.to) ?? []), c.apiId]);
  for (const [teamId, ids] of byTeam) await tx.api.updateMany({ where: { id: { in: ids } }, data: { ownerTeamId: teamId } });
  await moveOpenFindings(tx, changes, context.actor, now);
  const teamIds = [...new Set(changes.flatMap((c) => [c.from, c.to]).filter((t): t is string => !!t))];
  const slugs = new Map((await tx.team.findMany({ where: { id: { in: teamIds } }, select: { id: true, slug: true } })).map((t) => [t.id, t.slug]));
  await recordAudit(
    tx,
    changes.map((c) => ({
      actor: { type: context.actor.type, id: context.actor.id ?? null },
      action: "api.owner_changed",
      target: { type: "api", id: c.apiId },
      details: { from: c.from ? (slugs.get(c.from) ?? null) : null, to: c.to ? (slugs.get(c.to) ?? null) : null, via: context.via, ...context.details },
    })),
    now,
  );
  return changes;
}

/** Correlation (the ownerless rule, risk) for Apis whose owner changed, outside the transaction; best effort. */
async function recorrelate(prisma: Db, changes: OwnerChange[]): Promise<void> {
  if (changes.length === 0) return;
  try {
    await correlate(prisma, { apiIds: changes.map((c) => c.apiId) });
  } catch (error) {
    console.error("owner change: correlation failed:", error instanceof Error ? error.message : error);
  }
}

function actorOf(actor: Actor): EventActor {
  return { type: actor.type, id: actor.userId };
}

// ---------------------------------------------------------------------------------------------------------------
// The Api page: the claims and the effective owner; setting and clearing the manual claim.

export const apiSlugInput = z.object({ slug: z.string().trim().min(1).max(120) });
export const setOwnerInput = apiSlugInput.extend({ team: z.string().trim().min(1).max(100) });

const teamView = z.object({ slug: z.string(), name: z.string() });
export const ownershipOutput = z.object({
  slug: z.string(),
  owner: teamView.nullable(),
  claims: z.array(
    z.object({
      source: z.string(),
      label: z.string(),
      team: teamView,
      fileName: z.string().nullable(),
      since: z.string(),
      seenAt: z.string(),
      effective: z.boolean(),
    }),
  ),
});
export type Ownership = z.infer<typeof ownershipOutput>;

async function visibleApi(prisma: Db | Tx, actor: Actor, slug: string) {
  const api = await prisma.api.findFirst({ where: { AND: [apiScope(actor), { slug }] }, select: { id: true, slug: true } });
  if (!api) throw notFound("Api");
  return api;
}

/** The Api's owner and every claim, the deciding one marked. */
export async function getOwnership(prisma: Db | Tx, actor: Actor, slug: string): Promise<Ownership> {
  const api = await visibleApi(prisma, actor, slug);
  const [row, claims] = await Promise.all([
    prisma.api.findUniqueOrThrow({ where: { id: api.id }, select: { ownerTeam: { select: { slug: true, name: true } } } }),
    prisma.apiOwnerClaim.findMany({ where: { apiId: api.id }, include: { team: { select: { slug: true, name: true } } } }),
  ]);
  const effective = effectiveClaim(claims);
  const order = (s: string) => OWNER_SOURCES.indexOf(s as OwnerSource);
  return {
    slug: api.slug,
    owner: row.ownerTeam,
    claims: claims
      .sort((a, b) => order(a.source) - order(b.source))
      .map((c) => ({
        source: c.source,
        label: OWNER_SOURCE_LABELS[c.source as OwnerSource] ?? c.source,
        team: c.team,
        fileName: c.fileName,
        since: c.since.toISOString(),
        seenAt: c.seenAt.toISOString(),
        effective: c === effective,
      })),
  };
}

/** Sets (or changes) the manual claim: the Api's owner from now on, until cleared. Audited. */
export async function setManualOwner(prisma: Db, actor: Actor, raw: z.input<typeof setOwnerInput>): Promise<Ownership> {
  const input = setOwnerInput.parse(raw);
  const changes = await prisma.$transaction(async (tx) => {
    const api = await visibleApi(tx, actor, input.slug);
    const team = await tx.team.findUnique({ where: { slug: input.team }, select: { id: true, slug: true } });
    if (!team) throw notFound(`Team "${input.team}"`);
    const previous = await tx.apiOwnerClaim.findUnique({ where: { apiId_source: { apiId: api.id, source: "manual" } }, include: { team: { select: { slug: true } } } });
    if (previous?.teamId === team.id) return [];
    const now = new Date();
    await tx.apiOwnerClaim.upsert({
      where: { apiId_source: { apiId: api.id, source: "manual" } },
      create: { apiId: api.id, source: "manual", teamId: team.id, actorId: actor.userId, since: now, seenAt: now },
      update: { teamId: team.id, actorId: actor.userId, since: now, seenAt: now },
    });
    await recordAudit(tx, {
      actor: { type: actor.type, id: actor.userId },
      action: "api.owner_claim_set",
      target: { type: "api", id: api.id },
      details: { slug: api.slug, from: previous?.team.slug ?? null, to: team.slug },
    });
    return applyOwners(tx, [api.id], { actor: actorOf(actor), via: "manual", now });
  });
  await recorrelate(prisma, changes);
  return getOwnership(prisma, actor, input.slug);
}

/** Clears the manual claim: the owner is the catalogs' (or other sources') again. Audited. */
export async function clearManualOwner(prisma: Db, actor: Actor, raw: z.input<typeof apiSlugInput>): Promise<Ownership> {
  const input = apiSlugInput.parse(raw);
  const changes = await prisma.$transaction(async (tx) => {
    const api = await visibleApi(tx, actor, input.slug);
    const previous = await tx.apiOwnerClaim.findUnique({ where: { apiId_source: { apiId: api.id, source: "manual" } }, include: { team: { select: { slug: true } } } });
    if (!previous) return [];
    await tx.apiOwnerClaim.delete({ where: { apiId_source: { apiId: api.id, source: "manual" } } });
    await recordAudit(tx, {
      actor: { type: actor.type, id: actor.userId },
      action: "api.owner_claim_cleared",
      target: { type: "api", id: api.id },
      details: { slug: api.slug, from: previous.team.slug, to: null },
    });
    return applyOwners(tx, [api.id], { actor: actorOf(actor), via: "manual" });
  });
  await recorrelate(prisma, changes);
  return getOwnership(prisma, actor, input.slug);
}

// ---------------------------------------------------------------------------------------------------------------
// Bulk: every ownerless Api of a filtered inventory view to one team.

/** The inventory list's filters (not its sort or page: the action applies to the whole filtered selection). */
export const assignOwnerlessInput = z.object({
  filter: apiListInput.pick({ q: true, team: true, sensitive: true, lifecycle: true, exposure: true, dataClass: true, source: true, band: true }),
  team: z.string().trim().min(1).max(100),
});
export const assignOwnerlessOutput = z.object({ assigned: z.number().int(), team: teamView });

/**
 * Gives every ownerless Api matching the filter (within the actor's scope) a manual claim for `team`, in one
 * transaction; audited per Api and once for the whole action.
 */
export async function assignOwnerless(prisma: Db, actor: Actor, raw: z.input<typeof assignOwnerlessInput>): Promise<z.infer<typeof assignOwnerlessOutput>> {
  const input = assignOwnerlessInput.parse(raw);
  const filter = apiListInput.parse({ ...input.filter, ownerless: true });
  const { changes, team } = await prisma.$transaction(
    async (tx) => {
      const team = await tx.team.findUnique({ where: { slug: input.team }, select: { id: true, slug: true, name: true } });
      if (!team) throw notFound(`Team "${input.team}"`);
      const apis = await tx.api.findMany({ where: { AND: apiListFilters(actor, filter) }, select: { id: true } });
      if (apis.length === 0) return { changes: [] as OwnerChange[], team };
      const ids = apis.map((a) => a.id);
      const now = new Date();
      // An ownerless Api has no manual claim (it would own it); replace any left by a team since deleted.
      await tx.apiOwnerClaim.deleteMany({ where: { apiId: { in: ids }, source: "manual" } });
      await tx.apiOwnerClaim.createMany({ data: ids.map((apiId) => ({ apiId, source: "manual", teamId: team.id, actorId: actor.userId, since: now, seenAt: now })) });
      const changes = await applyOwners(tx, ids, { actor: actorOf(actor), via: "bulk", now });
      await recordAudit(tx, {
        actor: { type: actor.type, id: actor.userId },
        action: "api.owner_bulk_assign",
        target: { type: "team", id: team.id },
        details: { team: team.slug, apis: ids.length, filter: JSON.parse(JSON.stringify(input.filter)) as Record<string, string | boolean> },
      });
      return { changes, team };
    },
    { maxWait: 30_000, timeout: 300_000 },
  );
  await recorrelate(prisma, changes);
  return { assigned: changes.length, team: { slug: team.slug, name: team.name } };
}
