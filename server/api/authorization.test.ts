/**
 * The authorization matrix, generated from the router and from the route files under app/api: every tRPC procedure
 * and every REST route × every role (and signed out) × an object of the caller's own team, of another team, and one
 * that does not exist. A procedure without a declared permission, or without a row in CALLS below, fails the suite;
 * so does a route file whose handlers declare nothing (server/api/rest.ts).
 *
 * Outcomes: "unauthorized" (401), "forbidden" (403 naming the permission), "hidden" (404: another team's object
 * answers exactly like a missing one) or "allowed" (the call got past authorization: success, or an error about the
 * input or the state, never about who is asking).
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, missingPermission, type Permission, PERMISSIONS } from "@/server/auth/permissions";
import { type Actor, type Role, ROLES } from "@/server/auth/roles";
import { createApiToken } from "@/server/auth/tokens";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import type { RouteAccess } from "./rest";
import { appRouter, createCaller } from "./root";
import type { Meta } from "./trpc";

type Caller = ReturnType<typeof createCaller>;
type Outcome = "unauthorized" | "forbidden" | "hidden" | "allowed";
type Variant = "plain" | "own" | "other" | "none";

/** The objects the matrix calls procedures on, created in beforeAll. */
interface World {
  findingA: string;
  findingB: string;
  unmapped: string;
  tokenOf: Record<Role, string>;
  adminToken: string;
  /** A person the admin screens act on (role, deactivation, password reset, team membership). */
  target: string;
  /** A suppression rule (of a rule id no finding has) for the suppression procedures. */
  suppressionRule: string;
  /** A notification of each role's person, one of someone else's, and a webhook. */
  notificationOf: Record<Role, string>;
  otherNotification: string;
  webhook: string;
  /** A report schedule, and stored runs: of the developer's team (alpha), of another team (beta). */
  schedule: string;
  runOwn: string;
  runOther: string;
}

/** Whose "other team" object a role may still see, per kind of object. */
const SEES_OTHER: Record<"api" | "finding" | "token" | "notification" | "reportRun", (role: Role) => boolean> = {
  reportRun: (role) => role !== "developer",
  notification: () => false,
  api: (role) => role !== "developer",
  finding: (role) => role === "admin" || role === "security",
  token: (role) => can({ role }, "tokens:all"),
};

interface Row {
  object?: keyof typeof SEES_OTHER;
  call: Partial<Record<Variant, (c: Caller, w: World, role: Role) => Promise<unknown>>>;
}

/** One row per procedure: how to call it on each kind of object. A new procedure needs a row here. */
const CALLS: Record<string, Row> = {
  "me.get": { call: { plain: (c) => c.me.get() } },
  "me.signInOptions": { call: { plain: (c) => c.me.signInOptions() } },
  "apis.list": { call: { plain: (c) => c.apis.list({}) } },
  "apis.teams": { call: { plain: (c) => c.apis.teams() } },
  "apis.get": {
    object: "api",
    call: { own: (c) => c.apis.get({ slug: "alpha-api" }), other: (c) => c.apis.get({ slug: "beta-api" }), none: (c) => c.apis.get({ slug: "no-such-api" }) },
  },
  "apis.changelog": {
    object: "api",
    call: {
      own: (c) => c.apis.changelog({ slug: "alpha-api" }),
      other: (c) => c.apis.changelog({ slug: "beta-api" }),
      none: (c) => c.apis.changelog({ slug: "no-such-api" }),
    },
  },
  "apis.changesThisWeek": { call: { plain: (c) => c.apis.changesThisWeek() } },
  "findings.list": { call: { plain: (c) => c.findings.list({}) } },
  "findings.summary": { call: { plain: (c) => c.findings.summary({}) } },
  "findings.get": {
    object: "finding",
    call: {
      own: (c, w) => c.findings.get({ id: w.findingA }),
      other: (c, w) => c.findings.get({ id: w.findingB }),
      none: (c) => c.findings.get({ id: "no-such-finding" }),
    },
  },
  "findings.assignApi": {
    object: "api",
    call: {
      own: (c, w) => c.findings.assignApi({ id: w.unmapped, api: "alpha-api" }),
      none: (c, w) => c.findings.assignApi({ id: w.unmapped, api: "no-such-api" }),
    },
  },
  "findings.mapToApi": {
    call: {
      plain: (c) => c.findings.mapToApi({ filter: { q: "no-such-finding" }, api: "alpha-api" }),
      none: (c) => c.findings.mapToApi({ filter: { q: "no-such-finding" }, api: "no-such-api" }),
    },
  },
  // Moves within the team (open ↔ triaged): allowed calls leave finding A active for the rows after them.
  "findings.transition": {
    object: "finding",
    call: {
      plain: (c) => c.findings.transition({ filter: { q: "no-such-finding" }, to: "triaged" }),
      own: (c, w, role) => c.findings.transition({ ids: [w.findingA], to: role === "developer" ? "triaged" : "open" }),
      other: (c, w) => c.findings.transition({ ids: [w.findingB], to: "triaged" }),
      none: (c) => c.findings.transition({ ids: ["no-such-finding"], to: "triaged" }),
    },
  },
  "findings.assign": {
    object: "finding",
    call: {
      plain: (c) => c.findings.assign({ filter: { q: "no-such-finding" }, assignee: null }),
      own: (c, w) => c.findings.assign({ ids: [w.findingA], assignee: null }),
      other: (c, w) => c.findings.assign({ ids: [w.findingB], assignee: null }),
      none: (c) => c.findings.assign({ ids: ["no-such-finding"], assignee: null }),
    },
  },
  "findings.assignees": {
    object: "finding",
    call: {
      own: (c, w) => c.findings.assignees({ id: w.findingA }),
      other: (c, w) => c.findings.assignees({ id: w.findingB }),
      none: (c) => c.findings.assignees({ id: "no-such-finding" }),
    },
  },
  "findings.comment": {
    object: "finding",
    call: {
      own: (c, w) => c.findings.comment({ id: w.findingA, body: "matrix" }),
      other: (c, w) => c.findings.comment({ id: w.findingB, body: "matrix" }),
      none: (c) => c.findings.comment({ id: "no-such-finding", body: "matrix" }),
    },
  },
  "findings.propose": {
    object: "finding",
    call: {
      own: (c, w) => c.findings.propose({ id: w.findingA, reason: "matrix" }),
      other: (c, w) => c.findings.propose({ id: w.findingB, reason: "matrix" }),
      none: (c) => c.findings.propose({ id: "no-such-finding", reason: "matrix" }),
    },
  },
  "findings.rejectProposal": {
    object: "finding",
    call: {
      own: (c, w) => c.findings.rejectProposal({ id: w.findingA, reason: "matrix" }),
      other: (c, w) => c.findings.rejectProposal({ id: w.findingB, reason: "matrix" }),
      none: (c) => c.findings.rejectProposal({ id: "no-such-finding", reason: "matrix" }),
    },
  },
  "findings.mine": { call: { plain: (c) => c.findings.mine({}) } },
  "findings.triageQueue": { call: { plain: (c) => c.findings.triageQueue({}) } },
  "findings.counts": { call: { plain: (c) => c.findings.counts() } },
  "ingest.formats": { call: { plain: (c) => c.ingest.formats() } },
  "ingest.runs": { call: { plain: (c) => c.ingest.runs({}) } },
  "tokens.list": { call: { plain: (c) => c.tokens.list() } },
  "tokens.create": { call: { plain: (c) => c.tokens.create({ name: "matrix", scopes: ["read"], expiresInDays: 1 }) } },
  "tokens.revoke": {
    object: "token",
    call: {
      own: (c, w, role) => c.tokens.revoke({ id: w.tokenOf[role] }),
      other: (c, w) => c.tokens.revoke({ id: w.adminToken }),
      none: (c) => c.tokens.revoke({ id: "no-such-token" }),
    },
  },
  "traffic.api": {
    object: "api",
    call: {
      own: (c) => c.traffic.api({ slug: "alpha-api" }),
      other: (c) => c.traffic.api({ slug: "beta-api" }),
      none: (c) => c.traffic.api({ slug: "no-such-api" }),
    },
  },
  "traffic.flags": { call: { plain: (c) => c.traffic.flags({}) } },
  "traffic.attackSignals": { call: { plain: (c) => c.traffic.attackSignals({}) } },
  "risk.overview": { call: { plain: (c) => c.risk.overview() } },
  "executive.summary": { call: { plain: (c) => c.executive.summary() } },
  "risk.api": {
    object: "api",
    call: { own: (c) => c.risk.api({ slug: "alpha-api" }), other: (c) => c.risk.api({ slug: "beta-api" }), none: (c) => c.risk.api({ slug: "no-such-api" }) },
  },
  "risk.weights.get": { call: { plain: (c) => c.risk.weights.get() } },
  "risk.weights.preview": { call: { plain: async (c) => c.risk.weights.preview((await c.risk.weights.get()).weights) } },
  "risk.weights.set": { call: { plain: async (c) => c.risk.weights.set((await c.risk.weights.get()).weights) } },
  "secrets.list": { call: { plain: (c) => c.secrets.list({}) } },
  "settings.thresholds": { call: { plain: (c) => c.settings.thresholds() } },
  "settings.setThresholds": { call: { plain: (c) => c.settings.setThresholds({}) } },
  "account.get": { call: { plain: (c) => c.account.get() } },
  "account.changePassword": { call: { plain: (c) => c.account.changePassword({ currentPassword: "not-the-password", newPassword: "matrix-new-password-1" }) } },
  "account.tokens": { call: { plain: (c) => c.account.tokens() } },
  "people.list": { call: { plain: (c) => c.people.list() } },
  "people.create": { call: { plain: (c) => c.people.create({ email: "matrix-created@example.com", role: "developer", teams: ["alpha"] }) } },
  "people.setRole": {
    call: { plain: (c, w) => c.people.setRole({ id: w.target, role: "executive" }), none: (c) => c.people.setRole({ id: "no-such-user", role: "executive" }) },
  },
  "people.deactivate": {
    call: { plain: (c, w) => c.people.deactivate({ id: w.target }), none: (c) => c.people.deactivate({ id: "no-such-user" }) },
  },
  "people.reactivate": {
    call: { plain: (c, w) => c.people.reactivate({ id: w.target }), none: (c) => c.people.reactivate({ id: "no-such-user" }) },
  },
  "people.resetPassword": {
    call: { plain: (c, w) => c.people.resetPassword({ id: w.target }), none: (c) => c.people.resetPassword({ id: "no-such-user" }) },
  },
  "people.unlock": { call: { plain: (c, w) => c.people.unlock({ id: w.target }), none: (c) => c.people.unlock({ id: "no-such-user" }) } },
  "people.lockouts": { call: { plain: (c, w) => c.people.lockouts({ id: w.target }) } },
  "teams.list": { call: { plain: (c) => c.teams.list() } },
  "teams.get": { call: { plain: (c) => c.teams.get({ slug: "alpha" }), none: (c) => c.teams.get({ slug: "no-such-team" }) } },
  "teams.create": { call: { plain: (c) => c.teams.create({ name: "Matrix team" }) } },
  "teams.rename": { call: { plain: (c) => c.teams.rename({ slug: "beta", name: "Beta" }), none: (c) => c.teams.rename({ slug: "no-such-team", name: "x" }) } },
  "teams.addMember": {
    call: { plain: (c, w) => c.teams.addMember({ team: "beta", userId: w.target }), none: (c, w) => c.teams.addMember({ team: "no-such-team", userId: w.target }) },
  },
  "teams.removeMember": {
    call: { plain: (c, w) => c.teams.removeMember({ team: "beta", userId: w.target }), none: (c, w) => c.teams.removeMember({ team: "no-such-team", userId: w.target }) },
  },
  "ownership.get": {
    object: "api",
    call: {
      own: (c) => c.ownership.get({ slug: "alpha-api" }),
      other: (c) => c.ownership.get({ slug: "beta-api" }),
      none: (c) => c.ownership.get({ slug: "no-such-api" }),
    },
  },
  // Manual claims naming each Api's current owner: allowed calls leave the world's owners as they were.
  "ownership.set": {
    object: "api",
    call: {
      own: (c) => c.ownership.set({ slug: "alpha-api", team: "alpha" }),
      other: (c) => c.ownership.set({ slug: "beta-api", team: "beta" }),
      none: (c) => c.ownership.set({ slug: "no-such-api", team: "alpha" }),
    },
  },
  "ownership.clear": {
    object: "api",
    call: {
      own: (c) => c.ownership.clear({ slug: "alpha-api" }),
      other: (c) => c.ownership.clear({ slug: "beta-api" }),
      none: (c) => c.ownership.clear({ slug: "no-such-api" }),
    },
  },
  "ownership.assignOwnerless": { call: { plain: (c) => c.ownership.assignOwnerless({ filter: { q: "no-such-api" }, team: "alpha" }) } },
  "suppressions.list": { call: { plain: (c) => c.suppressions.list() } },
  "suppressions.create": { call: { plain: (c) => c.suppressions.create({ ruleId: "matrix-no-finding", state: "false_positive", reason: "matrix" }) } },
  "suppressions.update": {
    call: {
      plain: (c, w) => c.suppressions.update({ id: w.suppressionRule, reason: "matrix, edited" }),
      none: (c) => c.suppressions.update({ id: "no-such-rule", reason: "x" }),
    },
  },
  "suppressions.revoke": {
    call: { plain: (c, w) => c.suppressions.revoke({ id: w.suppressionRule }), none: (c) => c.suppressions.revoke({ id: "no-such-rule" }) },
  },
  "sla.settings": { call: { plain: (c) => c.sla.settings() } },
  "sla.setSettings": { call: { plain: (c) => c.sla.setSettings({}) } },
  "notifications.list": { call: { plain: (c) => c.notifications.list({}) } },
  "notifications.unreadCount": { call: { plain: (c) => c.notifications.unreadCount() } },
  "notifications.markRead": {
    object: "notification",
    call: {
      own: (c, w, role) => c.notifications.markRead({ ids: [w.notificationOf[role]] }),
      other: (c, w) => c.notifications.markRead({ ids: [w.otherNotification] }),
      none: (c) => c.notifications.markRead({ ids: ["no-such-notification"] }),
    },
  },
  "notifications.preferences.get": { call: { plain: (c) => c.notifications.preferences.get() } },
  "notifications.preferences.set": { call: { plain: (c) => c.notifications.preferences.set([{ type: "overdue", inApp: true }]) } },
  "webhooks.list": { call: { plain: (c) => c.webhooks.list() } },
  "webhooks.create": { call: { plain: (c) => c.webhooks.create({ name: "matrix", url: "https://hooks.example.com/matrix" }) } },
  "webhooks.update": {
    call: { plain: (c, w) => c.webhooks.update({ id: w.webhook, name: "matrix, edited" }), none: (c) => c.webhooks.update({ id: "no-such-webhook", name: "x" }) },
  },
  "webhooks.delete": { call: { none: (c) => c.webhooks.delete({ id: "no-such-webhook" }) } },
  "webhooks.deliveries": { call: { plain: (c, w) => c.webhooks.deliveries({ id: w.webhook }), none: (c) => c.webhooks.deliveries({ id: "no-such-webhook" }) } },
  "audit.list": { call: { plain: (c) => c.audit.list({ action: "matrix." }) } },
  "audit.retention": { call: { plain: (c) => c.audit.retention() } },
  "audit.setRetention": { call: { plain: (c) => c.audit.setRetention({ days: 365 }) } },
  "webhooks.test": { call: { plain: (c, w) => c.webhooks.test({ id: w.webhook }), none: (c) => c.webhooks.test({ id: "no-such-webhook" }) } },
  "reports.build": {
    object: "api",
    call: {
      plain: (c) => c.reports.build({ framework: "owasp-api-2023" }),
      own: (c) => c.reports.build({ framework: "soc2", team: "alpha" }),
      other: (c) => c.reports.build({ framework: "soc2", team: "beta" }),
      none: (c) => c.reports.build({ framework: "soc2", api: "no-such-api" }),
    },
  },
  "reports.scorecards": { call: { plain: (c) => c.reports.scorecards() } },
  "reportSchedules.list": { call: { plain: (c) => c.reportSchedules.list() } },
  "reportSchedules.create": { call: { plain: (c) => c.reportSchedules.create({ name: "matrix", framework: "soc2", scopeKind: "team", scopeSlug: "alpha", cadence: "monthly" }) } },
  "reportSchedules.setActive": {
    call: { plain: (c, w) => c.reportSchedules.setActive({ id: w.schedule, active: true }), none: (c) => c.reportSchedules.setActive({ id: "no-such-schedule", active: false }) },
  },
  "reportSchedules.delete": { call: { none: (c) => c.reportSchedules.delete({ id: "no-such-schedule" }) } },
  "reportSchedules.runNow": { call: { plain: (c, w) => c.reportSchedules.runNow({ id: w.schedule }), none: (c) => c.reportSchedules.runNow({ id: "no-such-schedule" }) } },
  "reportSchedules.latest": { call: { plain: (c) => c.reportSchedules.latest() } },
  "reportSchedules.runs": { call: { plain: (c) => c.reportSchedules.runs({}), own: (c, w) => c.reportSchedules.runs({ scheduleId: w.schedule }) } },
  "reportSchedules.run": {
    object: "reportRun",
    call: {
      own: (c, w) => c.reportSchedules.run({ id: w.runOwn }),
      other: (c, w) => c.reportSchedules.run({ id: w.runOther }),
      none: (c) => c.reportSchedules.run({ id: "no-such-run" }),
    },
  },
  "sla.compliance": { call: { plain: (c) => c.sla.compliance({ from: new Date("2026-01-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") }) } },
};

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>).map(
  ([name, procedure]) => ({ name, permission: procedure._def.meta?.permission }),
);

async function outcomeOf(call: () => Promise<unknown>): Promise<{ outcome: Outcome; message?: string }> {
  try {
    await call();
    return { outcome: "allowed" };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    if (error.code === "UNAUTHORIZED") return { outcome: "unauthorized", message: error.message };
    if (error.code === "FORBIDDEN") return { outcome: "forbidden", message: error.message };
    if (error.code === "NOT_FOUND") return { outcome: "hidden", message: error.message };
    return { outcome: "allowed", message: error.message };
  }
}

function expected(permission: Permission | "public", role: Role | null, variant: Variant, object: Row["object"]): Outcome {
  if (permission === "public") return "allowed";
  if (role === null) return "unauthorized";
  if (!can({ role }, permission)) return "forbidden";
  if (variant === "none") return "hidden";
  if (variant === "other" && object && !SEES_OTHER[object](role)) return "hidden";
  return "allowed";
}

describe("every procedure declares a permission and has a matrix row", () => {
  it.each(procedures)("$name", ({ name, permission }) => {
    expect(permission, `${name} declares no permission (use authorized(...) in server/api/trpc.ts)`).toBeDefined();
    expect(permission === "public" || (PERMISSIONS as readonly string[]).includes(permission as string)).toBe(true);
    expect(CALLS[name], `${name} has no row in the authorization matrix`).toBeDefined();
  });
  it("the matrix has no rows for procedures that no longer exist", () => {
    const names = new Set(procedures.map((p) => p.name));
    expect(Object.keys(CALLS).filter((n) => !names.has(n))).toEqual([]);
  });
});

describe.each(TEST_DATABASES)("authorization matrix on $name", (kind) => {
  let db: Database;
  const actors = {} as Record<Role, Actor>;
  const world = { tokenOf: {}, notificationOf: {} } as World;

  beforeAll(async () => {
    db = await kind.open();
    const alpha = await ensureTeam(db.prisma, "alpha");
    await ensureTeam(db.prisma, "beta");
    for (const [title, owner] of [["Alpha API", "alpha"], ["Beta API", "beta"]] as const) {
      const spec = {
        openapi: "3.0.3",
        info: { title, version: "1", "x-owner": owner },
        servers: [{ url: `https://${owner}.example.com/v1` }],
        paths: { "/things/{id}": { get: { summary: "Get", responses: { "200": { description: "ok" } } } } },
      };
      const result = await ingest(db.prisma, { file: bufferSource(JSON.stringify(spec), `${owner}.json`), channel: "cli", actor: { type: "system" } });
      expect(result.status).toBe("succeeded");
    }
    const apis = await db.prisma.api.findMany({ select: { id: true, slug: true, ownerTeamId: true } });
    const now = new Date();
    const finding = async (key: string, apiSlug: string | null) => {
      const api = apis.find((a) => a.slug === apiSlug);
      const row = await db.prisma.finding.create({
        data: {
          kind: "scan", ruleId: `rule-${key}`, tool: "zap", title: `Finding ${key}`, severity: "high", fingerprint: `matrix-${key}`,
          apiId: api?.id ?? null, teamId: api?.ownerTeamId ?? null, firstSeenAt: now, lastSeenAt: now, evidence: { detail: "x" },
        },
      });
      return row.id;
    };
    world.findingA = await finding("a", "alpha-api");
    world.findingB = await finding("b", "beta-api");
    world.unmapped = await finding("u", null);
    for (const role of ROLES) {
      const user = await createUser(db.prisma, { email: `${role}@example.com`, role, password: `${role}-password-123`, teams: role === "developer" ? ["alpha"] : [] });
      actors[role] = { type: "user", userId: user.id, email: user.email, role, teamIds: role === "developer" ? [alpha.id] : [] };
      world.tokenOf[role] = (await createApiToken(db.prisma, { userId: user.id, name: "own", scopes: ["read"], expiresInDays: 1 })).id;
      world.notificationOf[role] = (await db.prisma.notification.create({ data: { userId: user.id, type: "assigned", title: "matrix" } })).id;
    }
    world.adminToken = (await createApiToken(db.prisma, { userId: actors.admin.userId, name: "admin's", scopes: ["read"], expiresInDays: 1 })).id;
    world.target = (await createUser(db.prisma, { email: "target@example.com", role: "developer", password: "target-password-123" })).id;
    world.otherNotification = (await db.prisma.notification.create({ data: { userId: world.target, type: "assigned", title: "matrix" } })).id;
    world.webhook = (
      await db.prisma.webhook.create({ data: { name: "matrix", url: "http://127.0.0.1:9/matrix", secret: "whsec_matrix", createdById: actors.admin.userId } })
    ).id;
    world.schedule = (
      await db.prisma.reportSchedule.create({
        data: { name: "matrix", framework: "owasp-api-2023", scopeKind: "team", scopeSlug: "alpha", cadence: "weekly", nextRunAt: new Date(Date.now() + 86_400_000), createdById: actors.admin.userId },
      })
    ).id;
    const beta = await db.prisma.team.findUniqueOrThrow({ where: { slug: "beta" } });
    for (const [key, team] of [["runOwn", alpha], ["runOther", beta]] as const) {
      world[key] = (
        await db.prisma.reportRun.create({
          data: {
            scheduleId: world.schedule, framework: "owasp-api-2023", scopeKind: "team", scopeSlug: team.slug, scopeLabel: team.slug, scopeTeamId: team.id,
            periodFrom: new Date("2026-11-02T00:00:00Z"), periodTo: new Date("2026-11-09T00:00:00Z"), trigger: "schedule", status: "failed", error: "matrix",
          },
        })
      ).id;
    }
    world.suppressionRule = (
      await db.prisma.suppressionRule.create({ data: { ruleId: "matrix-no-finding", state: "false_positive", reason: "matrix", createdById: actors.admin.userId } })
    ).id;
  });
  afterAll(async () => {
    await db?.close();
  });

  const cases = procedures.flatMap(({ name, permission }) => {
    const row = CALLS[name];
    if (!row || !permission) return [];
    return (Object.keys(row.call) as Variant[]).map((variant) => ({ name, permission, variant, row }));
  });

  it.each(cases)("$name ($variant) for each role", async ({ name, permission, variant, row }) => {
    const call = row.call[variant]!;
    const signedOut = await outcomeOf(() => call(createCaller({ prisma: db.prisma, actor: null }), world, "developer"));
    expect(signedOut.outcome, `${name} signed out`).toBe(expected(permission, null, variant, row.object));
    // The roles that may not see another team's object first, so a mutation by an allowed role cannot change it.
    for (const role of [...ROLES].reverse()) {
      const got = await outcomeOf(() => call(createCaller({ prisma: db.prisma, actor: actors[role] }), world, role));
      const want = expected(permission, role, variant, row.object);
      expect(got.outcome, `${name} (${variant}) as ${role}: ${got.message ?? ""}`).toBe(want);
      if (want === "forbidden" && permission !== "public") expect(got.message).toContain(missingPermission(permission));
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// REST routes: every handler under app/api declares its access.

const APP_API = path.resolve(import.meta.dirname, "../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return entry === "route.ts" ? [full] : [];
  });
}

describe("every REST route declares its access", () => {
  const files = routeFiles(APP_API);
  it("finds the route files", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });
  it.each(files.map((file) => ({ route: path.relative(APP_API, path.dirname(file)), file })))("/api/$route", async ({ file }) => {
    const module = (await import(file)) as Record<string, unknown>;
    const handlers = METHODS.filter((m) => typeof module[m] === "function");
    expect(handlers.length).toBeGreaterThan(0);
    for (const method of handlers) {
      const access = (module[method] as { access?: RouteAccess }).access;
      expect(access, `${method} ${file} declares no access (server/api/rest.ts declareRoute)`).toBeDefined();
      if (access && "permission" in access) expect(PERMISSIONS).toContain(access.permission);
    }
  });
});
