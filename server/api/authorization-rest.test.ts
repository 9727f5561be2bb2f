/**
 * The authorization matrix of the REST routes, generated from the route files under app/api and the access each
 * handler declares (server/api/rest.ts): every route × every role (and signed out) × an object of the caller's own
 * team, of another team, and one that does not exist, with the credential the route takes (a bearer token with the
 * declared scope, or a session cookie). The expected answer follows from the declaration and the permission ladder:
 * 401 signed out, 403 without the permission (404 for objects that only their starter can know of: ingest jobs),
 * 404 for another team's object or a missing one, and anything but 401/403/404 otherwise. A route without a row in
 * CALLS fails the suite; the tRPC endpoint and the CLI's loopback route are covered by their own tests.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuth } from "@/server/auth/auth";
import { can } from "@/server/auth/permissions";
import { type Actor, type Role, ROLES } from "@/server/auth/roles";
import { createApiToken } from "@/server/auth/tokens";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { buildReport } from "@/server/reports/build";
import { TEST_DATABASES } from "@/server/test/databases";
import type { RouteAccess } from "./rest";

const BASE = "http://localhost:3000";
const APP_API = path.resolve(import.meta.dirname, "../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Variant = "plain" | "own" | "other" | "none";
type Handler = ((request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { access?: RouteAccess };

interface World {
  own: string;
  other: string;
  /** Stored report runs of the developer's team (alpha) and of another team (beta). */
  runOwn: string;
  runOther: string;
}

interface Call {
  path: (w: World, v: Variant) => string;
  params?: (w: World, v: Variant) => Record<string, string>;
  body?: () => BodyInit;
  contentType?: string;
  variants: Variant[];
  /** How a caller without the permission is refused when 403 would reveal nothing more (default 403). */
  deniedAs?: 403 | 404;
}

const id = (w: World, v: Variant) => (v === "own" ? w.own : v === "other" ? w.other : "no-such-finding");
const json = (value: unknown) => () => JSON.stringify(value);
const spec = (title: string) => json({ openapi: "3.0.3", info: { title, version: "1" }, servers: [{ url: "https://matrix.example.com" }], paths: {} });
const JOB = "AAAAAAAAAAAAAAAAAAAAAA";
/** The world's Apis are "alpha" (the developer's team) and "beta". */
const apiSlugOf = (v: Variant) => (v === "own" ? "alpha" : v === "other" ? "beta" : "no-such-api");
/** A report's scope per variant: every Api the caller may see, the caller's own team, another team, no such team. */
const team = (v: Variant) => (v === "own" ? "&team=alpha" : v === "other" ? "&team=beta" : v === "none" ? "&team=no-such-team" : "");

const run = (w: World, v: Variant) => (v === "own" ? w.runOwn : v === "other" ? w.runOther : "no-such-run");

/** One row per route and method. Ids of the objects come from the world the test builds. */
const CALLS: Record<string, Call | { coveredBy: string }> = {
  "POST /api/trpc/[trpc]": { coveredBy: "server/api/authorization.test.ts (every procedure)" },
  "GET /api/trpc/[trpc]": { coveredBy: "server/api/authorization.test.ts (every procedure)" },
  "POST /api/internal/cli": { coveredBy: "server/cli/remote.test.ts (loopback peer and per-start key)" },
  "GET /api/auth/[...all]": { path: () => "/api/auth/get-session", variants: ["plain"] },
  "POST /api/auth/[...all]": { coveredBy: "server/auth/sign-in-clients.test.ts and lockout.test.ts (sign-in itself)" },
  "GET /api/v1/openapi.json": { path: () => "/api/v1/openapi.json", variants: ["plain"] },
  "GET /api/v1/findings": { path: () => "/api/v1/findings", variants: ["plain"] },
  "GET /api/v1/findings/[id]": { path: (w, v) => `/api/v1/findings/${id(w, v)}`, params: (w, v) => ({ id: id(w, v) }), variants: ["own", "other", "none"] },
  "POST /api/v1/findings/[id]/transition": {
    path: (w, v) => `/api/v1/findings/${id(w, v)}/transition`,
    params: (w, v) => ({ id: id(w, v) }),
    body: json({ to: "triaged" }),
    variants: ["own", "other", "none"],
  },
  "POST /api/v1/findings/[id]/assign": {
    path: (w, v) => `/api/v1/findings/${id(w, v)}/assign`,
    params: (w, v) => ({ id: id(w, v) }),
    body: json({ assignee: null }),
    variants: ["own", "other", "none"],
  },
  "POST /api/v1/findings/[id]/comments": {
    path: (w, v) => `/api/v1/findings/${id(w, v)}/comments`,
    params: (w, v) => ({ id: id(w, v) }),
    body: json({ body: "matrix" }),
    variants: ["own", "other", "none"],
  },
  "POST /api/v1/findings/bulk": { path: () => "/api/v1/findings/bulk", body: json({ action: "assign", assignee: null, filter: { status: "active" } }), variants: ["plain"] },
  "POST /api/v1/ingest": { path: () => "/api/v1/ingest?filename=matrix.json", body: spec("Matrix REST"), variants: ["plain"] },
  "GET /api/v1/ingest/jobs/[id]": { path: () => `/api/v1/ingest/jobs/${JOB}`, params: () => ({ id: JOB }), variants: ["none"], deniedAs: 404 },
  "POST /api/v1/ingest/jobs/[id]/cancel": { path: () => `/api/v1/ingest/jobs/${JOB}/cancel`, params: () => ({ id: JOB }), variants: ["none"], deniedAs: 404 },
  "POST /api/ingest": { path: () => "/api/ingest?filename=matrix-ui.json", body: spec("Matrix UI"), variants: ["plain"] },
  "GET /api/ingest/jobs/[id]": { path: () => `/api/ingest/jobs/${JOB}`, params: () => ({ id: JOB }), variants: ["none"], deniedAs: 404 },
  "POST /api/ingest/jobs/[id]/cancel": { path: () => `/api/ingest/jobs/${JOB}/cancel`, params: () => ({ id: JOB }), variants: ["none"], deniedAs: 404 },
  "GET /api/audit/export": { path: () => "/api/audit/export", variants: ["plain"] },
  "GET /api/v1/apis/[slug]/draft-spec": {
    path: (w, v) => `/api/v1/apis/${apiSlugOf(v)}/draft-spec`,
    params: (_w, v) => ({ slug: apiSlugOf(v) }),
    variants: ["own", "other", "none"],
  },
  "GET /api/v1/reports": { path: (_w, v) => `/api/v1/reports?framework=soc2&format=pdf${team(v)}`, variants: ["plain", "own", "other", "none"] },
  "GET /api/v1/reports/runs": { path: () => "/api/v1/reports/runs?page=1", variants: ["plain"] },
  "GET /api/v1/reports/runs/[id]": { path: (w, v) => `/api/v1/reports/runs/${run(w, v)}?format=pdf`, params: (w, v) => ({ id: run(w, v) }), variants: ["own", "other", "none"] },
  "GET /api/reports/runs/[id]": { path: (w, v) => `/api/reports/runs/${run(w, v)}?format=json`, params: (w, v) => ({ id: run(w, v) }), variants: ["own", "other", "none"] },
  "GET /api/reports/export": { path: (_w, v) => `/api/reports/export?framework=owasp-api-2023&format=json${team(v)}`, variants: ["plain", "own", "other", "none"] },
};

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return entry === "route.ts" ? [full] : [];
  });
}

const routes = await Promise.all(
  routeFiles(APP_API).map(async (file) => {
    const module = (await import(file)) as Record<string, unknown>;
    const route = `/api/${path.relative(APP_API, path.dirname(file))}`;
    return METHODS.filter((m) => typeof module[m] === "function").map((method) => ({ key: `${method} ${route}`, method, handler: module[method] as Handler }));
  }),
).then((lists) => lists.flat());

describe("every REST route has a row in the REST authorization matrix", () => {
  it.each(routes.map((r) => r.key))("%s", (key) => {
    expect(CALLS[key], `${key} has no row in server/api/authorization-rest.test.ts`).toBeDefined();
  });
  it("has no rows for routes that no longer exist", () => {
    const keys = new Set(routes.map((r) => r.key));
    expect(Object.keys(CALLS).filter((k) => !keys.has(k))).toEqual([]);
  });
});

type Who = Role | "signedOut";

function expected(access: RouteAccess, who: Who, variant: Variant, deniedAs: 403 | 404): "unauthorized" | "forbidden" | "hidden" | "allowed" {
  if (access.credential === "public") return "allowed";
  if (access.credential !== "token" && access.credential !== "session") throw new Error(`no expectation for ${access.credential}`);
  if (who === "signedOut") return "unauthorized";
  if (!can({ role: who }, access.permission)) return deniedAs === 404 ? "hidden" : "forbidden";
  if (variant === "none") return "hidden";
  if (variant === "other" && who === "developer") return "hidden";
  return "allowed";
}

function outcome(status: number): "unauthorized" | "forbidden" | "hidden" | "allowed" {
  return status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status === 404 ? "hidden" : "allowed";
}

describe.each(TEST_DATABASES)("REST authorization matrix on $name", (kind) => {
  let db: Database;
  const world = {} as World;
  const tokens = {} as Record<string, string>;
  const cookies = {} as Record<Role, string>;
  const globals = globalThis as unknown as { posternDb?: Promise<Database>; posternAuth?: unknown };

  beforeAll(async () => {
    process.env.POSTERN_URL = BASE;
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-rest-matrix-0123456789";
    db = await kind.open();
    // The route handlers use the process's database (getPrisma): this test's, and an auth bound to it.
    globals.posternDb = Promise.resolve(db);
    globals.posternAuth = undefined;
    await ensureTeam(db.prisma, "alpha");
    await ensureTeam(db.prisma, "beta");
    for (const owner of ["alpha", "beta"]) {
      const doc = { openapi: "3.0.3", info: { title: owner, version: "1", "x-owner": owner }, servers: [{ url: `https://${owner}.example.com` }], paths: {} };
      expect((await ingest(db.prisma, { file: bufferSource(JSON.stringify(doc), `${owner}.json`), channel: "cli", actor: { type: "system" }, correlate: false })).status).toBe("succeeded");
    }
    const apis = await db.prisma.api.findMany({ select: { id: true, slug: true, ownerTeamId: true } });
    const now = new Date();
    const finding = async (slug: string) => {
      const api = apis.find((a) => a.slug === slug)!;
      return (
        await db.prisma.finding.create({
          data: { kind: "scan", ruleId: `m-${slug}`, tool: "zap", title: slug, severity: "high", fingerprint: `rest-matrix-${slug}`, apiId: api.id, teamId: api.ownerTeamId, firstSeenAt: now, lastSeenAt: now },
        })
      ).id;
    };
    world.own = await finding("alpha");
    world.other = await finding("beta");
    // Stored runs with real documents (the PDF is rendered from them).
    const maker: Actor = { type: "user", userId: "matrix", email: "matrix@example.com", role: "admin", teamIds: [] };
    for (const [key, slug] of [["runOwn", "alpha"], ["runOther", "beta"]] as const) {
      const team = await db.prisma.team.findUniqueOrThrow({ where: { slug } });
      const document = await buildReport(db.prisma, maker, { framework: "owasp-api-2023", scope: { kind: "team", slug }, from: new Date(now.getTime() - 7 * 86_400_000), to: now });
      world[key] = (
        await db.prisma.reportRun.create({
          data: {
            framework: "owasp-api-2023", scopeKind: "team", scopeSlug: slug, scopeLabel: document.scope.label, scopeTeamId: team.id, periodFrom: new Date(document.period.from),
            periodTo: new Date(document.period.to), trigger: "manual", status: "succeeded", document, passing: document.summary.passing, failing: document.summary.failing,
          },
        })
      ).id;
    }
    const auth = await getAuth();
    for (const role of ROLES) {
      const password = `${role}-password-123`;
      const user = await createUser(db.prisma, { email: `${role}@example.com`, role, password, teams: role === "developer" ? ["alpha"] : [] });
      for (const scope of ["ingest", "findings:read", "findings:write", "reports:read"] as const) {
        tokens[`${role}:${scope}`] = (await createApiToken(db.prisma, { userId: user.id, name: scope, scopes: [scope], expiresInDays: 1 })).token;
      }
      const response = await auth.handler(
        new Request(`${BASE}/api/auth/sign-in/email`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: BASE },
          body: JSON.stringify({ email: user.email, password }),
        }),
      );
      expect(response.status).toBe(200);
      cookies[role] = response.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="))!.split(";")[0]!;
    }
  });
  afterAll(async () => {
    globals.posternDb = undefined;
    globals.posternAuth = undefined;
    await db?.close();
  });

  const cases = routes.flatMap(({ key, handler }) => {
    const row = CALLS[key];
    if (!row || "coveredBy" in row) return [];
    return row.variants.map((variant) => ({ key, variant, handler, row }));
  });

  it.each(cases)("$key ($variant) for each role", async ({ key, variant, handler, row }) => {
    const access = handler.access!;
    const request = (who: Who) => {
      const headers: Record<string, string> = { origin: BASE };
      if (row.body) headers["content-type"] = row.contentType ?? "application/json";
      if (who !== "signedOut" && access.credential === "token") headers.authorization = `Bearer ${tokens[`${who}:${access.scope}`]}`;
      if (who !== "signedOut" && access.credential === "session") headers.cookie = cookies[who];
      return new Request(`${BASE}${row.path(world, variant)}`, { method: key.split(" ")[0], headers, ...(row.body ? { body: row.body() } : {}) });
    };
    // Roles that may not see another team's object first, so an allowed role's change cannot alter what they see.
    for (const who of ["signedOut", ...[...ROLES].reverse()] as Who[]) {
      const response = await handler(request(who), { params: Promise.resolve(row.params?.(world, variant) ?? {}) });
      const want = expected(access, who, variant, row.deniedAs ?? 403);
      expect(outcome(response.status), `${key} (${variant}) as ${who}: ${response.status} ${await response.clone().text().then((t) => t.slice(0, 200))}`).toBe(want);
      expect(response.headers.get("cache-control"), `${key} as ${who}`).toBe("no-store");
      await response.body?.cancel();
    }
  });

  it("a token without the route's scope is refused whatever its owner may do", async () => {
    const handler = routes.find((r) => r.key === "GET /api/v1/findings")!.handler;
    const response = await handler(new Request(`${BASE}/api/v1/findings`, { headers: { authorization: `Bearer ${tokens["admin:ingest"]}` } }), { params: Promise.resolve({}) });
    expect([401, 403]).toContain(response.status);
  });
});
