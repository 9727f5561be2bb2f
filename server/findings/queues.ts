/**
 * The work lists of the remediation workflow (DESIGN.md §5), read side:
 * - My findings: the active findings assigned to me, then my teams' unassigned active ones; overdue first, then by
 *   due date; each row with the moves the reader may make;
 * - the triage queue of the security team: new findings (open, nobody assigned), unowned ones (no Api or an Api
 *   without an owning team) and developers' pending proposals, grouped by rule and Api so that one decision covers a
 *   group;
 * - the counts the navigation shows;
 * - who may be assigned a finding (the members of its Api's owning team; the security team for unowned findings).
 *
 * Everything is read within the actor's scope (server/auth/scope.ts).
 */
import { z } from "zod";
import { Prisma } from "@/generated/prisma/client";
import { can } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import { findingScope, findingSqlScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import { forbidden, notFound } from "@/server/domain/errors";
import { ACTIVE_STATUSES, FINDING_STATUSES } from "@/server/domain/findings";
import { SEVERITIES } from "@/server/domain/severity";
import { findingRowOutput } from "./schemas";
import { ROW_SELECT, toRow } from "./service";
import { allowedTargets } from "./transitions";

const ACTIVE = [...ACTIVE_STATUSES];
const person = z.object({ id: z.string(), name: z.string(), email: z.string() });

// ---------------------------------------------------------------------------------------------------------------
// My findings

export const myFindingsInput = z.object({
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(50),
});

export const myFindingRow = findingRowOutput.extend({
  assignee: person.nullable(),
  /** Assigned to the reader (else: their team's, unassigned). */
  assignedToMe: z.boolean(),
  /** A developer's pending proposal (false_positive). */
  proposedStatus: z.string().nullable(),
  /** The states the reader may move it to (server/findings/transitions.ts). */
  moves: z.array(z.enum(FINDING_STATUSES)),
});

export const myCounts = z.object({
  /** Active findings assigned to me. */
  assigned: z.number().int(),
  /** Active, unassigned findings of my teams' Apis. */
  team: z.number().int(),
  /** Of both, those past their SLA. */
  overdue: z.number().int(),
});

export const myFindingsOutput = z.object({
  counts: myCounts,
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  rows: z.array(myFindingRow),
});

/**
 * The two buckets of My findings as one row set (finding `id`, `bucket` 0 = assigned to me, 1 = my teams'
 * unassigned, its due date and first sighting), each reached by its own index: mine by (assigneeId, status), the
 * team's by (teamId, assigneeId, status), so neither reads other teams' findings. A finding's teamId follows its
 * Api's owner (server/findings/ownership.ts); the join on the Api's owner is the reader's scope all the same.
 */
function myBucketsSql(actor: Actor): Prisma.Sql {
  const active = Prisma.sql`${ACTIVE}::text[]`;
  return Prisma.sql`
    SELECT f.id, 0 AS bucket, f."slaDueAt", f."firstSeenAt"
      FROM finding f LEFT JOIN api a ON a.id = f."apiId"
     WHERE f."assigneeId" = ${actor.userId} AND f.status = ANY(${active}) AND ${findingSqlScope(actor)}
    UNION ALL
    SELECT f.id, 1 AS bucket, f."slaDueAt", f."firstSeenAt"
      FROM finding f JOIN api a ON a.id = f."apiId"
     WHERE f."teamId" = ANY(${actor.teamIds}::text[]) AND f."assigneeId" IS NULL AND f.status = ANY(${active})
       AND a."ownerTeamId" = ANY(${actor.teamIds}::text[])`;
}

/** The counts of both buckets in one pass (the navigation shows them on every page). */
async function countMine(prisma: Db, actor: Actor, now: Date): Promise<z.infer<typeof myCounts>> {
  const [row] = await prisma.$queryRaw<{ assigned: number; team: number; overdue: number }[]>`
    SELECT count(*) FILTER (WHERE bucket = 0)::int AS assigned,
           count(*) FILTER (WHERE bucket = 1)::int AS team,
           count(*) FILTER (WHERE "slaDueAt" < ${now})::int AS overdue
      FROM (${myBucketsSql(actor)}) AS mine`;
  return { assigned: row?.assigned ?? 0, team: row?.team ?? 0, overdue: row?.overdue ?? 0 };
}

const MY_SELECT = { ...ROW_SELECT, assignee: { select: { id: true, name: true, email: true } }, proposedStatus: true } satisfies Prisma.FindingSelect;

/**
 * My findings, one page: those assigned to me, then my teams' unassigned ones; within each, by due date (overdue ones
 * come first, as their due date has passed; no SLA last). The page's ids with the counts in one query over the buckets'
 * indexes, then the page's rows with their relations.
 */
export async function myFindings(prisma: Db, actor: Actor, raw: z.input<typeof myFindingsInput> = {}, now = new Date()): Promise<z.infer<typeof myFindingsOutput>> {
  if (!can(actor, "findings:read")) throw forbidden("Requires permission findings:read");
  const input = myFindingsInput.parse(raw);
  const skip = (input.page - 1) * input.pageSize;
  // The counts come with the page (window aggregates over the same rows: one pass); only a page past the end,
  // which has no row to carry them, counts again.
  const page = await prisma.$queryRaw<{ id: string; assigned: number; team: number; overdue: number }[]>`
    SELECT id,
           (count(*) FILTER (WHERE bucket = 0) OVER ())::int AS assigned,
           (count(*) FILTER (WHERE bucket = 1) OVER ())::int AS team,
           (count(*) FILTER (WHERE "slaDueAt" < ${now}) OVER ())::int AS overdue
      FROM (${myBucketsSql(actor)}) AS mine
     ORDER BY bucket, "slaDueAt" ASC NULLS LAST, "firstSeenAt" ASC, id ASC
     LIMIT ${input.pageSize} OFFSET ${skip}`;
  const counts = page[0] ? { assigned: page[0].assigned, team: page[0].team, overdue: page[0].overdue } : await countMine(prisma, actor, now);
  const ids = page.map((r) => r.id);
  const found = ids.length ? await prisma.finding.findMany({ where: { id: { in: ids } }, select: MY_SELECT }) : [];
  const byId = new Map(found.map((r) => [r.id, r]));
  // A finding deleted between the two reads is left out rather than failing the page.
  const rows = ids.flatMap((id) => byId.get(id) ?? []);
  return {
    counts,
    total: counts.assigned + counts.team,
    page: input.page,
    pageSize: input.pageSize,
    rows: rows.map((r) => ({
      ...toRow(r, now),
      assignee: r.assignee,
      assignedToMe: r.assignee?.id === actor.userId,
      proposedStatus: r.proposedStatus,
      moves: can(actor, "findings:write") ? allowedTargets(r.status, actor.role) : [],
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The triage queue

/** One group of the queue: a rule (tool + rule id) on one Api (slug; null for findings without an Api). */
export const triageGroupKey = z.object({
  ruleId: z.string().min(1).max(300),
  tool: z.string().max(100).nullable(),
  api: z.string().min(1).max(120).nullable(),
});
export type TriageGroupKey = z.infer<typeof triageGroupKey>;

export const triageQueueInput = z.object({
  /** Only one kind of entry: new (open, unassigned), unowned (no owning team), proposed (a pending proposal). */
  only: z.enum(["new", "unowned", "proposed"]).optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});

export const triageGroupOutput = z.object({
  key: triageGroupKey,
  title: z.string(),
  kind: z.string(),
  severity: z.string(),
  api: z.object({ slug: z.string(), name: z.string() }).nullable(),
  team: z.object({ slug: z.string(), name: z.string() }).nullable(),
  /** Findings of the group in the queue. */
  count: z.number().int(),
  /** Of them: new, without an owning team, with a pending proposal, past their SLA. */
  new: z.number().int(),
  unowned: z.number().int(),
  proposed: z.number().int(),
  overdue: z.number().int(),
  /** A developer's reason, when one proposed a false positive in this group. */
  proposalReason: z.string().nullable(),
  /** One finding of the group: its page, and whom it may be assigned to (findings.assignees). */
  sampleId: z.string(),
  firstSeenAt: z.string(),
});

export const triageQueueOutput = z.object({
  /** Findings and groups in the queue (under `only`). */
  findings: z.number().int(),
  groups: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  rows: z.array(triageGroupOutput),
});

type Only = z.infer<typeof triageQueueInput>["only"];

/** Queue membership on finding `f` joined to its Api `a` (LEFT JOIN). */
function queueSql(only: Only): Prisma.Sql {
  const isNew = Prisma.sql`(f.status = 'open' AND f."assigneeId" IS NULL)`;
  const unowned = Prisma.sql`(f.status = ANY(${ACTIVE}::text[]) AND a."ownerTeamId" IS NULL)`;
  const proposed = Prisma.sql`(f."proposedStatus" IS NOT NULL)`;
  if (only === "new") return isNew;
  if (only === "unowned") return unowned;
  if (only === "proposed") return proposed;
  return Prisma.sql`(${isNew} OR ${unowned} OR ${proposed})`;
}


/** 0 for critical … 4 for info (constants of server/domain/severity.ts, written into the SQL). */
const SEVERITY_RANK = Prisma.raw(`CASE f.severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(" ")} ELSE ${SEVERITIES.length} END`);

function requireDecide(actor: Actor): void {
  if (!can(actor, "findings:decide")) throw forbidden("Requires permission findings:decide");
}

/** The triage queue, grouped by rule and Api: most severe groups first, then the largest. */
export async function triageQueue(prisma: Db, actor: Actor, raw: z.input<typeof triageQueueInput> = {}, now = new Date()): Promise<z.infer<typeof triageQueueOutput>> {
  requireDecide(actor);
  const input = triageQueueInput.parse(raw);
  const where = Prisma.sql`${queueSql(input.only)} AND ${findingSqlScope(actor)}`;
  const [totals] = await prisma.$queryRaw<{ findings: number; groups: number }[]>`
    SELECT count(*)::int AS findings, count(DISTINCT (f."ruleId", coalesce(f.tool, ''), coalesce(f."apiId", '')))::int AS groups
    FROM finding f LEFT JOIN api a ON a.id = f."apiId"
    WHERE ${where}`;
  const rows = await prisma.$queryRaw<
    {
      ruleId: string; tool: string | null; apiSlug: string | null; apiName: string | null; teamSlug: string | null; teamName: string | null;
      title: string; kind: string; rank: number; count: number; new: number; unowned: number; proposed: number; overdue: number;
      proposalReason: string | null; sampleId: string; firstSeenAt: Date;
    }[]
  >`
    SELECT f."ruleId", f.tool, a.slug AS "apiSlug", a.name AS "apiName", t.slug AS "teamSlug", t.name AS "teamName",
      min(f.title) AS title, min(f.kind) AS kind, min(${SEVERITY_RANK})::int AS rank,
      count(*)::int AS count,
      count(*) FILTER (WHERE f.status = 'open' AND f."assigneeId" IS NULL)::int AS new,
      count(*) FILTER (WHERE a."ownerTeamId" IS NULL)::int AS unowned,
      count(*) FILTER (WHERE f."proposedStatus" IS NOT NULL)::int AS proposed,
      count(*) FILTER (WHERE f.status = ANY(${ACTIVE}::text[]) AND f."slaDueAt" < ${now})::int AS overdue,
      min(f."proposalReason") AS "proposalReason",
      min(f.id) AS "sampleId", min(f."firstSeenAt") AS "firstSeenAt"
    FROM finding f LEFT JOIN api a ON a.id = f."apiId" LEFT JOIN team t ON t.id = a."ownerTeamId"
    WHERE ${where}
    GROUP BY f."ruleId", f.tool, f."apiId", a.slug, a.name, t.slug, t.name
    ORDER BY rank ASC, count DESC, f."ruleId" ASC, a.slug ASC NULLS FIRST
    LIMIT ${input.pageSize} OFFSET ${(input.page - 1) * input.pageSize}`;
  return {
    findings: totals?.findings ?? 0,
    groups: totals?.groups ?? 0,
    page: input.page,
    pageSize: input.pageSize,
    rows: rows.map((r) => ({
      key: { ruleId: r.ruleId, tool: r.tool, api: r.apiSlug },
      title: r.title,
      kind: r.kind,
      severity: SEVERITIES[r.rank] ?? "info",
      api: r.apiSlug && r.apiName ? { slug: r.apiSlug, name: r.apiName } : null,
      team: r.teamSlug && r.teamName ? { slug: r.teamSlug, name: r.teamName } : null,
      count: r.count,
      new: r.new,
      unowned: r.unowned,
      proposed: r.proposed,
      overdue: r.overdue,
      proposalReason: r.proposalReason,
      sampleId: r.sampleId,
      firstSeenAt: r.firstSeenAt.toISOString(),
    })),
  };
}

/** The findings of one group of the queue (as the queue shows it now), for a decision on the whole group. */
export async function triageGroupIds(prisma: Db, actor: Actor, key: TriageGroupKey, only?: Only): Promise<string[]> {
  requireDecide(actor);
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT f.id FROM finding f LEFT JOIN api a ON a.id = f."apiId"
    WHERE ${queueSql(only)} AND ${findingSqlScope(actor)}
      AND f."ruleId" = ${key.ruleId} AND f.tool IS NOT DISTINCT FROM ${key.tool} AND a.slug IS NOT DISTINCT FROM ${key.api}
    ORDER BY f.id`;
  return rows.map((r) => r.id);
}

async function queueSize(prisma: Db, actor: Actor): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM finding f LEFT JOIN api a ON a.id = f."apiId" WHERE ${queueSql(undefined)} AND ${findingSqlScope(actor)}`;
  return row?.n ?? 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Navigation counts

export const findingCountsOutput = z.object({
  /** Active findings assigned to me. */
  assigned: z.number().int(),
  /** My findings (assigned to me, or my teams' unassigned) past their SLA. */
  overdue: z.number().int(),
  /** Findings in the triage queue; null for those who do not triage. */
  triage: z.number().int().nullable(),
});

export async function findingCounts(prisma: Db, actor: Actor, now = new Date()): Promise<z.infer<typeof findingCountsOutput>> {
  if (!can(actor, "findings:read")) throw forbidden("Requires permission findings:read");
  const [mine, triage] = await Promise.all([countMine(prisma, actor, now), can(actor, "findings:decide") ? queueSize(prisma, actor) : null]);
  return { assigned: mine.assigned, overdue: mine.overdue, triage };
}

// ---------------------------------------------------------------------------------------------------------------
// Assignees

export const assigneesInput = z.object({ id: z.string().min(1).max(64) });
export const assigneesOutput = z.object({
  /** The team that works on the finding (its Api's owner); null: the security team's. */
  team: z.object({ slug: z.string(), name: z.string() }).nullable(),
  people: z.array(person.extend({ role: z.string() })),
});

/**
 * Who may be assigned a finding (as server/findings/workflow.ts assignFindingsTo checks it): active members of its
 * Api's owning team, else (no owning team) active security people and admins.
 */
export async function assigneesOf(prisma: Db, actor: Actor, raw: z.input<typeof assigneesInput>): Promise<z.infer<typeof assigneesOutput>> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = assigneesInput.parse(raw);
  const finding = await prisma.finding.findFirst({
    where: { AND: [findingScope(actor), { id: input.id }] },
    select: { teamId: true, api: { select: { ownerTeamId: true } } },
  });
  if (!finding) throw notFound("Finding");
  const teamId = finding.api?.ownerTeamId ?? finding.teamId;
  const select = { id: true, name: true, email: true, role: true } as const;
  if (teamId) {
    const team = await prisma.team.findUnique({ where: { id: teamId }, select: { slug: true, name: true } });
    const people = await prisma.user.findMany({
      where: { deactivatedAt: null, memberships: { some: { teamId } } },
      select,
      orderBy: [{ name: "asc" }, { email: "asc" }],
      take: 500,
    });
    return { team, people };
  }
  const people = await prisma.user.findMany({
    where: { deactivatedAt: null, role: { in: ["security", "admin"] } },
    select,
    orderBy: [{ name: "asc" }, { email: "asc" }],
    take: 500,
  });
  return { team: null, people };
}
