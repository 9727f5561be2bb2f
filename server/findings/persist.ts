/**
 * Writes parsed scanner results (DESIGN.md §3 "Scan findings map to Apis…"): maps each finding to an Api and endpoint,
 * dedupes by fingerprint, and applies rescan semantics per scope. Runs inside the ingest transaction.
 *
 * Mapping
 * - Web findings (a URL, or a URL-like target when the finding has no URL): host + path through the base matcher
 *   (Apis of that host, longest base path on segment boundaries; "host:port" falls back to the bare host), then the
 *   path below the base through that Api's endpoint matcher (literal segments beat `{params}`). A finding without a
 *   method matches any method (GET first). Apis known without a host are not used: scanner URLs always carry a host,
 *   and a hostless Api would otherwise swallow every unknown host. Host aliases are not tried either (an alias is a
 *   name, not a host); map such findings with the ingest `--api` option or `assignApi`.
 * - Code findings (a file, no URL): the Api whose repository equals the report's target, both normalised
 *   (normaliseTarget: scheme, credentials, ".git", trailing slash and case dropped).
 * - Otherwise the ingest option `api` (slug or alias) when given, else unmapped: stored with apiId null, scope by
 *   tool + target, visible as "unmapped".
 *
 * Rescan: every scope (tool + Api, or tool + target) present in the import — or named by a report target that maps to
 * an Api — is a full scan of that scope. Open/triaged/in-progress findings of those scopes that the import does not
 * contain are resolved as "not seen in rescan"; a resolved finding that comes back reopens with regression = true.
 * Findings closed by a person as false_positive / risk_accepted / duplicate are updated (last seen, occurrences) but
 * never reopened. Findings of other scopes are never touched.
 *
 * Scanned scopes (contract ScannedScope): a report also says what it scanned, findings or not. Each such record is a
 * full scan of the tool's scope at that target: the Apis the target covers (a site: every Api at or below its path on
 * its host, and the one whose base path holds it; a repository: the Api with that repository; else the ingest option
 * `api`) and the unmapped target itself. So a clean
 * report (no findings at all) of a known scope is recorded, and resolves that scope's open findings as "not seen in
 * rescan"; unmapped findings of a target whose findings now all map resolve too. A scope record without a target (a
 * report that names none) resolves nothing, and the run says so. A report without findings is a successful ingest
 * with a warning that says it was clean. counts.records is the number of findings read (scope records left out).
 *
 * Tool triage (ScanFinding.toolTriage: SARIF suppressions, StackHawk false positive / risk accepted) is stored as the
 * last report stated it, in the `toolTriage` column, and is a decision made by the tool (lifecycle.applyToolTriage:
 * a SARIF suppression in force → false positive, or an accepted risk when it is kept outside the code and its
 * justification speaks of accepting; StackHawk's states as they are; acceptances end after the maximum acceptance
 * days) unless a person, Postern's schedule or a suppression rule decided the finding's state. Instances merged into
 * one finding keep their triage only when they all share it.
 *
 * Suppression rules (./suppression.ts) in force cover new findings and findings reported again, before the tool's
 * triage is read. SLA days come from the settings (./sla.ts); a finding seen again keeps the time it stood accepted.
 *
 * Batched: one query for the Apis, one for their endpoints, existing findings by fingerprint in chunks of 5,000, one
 * INSERT … SELECT FROM unnest(column arrays) per 5,000 new findings and events (a fixed parameter count: Prisma's
 * createMany binds every value and was ~10× slower on PGlite), one UPDATE … FROM unnest(…) per 5,000 seen findings, and
 * one statement that resolves the absent ones and records their events.
 */
import { randomUUID } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import { createBaseMatcher, createMatcher, normaliseBasePath, type PathMatcher, pathSegments, splitUrl } from "@/server/domain/path-matcher";
import type { Tx } from "@/server/db/types";
import { owaspApiCategoryForCwe } from "@/server/domain/owasp";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { severityRank } from "@/server/domain/severity";
import { isScannedScope, type ScanFinding, type ScannedScope, type ScanRecord, type ToolTriage } from "@/server/domain/records";
import { findingFingerprint, normaliseTarget, scopeKey, toolKey } from "./fingerprint";
import { recordAudit } from "@/server/audit/recorder";
import { applyToolTriage, recordCreated, reportedAgain, resolveUnreported, toolTriageState } from "./lifecycle";
import { loadSlaSettings, slaDays, slaDueAt, type SlaSettings } from "./sla";
import { suppressMatching } from "./suppression";

export interface ScanCounts {
  /** Findings read from the file (the scopes it says it scanned are not counted). */
  records: number;
  findingsCreated: number;
  findingsUpdated: number;
  findingsReopened: number;
  findingsResolved: number;
  findingsUnmapped: number;
  /** Findings a suppression rule covered (new, or reported again). */
  findingsSuppressed: number;
  /** Findings whose state the scanner's own triage set (false positive, accepted, or reopened when it was lifted). */
  findingsTriagedByTool: number;
}

export const NOT_SEEN_IN_RESCAN = "not_seen_in_rescan";
/** Statuses a rescan may resolve. */
const RESOLVABLE: readonly string[] = ACTIVE_STATUSES;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"];
const CHUNK = 5000;

interface ApiRow {
  id: string;
  host: string | null;
  basePath: string;
  repository: string | null;
  ownerTeamId: string | null;
  slug: string;
  aliases: string[];
}

/** One finding of this import after mapping and in-file dedupe. */
interface Prepared {
  fingerprint: string;
  scopeKey: string;
  record: ScanFinding;
  apiId: string | null;
  endpointId: string | null;
  teamId: string | null;
  occurrences: number;
  severity: ScanFinding["severity"];
  location: Record<string, unknown>;
  evidence: Record<string, unknown> | null;
  /** The merged instances' common triage; null when they differ (then none is stored). */
  toolTriage: ToolTriage | null;
}

function sameTriage(a: ToolTriage | null, b: ToolTriage | undefined): boolean {
  if (a === null || b === undefined) return a === null && b === undefined;
  return a.state === b.state && a.kind === b.kind && a.justification === b.justification;
}

/** "zap https://x", "semgrep (no target)" for the run's messages. */
function describeScope(s: ScannedScope): string {
  return `${s.tool.name} ${s.target ?? "(no target named)"}`;
}

function isWebUrl(value: string | undefined): value is string {
  return !!value && /^https?:\/\//i.test(value.trim());
}

function bareHost(host: string): string {
  const c = host.lastIndexOf(":");
  return c > 0 && !host.startsWith("[") ? host.slice(0, c) : host;
}

export async function persistScanFindings(
  tx: Tx,
  input: ScanRecord[],
  source: { runId: string; format: string; fileName: string; now: Date; options: { api?: string }; warn?: (message: string) => void },
): Promise<{ counts: ScanCounts; apiIds: string[] }> {
  const records: ScanFinding[] = [];
  const scanned: ScannedScope[] = [];
  for (const r of input) {
    if (isScannedScope(r)) scanned.push(r);
    else records.push(r);
  }
  const counts: ScanCounts = {
    records: records.length,
    findingsCreated: 0,
    findingsUpdated: 0,
    findingsReopened: 0,
    findingsResolved: 0,
    findingsUnmapped: 0,
    findingsSuppressed: 0,
    findingsTriagedByTool: 0,
  };
  const sla = await loadSlaSettings(tx);
  const now = source.now;
  // Timestamps go to SQL as UTC ISO text cast to timestamp(3), the way Prisma stores DateTime (UTC, no zone).
  const nowIso = now.toISOString();

  // 1. The Apis this file can map onto, in one query: by host, by repository (code findings), by the `api` option.
  const hosts = new Set<string>();
  let hasCode = false;
  for (const r of records) {
    for (const u of [r.url, r.target]) {
      if (!isWebUrl(u)) continue;
      const host = splitUrl(u).host;
      if (host) {
        hosts.add(host);
        hosts.add(bareHost(host));
      }
    }
    if (r.file && !isWebUrl(r.url)) hasCode = true;
  }
  // A scanned target is a site or a repository (a repository URL is a web URL too): both are looked up.
  for (const s of scanned) {
    if (!s.target) continue;
    hasCode = true;
    const host = isWebUrl(s.target) ? splitUrl(s.target).host : undefined;
    if (host) {
      hosts.add(host);
      hosts.add(bareHost(host));
    }
  }
  const option = source.options.api?.trim().toLowerCase();
  const or: Prisma.ApiWhereInput[] = [];
  if (hosts.size) or.push({ host: { in: [...hosts] } });
  if (hasCode) or.push({ repository: { not: null } });
  if (option) or.push({ slug: option }, { aliases: { has: option } });
  const apis: ApiRow[] = or.length
    ? await tx.api.findMany({ where: { OR: or }, select: { id: true, host: true, basePath: true, repository: true, ownerTeamId: true, slug: true, aliases: true } })
    : [];
  const apiById = new Map(apis.map((a) => [a.id, a]));
  const hosted = apis.filter((a) => a.host && hosts.has(a.host));
  const baseMatcher = createBaseMatcher(hosted.map((a) => ({ id: a.id, host: a.host, basePath: a.basePath })));
  const byRepository = new Map<string, string>();
  for (const a of apis) {
    const repo = normaliseTarget(a.repository);
    if (repo && !byRepository.has(repo)) byRepository.set(repo, a.id);
  }
  const optionApi = option ? apis.find((a) => a.slug === option) ?? apis.find((a) => a.aliases.includes(option)) : undefined;
  /** The Apis a scan of site `url` covers: those at or below its path on its host, and the one its path lies in. */
  const apisOfSite = (url: string): string[] => {
    const parts = splitUrl(url);
    if (!parts.host) return [];
    const siteHosts = new Set([parts.host, bareHost(parts.host)]);
    const prefix = pathSegments(normaliseBasePath(parts.path));
    const out = hosted
      .filter((a) => a.host !== null && siteHosts.has(a.host))
      .filter((a) => {
        const base = pathSegments(normaliseBasePath(a.basePath));
        return prefix.length <= base.length && prefix.every((seg, i) => seg === base[i]);
      })
      .map((a) => a.id);
    const containing = baseMatcher.match(parts.host, parts.path)?.apiId;
    return containing && !out.includes(containing) ? [...out, containing] : out;
  };

  // Endpoint matchers per Api, built lazily from one query.
  const endpointRows = hosted.length
    ? await tx.endpoint.findMany({ where: { apiId: { in: hosted.map((a) => a.id) } }, select: { id: true, apiId: true, method: true, path: true } })
    : [];
  const endpointsByApi = new Map<string, typeof endpointRows>();
  for (const e of endpointRows) {
    const list = endpointsByApi.get(e.apiId);
    if (list) list.push(e);
    else endpointsByApi.set(e.apiId, [e]);
  }
  const endpointPath = new Map(endpointRows.map((e) => [e.id, `${e.method} ${e.path}`]));
  const matchers = new Map<string, PathMatcher>();
  const matchEndpoint = (apiId: string, method: string | undefined, path: string): string | null => {
    let matcher = matchers.get(apiId);
    if (!matcher) {
      matcher = createMatcher(endpointsByApi.get(apiId) ?? []);
      matchers.set(apiId, matcher);
    }
    if (method) return matcher.match(method, path)?.id ?? null;
    for (const m of METHODS) {
      const hit = matcher.match(m, path);
      if (hit) return hit.id;
    }
    return null;
  };

  // 2. Map, fingerprint and dedupe within the file.
  const prepared = new Map<string, Prepared>();
  const scopes = new Set<string>();
  for (const record of records) {
    const target = normaliseTarget(record.target);
    const web = isWebUrl(record.url) ? record.url : !record.file && isWebUrl(record.target) ? record.target : undefined;
    let apiId: string | null = null;
    let endpointId: string | null = null;
    let path: string | undefined;
    if (web) {
      const parts = splitUrl(web);
      const base = parts.host ? baseMatcher.match(parts.host, parts.path) : null;
      if (base) {
        apiId = base.apiId;
        endpointId = matchEndpoint(base.apiId, record.method, base.relativePath);
        path = endpointId ? endpointPath.get(endpointId)?.split(" ")[1] : base.relativePath;
      } else {
        path = `${parts.host ?? ""}${parts.path}`;
      }
    }
    if (!apiId && !web && target) apiId = byRepository.get(target) ?? null;
    if (!apiId && optionApi) apiId = optionApi.id;

    const fingerprint = findingFingerprint({
      tool: record.tool.name,
      ruleId: record.ruleId,
      title: record.title,
      apiId,
      target,
      method: path ? (record.method ?? (endpointId ? endpointPath.get(endpointId)?.split(" ")[0] : undefined)) : undefined,
      path,
      parameter: record.parameter,
      file: record.file,
      line: record.line,
      distinctBy: record.distinctBy,
    });
    const existing = prepared.get(fingerprint);
    if (existing) {
      // Many instances of one alert on one endpoint: one finding with occurrences, the worst severity.
      existing.occurrences += Math.max(1, record.occurrences);
      if (severityRank(record.severity) > severityRank(existing.severity)) existing.severity = record.severity;
      if (!sameTriage(existing.toolTriage, record.toolTriage)) existing.toolTriage = null;
      continue;
    }
    const scope = scopeKey(record.tool.name, apiId, target);
    scopes.add(scope);
    const evidence = { ...(record.evidence ?? {}), ...(record.references?.length ? { references: record.references } : {}), ...(record.cve ? { cve: record.cve } : {}) };
    prepared.set(fingerprint, {
      fingerprint,
      scopeKey: scope,
      record,
      apiId,
      endpointId,
      teamId: apiId ? (apiById.get(apiId)?.ownerTeamId ?? null) : null,
      occurrences: Math.max(1, record.occurrences),
      severity: record.severity,
      location: {
        ...(record.url ? { url: record.url } : {}),
        ...(record.method ? { method: record.method } : {}),
        ...(path ? { path } : {}),
        ...(record.parameter ? { parameter: record.parameter } : {}),
        ...(record.file ? { file: record.file } : {}),
        ...(record.line !== undefined ? { line: record.line } : {}),
        ...(record.target ? { target: record.target } : {}),
        ...(record.tool.version ? { toolVersion: record.tool.version } : {}),
        format: source.format,
      },
      evidence: Object.keys(evidence).length ? evidence : null,
      toolTriage: record.toolTriage ?? null,
    });
  }
  // A report whose target maps to an Api scanned that Api, even where it found nothing there any more.
  for (const r of records) {
    if (!isWebUrl(r.target) || r.file) continue;
    const parts = splitUrl(r.target);
    const base = parts.host ? baseMatcher.match(parts.host, parts.path) : null;
    if (base) scopes.add(scopeKey(r.tool.name, base.apiId, null));
  }
  // What the report says it scanned, found or clean: the Api its target maps to (else the `api` option), and the
  // target itself (findings there that did not map to an Api).
  let known = 0;
  for (const s of scanned) {
    const target = normaliseTarget(s.target);
    const scannedApis = new Set<string>();
    const repository = target ? byRepository.get(target) : undefined;
    if (repository) scannedApis.add(repository);
    if (isWebUrl(s.target)) for (const id of apisOfSite(s.target)) scannedApis.add(id);
    if (scannedApis.size === 0 && optionApi) scannedApis.add(optionApi.id);
    for (const id of scannedApis) scopes.add(scopeKey(s.tool.name, id, null));
    if (target) scopes.add(scopeKey(s.tool.name, null, target));
    if (scannedApis.size > 0 || target) known += 1;
  }
  if (records.length === 0 && source.warn) {
    const what = scanned.slice(0, 5).map(describeScope).join(", ") + (scanned.length > 5 ? ` and ${scanned.length - 5} more` : "");
    source.warn(
      known > 0
        ? `the report lists no findings: a clean scan of ${what}`
        : `the report lists no findings (${what}); it names no target, so no earlier finding could be resolved (the ingest option api names the Api it covers)`,
    );
  }

  // 3. Which fingerprints exist already.
  const fingerprints = [...prepared.keys()];
  const existing = new Map<string, { id: string; status: string; apiId: string | null; decidedBy: string | null }>();
  for (let i = 0; i < fingerprints.length; i += CHUNK) {
    const rows = await tx.finding.findMany({
      where: { fingerprint: { in: fingerprints.slice(i, i + CHUNK) } },
      select: { id: true, fingerprint: true, status: true, apiId: true, decidedBy: true },
    });
    for (const row of rows) existing.set(row.fingerprint, row);
  }

  // 4. New findings and their "created" events.
  const creates: NewFinding[] = [];
  const created: { id: string; comment: string }[] = [];
  const seen: { id: string; p: Prepared; reopen: boolean; decidedBy: string | null }[] = [];
  const apiIds = new Set<string>();
  for (const p of prepared.values()) {
    if (!p.apiId) counts.findingsUnmapped += 1;
    else apiIds.add(p.apiId);
    const found = existing.get(p.fingerprint);
    if (found) {
      seen.push({ id: found.id, p, reopen: found.status === "resolved", decidedBy: found.decidedBy });
      if (found.apiId) apiIds.add(found.apiId);
      continue;
    }
    const id = randomUUID();
    creates.push({ id, p });
    created.push({ id, comment: `first seen in ${source.fileName}` });
  }
  for (let i = 0; i < creates.length; i += CHUNK) {
    counts.findingsCreated += await insertFindings(tx, creates.slice(i, i + CHUNK), nowIso, sla);
  }

  // 5. Seen again: one UPDATE for all of them (what the report says now); then the lifecycle reopens resolved ones
  //    as regressions.
  for (let i = 0; i < seen.length; i += CHUNK) {
    const batch = seen.slice(i, i + CHUNK);
    await tx.$executeRaw`
      UPDATE finding f SET
        "lastSeenAt" = ${nowIso}::timestamp,
        occurrences = u.occurrences,
        severity = u.severity,
        title = u.title,
        evidence = CASE WHEN u.evidence IS NULL THEN f.evidence ELSE u.evidence::jsonb END,
        location = u.location::jsonb,
        "apiId" = coalesce(u.api_id, f."apiId"),
        "endpointId" = coalesce(u.endpoint_id, f."endpointId"),
        "teamId" = coalesce(f."teamId", u.team_id),
        "toolTriage" = u.tool_triage::jsonb,
        "slaDueAt" = CASE WHEN u.sla_days IS NULL THEN NULL
          ELSE f."firstSeenAt" + u.sla_days * interval '1 day' + f."slaPausedSeconds" * interval '1 second' END,
        "updatedAt" = ${nowIso}::timestamp
      FROM unnest(
        ${batch.map((s) => s.id)}::text[],
        ${batch.map((s) => s.p.occurrences)}::int[],
        ${batch.map((s) => s.p.severity)}::text[],
        ${batch.map((s) => s.p.record.title)}::text[],
        ${batch.map((s) => (s.p.evidence ? JSON.stringify(s.p.evidence) : null))}::text[],
        ${batch.map((s) => JSON.stringify(s.p.location))}::text[],
        ${batch.map((s) => s.p.apiId)}::text[],
        ${batch.map((s) => s.p.endpointId)}::text[],
        ${batch.map((s) => s.p.teamId)}::text[],
        ${batch.map((s) => slaDays(s.p.severity, sla))}::int[],
        ${batch.map((s) => (s.p.toolTriage ? JSON.stringify(s.p.toolTriage) : null))}::text[]
      ) AS u(id, occurrences, severity, title, evidence, location, api_id, endpoint_id, team_id, sla_days, tool_triage)
      WHERE f.id = u.id`;
  }
  await recordCreated(tx, created, now);
  const reopened = await reportedAgain(
    tx,
    seen.filter((s) => s.reopen).map((s) => ({ id: s.id, why: `seen again in ${source.fileName}` })),
    now,
  );
  counts.findingsReopened = reopened.length;
  counts.findingsUpdated = seen.length - reopened.length;

  // Suppression rules in force, then the tool's own triage, on what this report contains: recorded a millisecond
  // after the creation and regression events, so that a finding's history reads in the order things happened.
  const decidedAt = new Date(now.getTime() + 1);
  const regressions = new Set(reopened);
  const suppressed = await suppressMatching(
    tx,
    [...creates.map((c) => ({ id: c.id, force: true })), ...seen.map((s) => ({ id: s.id, force: regressions.has(s.id) }))],
    decidedAt,
  );
  counts.findingsSuppressed = suppressed.length;
  const triaged = await applyToolTriage(
    tx,
    [
      ...creates.filter((c) => toolTriageState(c.p.toolTriage)).map((c) => ({ id: c.id, tool: toolKey(c.p.record.tool.name), triage: c.p.toolTriage })),
      ...seen
        .filter((s) => toolTriageState(s.p.toolTriage) || s.decidedBy === "tool")
        .map((s) => ({ id: s.id, tool: toolKey(s.p.record.tool.name), triage: s.p.toolTriage })),
    ],
    { at: decidedAt, maxAcceptanceDays: sla.maxAcceptanceDays },
  );
  counts.findingsTriagedByTool = triaged.length;
  await recordAudit(
    tx,
    triaged.map((t) => ({
      actor: { type: "tool" as const, id: t.tool },
      action: "finding.transition",
      target: { type: "finding", id: t.id },
      from: t.from,
      to: t.to,
      origin: "ingest" as const,
      details: { file: source.fileName },
    })),
    decidedAt,
  );

  // 6. Absent from this full scan of their scope: resolved as "not seen in rescan", with an event each.
  const seenIds = [...seen.map((s) => s.id), ...creates.map((c) => c.id)];
  const scopeList = [...scopes];
  if (scopeList.length) {
    const gone = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM finding
      WHERE kind = 'scan' AND "scopeKey" = ANY(${scopeList}::text[]) AND status = ANY(${RESOLVABLE}::text[])
        AND NOT EXISTS (SELECT 1 FROM unnest(${seenIds}::text[]) AS s(id) WHERE s.id = finding.id)`;
    const resolved = await resolveUnreported(
      tx,
      gone.map((g) => g.id),
      { resolution: NOT_SEEN_IN_RESCAN, comment: `not seen in rescan (${source.fileName})`, at: now },
    );
    counts.findingsResolved += resolved.length;
    for (const row of resolved) if (row.apiId) apiIds.add(row.apiId);
  }

  return { counts, apiIds: [...apiIds] };
}

interface NewFinding {
  id: string;
  p: Prepared;
}

/** One INSERT … SELECT FROM unnest(column arrays) per chunk: a fixed number of parameters whatever the row count. */
async function insertFindings(tx: Tx, rows: NewFinding[], nowIso: string, sla: SlaSettings): Promise<number> {
  const col = <T>(f: (p: Prepared, r: ScanFinding) => T): T[] => rows.map((row) => f(row.p, row.p.record));
  const cwe = col((_, r) => r.cwe ?? null);
  return tx.$executeRaw`
    INSERT INTO finding (id, kind, "ruleId", tool, title, description, severity, confidence, cwe, "owaspCategory", fingerprint,
      "scopeKey", "apiId", "endpointId", "teamId", location, evidence, remediation, occurrences, "toolTriage", status, "slaDueAt",
      "firstSeenAt", "lastSeenAt", "createdAt", "updatedAt")
    SELECT u.id, 'scan', u.rule_id, u.tool, u.title, u.description, u.severity, u.confidence, u.cwe, u.owasp, u.fingerprint,
      u.scope_key, u.api_id, u.endpoint_id, u.team_id, u.location::jsonb, u.evidence::jsonb, u.remediation, u.occurrences,
      u.tool_triage::jsonb, 'open', u.sla_due_at::timestamp, ${nowIso}::timestamp, ${nowIso}::timestamp, ${nowIso}::timestamp, ${nowIso}::timestamp
    FROM unnest(
      ${rows.map((r) => r.id)}::text[],
      ${col((_, r) => r.ruleId.slice(0, 300))}::text[],
      ${col((_, r) => toolKey(r.tool.name))}::text[],
      ${col((_, r) => r.title)}::text[],
      ${col((_, r) => r.description ?? null)}::text[],
      ${col((p) => p.severity)}::text[],
      ${col((_, r) => r.confidence ?? null)}::text[],
      ${cwe}::int[],
      ${cwe.map((c) => (c ? (owaspApiCategoryForCwe(c) ?? null) : null))}::text[],
      ${col((p) => p.fingerprint)}::text[],
      ${col((p) => p.scopeKey)}::text[],
      ${col((p) => p.apiId)}::text[],
      ${col((p) => p.endpointId)}::text[],
      ${col((p) => p.teamId)}::text[],
      ${col((p) => JSON.stringify(p.location))}::text[],
      ${col((p) => (p.evidence ? JSON.stringify(p.evidence) : null))}::text[],
      ${col((_, r) => r.remediation ?? null)}::text[],
      ${col((p) => p.occurrences)}::int[],
      ${col((p) => slaDueAt(p.severity, new Date(nowIso), sla)?.toISOString() ?? null)}::text[],
      ${col((p) => (p.toolTriage ? JSON.stringify(p.toolTriage) : null))}::text[]
    ) AS u(id, rule_id, tool, title, description, severity, confidence, cwe, owasp, fingerprint, scope_key, api_id, endpoint_id,
      team_id, location, evidence, remediation, occurrences, sla_due_at, tool_triage)`;
}
