/**
 * Exports of the inventory and findings with stable field names, as JSON or CSV, streamed: rows are read in
 * batches of 1,000 by id (keyset paging) and written as they come, so an export of 2,000 Apis × 20 endpoints never
 * builds one giant string or array. Used by `postern export`; the web app can reuse `writeExport` with any sink.
 *
 * No access control here: the caller decides who may export what (the CLI runs with the operator's database access).
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db/client";
import { csvLines } from "@/server/domain/csv";
import { isOverdue } from "@/server/findings/sla";

export const EXPORT_KINDS = ["apis", "endpoints", "findings"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ["json", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_BATCH_SIZE = 1000;

export class ExportError extends Error {
  override name = "ExportError";
}

export interface ExportOptions {
  /** Only Apis (and their endpoints and findings) owned by this team slug; findings assigned to it too. */
  team?: string;
  batchSize?: number;
  /** Stops between batches when aborted. */
  signal?: AbortSignal;
}

export type SecurityMode = "public" | "undeclared" | "required";

export interface EndpointFields {
  method: string;
  path: string;
  summary: string | null;
  deprecated: boolean;
  security: SecurityMode;
  auth: string[];
  dataClasses: string[];
  documented: boolean;
  observed: boolean;
}

export interface RiskFactor {
  name: string;
  points: number;
}

export interface ApiExport {
  name: string;
  slug: string;
  baseUrl: string | null;
  owner: string | null;
  lifecycle: string | null;
  exposure: string | null;
  version: string | null;
  auth: string[];
  dataClasses: string[];
  documentedEndpoints: number;
  observedEndpoints: number;
  /** Ingest formats that mention the Api; "traffic" for an Api known only from traffic (a shadow API). */
  sources: string[];
  /** Known only from traffic: no inventory mentions it yet. */
  observedOnly: boolean;
  riskScore: number | null;
  riskBand: string | null;
  factors: RiskFactor[];
  endpoints: EndpointFields[];
}

export interface EndpointExport extends EndpointFields {
  api: { name: string; slug: string; baseUrl: string | null };
}

export interface FindingExport {
  id: string;
  ruleId: string;
  kind: string;
  tool: string | null;
  title: string;
  severity: string;
  status: string;
  cwe: number | null;
  owaspCategory: string | null;
  api: { name: string; baseUrl: string | null } | null;
  endpoint: { method: string; path: string } | null;
  location: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
  slaDueAt: string | null;
  regression: boolean;
  occurrences: number;
  /** The scanner's own triage as its last report stated it ({ state, kind?, justification? }), else null. */
  toolTriage: unknown;
  /** The assignee's email. */
  assignee: string | null;
  /** The slug of the team that works on it. */
  team: string | null;
  /** Past its SLA due date and still active, at the time of the export. */
  overdue: boolean;
  /** status risk_accepted: why, who approved it (email; null for a scanner's own acceptance), until when. */
  acceptance: { reason: string | null; approver: string | null; expiresAt: string | null } | null;
  /** The suppression rule that set its state: its id, "ruleId on Apis <glob> at <glob>", and why. */
  suppressedBy: { id: string; rule: string; reason: string } | null;
}

export interface ExportRecordOf {
  apis: ApiExport;
  endpoints: EndpointExport;
  findings: FindingExport;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping rows to records

const ENDPOINT_SELECT = {
  method: true,
  path: true,
  summary: true,
  deprecated: true,
  securityMode: true,
  authKinds: true,
  dataClasses: true,
  documented: true,
  observed: true,
} as const satisfies Prisma.EndpointSelect;

type EndpointRow = Prisma.EndpointGetPayload<{ select: typeof ENDPOINT_SELECT }>;

function securityMode(mode: string): SecurityMode {
  return mode === "public" || mode === "required" ? mode : "undeclared";
}

function endpointFields(row: EndpointRow): EndpointFields {
  return {
    method: row.method,
    path: row.path,
    summary: row.summary,
    deprecated: row.deprecated,
    security: securityMode(row.securityMode),
    auth: row.authKinds,
    dataClasses: row.dataClasses,
    documented: row.documented,
    observed: row.observed,
  };
}

/** Api.riskFactors when it is an array of {name, points}; anything else (not computed yet) is []. */
export function riskFactors(value: unknown): RiskFactor[] {
  if (!Array.isArray(value)) return [];
  const factors: RiskFactor[] = [];
  for (const item of value) {
    if (!item || typeof item !== "object") continue;
    const { name, points } = item as { name?: unknown; points?: unknown };
    if (typeof name === "string" && typeof points === "number" && Number.isFinite(points)) factors.push({ name, points });
  }
  return factors;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

// ---------------------------------------------------------------------------------------------------------------
// Reading in batches

async function teamFilter(prisma: Db, team: string | undefined): Promise<string | undefined> {
  if (team === undefined) return undefined;
  const found = await prisma.team.findUnique({ where: { slug: team }, select: { id: true } });
  if (!found) throw new ExportError(`no team with slug "${team}"`);
  return found.id;
}

/** Keyset paging by id: each batch starts after the last id of the previous one. */
async function* pages<T extends { id: string }>(
  fetch: (after: string | undefined, take: number) => Promise<T[]>,
  options: ExportOptions,
): AsyncGenerator<T[]> {
  const take = options.batchSize ?? EXPORT_BATCH_SIZE;
  let after: string | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new ExportError("export cancelled");
    const rows = await fetch(after, take);
    if (rows.length) yield rows;
    if (rows.length < take) return;
    after = rows[rows.length - 1]?.id;
  }
}

const afterId = (after: string | undefined) => (after === undefined ? {} : { id: { gt: after } });

export async function* exportApis(prisma: Db, options: ExportOptions = {}): AsyncGenerator<ApiExport> {
  const teamId = await teamFilter(prisma, options.team);
  const where: Prisma.ApiWhereInput = teamId ? { ownerTeamId: teamId } : {};
  const batches = pages(
    (after, take) =>
      prisma.api.findMany({
        where: { ...where, ...afterId(after) },
        orderBy: { id: "asc" },
        take,
        select: {
          id: true,
          name: true,
          slug: true,
          baseUrl: true,
          ownerTeam: { select: { slug: true } },
          lifecycle: true,
          exposure: true,
          version: true,
          authKinds: true,
          dataClasses: true,
          documentedEndpoints: true,
          observedEndpoints: true,
          sourceFormats: true,
          discoveredFromTraffic: true,
          riskScore: true,
          riskBand: true,
          riskFactors: true,
          endpoints: { select: ENDPOINT_SELECT, orderBy: [{ path: "asc" }, { method: "asc" }] },
        },
      }),
    options,
  );
  for await (const rows of batches) {
    for (const row of rows) {
      yield {
        name: row.name,
        slug: row.slug,
        baseUrl: row.baseUrl,
        owner: row.ownerTeam?.slug ?? null,
        lifecycle: row.lifecycle,
        exposure: row.exposure,
        version: row.version,
        auth: row.authKinds,
        dataClasses: row.dataClasses,
        documentedEndpoints: row.documentedEndpoints,
        observedEndpoints: row.observedEndpoints,
        sources: row.discoveredFromTraffic ? ["traffic", ...row.sourceFormats] : row.sourceFormats,
        observedOnly: row.discoveredFromTraffic,
        riskScore: row.riskScore,
        riskBand: row.riskBand,
        factors: riskFactors(row.riskFactors),
        endpoints: row.endpoints.map(endpointFields),
      };
    }
  }
}

export async function* exportEndpoints(prisma: Db, options: ExportOptions = {}): AsyncGenerator<EndpointExport> {
  const teamId = await teamFilter(prisma, options.team);
  const where: Prisma.EndpointWhereInput = teamId ? { api: { ownerTeamId: teamId } } : {};
  const batches = pages(
    (after, take) =>
      prisma.endpoint.findMany({
        where: { ...where, ...afterId(after) },
        orderBy: { id: "asc" },
        take,
        select: { id: true, ...ENDPOINT_SELECT, api: { select: { name: true, slug: true, baseUrl: true } } },
      }),
    options,
  );
  for await (const rows of batches) {
    for (const row of rows) yield { api: { name: row.api.name, slug: row.api.slug, baseUrl: row.api.baseUrl }, ...endpointFields(row) };
  }
}

export async function* exportFindings(prisma: Db, options: ExportOptions = {}): AsyncGenerator<FindingExport> {
  const teamId = await teamFilter(prisma, options.team);
  const where: Prisma.FindingWhereInput = teamId ? { OR: [{ teamId }, { api: { ownerTeamId: teamId } }] } : {};
  const batches = pages(
    (after, take) =>
      prisma.finding.findMany({
        where: { ...where, ...afterId(after) },
        orderBy: { id: "asc" },
        take,
        select: {
          id: true,
          ruleId: true,
          kind: true,
          tool: true,
          title: true,
          severity: true,
          status: true,
          cwe: true,
          owaspCategory: true,
          api: { select: { name: true, baseUrl: true } },
          endpoint: { select: { method: true, path: true } },
          location: true,
          firstSeenAt: true,
          lastSeenAt: true,
          slaDueAt: true,
          regression: true,
          occurrences: true,
          toolTriage: true,
          assignee: { select: { email: true } },
          team: { select: { slug: true } },
          acceptanceReason: true,
          acceptedById: true,
          acceptedUntil: true,
          suppressionRule: { select: { id: true, ruleId: true, apiPattern: true, pathPattern: true, reason: true } },
        },
      }),
    options,
  );
  const now = new Date();
  for await (const rows of batches) {
    const approverIds = [...new Set(rows.map((r) => r.acceptedById).filter((id): id is string => !!id))];
    const approvers = new Map(
      approverIds.length ? (await prisma.user.findMany({ where: { id: { in: approverIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]) : [],
    );
    for (const row of rows) {
      const rule = row.suppressionRule;
      yield {
        id: row.id,
        ruleId: row.ruleId,
        kind: row.kind,
        tool: row.tool,
        title: row.title,
        severity: row.severity,
        status: row.status,
        cwe: row.cwe,
        owaspCategory: row.owaspCategory,
        api: row.api ? { name: row.api.name, baseUrl: row.api.baseUrl } : null,
        endpoint: row.endpoint ? { method: row.endpoint.method, path: row.endpoint.path } : null,
        location: row.location ?? null,
        firstSeenAt: row.firstSeenAt.toISOString(),
        lastSeenAt: row.lastSeenAt.toISOString(),
        slaDueAt: iso(row.slaDueAt),
        regression: row.regression,
        occurrences: row.occurrences,
        toolTriage: row.toolTriage ?? null,
        assignee: row.assignee?.email ?? null,
        team: row.team?.slug ?? null,
        overdue: isOverdue(row, now),
        acceptance:
          row.status === "risk_accepted"
            ? { reason: row.acceptanceReason, approver: row.acceptedById ? (approvers.get(row.acceptedById) ?? null) : null, expiresAt: iso(row.acceptedUntil) }
            : null,
        suppressedBy: rule
          ? {
              id: rule.id,
              rule: [rule.ruleId, rule.apiPattern ? `on Apis ${rule.apiPattern}` : null, rule.pathPattern ? `at ${rule.pathPattern}` : null].filter(Boolean).join(" "),
              reason: rule.reason,
            }
          : null,
      };
    }
  }
}

export function exportRecords<K extends ExportKind>(prisma: Db, kind: K, options: ExportOptions = {}): AsyncGenerator<ExportRecordOf[K]> {
  const generators: { [P in ExportKind]: (prisma: Db, options: ExportOptions) => AsyncGenerator<ExportRecordOf[P]> } = {
    apis: exportApis,
    endpoints: exportEndpoints,
    findings: exportFindings,
  };
  return generators[kind](prisma, options);
}

// ---------------------------------------------------------------------------------------------------------------
// CSV: a fixed header per kind (stable even when a nested object is null), nested objects dotted, arrays joined
// with ";", RFC 4180 quoting and formula neutralising by server/domain/csv.ts.

type Cell = string | number | boolean | null | undefined;

interface CsvColumn<R> {
  header: string;
  value: (record: R) => Cell | readonly Cell[];
}

const ENDPOINT_COLUMNS: CsvColumn<EndpointFields>[] = [
  { header: "method", value: (r) => r.method },
  { header: "path", value: (r) => r.path },
  { header: "summary", value: (r) => r.summary },
  { header: "deprecated", value: (r) => r.deprecated },
  { header: "security", value: (r) => r.security },
  { header: "auth", value: (r) => r.auth },
  { header: "dataClasses", value: (r) => r.dataClasses },
  { header: "documented", value: (r) => r.documented },
  { header: "observed", value: (r) => r.observed },
];

export const CSV_COLUMNS: { [K in ExportKind]: CsvColumn<ExportRecordOf[K]>[] } = {
  apis: [
    { header: "name", value: (r) => r.name },
    { header: "slug", value: (r) => r.slug },
    { header: "baseUrl", value: (r) => r.baseUrl },
    { header: "owner", value: (r) => r.owner },
    { header: "lifecycle", value: (r) => r.lifecycle },
    { header: "exposure", value: (r) => r.exposure },
    { header: "version", value: (r) => r.version },
    { header: "auth", value: (r) => r.auth },
    { header: "dataClasses", value: (r) => r.dataClasses },
    { header: "documentedEndpoints", value: (r) => r.documentedEndpoints },
    { header: "observedEndpoints", value: (r) => r.observedEndpoints },
    { header: "sources", value: (r) => r.sources },
    { header: "riskScore", value: (r) => r.riskScore },
    { header: "riskBand", value: (r) => r.riskBand },
    { header: "factors", value: (r) => r.factors.map((f) => `${f.name}:${f.points}`) },
    // One row per Api: its endpoints as "METHOD path" (the endpoints export has them in full).
    { header: "endpoints", value: (r) => r.endpoints.map((e) => `${e.method} ${e.path}`) },
  ],
  endpoints: [
    { header: "api.name", value: (r) => r.api.name },
    { header: "api.slug", value: (r) => r.api.slug },
    { header: "api.baseUrl", value: (r) => r.api.baseUrl },
    ...ENDPOINT_COLUMNS,
  ],
  findings: [
    { header: "id", value: (r) => r.id },
    { header: "ruleId", value: (r) => r.ruleId },
    { header: "kind", value: (r) => r.kind },
    { header: "tool", value: (r) => r.tool },
    { header: "title", value: (r) => r.title },
    { header: "severity", value: (r) => r.severity },
    { header: "status", value: (r) => r.status },
    { header: "cwe", value: (r) => r.cwe },
    { header: "owaspCategory", value: (r) => r.owaspCategory },
    { header: "api.name", value: (r) => r.api?.name },
    { header: "api.baseUrl", value: (r) => r.api?.baseUrl },
    { header: "endpoint.method", value: (r) => r.endpoint?.method },
    { header: "endpoint.path", value: (r) => r.endpoint?.path },
    // Location shapes differ by tool (URL, file + line…): kept as compact JSON.
    { header: "location", value: (r) => (r.location === null || r.location === undefined ? null : JSON.stringify(r.location)) },
    { header: "firstSeenAt", value: (r) => r.firstSeenAt },
    { header: "lastSeenAt", value: (r) => r.lastSeenAt },
    { header: "slaDueAt", value: (r) => r.slaDueAt },
    { header: "regression", value: (r) => r.regression },
    { header: "occurrences", value: (r) => r.occurrences },
    { header: "toolTriage", value: (r) => (r.toolTriage === null || r.toolTriage === undefined ? null : JSON.stringify(r.toolTriage)) },
    { header: "assignee", value: (r) => r.assignee },
    { header: "team", value: (r) => r.team },
    { header: "overdue", value: (r) => r.overdue },
    { header: "acceptance.reason", value: (r) => r.acceptance?.reason },
    { header: "acceptance.approver", value: (r) => r.acceptance?.approver },
    { header: "acceptance.expiresAt", value: (r) => r.acceptance?.expiresAt },
    { header: "suppressedBy.id", value: (r) => r.suppressedBy?.id },
    { header: "suppressedBy.rule", value: (r) => r.suppressedBy?.rule },
  ],
};

function cellText(value: Cell): string {
  return value === null || value === undefined ? "" : String(value);
}

export function csvHeader(kind: ExportKind): string[] {
  return CSV_COLUMNS[kind].map((c) => c.header);
}

export function csvCells<K extends ExportKind>(kind: K, record: ExportRecordOf[K]): string[] {
  const columns = CSV_COLUMNS[kind] as CsvColumn<ExportRecordOf[K]>[];
  return columns.map((column) => {
    const value = column.value(record);
    return Array.isArray(value) ? value.map((v: Cell) => cellText(v)).join(";") : cellText(value as Cell);
  });
}



// ---------------------------------------------------------------------------------------------------------------
// Writing

/** Where an export goes: a stream writer that may apply backpressure by returning a promise. */
export type ExportSink = (chunk: string) => void | Promise<void>;

/** Rows per write: big enough to keep writes few, small enough to keep memory flat. */
const ROWS_PER_CHUNK = 200;

/** Streams an export to `sink`. Returns the number of records written. */
export async function writeExport(
  prisma: Db,
  kind: ExportKind,
  format: ExportFormat,
  sink: ExportSink,
  options: ExportOptions = {},
): Promise<number> {
  const records = exportRecords(prisma, kind, options);
  let count = 0;
  if (format === "json") {
    let chunk = "[";
    for await (const record of records) {
      chunk += `${count === 0 ? "\n" : ",\n"}${JSON.stringify(record)}`;
      count += 1;
      if (count % ROWS_PER_CHUNK === 0) {
        await sink(chunk);
        chunk = "";
      }
    }
    await sink(`${chunk}${count === 0 ? "]\n" : "\n]\n"}`);
    return count;
  }
  await sink(csvLines([csvHeader(kind)]));
  let rows: string[][] = [];
  for await (const record of records) {
    rows.push(csvCells(kind, record));
    count += 1;
    if (rows.length === ROWS_PER_CHUNK) {
      await sink(csvLines(rows));
      rows = [];
    }
  }
  if (rows.length) await sink(csvLines(rows));
  return count;
}
