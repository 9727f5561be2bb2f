// The people-facing side of the remediation workflow, through the router as the pages call it: My findings (order,
// scope, counts), the triage queue (groups, one decision per group), bulk actions on a Findings-page filter, who may
// be assigned, mapping a selection to an Api, and a finding's history with who did what.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "@/server/api/root";
import type { Actor, Role } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import type { FindingStatus } from "@/server/domain/findings";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { findingIdsForFilter } from "./service";

const DAY = 86_400_000;

describe.each(TEST_DATABASES)("work lists and bulk actions on $name", (kind) => {
  let db: Database;
  const actors = {} as Record<Role | "teammate" | "otherDev", Actor>;
  const api = {} as Record<"alpha" | "beta" | "gamma", string>;
  let n = 0;
  const caller = (who: keyof typeof actors) => createCaller({ prisma: db.prisma, actor: actors[who] });

  async function finding(
    options: { api?: keyof typeof api | null; status?: FindingStatus; due?: number | null; rule?: string; assignee?: string | null; title?: string; severity?: string } = {},
  ): Promise<string> {
    n += 1;
    const apiId = options.api === null ? null : api[options.api ?? "alpha"];
    const owner = apiId ? (await db.prisma.api.findUniqueOrThrow({ where: { id: apiId } })).ownerTeamId : null;
    const now = Date.now();
    const row = await db.prisma.finding.create({
      data: {
        kind: "scan", ruleId: options.rule ?? `rule-${n}`, tool: "zap", title: options.title ?? `Finding ${n}`, severity: options.severity ?? "high",
        fingerprint: `q-${kind.name}-${n}`, apiId, teamId: owner, status: options.status ?? "open", assigneeId: options.assignee ?? null,
        firstSeenAt: new Date(now - 40 * DAY), lastSeenAt: new Date(now),
        slaDueAt: options.due === null ? null : new Date(now + (options.due ?? 10) * DAY),
      },
    });
    return row.id;
  }

  beforeAll(async () => {
    db = await kind.open();
    const a = await ensureTeam(db.prisma, "team-a");
    const b = await ensureTeam(db.prisma, "team-b");
    for (const [title, owner] of [["Alpha", "team-a"], ["Beta", "team-b"], ["Gamma", null]] as const) {
      const spec = { openapi: "3.0.3", info: { title, version: "1", ...(owner ? { "x-owner": owner } : {}) }, servers: [{ url: `https://${title.toLowerCase()}.example.com` }], paths: {} };
      expect((await ingest(db.prisma, { file: bufferSource(JSON.stringify(spec), `${title}.json`), channel: "cli", actor: { type: "system" } })).status).toBe("succeeded");
    }
    for (const slug of ["alpha", "beta", "gamma"] as const) api[slug] = (await db.prisma.api.findUniqueOrThrow({ where: { slug } })).id;
    // Only the findings each test makes (the specs' own posture findings would join the lists).
    await db.prisma.finding.deleteMany({});
    const people: [keyof typeof actors, Role, string[], string[]][] = [
      ["admin", "admin", [], []],
      ["security", "security", [], []],
      ["developer", "developer", ["team-a"], [a.id]],
      ["teammate", "developer", ["team-a"], [a.id]],
      ["otherDev", "developer", ["team-b"], [b.id]],
      ["executive", "executive", [], []],
    ];
    for (const [key, role, teams, teamIds] of people) {
      const user = await createUser(db.prisma, { email: `${key}@example.com`, name: `Person ${key}`, role, password: `${key}-password-123`, teams });
      actors[key] = { type: "user", userId: user.id, email: user.email, role, teamIds };
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it("My findings: assigned to me first, then my teams' unassigned; overdue first, then by due date; nothing of other teams", async () => {
    const me = actors.developer.userId;
    const mineLater = await finding({ assignee: me, due: 20 });
    const mineOverdue = await finding({ assignee: me, due: -3 });
    const mineNoSla = await finding({ assignee: me, due: null });
    const teamOverdue = await finding({ due: -1 });
    const teamSoon = await finding({ due: 2 });
    await finding({ assignee: me, status: "resolved" }); // closed: not work
    await finding({ assignee: actors.teammate.userId }); // a teammate's
    await finding({ api: "beta" }); // another team's
    await finding({ api: null }); // unmapped: security's

    const first = await caller("developer").findings.mine({ pageSize: 3 });
    expect(first.counts).toEqual({ assigned: 3, team: 2, overdue: 2 });
    expect(first.total).toBe(5);
    expect(first.rows.map((r) => r.id)).toEqual([mineOverdue, mineLater, mineNoSla]);
    expect(first.rows.every((r) => r.assignedToMe)).toBe(true);
    expect(first.rows[0]).toMatchObject({ overdue: true, moves: ["triaged", "in_progress", "resolved"] });
    const second = await caller("developer").findings.mine({ page: 2, pageSize: 3 });
    expect(second.rows.map((r) => r.id)).toEqual([teamOverdue, teamSoon]);
    expect(second.rows.every((r) => !r.assignedToMe && r.assignee === null)).toBe(true);
    // A page past the end has no row to carry the counts: they are counted on their own.
    expect(await caller("developer").findings.mine({ page: 3, pageSize: 3 })).toMatchObject({ counts: first.counts, total: 5, rows: [] });

    // The navigation's badges.
    expect(await caller("developer").findings.counts()).toEqual({ assigned: 3, overdue: 2, triage: null });
    // Another team's developer sees none of them; executives see no rows at all.
    const theirs = await caller("otherDev").findings.mine({});
    expect(theirs.rows.map((r) => r.id)).not.toContain(mineLater);
    expect(theirs.rows.every((r) => r.api?.slug === "beta")).toBe(true);
    await expect(caller("executive").findings.mine({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("resolves a Findings-page filter into the ids the actor may see, in one query, capped", async () => {
    const rule = "filter-rule";
    const ours = [await finding({ rule }), await finding({ rule })];
    const theirs = await finding({ rule, api: "beta" });
    const unmapped = await finding({ rule, api: null });
    expect((await findingIdsForFilter(db.prisma, actors.developer, { ruleId: rule })).sort()).toEqual([...ours].sort());
    expect((await findingIdsForFilter(db.prisma, actors.security, { ruleId: rule })).sort()).toEqual([...ours, theirs, unmapped].sort());
    await expect(findingIdsForFilter(db.prisma, actors.security, { ruleId: rule }, { cap: 3 })).rejects.toThrow(/more than 3 findings match/);
    await expect(findingIdsForFilter(db.prisma, actors.executive, { ruleId: rule })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("bulk-accepts a filtered set in one action, with expiry, and reports what it skipped and why", async () => {
    const rule = "bulk-accept";
    const open = [await finding({ rule }), await finding({ rule, status: "in_progress" }), await finding({ rule, api: "beta" })];
    const closed = await finding({ rule, status: "false_positive" });
    const until = new Date(Date.now() + 30 * DAY);
    // A developer's filter matches their team's three; none may be accepted by them.
    await expect(caller("developer").findings.transition({ filter: { ruleId: rule }, to: "risk_accepted", reason: "x", expiresAt: until })).resolves.toMatchObject({
      matched: 3,
      changed: 0,
      skippedCount: 3,
      reasons: [
        { reason: "moving a finding to risk_accepted needs the security team (role security or admin)", count: 2 },
        { reason: "cannot move a finding from false_positive to risk_accepted; allowed: none", count: 1 },
      ],
    });
    const result = await caller("security").findings.transition({ filter: { ruleId: rule }, to: "risk_accepted", reason: "WAF rule 942100 in front", expiresAt: until });
    expect(result).toMatchObject({ matched: 4, changed: 3, skippedCount: 1, skipped: [{ id: closed }] });
    expect(result.reasons[0]!.reason).toMatch(/cannot move a finding from false_positive to risk_accepted/);
    for (const id of open) {
      expect(await db.prisma.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "risk_accepted", acceptedUntil: until, acceptedById: actors.security.userId });
    }
    // Without an expiry nothing moves: the whole action is refused.
    const another = await finding({ rule: "bulk-accept-2" });
    await finding({ rule: "bulk-accept-2" });
    await expect(caller("security").findings.transition({ filter: { ruleId: "bulk-accept-2" }, to: "risk_accepted", reason: "x" })).rejects.toThrow(/expiry/);
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: another } })).status).toBe("open");
    // A selection must name exactly one of ids, filter or group.
    await expect(caller("security").findings.transition({ to: "triaged" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller("security").findings.transition({ ids: [another], filter: {}, to: "triaged" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // A filter matching nothing changes nothing.
    expect(await caller("security").findings.transition({ filter: { q: "nothing matches this" }, to: "triaged" })).toMatchObject({ matched: 0, changed: 0 });
  });

  it("assigns a selection within the owning team; assignees are the team's members, or security for unowned findings", async () => {
    const ours = await finding();
    const unowned = await finding({ api: "gamma" });
    const people = await caller("developer").findings.assignees({ id: ours });
    expect(people.team).toEqual({ slug: "team-a", name: "team-a" });
    expect(people.people.map((p) => p.email).sort()).toEqual(["developer@example.com", "teammate@example.com"]);
    const security = await caller("security").findings.assignees({ id: unowned });
    expect(security.team).toBeNull();
    expect(security.people.map((p) => p.email).sort()).toEqual(["admin@example.com", "security@example.com"]);
    await expect(caller("otherDev").findings.assignees({ id: ours })).rejects.toMatchObject({ code: "NOT_FOUND" });

    expect(await caller("developer").findings.assign({ ids: [ours], assignee: actors.teammate.userId })).toMatchObject({ changed: 1 });
    await expect(caller("developer").findings.assign({ ids: [ours], assignee: actors.otherDev.userId })).rejects.toThrow(/not in the team/);
  });

  it("the triage queue groups new, unowned and proposed findings by rule and Api; one decision covers a group", async () => {
    const rule = "triage-rule";
    const groupA = [await finding({ rule, severity: "critical" }), await finding({ rule }), await finding({ rule })];
    await finding({ rule, assignee: actors.developer.userId }); // assigned: not new
    await finding({ rule, api: "gamma", status: "triaged" }); // unowned
    await finding({ rule, api: null }); // unmapped: unowned too
    const proposedOn = await finding({ rule: "proposal-rule", status: "in_progress", assignee: actors.developer.userId });
    await caller("developer").findings.propose({ id: proposedOn, reason: "only reachable from the VPN" });

    const queue = await caller("security").findings.triageQueue({ pageSize: 100 });
    const groups = queue.rows.filter((g) => g.key.ruleId === rule || g.key.ruleId === "proposal-rule");
    const alpha = groups.find((g) => g.key.ruleId === rule && g.key.api === "alpha")!;
    expect(alpha).toMatchObject({ count: 3, new: 3, severity: "critical", team: { slug: "team-a" } });
    expect(alpha.title).toMatch(/^Finding \d+$/);
    expect(groupA).toContain(alpha.sampleId);
    expect(groups.find((g) => g.key.api === "gamma")).toMatchObject({ count: 1, unowned: 1, new: 0, team: null });
    expect(groups.find((g) => g.key.ruleId === rule && g.key.api === null)).toMatchObject({ count: 1, unowned: 1, new: 1, api: null });
    expect(groups.find((g) => g.key.ruleId === "proposal-rule")).toMatchObject({ count: 1, proposed: 1, proposalReason: "only reachable from the VPN" });
    expect((await caller("security").findings.counts()).triage).toBe(queue.findings);
    await expect(caller("developer").findings.triageQueue({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("decides a whole triage group at once: accept, false positive, assign", async () => {
    const rule = "group-rule";
    const members = [await finding({ rule }), await finding({ rule }), await finding({ rule })];
    const notInQueue = await finding({ rule, assignee: actors.teammate.userId });
    const group = { ruleId: rule, tool: "zap", api: "alpha" };
    await expect(caller("developer").findings.transition({ group, to: "triaged" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await caller("security").findings.assign({ group, assignee: actors.developer.userId })).toMatchObject({ matched: 3, changed: 3 });
    for (const id of members) expect((await db.prisma.finding.findUniqueOrThrow({ where: { id } })).assigneeId).toBe(actors.developer.userId);
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: notInQueue } })).assigneeId).toBe(actors.teammate.userId);
    // Assigned, they left the queue (no longer new): the group is empty now.
    expect(await caller("security").findings.transition({ group, to: "false_positive", reason: "test host" })).toMatchObject({ matched: 0 });

    const rule2 = "group-rule-2";
    const more = [await finding({ rule: rule2 }), await finding({ rule: rule2 })];
    const result = await caller("security").findings.transition({
      group: { ruleId: rule2, tool: "zap", api: "alpha" }, to: "risk_accepted", reason: "compensating control", expiresAt: new Date(Date.now() + 10 * DAY),
    });
    expect(result).toMatchObject({ matched: 2, changed: 2 });
    for (const id of more) expect((await db.prisma.finding.findUniqueOrThrow({ where: { id } })).status).toBe("risk_accepted");
    // One transaction per action: one audit record per finding, all at one instant.
    const audits = await db.prisma.auditLog.findMany({ where: { action: "finding.transition", targetId: { in: more } } });
    expect(audits).toHaveLength(2);
    expect(new Set(audits.map((a) => a.createdAt.getTime())).size).toBe(1);
  });

  it("maps every finding of a selection to one Api in one action", async () => {
    const rule = "unmapped-zap";
    const unmapped = [await finding({ rule, api: null }), await finding({ rule, api: null }), await finding({ rule, api: null })];
    await expect(caller("developer").findings.mapToApi({ filter: { ruleId: rule, unmapped: true }, api: "alpha" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller("security").findings.mapToApi({ filter: { ruleId: rule, unmapped: true }, api: "no-such-api" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const result = await caller("security").findings.mapToApi({ filter: { ruleId: rule, unmapped: true }, api: "alpha" });
    expect(result).toMatchObject({ matched: 3, changed: 3, skippedCount: 0, api: { slug: "alpha", name: "Alpha" } });
    for (const id of unmapped) {
      expect(await db.prisma.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({ apiId: api.alpha });
      const events = await db.prisma.findingEvent.findMany({ where: { findingId: id } });
      expect(events).toEqual([expect.objectContaining({ type: "api_assigned", fromValue: null, toValue: "alpha", actorId: actors.security.userId })]);
    }
    // The team follows the Api: the developers of team-a see them now.
    expect((await findingIdsForFilter(db.prisma, actors.developer, { ruleId: rule })).sort()).toEqual([...unmapped].sort());
    expect(await caller("security").findings.mapToApi({ ids: unmapped, api: "alpha" })).toMatchObject({ changed: 0, reasons: [{ reason: "already mapped to alpha", count: 3 }] });
  });

  it("a finding's detail says who did what, the acceptance, the proposal, and what the reader may do", async () => {
    const id = await finding();
    await caller("developer").findings.transition({ ids: [id], to: "in_progress" });
    await caller("developer").findings.comment({ id, body: "On it, see **PR 42**" });
    await caller("developer").findings.propose({ id, reason: "test fixture only" });
    const asDev = await caller("developer").findings.get({ id });
    expect(asDev.actions).toEqual({ moves: ["open", "triaged", "resolved"], assign: true, comment: true, propose: false, rejectProposal: false });
    expect(asDev.proposal).toEqual({ status: "false_positive", reason: "test fixture only", by: { name: "Person developer", email: "developer@example.com" } });
    expect((await caller("security").findings.get({ id })).actions.moves).toEqual(["open", "triaged", "resolved", "risk_accepted", "false_positive", "duplicate"]);
    expect((await caller("security").findings.get({ id })).actions.rejectProposal).toBe(true);

    const until = new Date(Date.now() + 20 * DAY);
    await caller("security").findings.transition({ ids: [id], to: "risk_accepted", reason: "vendor fix in Q3", expiresAt: until });
    const detail = await caller("developer").findings.get({ id });
    expect(detail.acceptance).toEqual({ reason: "vendor fix in Q3", approvedBy: { name: "Person security", email: "security@example.com" }, until: until.toISOString() });
    expect(detail.proposal).toBeNull();
    expect(detail.actions.moves).toEqual([]);
    expect(detail.history.map((e) => [e.type, e.actor?.email ?? null, e.toValue])).toEqual([
      ["status", "developer@example.com", "in_progress"],
      ["comment", "developer@example.com", null],
      ["proposed", "developer@example.com", "false_positive"],
      ["status", "security@example.com", "risk_accepted"],
    ]);
    expect(detail.history[1]!.comment).toBe("On it, see **PR 42**");
    const fresh = await finding();
    expect((await caller("developer").findings.get({ id: fresh })).actions.propose).toBe(true);
  });
});
