/**
 * Writes parsed inventory records: merges each record into the Api it describes (identity by normalised
 * host + base path, else by catalog name / slug / alias), upserts its endpoints and records the source.
 * Runs inside the ingest transaction; batched so that a 2,000-Api organisation is a handful of statements per
 * table rather than one round trip per row.
 */
import type { InventoryApi, InventoryEndpoint } from "@/server/domain/records";
import type { Prisma } from "@/generated/prisma/client";
import type { Tx } from "@/server/db/types";
import { createMatcher } from "@/server/domain/path-matcher";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { slugify } from "@/server/domain/slug";
import { resolveUnreported } from "@/server/findings/lifecycle";
import { rebaseScope } from "@/server/traffic/scopes";
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
  host: string | null;
  discoveredFromTraffic: boolean;
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
  host: true,
  discoveredFromTraffic: true,
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
  const allHosts = [...new Set(allIdentities.map(hostOf))];
  const existing: ExistingApi[] = await tx.api.findMany({
    where: {
      OR: [
        ...(allIdentities.length ? [{ identity: { in: allIdentities } }] : []),
        ...(allNames.length ? [{ slug: { in: allNames } }, { aliases: { hasSome: allNames } }] : []),
        // Shadow Apis (recorded from traffic, one per host) that a record with a base path on their host documents.
        ...(allHosts.length ? [{ discoveredFromTraffic: true, host: { in: allHosts } }] : []),
      ],
    },
    select: API_SELECT,
  });
  const byIdentity = new Map<string, ExistingApi>();
  const byName = new Map<string, ExistingApi>();
  const shadowByHost = new Map<string, ExistingApi>();
  const index = (api: ExistingApi) => {
    if (api.identity) byIdentity.set(api.identity, api);
    byName.set(api.slug, api);
    for (const alias of api.aliases) if (!byName.has(alias)) byName.set(alias, api);
    if (api.discoveredFromTraffic && api.host) shadowByHost.set(api.host, api);
  };
  existing.forEach(index);

  const touched = new Set<string>();
  const documentedShadows: string[] = [];
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
        .find((api) => api && (!identities.length || !api.identity || isCatalog || hosts.has(hostOf(api.identity)))) ??
      // A shadow Api of one of the record's hosts: the record documents it (DESIGN.md "Shadow records").
      [...hosts].map((h) => shadowByHost.get(h)).find(Boolean);
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
      if (match.discoveredFromTraffic) {
        // A shadow Api becomes the documented one, keeping its id (its findings, rollups and owner stay with it): it
        // takes the record's names and base URL, and its traffic's templates are rebased under the new base path.
        await adoptShadowApi(tx, { match, record, parts, slug, byName, byIdentity, data });
        documentedShadows.push(match.id);
        match.discoveredFromTraffic = false;
      } else if (!match.identity && base?.identity && !byIdentity.has(base.identity)) {
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
          byName.set(uniqueSlug, { id: "", slug: uniqueSlug, identity: null, aliases: [], ownerTeamId: null, sourceFormats: [], explicitSecrets: [], lifecycle: null, exposure: null, basePath: "", host: null, discoveredFromTraffic: false });
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

  const newlyDocumented = await upsertEndpoints(tx, endpointRows, source, counts);
  counts.versions = await recordVersions(tx, [...versionEntries.values()], source);

  const apiIds = [...touched];
  await documentObserved(tx, apiIds, documentedShadows, newlyDocumented, source);
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

/** Upserts the endpoints; answers the ids of observed-only endpoints that this file documents. */
async function upsertEndpoints(
  tx: Tx,
  rows: { apiId: string; endpoint: InventoryEndpoint; isNewApi: boolean }[],
  source: { format: string; now: Date },
  counts: InventoryCounts,
): Promise<string[]> {
  // Last description of an endpoint in a file wins (a file may list one operation twice).
  const unique = new Map<string, { apiId: string; endpoint: InventoryEndpoint; isNewApi: boolean }>();
  for (const row of rows) unique.set(`${row.apiId} ${row.endpoint.method} ${row.endpoint.path}`, row);
  const existingApiIds = [...new Set([...unique.values()].filter((r) => !r.isNewApi).map((r) => r.apiId))];
  const existing = existingApiIds.length
    ? await tx.endpoint.findMany({
        where: { apiId: { in: existingApiIds } },
        select: { id: true, apiId: true, method: true, path: true, sourceFormats: true, documented: true },
      })
    : [];
  const newlyDocumented: string[] = [];
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
      if (!found.documented) newlyDocumented.push(found.id);
    } else {
      creates.push({ ...data, apiId: row.apiId, method: row.endpoint.method, path: row.endpoint.path, firstSeenAt: source.now });
    }
  }
  for (let i = 0; i < creates.length; i += 1000) {
    const result = await tx.endpoint.createMany({ data: creates.slice(i, i + 1000), skipDuplicates: true });
    counts.endpointsCreated += result.count;
  }
  return newlyDocumented;
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

// ---------------------------------------------------------------------------------------------------------------
// Observed records (DESIGN.md "Shadow records"): a shadow API becomes an Api known only from traffic
// (discoveredFromTraffic, no sources, no owner, lifecycle unknown), a shadow endpoint an endpoint that is observed but
// not documented. An inventory that later describes them merges them into the documented records (above).

/** A host that served traffic no inventory knows, as server/traffic/observed.ts summarises it from the rollups. */
export interface ObservedHost {
  /** The rollups' scope, "host:<host>". */
  scopeKey: string;
  host: string;
  scheme: "http" | "https";
  /** Inferred from the clients: "internet" when public client addresses were seen, else null (unknown). */
  exposure: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Records one Api per shadow host; answers which scope became which Api (hosts some Api holds by now are skipped). */
export async function persistObservedApis(tx: Tx, hosts: readonly ObservedHost[]): Promise<{ from: string; apiId: string }[]> {
  const out: { from: string; apiId: string }[] = [];
  if (hosts.length === 0) return out;
  // Two logs naming one new host, ingested at once on one PostgreSQL: the second waits and then finds the Api.
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended('postern-shadow-apis', 0))`;
  for (const h of hosts) {
    const parts = parseBaseUrl(`${h.scheme}://${h.host}`);
    if (!parts.identity || !parts.host) continue;
    const taken = await tx.api.findFirst({ where: { OR: [{ identity: parts.identity }, { host: { equals: parts.host, mode: "insensitive" } }] }, select: { id: true } });
    if (taken) continue;
    const base = slugify(parts.host) || "api";
    let slug = base;
    for (let n = 2; await tx.api.findUnique({ where: { slug }, select: { id: true } }); n++) slug = `${base}-${n}`;
    const alias = hostAlias(parts.host);
    const created = await tx.api.create({
      data: {
        slug,
        name: parts.host,
        aliases: alias && alias !== slug ? [alias] : [],
        identity: parts.identity,
        host: parts.host,
        basePath: "",
        baseUrl: `${h.scheme}://${parts.host}`,
        exposure: h.exposure,
        discoveredFromTraffic: true,
        firstSeenAt: h.firstSeenAt,
        lastSeenAt: h.lastSeenAt,
      },
      select: { id: true },
    });
    out.push({ from: h.scopeKey, apiId: created.id });
  }
  return out;
}

/** Records observed (method, inferred template) pairs of Apis as observed-only endpoints; answers how many were new. */
export async function persistObservedEndpoints(
  tx: Tx,
  rows: readonly { apiId: string; method: string; path: string; firstSeenAt: Date; lastSeenAt: Date }[],
): Promise<number> {
  let created = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const result = await tx.endpoint.createMany({
      data: rows.slice(i, i + 1000).map((r) => ({ ...r, documented: false, observed: true })),
      skipDuplicates: true,
    });
    created += result.count;
  }
  return created;
}

/** The record's base URL on the shadow Api's host (else its primary one) becomes the Api's; names follow the record. */
async function adoptShadowApi(
  tx: Tx,
  a: {
    match: ExistingApi;
    record: InventoryApi;
    parts: BaseUrlParts[];
    slug: string;
    byName: Map<string, ExistingApi>;
    byIdentity: Map<string, ExistingApi>;
    data: Prisma.ApiUpdateInput;
  },
): Promise<void> {
  const { match, record, parts, data } = a;
  const onHost = parts.find((p) => p.identity && p.host === match.host) ?? primaryBase(parts);
  if (onHost?.identity && (!a.byIdentity.has(onHost.identity) || a.byIdentity.get(onHost.identity) === match)) {
    const url = record.baseUrls[parts.indexOf(onHost)] ?? null;
    Object.assign(data, { identity: onHost.identity, host: onHost.host, basePath: onHost.basePath, baseUrl: url });
    if (match.identity) a.byIdentity.delete(match.identity);
    a.byIdentity.set(onHost.identity, match);
    if (onHost.host === match.host && onHost.basePath) await rebaseObserved(tx, match.id, onHost.basePath);
    match.identity = onHost.identity;
    match.basePath = onHost.basePath;
  }
  data.name = record.name;
  data.catalogName = record.catalogName ?? null;
  if (record.exposure) data.exposure = record.exposure;
  const holder = a.byName.get(a.slug);
  if (a.slug !== match.slug && (!holder || holder === match) && !(await tx.api.findUnique({ where: { slug: a.slug }, select: { id: true } }))) {
    // The host-named slug stays an alias.
    data.slug = a.slug;
    data.aliases = union((data.aliases as string[] | undefined) ?? match.aliases, [match.slug]).filter((x) => x !== a.slug);
    a.byName.set(a.slug, match);
    match.slug = a.slug;
  }
}

/** Observed-only endpoints and rollups of a shadow Api, relative to the host root until now, rebased under `basePath`. */
async function rebaseObserved(tx: Tx, apiId: string, basePath: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE endpoint e SET path = CASE WHEN e.path = ${basePath} THEN '/' ELSE substr(e.path, ${basePath.length + 1}) END
    WHERE e."apiId" = ${apiId} AND NOT e.documented AND (e.path = ${basePath} OR left(e.path, ${basePath.length + 1}) = ${`${basePath}/`})
      AND NOT EXISTS (
        SELECT 1 FROM endpoint o WHERE o."apiId" = e."apiId" AND o.method = e.method
          AND o.path = CASE WHEN e.path = ${basePath} THEN '/' ELSE substr(e.path, ${basePath.length + 1}) END)`;
  await rebaseScope(tx, apiId, basePath);
}

/**
 * After an inventory file: shadow Apis it documented and observed-only endpoints it describes merge into the
 * documented records, and their shadow findings resolve (through the findings lifecycle, saying which file documented
 * them). An observed template the file documents under another name ("/users/{id}" for "/users/{userId}") merges
 * into the documented endpoint: its findings move there and the observed record goes.
 */
async function documentObserved(
  tx: Tx,
  apiIds: string[],
  documentedShadows: string[],
  newlyDocumented: string[],
  source: { format: string; fileName: string; now: Date },
): Promise<void> {
  if (apiIds.length === 0) return;
  const comment = `documented by ${source.format} (${source.fileName})`;
  const active = [...ACTIVE_STATUSES];
  if (documentedShadows.length) {
    const open = await tx.finding.findMany({
      where: { ruleId: "shadow-api", apiId: { in: documentedShadows }, status: { in: active } },
      select: { id: true },
    });
    await resolveUnreported(tx, open.map((f) => f.id), { resolution: "no_longer_applies", comment, at: source.now });
  }
  const endpoints = await tx.endpoint.findMany({
    where: { apiId: { in: apiIds }, OR: [{ documented: true }, { observed: true }] },
    select: { id: true, apiId: true, method: true, path: true, documented: true },
  });
  const merges: { from: string; to: string }[] = [];
  const byApi = new Map<string, typeof endpoints>();
  for (const e of endpoints) byApi.set(e.apiId, [...(byApi.get(e.apiId) ?? []), e]);
  for (const list of byApi.values()) {
    const observedOnly = list.filter((e) => !e.documented);
    if (!observedOnly.length) continue;
    const matcher = createMatcher(list.filter((e) => e.documented));
    for (const e of observedOnly) {
      const hit = matcher.match(e.method, e.path);
      if (hit) merges.push({ from: e.id, to: hit.id });
    }
  }
  const settled = [...newlyDocumented, ...merges.map((m) => m.from)];
  if (settled.length) {
    const open = await tx.finding.findMany({
      where: { ruleId: "shadow-endpoint", endpointId: { in: settled }, status: { in: active } },
      select: { id: true },
    });
    await resolveUnreported(tx, open.map((f) => f.id), { resolution: "no_longer_applies", comment, at: source.now });
  }
  if (merges.length) {
    const from = merges.map((m) => m.from);
    const to = merges.map((m) => m.to);
    // Their findings (any status) keep pointing at the endpoint they were about, now the documented record.
    await tx.$executeRaw`
      UPDATE finding f SET "endpointId" = m.to_id FROM unnest(${from}::text[], ${to}::text[]) AS m(from_id, to_id)
      WHERE f."endpointId" = m.from_id`;
    await tx.$executeRaw`
      UPDATE endpoint d SET observed = true, "firstSeenAt" = least(d."firstSeenAt", o."firstSeenAt")
      FROM unnest(${from}::text[], ${to}::text[]) AS m(from_id, to_id) JOIN endpoint o ON o.id = m.from_id
      WHERE d.id = m.to_id`;
    await tx.endpoint.deleteMany({ where: { id: { in: from } } });
  }
}
