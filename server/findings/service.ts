/**
 * Reading findings: the list (filters, sort and paging in the database), facet counts (groupBy in the database), one
 * finding with its history, open counts per Api, and mapping an unmapped finding to an Api.
 *
 * Object-level access (DESIGN.md §7):
 * - admin / security: every finding, including unmapped ones;
 * - developer: findings of the Apis their teams own now (server/auth/scope.ts); never unmapped findings;
 * - executive: counts only (summary, open counts per Api); the list and a finding's detail/evidence are FORBIDDEN.
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/server/audit/recorder";
import { can } from "@/server/auth/permissions";
import { type Actor, seesAllApis, seesDetail } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError, forbidden, notFound } from "@/server/domain/errors";
import { OWASP_API_CATEGORIES } from "@/server/domain/owasp";
import { SEVERITIES, type Severity } from "@/server/domain/severity";
import { storedShape } from "@/server/domain/stored-json";
import { ruleEvidenceFacts } from "./rule-evidence";
import { apiScope, findingScope } from "@/server/auth/scope";
import { ACTIVE_STATUSES, FINDING_KINDS, FINDING_STATUSES } from "@/server/domain/findings";
import {
  type assignApiOutput,
  type findingDetailOutput,
  type FindingFacets,
  type findingListOutput,
  findingLocation,
  findingEvidence,
  type findingSummaryOutput,
} from "./schemas";
import { isOverdue } from "./sla";
import { allowedTargets } from "./transitions";
import { recordFindingEvents } from "./lifecycle";

export const FINDING_SORTS = ["severity", "lastSeenAt", "firstSeenAt", "slaDueAt", "title", "occurrences"] as const;

export const findingFilterInput = z.object({
  severity: z.enum(SEVERITIES).optional(),
  /** A status, or "active" (open, triaged, in progress). */
  status: z.enum([...FINDING_STATUSES, "active"]).optional(),
  kind: z.enum(FINDING_KINDS).optional(),
  tool: z.string().trim().min(1).max(100).optional(),
  ruleId: z.string().trim().min(1).max(300).optional(),
  api: z.string().trim().min(1).max(120).optional(),
  team: z.string().trim().min(1).max(100).optional(),
  owasp: z.enum(OWASP_API_CATEGORIES as [string, ...string[]]).optional(),
  cwe: z.number().int().min(1).max(1_000_000).optional(),
  overdue: z.boolean().optional(),
  unmapped: z.boolean().optional(),
  q: z.string().trim().min(1).max(200).optional(),
});

export const findingListInput = findingFilterInput.extend({
  sort: z.enum(FINDING_SORTS).default("severity"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export type FindingFilterInput = z.input<typeof findingFilterInput>;
export type FindingListInput = z.input<typeof findingListInput>;
type Filters = z.output<typeof findingFilterInput>;

function requireDetail(actor: Actor): void {
  if (!seesDetail(actor)) throw forbidden("Executives see finding counts and reports, not individual findings or their evidence");
}

type Facet = "severity" | "status" | "tool" | "owasp";

function filterWhere(input: Filters, now: Date, omit?: Facet): Prisma.FindingWhereInput[] {
  const out: Prisma.FindingWhereInput[] = [];
  if (input.severity && omit !== "severity") out.push({ severity: input.severity });
  if (input.status && omit !== "status") {
    out.push(input.status === "active" ? { status: { in: [...ACTIVE_STATUSES] } } : { status: input.status });
  }
  if (input.tool && omit !== "tool") out.push({ tool: input.tool.toLowerCase() });
  if (input.owasp && omit !== "owasp") out.push({ owaspCategory: input.owasp });
  if (input.kind) out.push({ kind: input.kind });
  if (input.ruleId) out.push({ ruleId: input.ruleId });
  if (input.api) out.push({ api: { slug: input.api } });
  if (input.team) out.push({ team: { slug: input.team } });
  if (input.cwe) out.push({ cwe: input.cwe });
  if (input.overdue) out.push({ slaDueAt: { lt: now }, status: { in: [...ACTIVE_STATUSES] } });
  if (input.unmapped) out.push({ apiId: null });
  if (input.q) out.push({ title: { contains: input.q, mode: "insensitive" } });
  return out;
}

function tally(rows: { key: string | null; n: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.key ?? "none"] = (out[r.key ?? "none"] ?? 0) + r.n;
  return out;
}

/** Facet counts: each facet is counted under every filter except its own (so the other choices stay visible). */
async function facets(prisma: Db, scope: Prisma.FindingWhereInput, input: Filters, now: Date): Promise<FindingFacets> {
  const where = (omit: Facet): Prisma.FindingWhereInput => ({ AND: [scope, ...filterWhere(input, now, omit)] });
  const [severity, status, tool, owasp] = await Promise.all([
    prisma.finding.groupBy({ by: ["severity"], where: where("severity"), _count: { _all: true } }),
    prisma.finding.groupBy({ by: ["status"], where: where("status"), _count: { _all: true } }),
    prisma.finding.groupBy({ by: ["tool"], where: where("tool"), _count: { _all: true } }),
    prisma.finding.groupBy({ by: ["owaspCategory"], where: where("owasp"), _count: { _all: true } }),
  ]);
  return {
    severity: tally(severity.map((r) => ({ key: r.severity, n: r._count._all }))),
    status: tally(status.map((r) => ({ key: r.status, n: r._count._all }))),
    tool: tally(tool.map((r) => ({ key: r.tool, n: r._count._all }))),
    owasp: tally(owasp.map((r) => ({ key: r.owaspCategory, n: r._count._all }))),
  };
}

/** Counts for everyone who may see findings at all (executives included): total and facets. */
export async function summarizeFindings(prisma: Db, actor: Actor, rawInput: FindingFilterInput = {}, now = new Date()): Promise<z.infer<typeof findingSummaryOutput>> {
  const input = findingFilterInput.parse(rawInput);
  const f = await facets(prisma, findingScope(actor), input, now);
  const total = input.severity ? (f.severity[input.severity] ?? 0) : Object.values(f.severity).reduce((a, b) => a + b, 0);
  return { total, facets: f };
}

/** The columns of a list row (the Findings page, My findings). */
export const ROW_SELECT = {
  id: true,
  kind: true,
  title: true,
  severity: true,
  status: true,
  resolution: true,
  tool: true,
  ruleId: true,
  cwe: true,
  owaspCategory: true,
  occurrences: true,
  regression: true,
  slaDueAt: true,
  firstSeenAt: true,
  lastSeenAt: true,
  location: true,
  api: { select: { slug: true, name: true } },
  endpoint: { select: { method: true, path: true } },
  team: { select: { slug: true, name: true } },
} satisfies Prisma.FindingSelect;

export type Row = Prisma.FindingGetPayload<{ select: typeof ROW_SELECT }>;

/** A short "where" for lists: the endpoint, else the path or URL, else file:line. */
function whereLabel(row: { location: unknown; endpoint: { method: string; path: string } | null }): string | null {
  if (row.endpoint) return `${row.endpoint.method} ${row.endpoint.path}`;
  const loc = (row.location ?? {}) as { method?: string; path?: string; url?: string; file?: string; line?: number };
  if (loc.path) return `${loc.method ? `${loc.method} ` : ""}${loc.path}`;
  if (loc.url) return loc.url;
  if (loc.file) return loc.line !== undefined ? `${loc.file}:${loc.line}` : loc.file;
  return null;
}

export function toRow(row: Row, now: Date) {
  const { location: _location, ...rest } = row;
  return {
    ...rest,
    where: whereLabel(row),
    overdue: isOverdue(row, now),
    slaDueAt: row.slaDueAt?.toISOString() ?? null,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
  };
}

export async function listFindings(prisma: Db, actor: Actor, rawInput: FindingListInput = {}, now = new Date()): Promise<z.infer<typeof findingListOutput>> {
  requireDetail(actor);
  const input = findingListInput.parse(rawInput);
  const scope = findingScope(actor);
  const f = await facets(prisma, scope, input, now);
  const total = input.severity ? (f.severity[input.severity] ?? 0) : Object.values(f.severity).reduce((a, b) => a + b, 0);
  const skip = (input.page - 1) * input.pageSize;
  const base = filterWhere(input, now);
  let rows: Row[];
  if (input.sort === "severity") {
    // Severity is a word, not a rank: page through the severity buckets in rank order using the facet counts, so
    // that each page is at most two indexed queries.
    rows = [];
    const order = input.dir === "desc" ? SEVERITIES : [...SEVERITIES].reverse();
    let offset = skip;
    for (const severity of order) {
      if (input.severity && severity !== input.severity) continue;
      const n = f.severity[severity] ?? 0;
      if (offset >= n) {
        offset -= n;
        continue;
      }
      const want = input.pageSize - rows.length;
      rows.push(
        ...(await prisma.finding.findMany({
          where: { AND: [scope, ...base, { severity }] },
          orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
          skip: offset,
          take: want,
          select: ROW_SELECT,
        })),
      );
      offset = 0;
      if (rows.length >= input.pageSize) break;
    }
  } else {
    const primary: Prisma.FindingOrderByWithRelationInput =
      input.sort === "slaDueAt" ? { slaDueAt: { sort: input.dir, nulls: "last" } } : { [input.sort]: input.dir };
    rows = await prisma.finding.findMany({
      where: { AND: [scope, ...base] },
      orderBy: [primary, { id: "asc" }],
      skip,
      take: input.pageSize,
      select: ROW_SELECT,
    });
  }
  return { total, page: input.page, pageSize: input.pageSize, facets: f, rows: rows.map((r) => toRow(r, now)) };
}

/** The most findings one bulk action may select through a filter. */
export const MAX_SELECTION = 100_000;

/**
 * A filter of the Findings page as the ids of the findings it matches that the actor may see, in one query, for bulk
 * actions on "everything that matches" rather than ticked rows. More than `cap` matches is refused: narrow the filter.
 */
export async function findingIdsForFilter(
  prisma: Db,
  actor: Actor,
  rawFilter: FindingFilterInput,
  options: { now?: Date; cap?: number } = {},
): Promise<string[]> {
  requireDetail(actor);
  const filter = findingFilterInput.parse(rawFilter);
  const cap = options.cap ?? MAX_SELECTION;
  const rows = await prisma.finding.findMany({
    where: { AND: [findingScope(actor), ...filterWhere(filter, options.now ?? new Date())] },
    select: { id: true },
    orderBy: { id: "asc" },
    take: cap + 1,
  });
  if (rows.length > cap) {
    throw new DomainError("BAD_REQUEST", `more than ${cap.toLocaleString("en")} findings match; narrow the filter for a bulk action`);
  }
  return rows.map((r) => r.id);
}

export async function getFinding(prisma: Db, actor: Actor, id: string, now = new Date()): Promise<z.infer<typeof findingDetailOutput>> {
  requireDetail(actor);
  const finding = await prisma.finding.findFirst({
    where: { AND: [findingScope(actor), { id }] },
    include: {
      api: { select: { slug: true, name: true, baseUrl: true } },
      endpoint: { select: { method: true, path: true } },
      team: { select: { slug: true, name: true } },
      assignee: { select: { id: true, name: true, email: true } },
      // The latest 500 events, shown oldest first.
      events: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 500 },
    },
  });
  if (!finding) throw notFound("Finding");
  const events = finding.events.reverse();
  // Who: the people behind user and token events, the approver and the proposer, in one query.
  const userIds = new Set<string>();
  for (const e of events) if ((e.actorType === "user" || e.actorType === "token") && e.actorId) userIds.add(e.actorId);
  if (finding.acceptedById) userIds.add(finding.acceptedById);
  if (finding.proposedById) userIds.add(finding.proposedById);
  const [people, original] = await Promise.all([
    userIds.size ? prisma.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true, email: true } }) : [],
    finding.duplicateOfId
      ? prisma.finding.findFirst({ where: { AND: [findingScope(actor), { id: finding.duplicateOfId }] }, select: { id: true, title: true } })
      : null,
  ]);
  const person = new Map(people.map((p) => [p.id, { name: p.name, email: p.email }]));
  const writes = can(actor, "findings:write");
  return {
    id: finding.id,
    kind: finding.kind,
    ruleId: finding.ruleId,
    tool: finding.tool,
    title: finding.title,
    description: finding.description,
    severity: finding.severity,
    confidence: finding.confidence,
    cwe: finding.cwe,
    owaspCategory: finding.owaspCategory,
    status: finding.status,
    resolution: finding.resolution,
    regression: finding.regression,
    occurrences: finding.occurrences,
    remediation: finding.remediation,
    api: finding.api,
    endpoint: finding.endpoint,
    team: finding.team,
    assignee: finding.assignee,
    location: storedShape(findingLocation, finding.location),
    evidence: finding.evidence === null || finding.kind !== "scan" ? null : storedShape(findingEvidence, finding.evidence),
    ruleEvidence: finding.kind === "scan" ? [] : ruleEvidenceFacts(finding.evidence),
    overdue: isOverdue(finding, now),
    slaDueAt: finding.slaDueAt?.toISOString() ?? null,
    firstSeenAt: finding.firstSeenAt.toISOString(),
    lastSeenAt: finding.lastSeenAt.toISOString(),
    resolvedAt: finding.resolvedAt?.toISOString() ?? null,
    acceptance:
      finding.status === "risk_accepted"
        ? {
            reason: finding.acceptanceReason,
            approvedBy: finding.acceptedById ? (person.get(finding.acceptedById) ?? null) : null,
            until: finding.acceptedUntil?.toISOString() ?? null,
          }
        : null,
    duplicateOf: finding.duplicateOfId ? { id: finding.duplicateOfId, title: original?.title ?? null } : null,
    proposal: finding.proposedStatus
      ? { status: finding.proposedStatus, reason: finding.proposalReason, by: finding.proposedById ? (person.get(finding.proposedById) ?? null) : null }
      : null,
    actions: {
      moves: writes ? allowedTargets(finding.status, actor.role) : [],
      assign: writes,
      comment: writes,
      // Developers propose a false positive; security and admins decide it themselves.
      propose: writes && !can(actor, "findings:decide") && finding.status !== "false_positive" && !finding.proposedStatus,
      rejectProposal: can(actor, "findings:decide") && !!finding.proposedStatus,
    },
    history: events.map((e) => ({
      id: e.id,
      type: e.type,
      actorType: e.actorType,
      actor: (e.actorType === "user" || e.actorType === "token") && e.actorId ? (person.get(e.actorId) ?? null) : null,
      fromValue: e.fromValue,
      toValue: e.toValue,
      comment: e.comment,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}

export const assignApiInput = z.object({ id: z.string().min(1).max(64), api: z.string().trim().min(1).max(120) });

/** Admin/security: maps a finding (typically an unmapped one) to an Api; the owning team follows the Api. */
export async function assignFindingApi(prisma: Db, actor: Actor, raw: z.input<typeof assignApiInput>): Promise<z.infer<typeof assignApiOutput>> {
  if (!seesAllApis(actor)) throw forbidden("Only admins and the security team map findings to APIs");
  const input = assignApiInput.parse(raw);
  return prisma.$transaction(async (tx) => {
    const finding = await tx.finding.findUnique({ where: { id: input.id }, select: { id: true, apiId: true, api: { select: { slug: true } } } });
    if (!finding) throw notFound("Finding");
    const api = await tx.api.findUnique({ where: { slug: input.api }, select: { id: true, slug: true, ownerTeamId: true } });
    if (!api) throw notFound(`API "${input.api}"`);
    if (finding.apiId === api.id) return { id: finding.id, api: api.slug, changed: false };
    await tx.finding.update({ where: { id: finding.id }, data: { apiId: api.id, endpointId: null, teamId: api.ownerTeamId } });
    await recordFindingEvents(
      tx,
      [{ findingId: finding.id, type: "api_assigned", fromValue: finding.api?.slug ?? null, toValue: api.slug, actor: { type: actor.type, id: actor.userId } }],
      new Date(),
    );
    await recordAudit(tx, {
      actor: { type: actor.type, id: actor.userId },
      action: "finding.assign_api",
      target: { type: "finding", id: finding.id },
      details: { from: finding.api?.slug ?? null, to: api.slug },
    });
    return { id: finding.id, api: api.slug, changed: true };
  });
}

/** Open (active) findings of one Api by severity, for the Api page; null when the actor may not see the Api. */
export async function openFindingsBySeverity(prisma: Db, actor: Actor, slug: string): Promise<Record<Severity, number> | null> {
  const api = await prisma.api.findFirst({ where: { AND: [apiScope(actor), { slug }] }, select: { id: true } });
  if (!api) return null;
  const rows = await prisma.finding.groupBy({
    by: ["severity"],
    where: { apiId: api.id, status: { in: [...ACTIVE_STATUSES] } },
    _count: { _all: true },
  });
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const r of rows) if (r.severity in out) out[r.severity as Severity] = r._count._all;
  return out;
}
