/**
 * The secrets list: each secret with its linked Apis, last rotation, distinct readers and denied attempts in the
 * window, and source addresses — aggregated in the database from the hourly rollups.
 * Access: admins and the security team see every secret; developers only secrets linked to their teams' Apis;
 * executives see none (identities and addresses are raw evidence).
 */
import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { type Actor, seesAllApis } from "@/server/auth/roles";
import { apiSqlScope } from "@/server/auth/scope";
import { loadRuleSettings } from "@/server/correlate/settings";
import type { Db } from "@/server/db/client";
import { forbidden } from "@/server/domain/errors";
import type { secretListOutput } from "./schemas";

export const secretListInput = z.object({
  q: z.string().trim().max(200).optional(),
  api: z.string().max(120).optional(),
  stale: z.boolean().optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type SecretListInput = z.input<typeof secretListInput>;

interface Row {
  id: string;
  ref: string;
  displayName: string;
  source: string;
  firstSeenAt: Date;
  lastEventAt: Date;
  lastRotatedAt: Date | null;
  readers: number;
  reads: number;
  denied: number;
  addresses: string[] | null;
  apis: { slug: string; name: string; via: string }[] | null;
  total: number;
}

function isStale(lastRotatedAt: Date | null, firstSeenAt: Date, staleBefore: Date): boolean {
  if (lastRotatedAt) return lastRotatedAt < staleBefore;
  return firstSeenAt < staleBefore;
}

export async function listSecrets(prisma: Db, actor: Actor, raw: SecretListInput, now = new Date()): Promise<z.infer<typeof secretListOutput>> {
  if (actor.role === "executive") throw forbidden("Secrets hold identities and addresses; executives see counts on the overview");
  const input = secretListInput.parse(raw);
  const settings = await loadRuleSettings(prisma);
  const since = new Date(now.getTime() - settings.overSharedWindowDays * 86_400_000);
  const staleBefore = new Date(now.getTime() - settings.staleSecretDays * 86_400_000);
  // A secret is visible when linked to a visible Api; the Apis shown with it are only the visible ones (another
  // team's Api sharing the secret is never named).
  const scope = Prisma.sql`AND EXISTS (SELECT 1 FROM secret_api_link l JOIN api a ON a.id = l."apiId"
        WHERE l."secretId" = s.id AND ${apiSqlScope(actor, "a")})`;
  const unlinked = seesAllApis(actor) ? Prisma.sql`OR NOT EXISTS (SELECT 1 FROM secret_api_link l WHERE l."secretId" = s.id)` : Prisma.empty;
  const search = input.q ? Prisma.sql`AND (s.ref ILIKE ${`%${input.q}%`} OR s."displayName" ILIKE ${`%${input.q}%`})` : Prisma.empty;
  const byApi = input.api
    ? Prisma.sql`AND EXISTS (SELECT 1 FROM secret_api_link l JOIN api a ON a.id = l."apiId" WHERE l."secretId" = s.id AND a.slug = ${input.api} AND ${apiSqlScope(actor, "a")})`
    : Prisma.empty;
  // Stale: not rotated within the threshold; with no rotation seen, only when the first event is that old (DESIGN §3).
  const stale = input.stale
    ? Prisma.sql`AND coalesce(s."lastRotatedAt", CASE WHEN s."firstSeenAt" < ${staleBefore} THEN s."firstSeenAt" END) < ${staleBefore}`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT s.id, s.ref, s."displayName", s.source, s."firstSeenAt", s."lastEventAt", s."lastRotatedAt",
      coalesce(r.readers, 0)::int AS readers, coalesce(r.reads, 0)::int AS reads, coalesce(r.denied, 0)::int AS denied,
      r.addresses, la.apis, count(*) OVER ()::int AS total
    FROM secret s
    LEFT JOIN LATERAL (
      SELECT count(DISTINCT identity) FILTER (WHERE operation = 'read' AND count > denied) AS readers,
        sum(count) FILTER (WHERE operation = 'read') AS reads, sum(denied) AS denied,
        (SELECT array_agg(DISTINCT a) FROM (SELECT unnest("sourceAddresses") a FROM secret_access_rollup x
          WHERE x."secretId" = s.id AND x."hourStart" >= ${since} LIMIT 200) t) AS addresses
      FROM secret_access_rollup ro WHERE ro."secretId" = s.id AND ro."hourStart" >= ${since}) r ON true
    LEFT JOIN LATERAL (
      SELECT json_agg(json_build_object('slug', a.slug, 'name', a.name, 'via', l.via) ORDER BY a.slug) AS apis
      FROM secret_api_link l JOIN api a ON a.id = l."apiId" WHERE l."secretId" = s.id AND ${apiSqlScope(actor, "a")}) la ON true
    WHERE (true ${scope} ${unlinked}) ${search} ${byApi} ${stale}
    ORDER BY s."lastRotatedAt" ASC NULLS FIRST, s.ref
    OFFSET ${(input.page - 1) * input.pageSize} LIMIT ${input.pageSize}`;
  return {
    total: rows[0]?.total ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    windowDays: settings.overSharedWindowDays,
    staleDays: settings.staleSecretDays,
    rows: rows.map((r) => ({
      id: r.id,
      ref: r.ref,
      displayName: r.displayName,
      source: r.source,
      firstSeenAt: r.firstSeenAt.toISOString(),
      lastEventAt: r.lastEventAt.toISOString(),
      lastRotatedAt: r.lastRotatedAt?.toISOString() ?? null,
      rotationUnknown: r.lastRotatedAt === null,
      stale: isStale(r.lastRotatedAt, r.firstSeenAt, staleBefore),
      readers: r.readers,
      reads: r.reads,
      denied: r.denied,
      addresses: (r.addresses ?? []).slice(0, 10),
      apis: r.apis ?? [],
    })),
  };
}
