/**
 * Every API answer carries `Cache-Control: no-store` (issue 13): people's data, sessions and once-shown tokens must
 * never sit in a browser's or a proxy's cache. Every handler of every route file under app/api, called without a
 * credential, and the sign-in endpoints' answers (success with its cookie, wrong password, lockout, session, the
 * error page) through the real better-auth route.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as authGet, POST as authPost } from "@/app/api/auth/[...all]/route";
import { LOCKOUT_THRESHOLD } from "@/server/auth/lockout";
import { type Database, getDatabase } from "@/server/db/client";
import { createUser } from "@/server/people/service";

const BASE = "http://localhost:3000";
const APP_API = path.resolve(import.meta.dirname, "../../app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return entry === "route.ts" ? [full] : [];
  });
}

type Handler = (request: Request, context: unknown) => Promise<Response>;
const routes = (
  await Promise.all(
    routeFiles(APP_API).map(async (file) => {
      const module = (await import(file)) as Record<string, unknown>;
      const route = path.relative(APP_API, path.dirname(file));
      return METHODS.flatMap((method) => (typeof module[method] === "function" ? [{ route, method, handler: module[method] as Handler }] : []));
    }),
  )
).flat();

const noStore = (response: Response) => expect(response.headers.get("cache-control") ?? "", `${response.status} ${response.url}`).toMatch(/\bno-store\b/);

describe("every API answer says Cache-Control: no-store", () => {
  let db: Database;
  beforeAll(async () => {
    process.env.DATABASE_URL = "pglite:memory";
    process.env.POSTERN_URL = BASE;
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-auth-route-0123456789";
    db = await getDatabase();
    await createUser(db.prisma, { email: "cache@example.com", role: "admin", password: "cache-password-123" });
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(routes)("$method /api/$route", async ({ route, method, handler }) => {
    const url = `${BASE}/api/${route.replace("[id]", "A".repeat(22)).replace("[trpc]", "me.get").replace("[...all]", "get-session")}`;
    const response = await handler(new Request(url, { method, headers: { origin: BASE, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" }), {
      params: Promise.resolve({ id: "A".repeat(22), trpc: "me.get", all: ["get-session"] }),
    });
    noStore(response);
  });

  const post = (endpoint: string, body: unknown, headers: Record<string, string> = {}) =>
    authPost(new Request(`${BASE}/api/auth${endpoint}`, { method: "POST", headers: { "content-type": "application/json", origin: BASE, ...headers }, body: JSON.stringify(body) }));
  const get = (endpoint: string, headers: Record<string, string> = {}) => authGet(new Request(`${BASE}/api/auth${endpoint}`, { headers }));

  it("the sign-in endpoints: success (with its cookie), wrong password, lockout, the session, sign-out, unknown paths, the error page", async () => {
    const ok = await post("/sign-in/email", { email: "cache@example.com", password: "cache-password-123" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toContain("session_token");
    noStore(ok);
    const cookie = (ok.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const session = await get("/get-session", { cookie });
    expect(session.status).toBe(200);
    noStore(session);
    noStore(await get("/get-session"));
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      const wrong = await post("/sign-in/email", { email: "cache@example.com", password: `wrong-password-${i}` });
      expect(wrong.status).toBe(401);
      noStore(wrong);
    }
    const locked = await post("/sign-in/email", { email: "cache@example.com", password: "cache-password-123" });
    expect(locked.status).toBe(403);
    noStore(locked);
    noStore(await post("/sign-out", {}, { cookie }));
    noStore(await get("/no-such-endpoint"));
    noStore(await get("/error?error=state_not_found"));
    noStore(await get("/ok"));
  });
});
