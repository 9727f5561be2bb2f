/**
 * The read side of Api versions (DESIGN.md §2 "Versions"): an Api's changelog, and what changed this week across
 * the Apis an actor may see (overview). Scoped like the Api (server/auth/scope.ts); the week's figures are summed in
 * the database from the counts each version carries.
 */
import type { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import type { Actor } from "@/server/auth/roles";
import { apiScope, apiSqlScope, findingScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import type { ApiChange } from "@/server/domain/api-versions";
import { notFound } from "@/server/domain/errors";
import type { apiChangelogOutput, weeklyChangesOutput } from "./changelog-schemas";

/** Versions listed on an Api's Changes tab (newest first). */
export const CHANGELOG_VERSIONS = 50;
const WEEK_MS = 7 * 24 * 3600 * 1000;

export async function apiChangelog(prisma: Db, actor: Actor, slug: string): Promise<z.infer<typeof apiChangelogOutput>> {
  const api = await prisma.api.findFirst({ where: { AND: [apiScope(actor), { slug }] }, select: { id: true, slug: true, name: true } });
  if (!api) throw notFound("Api");
  const [rows, total] = await Promise.all([
    prisma.apiSourceVersion.findMany({
      where: { apiId: api.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: CHANGELOG_VERSIONS,
      select: { id: true, format: true, fileName: true, createdAt: true, changeCount: true, breaking: true, changes: true, snapshot: true },
    }),
    prisma.apiSourceVersion.count({ where: { apiId: api.id } }),
  ]);
  // A source's first version is the oldest one of its format and file name.
  const firsts = await prisma.apiSourceVersion.groupBy({ by: ["format", "fileName"], where: { apiId: api.id }, _min: { createdAt: true } });
  const firstAt = new Map(firsts.map((f) => [`${f.format}\u0000${f.fileName}`, f._min.createdAt?.getTime()]));
  return {
    slug: api.slug,
    name: api.name,
    older: Math.max(0, total - rows.length),
    versions: rows.map((r) => {
      const changes = Array.isArray(r.changes) ? (r.changes as unknown as ApiChange[]) : [];
      const endpoints = (r.snapshot as { endpoints?: unknown[] } | null)?.endpoints;
      return {
        id: r.id,
        format: r.format,
        fileName: r.fileName,
        createdAt: r.createdAt.toISOString(),
        first: firstAt.get(`${r.format}\u0000${r.fileName}`) === r.createdAt.getTime() && r.changeCount === 0,
        endpoints: Array.isArray(endpoints) ? endpoints.length : 0,
        changeCount: r.changeCount,
        breaking: r.breaking,
        omitted: Math.max(0, r.changeCount - changes.length),
        changes,
      };
    }),
  };
}

/** What changed in the 7 days before `now` across the Apis the actor may see. */
export async function weeklyChanges(prisma: Db, actor: Actor, now = new Date()): Promise<z.infer<typeof weeklyChangesOutput>> {
  const since = new Date(now.getTime() - WEEK_MS);
  const scope = apiScope(actor);
  const newApiWhere: Prisma.ApiWhereInput = { AND: [scope, { firstSeenAt: { gte: since, lte: now }, discoveredFromTraffic: false }] };
  const shadowWhere: Prisma.FindingWhereInput = { AND: [findingScope(actor), { ruleId: "shadow-api", firstSeenAt: { gte: since, lte: now } }] };
  const [newApiCount, newApis, perApi, totals, shadowCount, shadow] = await Promise.all([
    prisma.api.count({ where: newApiWhere }),
    prisma.api.findMany({ where: newApiWhere, orderBy: { firstSeenAt: "desc" }, take: 10, select: { slug: true, name: true, firstSeenAt: true } }),
    prisma.$queryRaw<{ slug: string; name: string; newEndpoints: number; authWeakened: number; sensitiveAdded: number; breaking: number; versions: number }[]>`
      SELECT a.slug, a.name,
             sum(v."endpointsAdded")::int AS "newEndpoints", sum(v."authWeakened")::int AS "authWeakened",
             sum(v."sensitiveAdded")::int AS "sensitiveAdded", sum(v.breaking)::int AS breaking, count(*)::int AS versions
      FROM api_source_version v JOIN api a ON a.id = v."apiId"
      WHERE v."createdAt" >= ${since} AND v."createdAt" <= ${now} AND v."changeCount" > 0 AND ${apiSqlScope(actor, "a")}
      GROUP BY a.id, a.slug, a.name
      ORDER BY 4 DESC, 6 DESC, 5 DESC, 3 DESC, a.name
      LIMIT 10`,
    prisma.$queryRaw<{ newEndpoints: number | null; authWeakened: number | null; sensitiveAdded: number | null; breaking: number | null }[]>`
      SELECT sum(v."endpointsAdded")::int AS "newEndpoints", sum(v."authWeakened")::int AS "authWeakened",
             sum(v."sensitiveAdded")::int AS "sensitiveAdded", sum(v.breaking)::int AS breaking
      FROM api_source_version v JOIN api a ON a.id = v."apiId"
      WHERE v."createdAt" >= ${since} AND v."createdAt" <= ${now} AND v."changeCount" > 0 AND ${apiSqlScope(actor, "a")}`,
    prisma.finding.count({ where: shadowWhere }),
    prisma.finding.findMany({
      where: { AND: [shadowWhere, { apiId: { not: null } }] },
      orderBy: { firstSeenAt: "desc" },
      take: 10,
      select: { firstSeenAt: true, api: { select: { slug: true, name: true } } },
    }),
  ]);
  const t = totals[0];
  return {
    since: since.toISOString(),
    newApis: { total: newApiCount, apis: newApis.map((a) => ({ slug: a.slug, name: a.name, firstSeenAt: a.firstSeenAt.toISOString() })) },
    totals: { newEndpoints: t?.newEndpoints ?? 0, authWeakened: t?.authWeakened ?? 0, sensitiveAdded: t?.sensitiveAdded ?? 0, breaking: t?.breaking ?? 0 },
    changedApis: perApi,
    newShadow: {
      total: shadowCount,
      apis: shadow.flatMap((f) => (f.api ? [{ slug: f.api.slug, name: f.api.name, firstSeenAt: f.firstSeenAt.toISOString() }] : [])),
    },
  };
}
