import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockedUntil, LOCKOUT_THRESHOLD, recordFailedSignIn, recordSuccessfulSignIn } from "@/server/auth/lockout";
import type { Actor } from "@/server/auth/roles";
import { authenticateToken, createApiToken } from "@/server/auth/tokens";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { createCaller } from "./root";

const spec = (title: string, host: string, owner: string) =>
  JSON.stringify({
    openapi: "3.0.3",
    info: { title, version: "1", "x-owner": owner },
    servers: [{ url: `https://${host}/v1` }],
    paths: { "/things/{id}": { get: { summary: "Get", responses: { "200": { description: "ok" } } } } },
  });

describe.each(TEST_DATABASES)("API access control on $name", (kind) => {
  let db: Database;
  let payments: Actor;
  let security: Actor;
  let executive: Actor;

  beforeAll(async () => {
    db = await kind.open();
    const teamPayments = await ensureTeam(db.prisma, "payments");
    const teamIdentity = await ensureTeam(db.prisma, "identity");
    for (const [title, host, owner] of [
      ["Payments API", "payments.example.com", "payments"],
      ["Identity API", "identity.example.com", "identity"],
    ] as const) {
      const result = await ingest(db.prisma, { file: bufferSource(spec(title, host, owner), `${owner}.json`), channel: "cli", actor: { type: "system" } });
      expect(result.status).toBe("succeeded");
    }
    const dev = await createUser(db.prisma, { email: "dev@example.com", role: "developer", password: "a-long-password-1", teams: ["payments"] });
    const sec = await createUser(db.prisma, { email: "sec@example.com", role: "security", password: "a-long-password-2" });
    payments = { type: "user", userId: dev.id, email: dev.email, role: "developer", teamIds: [teamPayments.id] };
    security = { type: "user", userId: sec.id, email: sec.email, role: "security", teamIds: [] };
    executive = { type: "user", userId: sec.id, email: "exec@example.com", role: "executive", teamIds: [teamIdentity.id] };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("refuses every protected procedure without a session (401)", async () => {
    const caller = createCaller({ prisma: db.prisma, actor: null });
    await expect(caller.apis.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.me.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.tokens.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("shows a developer only their teams' Apis, and hides others as not found", async () => {
    const caller = createCaller({ prisma: db.prisma, actor: payments });
    const list = await caller.apis.list({});
    expect(list.rows.map((r) => r.slug)).toEqual(["payments-api"]);
    await expect(caller.apis.get({ slug: "identity-api" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await caller.apis.get({ slug: "payments-api" })).endpoints).toHaveLength(1);
  });

  it("lets the security team see everything and filter on the server", async () => {
    const caller = createCaller({ prisma: db.prisma, actor: security });
    expect((await caller.apis.list({})).total).toBe(2);
    expect((await caller.apis.list({ team: "identity" })).rows.map((r) => r.slug)).toEqual(["identity-api"]);
    expect((await caller.apis.list({ q: "PAYM" })).rows.map((r) => r.slug)).toEqual(["payments-api"]);
    expect((await caller.apis.list({ sort: "name", dir: "desc" })).rows[0]?.slug).toBe("payments-api");
    expect((await caller.apis.list({ pageSize: 1, page: 2 })).rows).toHaveLength(1);
  });

  it("filters the inventory by risk band and sorts by risk in the database, unscored last", async () => {
    const caller = createCaller({ prisma: db.prisma, actor: security });
    await db.prisma.api.update({ where: { slug: "payments-api" }, data: { riskScore: 83.5, riskBand: "critical" } });
    await db.prisma.api.update({ where: { slug: "identity-api" }, data: { riskScore: 12, riskBand: "low" } });
    const desc = await caller.apis.list({ sort: "riskScore", dir: "desc" });
    expect(desc.rows.map((r) => [r.slug, r.riskScore, r.riskBand])).toEqual([
      ["payments-api", 83.5, "critical"],
      ["identity-api", 12, "low"],
    ]);
    expect((await caller.apis.list({ sort: "riskScore", dir: "asc" })).rows.map((r) => r.slug)).toEqual(["identity-api", "payments-api"]);
    expect((await caller.apis.list({ band: "critical", sort: "riskScore", dir: "desc" })).rows.map((r) => r.slug)).toEqual(["payments-api"]);
    expect((await caller.apis.list({ band: "high" })).total).toBe(0);
    await db.prisma.api.update({ where: { slug: "identity-api" }, data: { riskScore: null, riskBand: null } });
    expect((await caller.apis.list({ band: "unscored" })).rows.map((r) => r.slug)).toEqual(["identity-api"]);
    expect((await caller.apis.list({ sort: "riskScore", dir: "desc" })).rows.map((r) => r.slug)).toEqual(["payments-api", "identity-api"]);
    expect((await caller.apis.list({ sort: "riskScore", dir: "asc" })).rows.map((r) => r.slug)).toEqual(["payments-api", "identity-api"]);
  });

  it("forbids role-restricted procedures (403) and validates input", async () => {
    const dev = createCaller({ prisma: db.prisma, actor: payments });
    await expect(dev.ingest.runs({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(dev.tokens.create({ name: "x", scopes: ["ingest"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const exec = createCaller({ prisma: db.prisma, actor: executive });
    await expect(exec.ingest.runs({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    const sec = createCaller({ prisma: db.prisma, actor: security });
    await expect(sec.apis.list({ pageSize: 10_000 })).rejects.toBeInstanceOf(TRPCError);
  });

  it("creates scoped, hashed, expiring, revocable tokens", async () => {
    const sec = createCaller({ prisma: db.prisma, actor: security });
    const created = await sec.tokens.create({ name: "ci", scopes: ["ingest"], expiresInDays: 30 });
    expect(created.token).toMatch(/^pst_[A-Za-z0-9_-]{43}$/);
    const stored = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.hash).not.toContain(created.token.slice(4));
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await authenticateToken(db.prisma, created.token, "ingest")).toMatchObject({ type: "token", role: "security" });
    expect(await authenticateToken(db.prisma, created.token, "read")).toBeNull();
    expect(await authenticateToken(db.prisma, `${created.token}x`, "ingest")).toBeNull();
    await sec.tokens.revoke({ id: created.id });
    expect(await authenticateToken(db.prisma, created.token, "ingest")).toBeNull();
    const expired = await createApiToken(db.prisma, { userId: security.userId, name: "old", scopes: ["ingest"], expiresInDays: 1 });
    await db.prisma.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await authenticateToken(db.prisma, expired.token, "ingest")).toBeNull();
    const audit = await db.prisma.auditLog.findMany({ where: { action: { startsWith: "token." } } });
    expect(audit.map((a) => a.action).sort()).toEqual(["token.create", "token.revoke", "token.use"]);
  });

  it("locks an account (for one client) after the threshold of consecutive failures, and a success resets the count", async () => {
    const email = "dev@example.com";
    const client = "192.0.2.44";
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await recordFailedSignIn(db.prisma, email, client);
    expect(await lockedUntil(db.prisma, email, client)).toBeNull();
    await recordSuccessfulSignIn(db.prisma, payments.userId, client);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) await recordFailedSignIn(db.prisma, email, client);
    expect(await lockedUntil(db.prisma, email, client)).toBeNull();
    await recordFailedSignIn(db.prisma, email, client);
    expect(await lockedUntil(db.prisma, email, client)).toBeInstanceOf(Date);
    await recordFailedSignIn(db.prisma, "nobody@example.com", client); // unknown emails are ignored, not an error
  });
});

describe("rule thresholds", () => {
  it("are admin-editable, validated, audited and merged over the defaults", async () => {
    const kind = TEST_DATABASES[0];
    if (!kind) throw new Error("no test database");
    const db = await kind.open();
    try {
      const admin: Actor = { type: "user", userId: "admin-1", email: "admin@example.com", role: "admin", teamIds: [] };
      const security: Actor = { ...admin, userId: "sec-1", role: "security" };
      const asAdmin = createCaller({ prisma: db.prisma, actor: admin });
      const asSecurity = createCaller({ prisma: db.prisma, actor: security });
      expect((await asSecurity.settings.thresholds()).values.credentialStuffingFailures).toBe(20);
      await expect(asSecurity.settings.setThresholds({ credentialStuffingFailures: 30 })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(asAdmin.settings.setThresholds({ credentialStuffingFailures: -1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
      const updated = await asAdmin.settings.setThresholds({ credentialStuffingFailures: 30, staleSecretDays: 90 });
      expect(updated.values).toMatchObject({ credentialStuffingFailures: 30, staleSecretDays: 90, zombieWindowDays: 30 });
      const stored = await db.prisma.setting.findUniqueOrThrow({ where: { key: "rules.thresholds" } });
      expect(stored.value).toEqual({ credentialStuffingFailures: 30 });
      expect(await db.prisma.auditLog.count({ where: { action: "settings.rule-thresholds" } })).toBe(1);
    } finally {
      await db.close();
    }
  });
});
