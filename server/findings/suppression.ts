/**
 * Suppression rules that reach the future (Dependency-Track #1495): the security team records "rule X, optionally on
 * Apis whose slug matches a glob and endpoints whose path matches a glob, is a false positive / an accepted risk
 * until D, because …". Matching findings take that state, linked to the rule (finding.suppressionRuleId), with a
 * history event naming it:
 * - when the rule is created or edited: every active (open, triaged, in progress) matching finding;
 * - at ingest and in rule runs (./persist.ts, ./derived.ts): new findings, and findings reported again that are
 *   active — unless a person decided their current state (a person who reopened a suppressed finding keeps it
 *   open), but a regression (resolved, now back) always;
 * - never a finding a person or a tool already closed (false positive, accepted, duplicate, resolved).
 * Revoking a rule, or its end date passing (./schedule.ts), reopens the findings still linked to it and still in its
 * state; editing it reopens those it no longer covers, moves those it still covers to its new state or terms, and
 * covers new matches. The first rule (oldest) that matches a finding wins.
 *
 * Globs: `*` any characters but "/", `**` any characters, `?` one character but "/". Api patterns are matched against
 * slugs (no "/" in them, so `*` is enough: "payments-*"), path patterns against the endpoint's path template
 * ("/internal/**", "/users/*"), else the path the scanner reported. A pattern needs a finding with an Api / a path.
 *
 * Who: findings:decide (admins and the security team), audited (suppression.create / update / revoke).
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { type AuditOrigin, recordAudit } from "@/server/audit/recorder";
import { can } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { DomainError, forbidden, notFound } from "@/server/domain/errors";
import { ACTIVE_STATUSES, type FindingStatus } from "@/server/domain/findings";
import { amendAcceptance, applyDecision, type EventActor } from "./lifecycle";
import { loadSlaSettings } from "./sla";

const DAY_MS = 86_400_000;
const CHUNK = 5000;
const TX = { maxWait: 30_000, timeout: 300_000 };

export const SUPPRESSION_STATES = ["false_positive", "risk_accepted"] as const;
export type SuppressionState = (typeof SUPPRESSION_STATES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Globs

const globCache = new Map<string, RegExp>();

/** A glob as an anchored regular expression: `**` anything, `*` anything but "/", `?` one character but "/". */
export function globRegExp(pattern: string, flags = ""): RegExp {
  const key = `${flags}:${pattern}`;
  const cached = globCache.get(key);
  if (cached) return cached;
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      source += ".*";
      i += 1;
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const re = new RegExp(`^${source}$`, flags);
  if (globCache.size > 1000) globCache.clear();
  globCache.set(key, re);
  return re;
}

export interface RuleShape {
  /** The scanner whose rule this is ("zap", "nuclei" …); null: the rule id of any tool (and Postern's own rules). */
  tool: string | null;
  ruleId: string;
  apiPattern: string | null;
  pathPattern: string | null;
}

export interface FindingShape {
  tool: string | null;
  ruleId: string;
  apiSlug: string | null;
  path: string | null;
}

export function ruleMatches(rule: RuleShape, finding: FindingShape): boolean {
  if (rule.ruleId !== finding.ruleId) return false;
  // Scanners number their rules independently (ZAP's 10038 is not Nuclei's 10038): a rule naming a tool covers only it.
  if (rule.tool !== null && rule.tool.toLowerCase() !== (finding.tool ?? "").toLowerCase()) return false;
  if (rule.apiPattern !== null && (finding.apiSlug === null || !globRegExp(rule.apiPattern, "i").test(finding.apiSlug))) return false;
  if (rule.pathPattern !== null && (finding.path === null || !globRegExp(rule.pathPattern).test(finding.path))) return false;
  return true;
}

/** "zap 10016 on Apis payments-* at /internal/**" for history comments and lists. */
export function describeRule(rule: RuleShape): string {
  return [rule.tool ? `${rule.tool} ${rule.ruleId}` : rule.ruleId, rule.apiPattern ? `on Apis ${rule.apiPattern}` : null, rule.pathPattern ? `at ${rule.pathPattern}` : null].filter(Boolean).join(" ");
}

// ---------------------------------------------------------------------------------------------------------------
// Applying rules to findings

interface StoredRule extends RuleShape {
  id: string;
  state: string;
  reason: string;
  expiresAt: Date | null;
  createdById: string;
}

const RULE_SELECT = { id: true, tool: true, ruleId: true, apiPattern: true, pathPattern: true, state: true, reason: true, expiresAt: true, createdById: true } as const;

const FINDING_SELECT = {
  id: true,
  tool: true,
  ruleId: true,
  status: true,
  decidedBy: true,
  suppressionRuleId: true,
  location: true,
  api: { select: { slug: true } },
  endpoint: { select: { path: true } },
} satisfies Prisma.FindingSelect;

type FindingRow = Prisma.FindingGetPayload<{ select: typeof FINDING_SELECT }>;

function shapeOf(row: FindingRow): FindingShape {
  const loc = row.location && typeof row.location === "object" && !Array.isArray(row.location) ? (row.location as Record<string, unknown>) : {};
  const path = row.endpoint?.path ?? (typeof loc.path === "string" ? loc.path : null);
  return { tool: row.tool, ruleId: row.ruleId, apiSlug: row.api?.slug ?? null, path };
}

/** The actor of a rule's own changes in finding history. */
function ruleActor(rule: { id: string }): EventActor {
  return { type: "system", id: `suppression-rule:${rule.id}` };
}

function decisionOf(rule: StoredRule) {
  const accepting = rule.state === "risk_accepted";
  return {
    to: rule.state as FindingStatus,
    reason: `suppression rule ${describeRule(rule)}: ${rule.reason}`,
    approverId: accepting ? rule.createdById : null,
    acceptedUntil: accepting ? rule.expiresAt : null,
    suppressionRuleId: rule.id,
  };
}

/** Rules in force at `at`, oldest first (the first that matches wins). */
async function rulesInForce(tx: Tx, at: Date, ruleIds?: readonly string[]): Promise<StoredRule[]> {
  return tx.suppressionRule.findMany({
    where: {
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: at } }],
      ...(ruleIds ? { ruleId: { in: [...ruleIds] } } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: RULE_SELECT,
  });
}

/** Applies each rule to its findings: one applyDecision per rule. Returns the findings moved. */
async function applyRules(tx: Tx, pairs: Map<StoredRule, string[]>, at: Date): Promise<{ id: string; from: string; ruleId: string }[]> {
  const moved: { id: string; from: string; ruleId: string }[] = [];
  for (const [rule, ids] of pairs) {
    if (ids.length === 0) continue;
    for (const m of await applyDecision(tx, ids, decisionOf(rule), ruleActor(rule), at)) moved.push({ ...m, ruleId: rule.id });
  }
  return moved;
}

function firstMatch(rules: readonly StoredRule[], row: FindingRow): StoredRule | undefined {
  const shape = shapeOf(row);
  return rules.find((r) => ruleMatches(r, shape));
}

/**
 * New findings and findings reported again (by a rescan or a rule run) that a rule in force covers take its state.
 * `force`: the finding is new or came back as a regression (a person's earlier decision on it no longer applies).
 * One query for the rules (nothing more when there are none), one per 5,000 findings, one UPDATE per rule applied.
 */
export async function suppressMatching(
  tx: Tx,
  candidates: readonly { id: string; force?: boolean }[],
  at: Date,
): Promise<{ id: string; from: string; ruleId: string }[]> {
  if (candidates.length === 0) return [];
  const rules = await rulesInForce(tx, at);
  if (rules.length === 0) return [];
  const ruleIds = [...new Set(rules.map((r) => r.ruleId))];
  const force = new Set(candidates.filter((c) => c.force).map((c) => c.id));
  const pairs = new Map<StoredRule, string[]>();
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const rows = await tx.finding.findMany({
      where: { id: { in: candidates.slice(i, i + CHUNK).map((c) => c.id) }, ruleId: { in: ruleIds }, status: { in: [...ACTIVE_STATUSES] } },
      select: FINDING_SELECT,
    });
    for (const row of rows) {
      if (!force.has(row.id) && (row.decidedBy === "user" || row.decidedBy === "token")) continue;
      const rule = firstMatch(rules, row);
      if (!rule) continue;
      const list = pairs.get(rule);
      if (list) list.push(row.id);
      else pairs.set(rule, [row.id]);
    }
  }
  return applyRules(tx, pairs, at);
}

/** Every active finding of the rule's ruleId that it matches (a rule just created or edited covers them). */
async function coverExisting(tx: Tx, rule: StoredRule, at: Date): Promise<number> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const rows = await tx.finding.findMany({
      where: { ruleId: rule.ruleId, status: { in: [...ACTIVE_STATUSES] }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: "asc" },
      take: CHUNK,
      select: FINDING_SELECT,
    });
    for (const row of rows) if (ruleMatches(rule, shapeOf(row))) ids.push(row.id);
    if (rows.length < CHUNK) break;
    after = rows[rows.length - 1]!.id;
  }
  return (await applyRules(tx, new Map([[rule, ids]]), at)).length;
}

/** The findings a rule covers now: linked to it and still in its state. */
async function covered(tx: Tx, rule: { id: string; state: string }): Promise<FindingRow[]> {
  return tx.finding.findMany({ where: { suppressionRuleId: rule.id, status: rule.state }, select: FINDING_SELECT });
}

async function reopen(tx: Tx, ids: string[], reason: string, actor: EventActor, at: Date): Promise<number> {
  return (await applyDecision(tx, ids, { to: "open", reason }, actor, at)).length;
}

/**
 * Rules whose end date has come: the findings they still cover reopen (run on the schedule, before
 * expireAcceptances, so that the history names the rule). Returns the ids reopened. A second run finds nothing more.
 */
export async function expireSuppressionRules(tx: Tx, now: Date): Promise<string[]> {
  const rules = await tx.suppressionRule.findMany({ where: { revokedAt: null, expiresAt: { lte: now } }, select: RULE_SELECT });
  const reopened: string[] = [];
  for (const rule of rules) {
    const ids = (await covered(tx, rule)).map((r) => r.id);
    if (ids.length === 0) continue;
    const moved = await applyDecision(tx, ids, { to: "open", reason: `suppression rule ${describeRule(rule)} expired` }, ruleActor(rule), now);
    reopened.push(...moved.map((m) => m.id));
  }
  return reopened;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings: list, create, edit, revoke

const glob = z.string().trim().min(1).max(500).regex(/^[^\s]+$/, "no spaces in a pattern");
const ruleFields = {
  tool: z.string().trim().min(1).max(100).nullable().optional(),
  ruleId: z.string().trim().min(1).max(300),
  apiPattern: glob.nullable().optional(),
  pathPattern: glob.nullable().optional(),
  state: z.enum(SUPPRESSION_STATES),
  reason: z.string().trim().min(1).max(4000),
  expiresAt: z.coerce.date().nullable().optional(),
};

export const suppressionCreateInput = z.object(ruleFields);
export const suppressionUpdateInput = z.object({
  id: z.string().min(1).max(64),
  tool: ruleFields.tool,
  ruleId: ruleFields.ruleId.optional(),
  apiPattern: ruleFields.apiPattern,
  pathPattern: ruleFields.pathPattern,
  state: ruleFields.state.optional(),
  reason: ruleFields.reason.optional(),
  expiresAt: ruleFields.expiresAt,
});
export const suppressionIdInput = z.object({ id: z.string().min(1).max(64) });

const person = z.object({ id: z.string(), email: z.string() }).nullable();
export const suppressionRuleOutput = z.object({
  id: z.string(),
  tool: z.string().nullable(),
  ruleId: z.string(),
  apiPattern: z.string().nullable(),
  pathPattern: z.string().nullable(),
  state: z.enum(SUPPRESSION_STATES),
  reason: z.string(),
  expiresAt: z.string().nullable(),
  /** active | expired | revoked */
  status: z.enum(["active", "expired", "revoked"]),
  createdBy: person,
  createdAt: z.string(),
  revokedBy: person,
  revokedAt: z.string().nullable(),
  /** Findings it covers now (linked, in its state). */
  covers: z.number().int(),
});
export const suppressionListOutput = z.object({ rules: z.array(suppressionRuleOutput), maxAcceptanceDays: z.number().int() });
export const suppressionChangeOutput = z.object({
  rule: suppressionRuleOutput,
  /** Findings that took the rule's state (or its new terms) in this change. */
  covered: z.number().int(),
  /** Findings reopened: no longer covered (edit) or the rule revoked. */
  reopened: z.number().int(),
});
export type SuppressionRuleView = z.infer<typeof suppressionRuleOutput>;

function requireDecide(actor: Actor): void {
  if (!can(actor, "findings:decide")) throw forbidden("Requires permission findings:decide");
}

/** Checks a rule's end against its state and the maximum acceptance: accepted risks need one, within the maximum. */
function checkExpiry(state: SuppressionState, expiresAt: Date | null, now: Date, maxDays: number): void {
  if (state === "risk_accepted" && !expiresAt) throw new DomainError("BAD_REQUEST", "an accepted risk needs an end date (expiresAt)");
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new DomainError("BAD_REQUEST", "the rule's end date must be in the future");
  if (state === "risk_accepted" && expiresAt && expiresAt.getTime() > now.getTime() + maxDays * DAY_MS) {
    throw new DomainError("BAD_REQUEST", `an acceptance may run at most ${maxDays} days`);
  }
}

function checkPath(pattern: string | null): void {
  if (pattern && !pattern.startsWith("/") && !pattern.startsWith("*")) throw new DomainError("BAD_REQUEST", 'a path pattern starts with "/" (or a glob)');
}

async function views(db: Db | Tx, where: Prisma.SuppressionRuleWhereInput, now: Date): Promise<SuppressionRuleView[]> {
  const rules = await db.suppressionRule.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  if (rules.length === 0) return [];
  const userIds = [...new Set(rules.flatMap((r) => [r.createdById, r.revokedById]).filter((id): id is string => !!id))];
  const users = new Map((await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })).map((u) => [u.id, u]));
  const counts = new Map<string, number>();
  const grouped = await db.finding.groupBy({
    by: ["suppressionRuleId", "status"],
    where: { suppressionRuleId: { in: rules.map((r) => r.id) } },
    _count: { _all: true },
  });
  const stateOf = new Map(rules.map((r) => [r.id, r.state]));
  for (const g of grouped) {
    if (g.suppressionRuleId && stateOf.get(g.suppressionRuleId) === g.status) counts.set(g.suppressionRuleId, (counts.get(g.suppressionRuleId) ?? 0) + g._count._all);
  }
  return rules.map((r) => ({
    id: r.id,
    tool: r.tool,
    ruleId: r.ruleId,
    apiPattern: r.apiPattern,
    pathPattern: r.pathPattern,
    state: r.state as SuppressionState,
    reason: r.reason,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    status: r.revokedAt ? "revoked" : r.expiresAt && r.expiresAt.getTime() <= now.getTime() ? "expired" : "active",
    createdBy: users.get(r.createdById) ?? null,
    createdAt: r.createdAt.toISOString(),
    revokedBy: r.revokedById ? (users.get(r.revokedById) ?? null) : null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    covers: counts.get(r.id) ?? 0,
  }));
}

export async function listSuppressionRules(prisma: Db, actor: Actor, now = new Date()): Promise<z.infer<typeof suppressionListOutput>> {
  requireDecide(actor);
  const [rules, settings] = await Promise.all([views(prisma, {}, now), loadSlaSettings(prisma)]);
  return { rules, maxAcceptanceDays: settings.maxAcceptanceDays };
}

async function viewOf(tx: Tx, id: string, now: Date): Promise<SuppressionRuleView> {
  const [view] = await views(tx, { id }, now);
  if (!view) throw notFound("Suppression rule");
  return view;
}

function auditDetails(rule: RuleShape & { state: string; reason: string; expiresAt: Date | null }) {
  return {
    tool: rule.tool,
    ruleId: rule.ruleId,
    apiPattern: rule.apiPattern,
    pathPattern: rule.pathPattern,
    state: rule.state,
    reason: rule.reason,
    expiresAt: rule.expiresAt?.toISOString() ?? null,
  };
}

export async function createSuppressionRule(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof suppressionCreateInput>,
  options: { now?: Date; origin?: AuditOrigin } = {},
): Promise<z.infer<typeof suppressionChangeOutput>> {
  requireDecide(actor);
  const input = suppressionCreateInput.parse(raw);
  const now = options.now ?? new Date();
  const settings = await loadSlaSettings(prisma);
  const expiresAt = input.expiresAt ?? null;
  checkExpiry(input.state, expiresAt, now, settings.maxAcceptanceDays);
  checkPath(input.pathPattern ?? null);
  return prisma.$transaction(async (tx) => {
    const rule = await tx.suppressionRule.create({
      data: {
        tool: input.tool ?? null,
        ruleId: input.ruleId,
        apiPattern: input.apiPattern ?? null,
        pathPattern: input.pathPattern ?? null,
        state: input.state,
        reason: input.reason,
        expiresAt,
        createdById: actor.userId,
        createdAt: now,
      },
      select: RULE_SELECT,
    });
    const n = await coverExisting(tx, rule, now);
    await recordAudit(
      tx,
      { actor: { type: actor.type, id: actor.userId }, action: "suppression.create", target: { type: "suppression_rule", id: rule.id }, origin: options.origin ?? "ui", details: { ...auditDetails(rule), covered: n } },
      now,
    );
    return { rule: await viewOf(tx, rule.id, now), covered: n, reopened: 0 };
  }, TX);
}

export async function updateSuppressionRule(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof suppressionUpdateInput>,
  options: { now?: Date; origin?: AuditOrigin } = {},
): Promise<z.infer<typeof suppressionChangeOutput>> {
  requireDecide(actor);
  const input = suppressionUpdateInput.parse(raw);
  const now = options.now ?? new Date();
  const settings = await loadSlaSettings(prisma);
  return prisma.$transaction(async (tx) => {
    const old = await tx.suppressionRule.findUnique({ where: { id: input.id }, select: { ...RULE_SELECT, revokedAt: true } });
    if (!old) throw notFound("Suppression rule");
    if (old.revokedAt) throw new DomainError("BAD_REQUEST", "a revoked rule cannot be edited; create a new one");
    const next = {
      tool: input.tool === undefined ? old.tool : input.tool,
      ruleId: input.ruleId ?? old.ruleId,
      apiPattern: input.apiPattern === undefined ? old.apiPattern : input.apiPattern,
      pathPattern: input.pathPattern === undefined ? old.pathPattern : input.pathPattern,
      state: (input.state ?? old.state) as SuppressionState,
      reason: input.reason ?? old.reason,
      expiresAt: input.expiresAt === undefined ? old.expiresAt : input.expiresAt,
    };
    // The end date is checked when it or the state changes (an unchanged end need not move forward).
    if (input.expiresAt !== undefined || next.state !== old.state) checkExpiry(next.state, next.expiresAt, now, settings.maxAcceptanceDays);
    checkPath(next.pathPattern);
    const rule: StoredRule = await tx.suppressionRule.update({ where: { id: old.id }, data: next, select: RULE_SELECT });
    const person: EventActor = { type: actor.type, id: actor.userId };

    // What it covered: released where it no longer matches; else its new state or terms.
    const before = await covered(tx, old);
    const keep: string[] = [];
    const release: string[] = [];
    for (const row of before) (ruleMatches(rule, shapeOf(row)) ? keep : release).push(row.id);
    let reopened = await reopen(tx, release, `suppression rule ${describeRule(old)} no longer covers it`, person, now);
    let changed = 0;
    const expired = rule.expiresAt !== null && rule.expiresAt.getTime() <= now.getTime();
    if (expired) {
      reopened += await reopen(tx, keep, `suppression rule ${describeRule(rule)} expired`, person, now);
    } else if (rule.state !== old.state) {
      changed += (await applyDecision(tx, keep, decisionOf(rule), ruleActor(rule), now)).length;
    } else if (rule.state === "risk_accepted" && (decisionOf(rule).reason !== decisionOf(old).reason || rule.expiresAt?.getTime() !== old.expiresAt?.getTime())) {
      changed += (await amendAcceptance(tx, keep, { reason: decisionOf(rule).reason, acceptedUntil: rule.expiresAt }, ruleActor(rule), now)).length;
    }
    if (!expired) changed += await coverExisting(tx, rule, now);
    await recordAudit(
      tx,
      {
        actor: person,
        action: "suppression.update",
        target: { type: "suppression_rule", id: rule.id },
        from: auditDetails(old),
        to: auditDetails(rule),
        origin: options.origin ?? "ui",
        details: { covered: changed, reopened },
      },
      now,
    );
    return { rule: await viewOf(tx, rule.id, now), covered: changed, reopened };
  }, TX);
}

/** Revokes a rule: the findings it still covers (linked, in its state) reopen, the revoking person as the actor. */
export async function revokeSuppressionRule(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof suppressionIdInput>,
  options: { now?: Date; origin?: AuditOrigin } = {},
): Promise<z.infer<typeof suppressionChangeOutput>> {
  requireDecide(actor);
  const { id } = suppressionIdInput.parse(raw);
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const rule = await tx.suppressionRule.findUnique({ where: { id }, select: { ...RULE_SELECT, revokedAt: true } });
    if (!rule) throw notFound("Suppression rule");
    if (rule.revokedAt) return { rule: await viewOf(tx, id, now), covered: 0, reopened: 0 };
    await tx.suppressionRule.update({ where: { id }, data: { revokedAt: now, revokedById: actor.userId } });
    const ids = (await covered(tx, rule)).map((r) => r.id);
    const reopened = await reopen(tx, ids, `suppression rule ${describeRule(rule)} revoked`, { type: actor.type, id: actor.userId }, now);
    await recordAudit(
      tx,
      { actor: { type: actor.type, id: actor.userId }, action: "suppression.revoke", target: { type: "suppression_rule", id }, origin: options.origin ?? "ui", details: { reopened } },
      now,
    );
    return { rule: await viewOf(tx, id, now), covered: 0, reopened };
  }, TX);
}
