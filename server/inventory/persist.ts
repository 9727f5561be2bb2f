/**
 * Writes parsed inventory records: merges each record into the Api it describes (identity by normalised
 * host + base path, else by catalog name / slug / alias), upserts its endpoints and records the source.
 * Runs inside the ingest transaction; batched so that a 2,000-Api organisation is a handful of statements per
 * table rather than one round trip per row.
 */
import type { InventoryApi, InventoryEndpoint } from "@/server/domain/records";
import type { Prisma } from "@/generated/prisma/client";
import type { Tx } from "@/server/db/types";
import { slugify } from "@/server/domain/slug";
import { apiSlug, type BaseUrlParts, hostAlias, parseBaseUrl } from "./identity";
import { applyOwners, claimSource, type OwnerSource, recordClaims } from "./ownership";
import { recordVersions, type VersionEntry } from "./versions";

/** Formats that are catalogs: their owner, lifecycle and exposure override what specs say. */
const CATALOG_FORMATS = new Set(["backstage", "csv-inventory"]);

export interface InventoryCounts {
  apisCreated: number;
  apisUpdated: number;
  endpointsCreated: number;
  endpointsUpdated: number;
  /** Apis for which this file's snapshot differs from the file's previous one (DESIGN.md "Versions"). */
  versions: number;
}

interface ExistingApi {
  id: string;
  slug: string;
  identity: string | null;
  aliases: string[];
  ownerTeamId: string | null;
  sourceFormats: string[];
  explicitSecrets: string[];
  lifecycle: string | null;
  exposure: string | null;
  basePath: string;
}

const API_SELECT = {
  id: true,
  slug: true,
  identity: true,
  aliases: true,
  ownerTeamId: true,
  sourceFormats: true,
  explicitSecrets: true,
  lifecycle: true,
  exposure: true,
  basePath: true,
} as const;

/** Formats that describe a gateway in front of Apis: their service names are catalog names, their route paths prefixes. */
const GATEWAY_FORMATS = new Set(["kong-deck"]);

function hostOf(identity: string): string {
  return identity.split("/")[0] ?? identity;
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function primaryBase(parts: BaseUrlParts[]): BaseUrlParts | undefined {
  // Prefer an absolute https URL, then any absolute one, then a relative base path.
  return (
    parts.find((p) => p.identity && p.scheme === "https") ?? parts.find((p) => p.identity) ?? parts[0]
  );
}

function endpointSecurity(endpoint: InventoryEndpoint): { mode: string; kinds: string[] } {
  const security = endpoint.security;
  if (security.mode !== "required") return { mode: security.mode, kinds: [] };
  return { mode: "required", kinds: [...new Set(security.schemes.map((s) => s.kind))].sort() };
}

export async function persistInventory(
  tx: Tx,
  records: InventoryApi[],
  source: { runId: string; format: string; fileName: string; now: Date },
): Promise<{ counts: InventoryCounts; apiIds: string[] }> {
  const counts: InventoryCounts = { apisCreated: 0, apisUpdated: 0, endpointsCreated: 0, endpointsUpdated: 0, versions: 0 };
  const isCatalog = CATALOG_FORMATS.has(source.format);

  // Teams named as owners, created on first mention.
  const ownerNames = [...new Set(records.map((r) => r.owner?.trim()).filter((o): o is string => !!o))];
  const ownerSlugs = new Map(ownerNames.map((name) => [name, slugify(name)]));
  const wantedSlugs = [...new Set([...ownerSlugs.values()].filter(Boolean))];
  // One statement creates the missing teams and returns every wanted one (the no-op update makes RETURNING see both).
  const teams = wantedSlugs.length
    ? await tx.$queryRaw<{ id: string; slug: string }[]>`
        INSERT INTO team (id, slug, name)
        SELECT 'tm_' || md5(random()::text || s), s, s FROM unnest(${wantedSlugs}::text[]) AS s
        ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
        RETURNING id, slug`
    : [];
  const teamBySlug = new Map(teams.map((t) => [t.slug, t.id]));
  const teamIdFor = (owner?: string) => (owner ? teamBySlug.get(ownerSlugs.get(owner.trim()) ?? "") : undefined);

  // Candidate Apis this file may describe, fetched in one query.
  const prepared = records.map((record) => {
    const parts = record.baseUrls.map(parseBaseUrl);
    const identities = [...new Set(parts.map((p) => p.identity).filter((i): i is string => !!i))];
    const slug = apiSlug(record);
    const names = [...new Set([slug, ...(record.catalogName ? [slugify(record.catalogName)] : [])])];
    // A Backstage Component's link to an API it provides: its fields only fill gaps, never override.
    const isLink = (record.providesApis ?? []).some((p) => p.startsWith("component:"));
    return { record, parts, identities, slug, names, isLink };
  });
  const allIdentities = [...new Set(prepared.flatMap((p) => p.identities))];
  const allNames = [...new Set(prepared.flatMap((p) => p.names))];
  const existing: ExistingApi[] = await tx.api.findMany({
    where: {
      OR: [
        ...(allIdentities.length ? [{ identity: { in: allIdentities } }] : []),
        ...(allNames.length ? [{ slug: { in: allNames } }, { aliases: { hasSome: allNames } }] : []),
      ],
    },
    select: API_SELECT,
  });
  const byIdentity = new Map<string, ExistingApi>();
  const byName = new Map<string, ExistingApi>();
  const index = (api: ExistingApi) => {
    if (api.identity) byIdentity.set(api.identity, api);
    byName.set(api.slug, api);
    for (const alias of api.aliases) if (!byName.has(alias)) byName.set(alias, api);
  };
  existing.forEach(index);

  const touched = new Set<string>();
  // Owner claims this file makes, one per Api and source (the last record wins); owners are computed from them.
  const claims = new Map<string, { apiId: string; source: OwnerSource; teamId: string }>();
  const endpointRows: { apiId: string; endpoint: InventoryEndpoint; isNewApi: boolean }[] = [];
  // What this file says about each Api it describes endpoints of, for the Api's versions.
  const versionEntries = new Map<string, VersionEntry>();

  for (const { record, parts, identities, slug, names, isLink } of prepared) {
    const base = primaryBase(parts);
    const authoritative = isCatalog && !isLink;
    const hosts = new Set(identities.map(hostOf));
    const match =
      identities.map((i) => byIdentity.get(i)).find(Boolean) ??
      // A catalog entry or a spec without an absolute URL merges by name; a spec with its own host merges by
      // name only with an Api on the same host or with none yet (so two specs with one title stay two Apis).
      names
        .map((n) => byName.get(n))
        .find((api) => api && (!identities.length || !api.identity || isCatalog || hosts.has(hostOf(api.identity))));
    const teamId = teamIdFor(record.owner);
    const aliases = union(
      [hostAlias(base?.host ?? null), record.catalogName ? slugify(record.catalogName) : null].filter(
        (a): a is string => !!a && a !== slug,
      ),
      [],
    );
    const described = {
      ...(record.version ? { version: record.version } : {}),
      ...(record.description ? { description: record.description.slice(0, 4000) } : {}),
      ...(record.contact ? { contact: record.contact as Prisma.InputJsonValue } : {}),
      ...(record.repository ? { repository: record.repository } : {}),
      ...(record.type ? { apiType: record.type } : {}),
      ...(record.rateLimited ? { rateLimited: true } : {}),
      // The latest spec's lint wins (records from other formats carry none and leave it as is).
      ...(record.specLint ? { specLint: record.specLint as unknown as Prisma.InputJsonValue } : {}),
    };

    let apiId: string;
    if (match) {
      apiId = match.id;
      const data: Prisma.ApiUpdateInput = {
        ...described,
        sourceFormats: union(match.sourceFormats, [source.format]),
        explicitSecrets: union(match.explicitSecrets, record.secrets ?? []),
        aliases: union(match.aliases, aliases.filter((a) => a !== match.slug)),
        lastSeenAt: source.now,
        discoveredFromTraffic: false,
      };
      if (!match.identity && base?.identity && !byIdentity.has(base.identity)) {
        Object.assign(data, { identity: base.identity, host: base.host, basePath: base.basePath, baseUrl: record.baseUrls[parts.indexOf(base)] });
        match.identity = base.identity;
        byIdentity.set(base.identity, match);
      }
      if (record.lifecycle && (authoritative || !match.lifecycle)) data.lifecycle = record.lifecycle;
      if (record.exposure && (authoritative || !match.exposure)) data.exposure = record.exposure;
      if (authoritative && record.catalogName) {
        data.catalogName = record.catalogName;
        data.name = record.name;
      }
      await tx.api.update({ where: { id: apiId }, data, select: { id: true } });
      counts.apisUpdated += touched.has(apiId) ? 0 : 1;
    } else {
      // Candidates were loaded by slug, so a free slug is the common case and costs no query.
      let uniqueSlug = slug;
      for (let n = 2; byName.has(uniqueSlug); n++) {
        uniqueSlug = `${slug}-${n}`;
        if (!byName.has(uniqueSlug) && (await tx.api.findUnique({ where: { slug: uniqueSlug }, select: { id: true } }))) {
          byName.set(uniqueSlug, { id: "", slug: uniqueSlug, identity: null, aliases: [], ownerTeamId: null, sourceFormats: [], explicitSecrets: [], lifecycle: null, exposure: null, basePath: "" });
        }
      }
      const created = await tx.api.create({
        data: {
          ...described,
          slug: uniqueSlug,
          name: record.name,
          catalogName: record.catalogName ?? null,
          aliases,
          identity: base?.identity ?? null,
          host: base?.host ?? null,
          basePath: base?.basePath ?? "",
          baseUrl: base ? (record.baseUrls[parts.indexOf(base)] ?? null) : null,
          ownerTeamId: teamId ?? null,
          lifecycle: record.lifecycle ?? null,
          exposure: record.exposure ?? null,
          explicitSecrets: record.secrets ?? [],
          sourceFormats: [source.format],
          firstSeenAt: source.now,
          lastSeenAt: source.now,
        },
        select: API_SELECT,
      });
      apiId = created.id;
      index(created);
      counts.apisCreated += 1;
    }
    touched.add(apiId);
    if (teamId) {
      // A Backstage Component's link claims with its own source: like specs, it fills a gap and never overrides.
      const claimFrom = claimSource(source.format, isLink);
      claims.set(`${apiId}\u0000${claimFrom}`, { apiId, source: claimFrom, teamId });
    }
    // Endpoint paths are relative to the Api's base path: rebase those of a record whose own base differs
    // (a gateway route "/v1/orders" under an Api based at "/v1" is "/orders").
    const apiBase = match?.basePath ?? base?.basePath ?? "";
    const recordBase = base?.basePath ?? "";
    let version: VersionEntry | undefined;
    if (record.describesEndpoints) {
      version = versionEntries.get(apiId) ?? { apiId, endpoints: [] };
      versionEntries.set(apiId, version);
    }
    for (const endpoint of record.endpoints) {
      let path = endpoint.path;
      if (recordBase !== apiBase) {
        const full = `${recordBase}${path === "/" ? "" : path}` || "/";
        if (apiBase && (full === apiBase || full.startsWith(`${apiBase}/`))) path = full.slice(apiBase.length) || "/";
      }
      // A gateway route that is just the Api's prefix describes the whole Api (auth, rate limit), not an endpoint.
      if (GATEWAY_FORMATS.has(source.format) && path === "/" && apiBase) {
        if (version) version.apiSecurity = endpoint.security;
        continue;
      }
      const rebased = path === endpoint.path ? endpoint : { ...endpoint, path };
      endpointRows.push({ apiId, endpoint: rebased, isNewApi: !match });
      version?.endpoints.push(rebased);
    }
  }

  await upsertEndpoints(tx, endpointRows, source, counts);
  counts.versions = await recordVersions(tx, [...versionEntries.values()], source);

  const apiIds = [...touched];
  if (apiIds.length) {
    await tx.$executeRaw`
      INSERT INTO api_source (id, "apiId", format, "fileName", "ingestRunId", "seenAt")
      SELECT 'as_' || md5(random()::text || a), a, ${source.format}, ${source.fileName}, ${source.runId}, ${source.now}
      FROM unnest(${apiIds}::text[]) AS a
      ON CONFLICT ("apiId", format, "fileName") DO UPDATE SET "ingestRunId" = EXCLUDED."ingestRunId", "seenAt" = EXCLUDED."seenAt"`;
    await refreshApiAggregates(tx, apiIds);
  }
  // The owner follows the claims (manual > latest catalog > longest-held other); a change moves open findings.
  await recordClaims(tx, [...claims.values()], source);
  await applyOwners(tx, [...new Set([...claims.values()].map((c) => c.apiId))], {
    actor: { type: "system" },
    via: "ingest",
    details: { format: source.format, fileName: source.fileName, ingestRunId: source.runId },
    now: source.now,
  });
  return { counts, apiIds };
}

function endpointData(endpoint: InventoryEndpoint, format: string, now: Date) {
  const security = endpointSecurity(endpoint);
  const classes = [...new Set(endpoint.responseFields.map((f) => f.dataClass))].sort();
  return {
    operationId: endpoint.operationId ?? null,
    summary: endpoint.summary?.slice(0, 500) ?? null,
    hasDescription: endpoint.hasDescription,
    tags: endpoint.tags.slice(0, 20),
    deprecated: endpoint.deprecated,
    securityMode: security.mode,
    authKinds: security.kinds,
    securitySchemes: (endpoint.security.mode === "required" ? endpoint.security.schemes : []) as unknown as Prisma.InputJsonValue,
    parameters: endpoint.parameters.slice(0, 100) as unknown as Prisma.InputJsonValue,
    hasSuccessSchema: endpoint.hasSuccessSchema,
    hasExamples: endpoint.hasExamples,
    dataClasses: classes,
    responseFields: endpoint.responseFields.slice(0, 200) as unknown as Prisma.InputJsonValue,
    rateLimited: endpoint.rateLimited ?? false,
    documented: true,
    lastSeenAt: now,
    sourceFormats: [format],
  };
}

async function upsertEndpoints(
  tx: Tx,
  rows: { apiId: string; endpoint: InventoryEndpoint; isNewApi: boolean }[],
  source: { format: string; now: Date },
  counts: InventoryCounts,
): Promise<void> {
  // Last description of an endpoint in a file wins (a file may list one operation twice).
  const unique = new Map<string, { apiId: string; endpoint: InventoryEndpoint; isNewApi: boolean }>();
  for (const row of rows) unique.set(`${row.apiId} ${row.endpoint.method} ${row.endpoint.path}`, row);
  const existingApiIds = [...new Set([...unique.values()].filter((r) => !r.isNewApi).map((r) => r.apiId))];
  const existing = existingApiIds.length
    ? await tx.endpoint.findMany({
        where: { apiId: { in: existingApiIds } },
        select: { id: true, apiId: true, method: true, path: true, sourceFormats: true },
      })
    : [];
  const existingByKey = new Map(existing.map((e) => [`${e.apiId} ${e.method} ${e.path}`, e]));

  const creates: Prisma.EndpointCreateManyInput[] = [];
  for (const [key, row] of unique) {
    const data = endpointData(row.endpoint, source.format, source.now);
    const found = existingByKey.get(key);
    if (found) {
      await tx.endpoint.update({
        where: { id: found.id },
        data: { ...data, sourceFormats: union(found.sourceFormats, [source.format]) },
        select: { id: true },
      });
      counts.endpointsUpdated += 1;
    } else {
      creates.push({ ...data, apiId: row.apiId, method: row.endpoint.method, path: row.endpoint.path, firstSeenAt: source.now });
    }
  }
  for (let i = 0; i < creates.length; i += 1000) {
    const result = await tx.endpoint.createMany({ data: creates.slice(i, i + 1000), skipDuplicates: true });
    counts.endpointsCreated += result.count;
  }
}

/** Recomputes each Api's endpoint counts, data classes and auth kinds from its endpoints, in the database. */
export async function refreshApiAggregates(tx: Tx, apiIds: string[]): Promise<void> {
  await tx.$executeRaw`
    WITH ids AS (SELECT unnest(${apiIds}::text[]) AS id),
    counts AS (
      SELECT e."apiId" AS id,
             count(*) FILTER (WHERE e.documented)::int AS documented,
             count(*) FILTER (WHERE e.observed)::int AS observed
      FROM endpoint e WHERE e."apiId" = ANY(${apiIds}::text[]) GROUP BY 1),
    classes AS (
      SELECT e."apiId" AS id, array_agg(DISTINCT c ORDER BY c) AS v
      FROM endpoint e, unnest(e."dataClasses") c WHERE e."apiId" = ANY(${apiIds}::text[]) GROUP BY 1),
    kinds AS (
      SELECT e."apiId" AS id, array_agg(DISTINCT k ORDER BY k) AS v
      FROM endpoint e, unnest(e."authKinds") k WHERE e."apiId" = ANY(${apiIds}::text[]) GROUP BY 1)
    UPDATE api a SET
      "documentedEndpoints" = coalesce(c.documented, 0),
      "observedEndpoints" = coalesce(c.observed, 0),
      "dataClasses" = coalesce(cl.v, '{}'),
      "authKinds" = coalesce(k.v, '{}')
    FROM ids LEFT JOIN counts c ON c.id = ids.id LEFT JOIN classes cl ON cl.id = ids.id LEFT JOIN kinds k ON k.id = ids.id
    WHERE a.id = ids.id`;
}
