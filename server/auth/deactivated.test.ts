/**
 * The sign-in door for deactivated people, through the real better-auth handler (app/api/auth) on the process's own
 * embedded database: a deactivated person who knows their password gets 403 and no session; once reactivated, they
 * sign in. A session that survived deactivation is not a signed-in person.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { type Database, getDatabase } from "@/server/db/client";
import { createPerson, deactivate, reactivate } from "@/server/people/admin";
import { createUser } from "@/server/people/service";
import type { Actor } from "./roles";
import { actorFromHeaders } from "./session";

const BASE = "http://localhost:3000";

describe("a deactivated person cannot sign in", () => {
  let db: Database;
  let admin: Actor;
  beforeAll(async () => {
    process.env.DATABASE_URL = "pglite:memory";
    process.env.POSTERN_URL = BASE;
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-auth-route-0123456789";
    db = await getDatabase();
    const user = await createUser(db.prisma, { email: "root@example.com", role: "admin", password: "root-password-123" });
    admin = { type: "user", userId: user.id, email: user.email, role: "admin", teamIds: [] };
  });
  afterAll(async () => {
    await db?.close();
  });

  const signIn = (email: string, password: string) =>
    authPost(
      new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ email, password }),
      }),
    );
  const cookieOf = (response: Response) => (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";

  it("refuses the right password of a deactivated person with 403, no cookie and no session; reactivated, they sign in", async () => {
    const person = await createPerson(db.prisma, admin, { email: "leaver@example.com", role: "developer", password: "leaver-password-123" });
    const before = await signIn("leaver@example.com", "leaver-password-123");
    expect(before.status).toBe(200);
    const cookie = cookieOf(before);
    expect(cookie).toContain("session_token");
    expect(await actorFromHeaders(db.prisma, new Headers({ cookie }))).toMatchObject({ userId: person.id, mustChangePassword: true });

    await deactivate(db.prisma, admin, { id: person.id });
    expect(await actorFromHeaders(db.prisma, new Headers({ cookie }))).toBeNull();
    const refused = await signIn("leaver@example.com", "leaver-password-123");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("set-cookie")).toBeNull();
    const body = (await refused.json()) as { code: string; message: string; token?: string };
    expect(body).toEqual({ code: "ACCOUNT_DEACTIVATED", message: expect.stringMatching(/deactivated/) });
    expect(await db.prisma.session.count({ where: { userId: person.id } })).toBe(0);
    // A wrong password says no more than for anyone else.
    expect((await signIn("leaver@example.com", "wrong-password-123")).status).toBe(401);

    await reactivate(db.prisma, admin, { id: person.id });
    expect((await signIn("leaver@example.com", "leaver-password-123")).status).toBe(200);
  });

  it("a session that survived deactivation (raced it) is not a signed-in person", async () => {
    const person = await createPerson(db.prisma, admin, { email: "raced@example.com", role: "developer", password: "raced-password-123" });
    const cookie = cookieOf(await signIn("raced@example.com", "raced-password-123"));
    await db.prisma.user.update({ where: { id: person.id }, data: { deactivatedAt: new Date() } });
    expect(await db.prisma.session.count({ where: { userId: person.id } })).toBe(1);
    expect(await actorFromHeaders(db.prisma, new Headers({ cookie }))).toBeNull();
  });
});
