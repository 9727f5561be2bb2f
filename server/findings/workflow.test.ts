// The remediation workflow on a real database: every transition, legal and illegal, per role; acceptance and its
// expiry (the SLA clock resumes, the accepted time not counted); assignment within the team; comments and proposals;
// rescans that keep people's decisions.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Actor, Role } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { FINDING_STATUSES, type FindingStatus } from "@/server/domain/findings";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { expireAcceptances } from "./lifecycle";
import { TRANSITIONS } from "./transitions";
import { assignFindingsTo, commentOnFinding, proposeFalsePositive, rejectProposal, transitionFindings } from "./workflow";

const DAY = 86_400_000;
const T0 = new Date("2026-11-01T00:00:00Z");

describe.each(TEST_DATABASES)("remediation workflow on $name", (kind) => {
  let db: Database;
  const actors = {} as Record<Role | "otherDev", Actor>;
  let apiA: string;
  let apiB: string;
  let n = 0;

  async function finding(status: FindingStatus, apiId: string | null = apiA, extra: Record<string, unknown> = {}): Promise<string> {
    n += 1;
    const api = apiId ? await db.prisma.api.findUniqueOrThrow({ where: { id: apiId } }) : null;
    const row = await db.prisma.finding.create({
      data: {
        kind: "scan", ruleId: `r${n}`, tool: "zap", title: `F${n}`, severity: "high", fingerprint: `wf-${kind.name}-${n}`,
        apiId, teamId: api?.ownerTeamId ?? null, status, firstSeenAt: T0, lastSeenAt: T0, slaDueAt: new Date(T0.getTime() + 30 * DAY), ...extra,
      },
    });
    return row.id;
  }

  beforeAll(async () => {
    db = await kind.open();
    const a = await ensureTeam(db.prisma, "team-a");
    const b = await ensureTeam(db.prisma, "team-b");
    for (const [title, owner] of [["Alpha", "team-a"], ["Beta", "team-b"]] as const) {
      const spec = { openapi: "3.0.3", info: { title, version: "1", "x-owner": owner }, servers: [{ url: `https://${title.toLowerCase()}.example.com` }], paths: {} };
      expect((await ingest(db.prisma, { file: bufferSource(JSON.stringify(spec), `${title}.json`), channel: "cli", actor: { type: "system" } })).status).toBe("succeeded");
    }
    apiA = (await db.prisma.api.findUniqueOrThrow({ where: { slug: "alpha" } })).id;
    apiB = (await db.prisma.api.findUniqueOrThrow({ where: { slug: "beta" } })).id;
    const people: [Role | "otherDev", Role, string[], string[]][] = [
      ["admin", "admin", [], []],
      ["security", "security", [], []],
      ["developer", "developer", ["team-a"], [a.id]],
      ["otherDev", "developer", ["team-b"], [b.id]],
      ["executive", "executive", [], []],
    ];
    for (const [key, role, teams, teamIds] of people) {
      const user = await createUser(db.prisma, { email: `${key}@example.com`, role, password: `${key}-password-123`, teams });
      actors[key] = { type: "user", userId: user.id, email: user.email, role, teamIds };
    }
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(() => {
    n += 100;
  });

  const request = (to: FindingStatus) =>
    to === "risk_accepted"
      ? { reason: "compensating control", expiresAt: new Date(Date.now() + 30 * DAY) }
      : to === "false_positive"
        ? { reason: "not reachable" }
        : {};

  it("applies the transition table to every pair of states, per role", async () => {
    for (const from of FINDING_STATUSES) {
      for (const to of FINDING_STATUSES) {
        if (from === to) continue;
        for (const role of ["developer", "security", "admin", "executive"] as const) {
          const id = await finding(from);
          const extra = to === "duplicate" ? { duplicateOf: await finding("open") } : request(to);
          const legal = TRANSITIONS[from][to];
          const allowed = legal !== undefined && role !== "executive" && (legal === "team" || role !== "developer");
          const call = transitionFindings(db.prisma, actors[role], { ids: [id], to, ...extra });
          if (allowed) {
            await expect(call, `${role}: ${from} → ${to}`).resolves.toMatchObject({ changed: 1 });
            expect((await db.prisma.finding.findUniqueOrThrow({ where: { id } })).status).toBe(to);
          } else {
            await expect(call, `${role}: ${from} → ${to}`).rejects.toMatchObject({ code: role === "executive" ? "FORBIDDEN" : "BAD_REQUEST" });
            expect((await db.prisma.finding.findUniqueOrThrow({ where: { id } })).status).toBe(from);
          }
        }
      }
    }
  });

  it("names the allowed moves when refusing one, and hides another team's finding", async () => {
    const id = await finding("resolved");
    await expect(transitionFindings(db.prisma, actors.developer, { ids: [id], to: "in_progress" })).rejects.toThrow(
      /cannot move a finding from resolved to in_progress; allowed: none/,
    );
    const theirs = await finding("open", apiB);
    await expect(transitionFindings(db.prisma, actors.developer, { ids: [theirs], to: "in_progress" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const unmapped = await finding("open", null);
    await expect(transitionFindings(db.prisma, actors.developer, { ids: [unmapped], to: "triaged" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a selection moves what it may and reports the rest, with history and audit per finding", async () => {
    const ours = [await finding("open"), await finding("triaged")];
    const closed = await finding("false_positive");
    const theirs = await finding("open", apiB);
    const result = await transitionFindings(db.prisma, actors.developer, { ids: [...ours, closed, theirs], to: "in_progress" });
    expect(result.changed).toBe(2);
    expect(result.skipped.map((s) => s.id).sort()).toEqual([closed, theirs].sort());
    for (const id of ours) {
      const events = await db.prisma.findingEvent.findMany({ where: { findingId: id } });
      expect(events).toEqual([expect.objectContaining({ type: "status", toValue: "in_progress", actorType: "user", actorId: actors.developer.userId })]);
      expect(await db.prisma.auditLog.count({ where: { action: "finding.transition", targetId: id } })).toBe(1);
    }
  });

  it("risk acceptance needs a reason, an expiry within the maximum, and security", async () => {
    const id = await finding("open");
    await expect(transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", expiresAt: new Date(Date.now() + DAY) })).rejects.toThrow(/reason/);
    await expect(transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", reason: "x" })).rejects.toThrow(/expiry/);
    await expect(
      transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", reason: "x", expiresAt: new Date(Date.now() + 400 * DAY) }),
    ).rejects.toThrow(/at most 365 days/);
    await expect(
      transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", reason: "x", expiresAt: new Date(Date.now() - DAY) }),
    ).rejects.toThrow(/future/);
    await expect(
      transitionFindings(db.prisma, actors.developer, { ids: [id], to: "risk_accepted", reason: "x", expiresAt: new Date(Date.now() + DAY) }),
    ).rejects.toThrow(/security team/);
    const until = new Date(Date.now() + 10 * DAY);
    await transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", reason: "WAF rule in place", expiresAt: until });
    expect(await db.prisma.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "risk_accepted",
      acceptanceReason: "WAF rule in place",
      acceptedById: actors.security.userId,
      acceptedUntil: until,
    });
  });

  it("expiry reopens the finding and resumes the SLA clock without counting the accepted time", async () => {
    const id = await finding("open");
    const acceptedAt = new Date(T0.getTime() + 5 * DAY);
    const until = new Date(acceptedAt.getTime() + 20 * DAY);
    await transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", reason: "vendor fix due", expiresAt: until }, { now: acceptedAt });
    const dueBefore = (await db.prisma.finding.findUniqueOrThrow({ where: { id } })).slaDueAt!;

    // DefectDojo #6779 / #13439: nothing happens before the expiry, however often the schedule runs.
    expect(await db.prisma.$transaction((tx) => expireAcceptances(tx, new Date(until.getTime() - 1)))).not.toContain(id);
    expect(await db.prisma.$transaction((tx) => expireAcceptances(tx, new Date(until.getTime() - 1)))).not.toContain(id);
    // At the expiry it reopens, once (#14119: a second run does nothing more).
    expect(await db.prisma.$transaction((tx) => expireAcceptances(tx, until))).toContain(id);
    expect(await db.prisma.$transaction((tx) => expireAcceptances(tx, new Date(until.getTime() + DAY)))).not.toContain(id);
    const after = await db.prisma.finding.findUniqueOrThrow({ where: { id } });
    expect(after).toMatchObject({ status: "open", acceptedUntil: null, slaPausedAt: null, decidedBy: "system" });
    expect(after.slaDueAt!.getTime() - dueBefore.getTime()).toBe(20 * DAY);
    const events = await db.prisma.findingEvent.findMany({ where: { findingId: id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => [e.fromValue, e.toValue, e.actorType])).toEqual([
      ["open", "risk_accepted", "user"],
      ["risk_accepted", "open", "system"],
    ]);
  });

  it("an acceptance revoked early by security resumes the SLA from that moment (#15500)", async () => {
    const id = await finding("open");
    const acceptedAt = new Date(T0.getTime() + 2 * DAY);
    await transitionFindings(db.prisma, actors.security, { ids: [id], to: "risk_accepted", reason: "r", expiresAt: new Date(Date.now() + 100 * DAY) }, { now: acceptedAt });
    const due = (await db.prisma.finding.findUniqueOrThrow({ where: { id } })).slaDueAt!;
    await transitionFindings(db.prisma, actors.security, { ids: [id], to: "open", reason: "control removed" }, { now: new Date(acceptedAt.getTime() + 3 * DAY) });
    const after = await db.prisma.finding.findUniqueOrThrow({ where: { id } });
    expect(after.slaDueAt!.getTime() - due.getTime()).toBe(3 * DAY);
    expect(await db.prisma.$transaction((tx) => expireAcceptances(tx, new Date(Date.now() + 200 * DAY)))).not.toContain(id);
  });

  it("marks a duplicate with its original, never itself", async () => {
    const original = await finding("open");
    const copy = await finding("open");
    await expect(transitionFindings(db.prisma, actors.security, { ids: [copy], to: "duplicate" })).rejects.toThrow(/duplicateOf/);
    await expect(transitionFindings(db.prisma, actors.security, { ids: [copy], to: "duplicate", duplicateOf: copy })).rejects.toThrow(/itself/);
    await transitionFindings(db.prisma, actors.security, { ids: [copy], to: "duplicate", duplicateOf: original });
    expect(await db.prisma.finding.findUniqueOrThrow({ where: { id: copy } })).toMatchObject({ status: "duplicate", duplicateOfId: original });
  });

  it("assigns within the team that owns the finding's Api", async () => {
    const id = await finding("open");
    await assignFindingsTo(db.prisma, actors.developer, { ids: [id], assignee: actors.developer.userId });
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id } })).assigneeId).toBe(actors.developer.userId);
    await expect(assignFindingsTo(db.prisma, actors.security, { ids: [id], assignee: actors.otherDev.userId })).rejects.toThrow(/not in the team/);
    const events = await db.prisma.findingEvent.findMany({ where: { findingId: id, type: "assigned" } });
    expect(events.map((e) => e.toValue)).toEqual(["developer@example.com"]);
  });

  it("comments and proposals land in the history; security's decision clears the proposal", async () => {
    const id = await finding("open");
    await commentOnFinding(db.prisma, actors.developer, { id, body: "Looking at it **today**" });
    await proposeFalsePositive(db.prisma, actors.developer, { id, reason: "the endpoint is behind mTLS" });
    expect(await db.prisma.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({ proposedStatus: "false_positive", proposalReason: "the endpoint is behind mTLS" });
    await transitionFindings(db.prisma, actors.security, { ids: [id], to: "false_positive", reason: "confirmed: mTLS" });
    expect(await db.prisma.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "false_positive", proposedStatus: null });
    const types = (await db.prisma.findingEvent.findMany({ where: { findingId: id }, orderBy: { createdAt: "asc" } })).map((e) => e.type);
    expect(types).toEqual(["comment", "proposed", "status"]);
    await expect(commentOnFinding(db.prisma, actors.otherDev, { id, body: "hi" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("security rejects a proposal with a reason: the finding keeps its state, the history says why", async () => {
    const id = await finding("in_progress");
    await proposeFalsePositive(db.prisma, actors.developer, { id, reason: "behind a VPN" });
    await expect(rejectProposal(db.prisma, actors.developer, { id, reason: "no" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await rejectProposal(db.prisma, actors.security, { id, reason: "the VPN is not a control for this API" });
    expect(await db.prisma.finding.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "in_progress", proposedStatus: null, proposalReason: null });
    const last = await db.prisma.findingEvent.findFirstOrThrow({ where: { findingId: id }, orderBy: { createdAt: "desc" } });
    expect(last).toMatchObject({ type: "proposal_rejected", fromValue: "false_positive", comment: "the VPN is not a control for this API" });
    await expect(rejectProposal(db.prisma, actors.security, { id, reason: "again" })).rejects.toThrow(/no pending proposal/);
  });

  it("rescans keep people's decisions: a false positive stays, a resolved finding returns as a regression", async () => {
    const zap = (alerts: string[]) =>
      JSON.stringify({
        "@version": "2.14.0",
        site: [{ "@name": "https://alpha.example.com", "@host": "alpha.example.com", "@port": "443", "@ssl": "true",
          alerts: alerts.map((id) => ({ pluginid: id, alert: `Alert ${id}`, riskcode: "2", confidence: "2", riskdesc: "Medium (Medium)", desc: "d",
            instances: [{ uri: "https://alpha.example.com/x", method: "GET" }], count: "1", cweid: "200" })) }],
      });
    let version = 0;
    const scan = async (alerts: string[]) =>
      ingest(db.prisma, { file: bufferSource(zap(alerts).replace("2.14.0", `2.14.${version++}`), "zap.json"), channel: "cli", actor: { type: "system" } });
    expect((await scan(["10001", "10002"])).status).toBe("succeeded");
    const [fp, fixed] = await Promise.all(
      ["10001", "10002"].map(async (rule) => (await db.prisma.finding.findFirstOrThrow({ where: { ruleId: rule, apiId: apiA } })).id),
    );
    await transitionFindings(db.prisma, actors.security, { ids: [fp!], to: "false_positive", reason: "test data" });
    await transitionFindings(db.prisma, actors.developer, { ids: [fixed!], to: "resolved" });
    // Both reported again (DefectDojo #10559: reimport reopened false positives).
    expect((await scan(["10001", "10002"])).status).toBe("succeeded");
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: fp } })).status).toBe("false_positive");
    const back = await db.prisma.finding.findUniqueOrThrow({ where: { id: fixed } });
    expect(back).toMatchObject({ status: "open", regression: true });
    const last = await db.prisma.findingEvent.findFirstOrThrow({ where: { findingId: fixed }, orderBy: { createdAt: "desc" } });
    expect(last).toMatchObject({ fromValue: "resolved", toValue: "open", actorType: "system" });
    expect(last.comment).toMatch(/regression/);
    // A scan without them resolves the live one only (#8100: closing findings a person decided on).
    expect((await scan([])).status).toBe("succeeded");
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: fixed } })).status).toBe("resolved");
    expect((await db.prisma.finding.findUniqueOrThrow({ where: { id: fp } })).status).toBe("false_positive");
  });
});
