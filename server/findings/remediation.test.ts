// Decisions that are not one person's click, on a real database: a scanner's own triage, suppression rules that
// reach findings not yet seen (Dependency-Track #1495), the SLA settings and what time does (expiry, reminders).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, Role } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { writeDerivedFindings } from "./derived";
import { toolTriageState } from "./lifecycle";
import { runFindingSchedule, startFindingSchedule, stopFindingSchedule } from "./schedule";
import { getSlaSettings, setSlaSettings, slaCompliance } from "./sla-service";
import { createSuppressionRule, describeRule, globRegExp, listSuppressionRules, revokeSuppressionRule, ruleMatches, updateSuppressionRule } from "./suppression";
import { transitionFindings } from "./workflow";

const DAY = 86_400_000;
const system = { type: "system" as const };

describe("suppression globs and the meaning of a tool's triage", () => {
  it("matches globs: * within a segment, ** across, ? one character", () => {
    expect(globRegExp("/internal/*").test("/internal/users")).toBe(true);
    expect(globRegExp("/internal/*").test("/internal/users/7")).toBe(false);
    expect(globRegExp("/internal/**").test("/internal/users/7")).toBe(true);
    expect(globRegExp("/v?/health").test("/v2/health")).toBe(true);
    expect(globRegExp("payments-*", "i").test("payments-eu")).toBe(true);
    expect(globRegExp("a.b").test("axb")).toBe(false);
    const rule = { tool: null, ruleId: "10001", apiPattern: "pay*", pathPattern: "/internal/**" };
    expect(ruleMatches(rule, { tool: "zap", ruleId: "10001", apiSlug: "payments", path: "/internal/x" })).toBe(true);
    expect(ruleMatches(rule, { tool: "zap", ruleId: "10001", apiSlug: null, path: "/internal/x" })).toBe(false);
    expect(ruleMatches(rule, { tool: "zap", ruleId: "10001", apiSlug: "payments", path: null })).toBe(false);
    expect(ruleMatches(rule, { tool: "zap", ruleId: "10002", apiSlug: "payments", path: "/internal/x" })).toBe(false);
    expect(ruleMatches({ tool: null, ruleId: "10001", apiPattern: null, pathPattern: null }, { tool: null, ruleId: "10001", apiSlug: null, path: null })).toBe(true);
  });

  it("a rule naming a tool covers that tool's rule id only (scanners number their rules independently)", () => {
    const zap = { tool: "zap", ruleId: "10038", apiPattern: null, pathPattern: null };
    expect(ruleMatches(zap, { tool: "zap", ruleId: "10038", apiSlug: "payments", path: "/a" })).toBe(true);
    expect(ruleMatches(zap, { tool: "ZAP", ruleId: "10038", apiSlug: "payments", path: "/a" })).toBe(true);
    expect(ruleMatches(zap, { tool: "nuclei", ruleId: "10038", apiSlug: "payments", path: "/a" })).toBe(false);
    expect(ruleMatches(zap, { tool: null, ruleId: "10038", apiSlug: "payments", path: "/a" })).toBe(false);
    expect(ruleMatches({ ...zap, tool: null }, { tool: "nuclei", ruleId: "10038", apiSlug: "payments", path: "/a" })).toBe(true);
    expect(describeRule({ ...zap, apiPattern: "pay*" })).toBe("zap 10038 on Apis pay*");
  });

  it("reads SARIF suppressions and StackHawk triage as states", () => {
    expect(toolTriageState({ state: "suppressed", kind: "inSource" })).toBe("false_positive");
    expect(toolTriageState({ state: "suppressed", kind: "external", justification: "not exploitable" })).toBe("false_positive");
    expect(toolTriageState({ state: "suppressed", kind: "external", justification: "Risk accepted by AppSec (TICKET-12)" })).toBe("risk_accepted");
    expect(toolTriageState({ state: "suppressed", kind: "external", justification: "not acceptable, but a false alarm" })).toBe("false_positive");
    expect(toolTriageState({ state: "suppressed", kind: "inSource", justification: "accepted" })).toBe("false_positive");
    expect(toolTriageState({ state: "under_review" })).toBeNull();
    expect(toolTriageState({ state: "rejected" })).toBeNull();
    expect(toolTriageState({ state: "false_positive" })).toBe("false_positive");
    expect(toolTriageState({ state: "risk_accepted" })).toBe("risk_accepted");
    expect(toolTriageState(null)).toBeNull();
  });
});

describe.each(TEST_DATABASES)("remediation decisions on $name", (kind) => {
  let db: Database;
  const actors = {} as Record<Role, Actor>;
  const apis = {} as Record<"payments" | "orders", { id: string; ownerTeamId: string | null }>;
  let n = 0;
  let version = 0;

  const ingestAs = async (content: string, name: string) => {
    const result = await ingest(db.prisma, { file: bufferSource(content, name), channel: "cli", actor: system, correlate: false });
    expect(result.status, result.message ?? "").toBe("succeeded");
    return result;
  };
  /** A ZAP JSON report of `site` with alerts (plugin id → paths). */
  const zap = (site: string, alerts: Record<string, string[]>) =>
    JSON.stringify({
      "@version": `2.15.${version++}`,
      site: [
        {
          "@name": site, "@host": new URL(site).host, "@port": "443", "@ssl": "true",
          alerts: Object.entries(alerts).map(([id, paths]) => ({
            pluginid: id, alert: `Alert ${id}`, riskcode: "2", confidence: "2", riskdesc: "Medium (Medium)", desc: "d", cweid: "200", count: String(paths.length),
            instances: paths.map((p) => ({ uri: `${site}${p}`, method: "GET" })),
          })),
        },
      ],
    });
  const sarif = (results: unknown[]) =>
    JSON.stringify({
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "Gosec", rules: [{ id: "G101", shortDescription: { text: "Hardcoded credentials" } }] } }, versionControlProvenance: [{ repositoryUri: "https://github.com/acme/payments" }], results }],
    });
  const result = (file: string, suppressions?: unknown[]) => ({
    ruleId: "G101",
    message: { text: "credential" },
    locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: 1 } } }],
    ...(suppressions ? { suppressions } : {}),
  });
  const byPath = async (ruleId: string, apiId: string) =>
    Object.fromEntries(
      (await db.prisma.finding.findMany({ where: { ruleId, apiId } })).map((f) => [(f.location as { path?: string; file?: string }).path ?? (f.location as { file: string }).file, f]),
    );
  const row = (id: string) => db.prisma.finding.findUniqueOrThrow({ where: { id } });
  const lastEvent = (id: string) => db.prisma.findingEvent.findFirstOrThrow({ where: { findingId: id, type: "status" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  /** A finding written directly (times under the test's control). */
  async function finding(data: Record<string, unknown>): Promise<string> {
    n += 1;
    const t = new Date("2026-06-01T00:00:00Z");
    return (
      await db.prisma.finding.create({
        data: { kind: "scan", ruleId: `direct-${n}`, tool: "zap", title: `F${n}`, severity: "high", fingerprint: `rem-${kind.name}-${n}`, firstSeenAt: t, lastSeenAt: t, ...data },
      })
    ).id;
  }

  beforeAll(async () => {
    db = await kind.open();
    const teams = { payments: await ensureTeam(db.prisma, "payments"), orders: await ensureTeam(db.prisma, "orders") };
    for (const [title, owner, host] of [["Payments", "payments", "pay.example.com"], ["Orders", "orders", "orders.example.com"]] as const) {
      const spec = {
        openapi: "3.0.3",
        info: { title, version: "1", "x-owner": owner },
        "x-repository": `https://github.com/acme/${owner}`,
        servers: [{ url: `https://${host}` }],
        paths: {},
      };
      await ingestAs(JSON.stringify(spec), `${owner}.json`);
    }
    for (const slug of ["payments", "orders"] as const) apis[slug] = await db.prisma.api.findUniqueOrThrow({ where: { slug }, select: { id: true, ownerTeamId: true } });
    for (const [role, teamIds] of [["admin", []], ["security", []], ["developer", [teams.payments.id]], ["executive", []]] as [Role, string[]][]) {
      const user = await createUser(db.prisma, { email: `${role}@example.com`, role, password: `${role}-password-123`, teams: role === "developer" ? ["payments"] : [] });
      actors[role] = { type: "user", userId: user.id, email: user.email, role, teamIds };
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a scanner's triage is the tool's decision, with an expiry for acceptances; a person's decision wins", async () => {
    await setSlaSettings(db.prisma, actors.admin, { maxAcceptanceDays: 90 });
    const suppressions = {
      accepted: [{ kind: "external", status: "accepted", justification: "Risk accepted by AppSec (SEC-12)" }],
      fp: [{ kind: "inSource", status: "accepted", justification: "test credentials" }],
      review: [{ kind: "inSource", status: "underReview" }],
    };
    const before = Date.now();
    await ingestAs(sarif([result("a.go", suppressions.accepted), result("b.go", suppressions.fp), result("c.go", suppressions.review), result("d.go")]), "gosec.sarif");
    const after = Date.now();
    const f = await byPath("G101", apis.payments.id);
    expect(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [v.status, v.decidedBy]]))).toEqual({
      "a.go": ["risk_accepted", "tool"],
      "b.go": ["false_positive", "tool"],
      "c.go": ["open", null],
      "d.go": ["open", null],
    });
    const accepted = f["a.go"]!;
    expect(accepted.acceptanceReason).toBe("suppressed in gosec (external): Risk accepted by AppSec (SEC-12)");
    expect(accepted.acceptedUntil!.getTime()).toBeGreaterThanOrEqual(before + 90 * DAY);
    expect(accepted.acceptedUntil!.getTime()).toBeLessThanOrEqual(after + 90 * DAY);
    expect(accepted.slaPausedAt).not.toBeNull();
    const event = await lastEvent(f["b.go"]!.id);
    expect(event).toMatchObject({ type: "status", fromValue: "open", toValue: "false_positive", actorType: "tool", actorId: "gosec" });
    expect(event.comment).toContain("test credentials");
    expect(await db.prisma.auditLog.count({ where: { action: "finding.transition", actorType: "tool", targetId: f["b.go"]!.id } })).toBe(1);

    // A person's decision stands against the tool: security reopens b (false positive by the tool), the developer
    // starts on d; the next report suppresses d and still suppresses b.
    await transitionFindings(db.prisma, actors.security, { ids: [f["b.go"]!.id], to: "open", reason: "the credential is real" });
    await transitionFindings(db.prisma, actors.developer, { ids: [f["d.go"]!.id], to: "in_progress" });
    await ingestAs(sarif([result("a.go", suppressions.accepted), result("b.go", suppressions.fp), result("c.go", suppressions.review), result("d.go", suppressions.fp)]), "gosec.sarif");
    expect((await row(f["b.go"]!.id)).status).toBe("open");
    expect((await row(f["d.go"]!.id)).status).toBe("in_progress");
    expect((await row(f["a.go"]!.id)).acceptedUntil).toEqual(accepted.acceptedUntil); // restating does not extend it

    // The suppression of a is lifted: the tool reopens what it had closed, the SLA clock resuming.
    await ingestAs(sarif([result("a.go"), result("b.go", suppressions.fp), result("c.go"), result("d.go", suppressions.fp)]), "gosec.sarif");
    const reopened = await row(f["a.go"]!.id);
    expect(reopened).toMatchObject({ status: "open", decidedBy: "tool", acceptedUntil: null, slaPausedAt: null });
    expect(await lastEvent(reopened.id)).toMatchObject({ fromValue: "risk_accepted", toValue: "open", actorType: "tool", comment: "gosec no longer triages it" });

    // StackHawk's own states.
    await ingestAs(
      JSON.stringify({
        service: "StackHawk",
        scanCompleted: {
          scan: { application: "Payments", env: "Prod", hawkscanVersion: "3.1.0" },
          findings: [{ pluginId: "40018", pluginName: "SQL Injection", severity: "High", host: "https://pay.example.com", paths: [
            { path: "/charges", method: "GET", status: "FALSE_POSITIVE" },
            { path: "/refunds", method: "GET", status: "RISK_ACCEPTED" },
          ] }],
        },
      }),
      "hawk.json",
    );
    const hawk = await byPath("40018", apis.payments.id);
    expect([hawk["/charges"]?.status, hawk["/refunds"]?.status]).toEqual(["false_positive", "risk_accepted"]);
    expect(await lastEvent(hawk["/refunds"]!.id)).toMatchObject({ actorType: "tool", actorId: "stackhawk" });
    await setSlaSettings(db.prisma, actors.admin, { maxAcceptanceDays: 365 });
  });

  it("suppression rules cover existing and new findings, name themselves in the history, and reopen when edited away, revoked or expired", async () => {
    const site = "https://pay.example.com";
    // Before the rule: /internal/old is fixed (resolved by a rescan), /internal/fp a person's false positive.
    await ingestAs(zap(site, { "10001": ["/internal/x", "/internal/old", "/internal/fp", "/public/y"] }), "zap.json");
    await ingestAs(zap("https://orders.example.com", { "10001": ["/internal/x"] }), "zap-orders.json");
    await ingestAs(zap(site, { "10001": ["/internal/x", "/internal/fp", "/public/y"] }), "zap.json");
    let pay = await byPath("10001", apis.payments.id);
    expect(pay["/internal/old"]!.status).toBe("resolved");
    await transitionFindings(db.prisma, actors.security, { ids: [pay["/internal/fp"]!.id], to: "false_positive", reason: "a person said so" });

    await expect(
      createSuppressionRule(db.prisma, actors.developer, { ruleId: "10001", state: "false_positive", reason: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createSuppressionRule(db.prisma, actors.security, { ruleId: "10001", state: "risk_accepted", reason: "x" })).rejects.toThrow(/end date/);
    await expect(
      createSuppressionRule(db.prisma, actors.security, { ruleId: "10001", state: "risk_accepted", reason: "x", expiresAt: new Date(Date.now() + 400 * DAY) }),
    ).rejects.toThrow(/at most 365 days/);

    const until = new Date(Date.now() + 30 * DAY);
    const created = await createSuppressionRule(db.prisma, actors.security, {
      ruleId: "10001", apiPattern: "pay*", pathPattern: "/internal/**", state: "risk_accepted", reason: "internal network only", expiresAt: until,
    });
    expect(created.covered).toBe(1);
    const ruleId = created.rule.id;
    pay = await byPath("10001", apis.payments.id);
    expect(pay["/internal/x"]).toMatchObject({ status: "risk_accepted", suppressionRuleId: ruleId, acceptedUntil: until, acceptedById: actors.security.userId });
    expect(pay["/public/y"]!.status).toBe("open");
    expect(pay["/internal/fp"]).toMatchObject({ status: "false_positive", suppressionRuleId: null });
    expect(pay["/internal/old"]!.status).toBe("resolved");
    expect((await byPath("10001", apis.orders.id))["/internal/x"]!.status).toBe("open");
    const named = await lastEvent(pay["/internal/x"]!.id);
    expect(named).toMatchObject({ toValue: "risk_accepted", actorType: "system", actorId: `suppression-rule:${ruleId}` });
    expect(named.comment).toContain("suppression rule 10001 on Apis pay* at /internal/**: internal network only");

    // The future: a new finding is covered at creation, a regression when it comes back; one a person reopened
    // from the rule stays open.
    await transitionFindings(db.prisma, actors.security, { ids: [pay["/internal/x"]!.id], to: "open", reason: "look at this one" });
    await ingestAs(zap(site, { "10001": ["/internal/x", "/internal/fp", "/public/y", "/internal/new", "/internal/old"] }), "zap.json");
    pay = await byPath("10001", apis.payments.id);
    expect(pay["/internal/new"]).toMatchObject({ status: "risk_accepted", suppressionRuleId: ruleId });
    expect((await db.prisma.findingEvent.findMany({ where: { findingId: pay["/internal/new"]!.id }, orderBy: { createdAt: "asc" } })).map((e) => e.type)).toEqual(["created", "status"]);
    expect(pay["/internal/old"]).toMatchObject({ status: "risk_accepted", regression: true, suppressionRuleId: ruleId });
    expect(pay["/internal/x"]).toMatchObject({ status: "open", suppressionRuleId: null });
    const listed = (await listSuppressionRules(db.prisma, actors.security)).rules.find((r) => r.id === ruleId);
    expect(listed).toMatchObject({ status: "active", covers: 2, createdBy: { email: "security@example.com" } });

    // Edited: narrower path (old no longer covered: reopened), then a false positive (new moves).
    const narrowed = await updateSuppressionRule(db.prisma, actors.admin, { id: ruleId, pathPattern: "/internal/new" });
    expect(narrowed).toMatchObject({ reopened: 1 });
    expect((await row(pay["/internal/old"]!.id)).status).toBe("open");
    await updateSuppressionRule(db.prisma, actors.admin, { id: ruleId, state: "false_positive", expiresAt: null });
    expect(await row(pay["/internal/new"]!.id)).toMatchObject({ status: "false_positive", suppressionRuleId: ruleId, acceptedUntil: null });

    // Revoked: what it still covers reopens, by the person who revoked it.
    const revoked = await revokeSuppressionRule(db.prisma, actors.security, { id: ruleId });
    expect(revoked).toMatchObject({ reopened: 1, rule: { status: "revoked", revokedBy: { email: "security@example.com" } } });
    expect(await row(pay["/internal/new"]!.id)).toMatchObject({ status: "open", suppressionRuleId: null });
    expect(await lastEvent(pay["/internal/new"]!.id)).toMatchObject({ actorType: "user", actorId: actors.security.userId });
    expect(await db.prisma.auditLog.count({ where: { targetId: ruleId, action: { startsWith: "suppression." } } })).toBe(4);
    await expect(updateSuppressionRule(db.prisma, actors.admin, { id: ruleId, reason: "again" })).rejects.toThrow(/revoked/);

    // Expiry: the schedule reopens what an expired rule covers, naming it; a second run does nothing more.
    const short = await createSuppressionRule(db.prisma, actors.security, {
      ruleId: "10001", apiPattern: "orders", state: "false_positive", reason: "staging only", expiresAt: new Date(Date.now() + DAY),
    });
    const orders = (await byPath("10001", apis.orders.id))["/internal/x"]!;
    expect((await row(orders.id)).status).toBe("false_positive");
    expect((await runFindingSchedule(db.prisma, new Date(Date.now() + 2 * DAY))).suppressionsExpired).toBe(1);
    expect(await row(orders.id)).toMatchObject({ status: "open", suppressionRuleId: null });
    expect((await lastEvent(orders.id)).comment).toContain("suppression rule 10001 on Apis orders expired");
    expect((await runFindingSchedule(db.prisma, new Date(Date.now() + 3 * DAY))).suppressionsExpired).toBe(0);
    expect((await listSuppressionRules(db.prisma, actors.admin, new Date(Date.now() + 2 * DAY))).rules.find((r) => r.id === short.rule.id)?.status).toBe("expired");
  });

  it("rule findings are covered at creation and when they come back", async () => {
    await createSuppressionRule(db.prisma, actors.security, { ruleId: "shadow-endpoint", apiPattern: "orders", state: "false_positive", reason: "the gateway rewrites paths" });
    const derived = (subject: string, apiId: string) => ({
      ruleId: "shadow-endpoint", kind: "traffic" as const, apiId, subject, title: `Shadow ${subject}`, severity: "medium" as const, owaspCategory: "API9", evidence: { subject },
    });
    const evaluate = (list: ReturnType<typeof derived>[]) =>
      db.prisma.$transaction((tx) =>
        writeDerivedFindings(tx, list, { asOf: new Date(), evaluatedRules: [{ id: "shadow-endpoint", kind: "traffic" }], scopeApiIds: null }),
      );
    const first = await evaluate([derived("GET /a", apis.orders.id), derived("GET /a", apis.payments.id)]);
    expect(first.counts).toMatchObject({ created: 2, suppressed: 1 });
    const statuses = async () =>
      Object.fromEntries((await db.prisma.finding.findMany({ where: { ruleId: "shadow-endpoint" }, include: { api: true } })).map((f) => [f.api!.slug, f.status]));
    expect(await statuses()).toEqual({ orders: "false_positive", payments: "open" });
    expect((await evaluate([])).counts.resolved).toBe(1);
    expect((await evaluate([derived("GET /a", apis.orders.id), derived("GET /a", apis.payments.id)])).counts).toMatchObject({ reopened: 1 });
    expect(await statuses()).toEqual({ orders: "false_positive", payments: "open" });
  });

  it("SLA settings: admins change days, due dates are recomputed with the accepted time left out; the maximum acceptance applies", async () => {
    const t0 = new Date("2026-06-01T00:00:00Z");
    expect((await getSlaSettings(db.prisma)).defaults).toEqual({ critical: 7, high: 30, medium: 90, low: 120, maxAcceptanceDays: 365, reminderDays: 14 });
    await expect(setSlaSettings(db.prisma, actors.security, { high: 10 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(setSlaSettings(db.prisma, actors.admin, { high: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(setSlaSettings(db.prisma, actors.admin, { reminderDays: 400 })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const base = { apiId: apis.payments.id, teamId: apis.payments.ownerTeamId, firstSeenAt: t0, slaDueAt: new Date(t0.getTime() + 30 * DAY) };
    const open = await finding({ ...base, status: "open" });
    const paused = await finding({ ...base, status: "open" });
    const fixed = await finding({ ...base, status: "resolved", resolvedAt: new Date(t0.getTime() + DAY) });
    const medium = await finding({ ...base, severity: "medium", slaDueAt: new Date(t0.getTime() + 90 * DAY) });
    // Accepted for 3 days, then reopened: the due date moves by 3 days and remembers them.
    await transitionFindings(db.prisma, actors.security, { ids: [paused], to: "risk_accepted", reason: "r", expiresAt: new Date(t0.getTime() + 40 * DAY) }, { now: new Date(t0.getTime() + 5 * DAY) });
    await transitionFindings(db.prisma, actors.security, { ids: [paused], to: "open", reason: "r" }, { now: new Date(t0.getTime() + 8 * DAY) });
    expect(await row(paused)).toMatchObject({ slaPausedSeconds: 3 * 86_400, slaDueAt: new Date(t0.getTime() + 33 * DAY) });

    const changed = await setSlaSettings(db.prisma, actors.admin, { high: 10 });
    expect(changed.values.high).toBe(10);
    expect(changed.recomputed).toBeGreaterThanOrEqual(2);
    expect((await row(open)).slaDueAt).toEqual(new Date(t0.getTime() + 10 * DAY));
    expect((await row(paused)).slaDueAt).toEqual(new Date(t0.getTime() + 13 * DAY));
    expect((await row(fixed)).slaDueAt).toEqual(new Date(t0.getTime() + 30 * DAY)); // closed against its old due date
    expect((await row(medium)).slaDueAt).toEqual(new Date(t0.getTime() + 90 * DAY));
    expect(await db.prisma.setting.findUniqueOrThrow({ where: { key: "findings.sla" } })).toMatchObject({ value: { high: 10 } });
    expect(await db.prisma.auditLog.count({ where: { action: "settings.sla" } })).toBeGreaterThan(0);

    // New findings take the settings' days.
    await ingestAs(zap("https://orders.example.com", { "20001": ["/sla"] }), "zap-sla.json");
    const fresh = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "20001" } });
    expect(fresh.slaDueAt!.getTime() - fresh.firstSeenAt.getTime()).toBe(90 * DAY); // medium: unchanged default
    await setSlaSettings(db.prisma, actors.admin, { medium: 5 });
    expect((await row(fresh.id)).slaDueAt!.getTime() - fresh.firstSeenAt.getTime()).toBe(5 * DAY);

    // The maximum acceptance is the settings'.
    await setSlaSettings(db.prisma, actors.admin, { maxAcceptanceDays: 30 });
    await expect(
      transitionFindings(db.prisma, actors.security, { ids: [open], to: "risk_accepted", reason: "r", expiresAt: new Date(Date.now() + 40 * DAY) }),
    ).rejects.toThrow(/at most 30 days/);
    await setSlaSettings(db.prisma, actors.admin, { high: 30, medium: 90, maxAcceptanceDays: 365 });
    expect(await db.prisma.setting.findUniqueOrThrow({ where: { key: "findings.sla" } })).toMatchObject({ value: {} });
  });

  it("the schedule expires acceptances and sends one reminder before they end", async () => {
    const now = new Date();
    const soon = await finding({ apiId: apis.payments.id, teamId: apis.payments.ownerTeamId, status: "open", assigneeId: actors.developer.userId });
    const later = await finding({ apiId: apis.payments.id, teamId: apis.payments.ownerTeamId, status: "open" });
    await transitionFindings(db.prisma, actors.security, { ids: [soon], to: "risk_accepted", reason: "vendor patch", expiresAt: new Date(now.getTime() + 10 * DAY) }, { now });
    await transitionFindings(db.prisma, actors.security, { ids: [later], to: "risk_accepted", reason: "vendor patch", expiresAt: new Date(now.getTime() + 60 * DAY) }, { now });
    const first = await runFindingSchedule(db.prisma, now);
    expect(first.reminded).toBe(1);
    expect((await row(soon)).acceptanceRemindedAt).toEqual(now);
    expect((await row(later)).acceptanceRemindedAt).toBeNull();
    const notes = await db.prisma.notification.findMany({ where: { findingId: soon } });
    expect(notes.map((x) => [x.userId, x.type]).sort()).toEqual(
      [[actors.security.userId, "acceptance_expiring"], [actors.developer.userId, "acceptance_expiring"]].sort(),
    );
    expect((await runFindingSchedule(db.prisma, new Date(now.getTime() + DAY))).reminded).toBe(0);
    const expired = await runFindingSchedule(db.prisma, new Date(now.getTime() + 11 * DAY));
    expect(expired.acceptancesExpired).toBeGreaterThanOrEqual(1);
    expect((await row(soon)).status).toBe("open");
    expect(await db.prisma.auditLog.count({ where: { targetId: soon, action: "finding.transition", actorType: "system" } })).toBe(1);
  });

  it("the server's schedule runs on its own, once started, until stopped", async () => {
    const past = new Date(Date.now() - DAY);
    const id = await finding({ apiId: apis.payments.id, status: "risk_accepted", acceptedUntil: past, slaPausedAt: new Date(Date.now() - 2 * DAY) });
    let opened = 0;
    const open = async () => {
      opened += 1;
      return db.prisma;
    };
    startFindingSchedule({ prisma: open, firstMs: 10, everyMs: 60_000 });
    startFindingSchedule({ prisma: open, firstMs: 10, everyMs: 60_000 }); // once per process
    for (let i = 0; i < 200 && (await row(id)).status !== "open"; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    await stopFindingSchedule();
    expect((await row(id)).status).toBe("open");
    expect(opened).toBe(1);
  });

  it("SLA compliance per team over a period, scoped to the reader", async () => {
    const from = new Date("2030-01-01T00:00:00Z");
    const to = new Date("2030-02-01T00:00:00Z");
    const t = (day: number) => new Date(from.getTime() + day * DAY);
    const closed = (team: "payments" | "orders", resolvedDay: number, dueDay: number, status = "resolved") =>
      finding({ apiId: apis[team].id, teamId: apis[team].ownerTeamId, status, resolvedAt: t(resolvedDay), slaDueAt: t(dueDay), firstSeenAt: t(-30) });
    await closed("payments", 1, 5);
    await closed("payments", 5, 5);
    await closed("payments", 9, 5);
    await closed("orders", 3, 2);
    await closed("orders", 3, 10, "false_positive"); // not remediation
    await closed("orders", 40, 50); // outside the period
    const all = await slaCompliance(db.prisma, actors.executive, { from, to });
    expect(all.teams).toEqual([
      { team: { slug: "orders", name: "orders" }, closed: 1, closedWithinSla: 0, share: 0 },
      { team: { slug: "payments", name: "payments" }, closed: 3, closedWithinSla: 2, share: 2 / 3 },
    ]);
    expect(all.total).toEqual({ closed: 4, closedWithinSla: 2, share: 0.5 });
    const mine = await slaCompliance(db.prisma, actors.developer, { from, to });
    expect(mine.teams.map((r) => r.team?.slug)).toEqual(["payments"]);
    const empty = await slaCompliance(db.prisma, actors.admin, { from: t(100), to: t(101) });
    expect(empty).toMatchObject({ teams: [], total: { closed: 0, share: null } });
    await expect(slaCompliance(db.prisma, actors.admin, { from: to, to: from })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
