/** Reading the inventory: the Api list (filtered, sorted, paged in the database) and one Api with its endpoints. */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/domain/errors";
import { DATA_CLASSES, EXPOSURES, LIFECYCLES } from "@/server/domain/inventory";
import { BANDS } from "@/server/domain/risk";
import { storedShape } from "@/server/domain/stored-json";
import type { SpecLintSummary } from "@/server/domain/records";
import { apiScope } from "@/server/auth/scope";
import { apiContact, type apiDetailOutput, type apiListOutput, type specLintView as specLintSchema, type teamListOutput } from "./schemas";

const SORTS = ["name", "baseUrl", "owner", "lifecycle", "exposure", "documentedEndpoints", "observedEndpoints", "riskScore", "lastSeenAt"] as const;

export const apiListInput = z.object({
  q: z.string().trim().max(200).optional(),
  team: z.string().max(100).optional(),
  ownerless: z.boolean().optional(),
  sensitive: z.boolean().optional(),
  lifecycle: z.enum(LIFECYCLES).optional(),
  exposure: z.enum([...EXPOSURES, "unknown"]).optional(),
  dataClass: z.enum(DATA_CLASSES).optional(),
  source: z.string().max(50).optional(),
  /** Risk band; "unscored" for Apis not scored yet. */
  band: z.enum([...BANDS, "unscored"]).optional(),
  sort: z.enum(SORTS).default("name"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type ApiListInput = z.input<typeof apiListInput>;

function orderBy(sort: (typeof SORTS)[number], dir: "asc" | "desc"): Prisma.ApiOrderByWithRelationInput[] {
  const nullsLast = { sort: dir, nulls: "last" } as const;
  const primary: Prisma.ApiOrderByWithRelationInput =
    sort === "owner"
      ? { ownerTeam: { slug: dir } }
      : sort === "riskScore" || sort === "lifecycle" || sort === "exposure" || sort === "baseUrl"
        ? { [sort]: nullsLast }
        : { [sort]: dir };
  return [primary, { id: "asc" }];
}

/** The list's filters as `where` conditions on the actor's scope (also the bulk owner assignment's selection). */
export function apiListFilters(actor: Actor, input: z.output<typeof apiListInput>): Prisma.ApiWhereInput[] {
  const filters: Prisma.ApiWhereInput[] = [apiScope(actor)];
  if (input.q) {
    filters.push({
      OR: [
        { name: { contains: input.q, mode: "insensitive" } },
        { slug: { contains: input.q.toLowerCase() } },
        { identity: { contains: input.q.toLowerCase() } },
      ],
    });
  }
  if (input.team) filters.push({ ownerTeam: { slug: input.team } });
  if (input.ownerless) filters.push({ ownerTeamId: null });
  if (input.sensitive) filters.push({ NOT: { dataClasses: { isEmpty: true } } });
  if (input.lifecycle) filters.push({ lifecycle: input.lifecycle });
  if (input.exposure) filters.push({ exposure: input.exposure === "unknown" ? null : input.exposure });
  if (input.dataClass) filters.push({ dataClasses: { has: input.dataClass } });
  // "traffic": Apis known only from traffic (shadow APIs); other sources are ingest formats.
  if (input.source === "traffic") filters.push({ discoveredFromTraffic: true });
  else if (input.source) filters.push({ sourceFormats: { has: input.source } });
  if (input.band) filters.push({ riskBand: input.band === "unscored" ? null : input.band });
  return filters;
}

export async function listApis(prisma: Db, actor: Actor, rawInput: ApiListInput): Promise<z.infer<typeof apiListOutput>> {
  const input = apiListInput.parse(rawInput);
  const where: Prisma.ApiWhereInput = { AND: apiListFilters(actor, input) };
  const [total, rows] = await Promise.all([
    prisma.api.count({ where }),
    prisma.api.findMany({
      where,
      orderBy: orderBy(input.sort, input.dir),
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true,
        slug: true,
        name: true,
        baseUrl: true,
        lifecycle: true,
        exposure: true,
        documentedEndpoints: true,
        observedEndpoints: true,
        dataClasses: true,
        authKinds: true,
        sourceFormats: true,
        discoveredFromTraffic: true,
        riskScore: true,
        riskBand: true,
        lastSeenAt: true,
        ownerTeam: { select: { slug: true, name: true } },
      },
    }),
  ]);
  return {
    total,
    page: input.page,
    pageSize: input.pageSize,
    rows: rows.map(({ discoveredFromTraffic, ...row }) => ({ ...row, observedOnly: discoveredFromTraffic, lastSeenAt: row.lastSeenAt.toISOString() })),
  };
}

export async function getApi(prisma: Db, actor: Actor, slug: string): Promise<z.infer<typeof apiDetailOutput>> {
  const api = await prisma.api.findFirst({
    where: { AND: [apiScope(actor), { slug }] },
    include: {
      ownerTeam: { select: { slug: true, name: true } },
      sources: { orderBy: { seenAt: "desc" }, select: { format: true, fileName: true, seenAt: true } },
      endpoints: {
        orderBy: [{ path: "asc" }, { method: "asc" }],
        take: 2000,
        select: {
          id: true,
          method: true,
          path: true,
          summary: true,
          operationId: true,
          deprecated: true,
          securityMode: true,
          authKinds: true,
          dataClasses: true,
          documented: true,
          observed: true,
          hasDescription: true,
          hasSuccessSchema: true,
          rateLimited: true,
          tags: true,
        },
      },
    },
  });
  if (!api) throw notFound("Api");
  return {
    id: api.id,
    slug: api.slug,
    name: api.name,
    catalogName: api.catalogName,
    baseUrl: api.baseUrl,
    host: api.host,
    basePath: api.basePath,
    aliases: api.aliases,
    ownerTeam: api.ownerTeam,
    contact: api.contact === null ? null : storedShape(apiContact, api.contact),
    lifecycle: api.lifecycle,
    exposure: api.exposure,
    version: api.version,
    description: api.description,
    repository: api.repository,
    dataClasses: api.dataClasses,
    authKinds: api.authKinds,
    sourceFormats: api.sourceFormats,
    observedOnly: api.discoveredFromTraffic,
    documentedEndpoints: api.documentedEndpoints,
    observedEndpoints: api.observedEndpoints,
    riskScore: api.riskScore,
    riskBand: api.riskBand,
    firstSeenAt: api.firstSeenAt.toISOString(),
    lastSeenAt: api.lastSeenAt.toISOString(),
    sources: api.sources.map((s) => ({ ...s, seenAt: s.seenAt.toISOString() })),
    specLint: specLintView(api.specLint),
    endpoints: api.endpoints,
  };
}

/** The stored Spectral summary, narrowed to what the Api page shows (counts and the most frequent rules). */
function specLintView(value: unknown): z.infer<typeof specLintSchema> | null {
  const lint = value as Partial<SpecLintSummary> | null;
  if (!lint || lint.status !== "ok") return null;
  return {
    failingRules: lint.failingRules ?? 0,
    failingOwaspRules: lint.failingOwaspRules ?? 0,
    total: lint.total ?? 0,
    rules: (lint.rules ?? []).slice(0, 12).map((r) => ({ rule: r.rule, severity: r.severity, count: r.count })),
  };
}

/** Teams visible to the actor, for filters. */
export async function listTeams(prisma: Db, actor: Actor): Promise<z.infer<typeof teamListOutput>> {
  const where: Prisma.TeamWhereInput = actor.role === "developer" ? { id: { in: actor.teamIds } } : {};
  return prisma.team.findMany({ where, orderBy: { slug: "asc" }, select: { id: true, slug: true, name: true } });
}
