// What the audit trail records beyond changes to objects: sign-ins (success and failure, never the password) and
// the use of API tokens (at most once an hour per token).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuth } from "@/server/auth/auth";
import { authenticateToken, createApiToken } from "@/server/auth/tokens";
import { type Db, getDatabase, getPrisma } from "@/server/db/client";
import { createUser } from "@/server/people/service";

const BASE = "http://localhost:3000";

describe("audit trail of sign-ins and token use", () => {
  let prisma: Db;
  let userId: string;

  beforeAll(async () => {
    process.env.DATABASE_URL = "pglite:memory";
    process.env.POSTERN_URL = BASE;
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-audit-trail-0123456789";
    prisma = await getPrisma();
    userId = (await createUser(prisma, { email: "ana@example.com", role: "security", password: "ana-password-123" })).id;
  });
  afterAll(async () => {
    await (await getDatabase()).close();
  });

  const signIn = async (password: string) =>
    (await getAuth()).handler(
      new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ email: "ana@example.com", password }),
      }),
    );

  it("records a failed and a successful sign-in, without the password", async () => {
    expect((await signIn("wrong-password-1")).status).toBe(401);
    expect((await signIn("ana-password-123")).status).toBe(200);
    const rows = await prisma.auditLog.findMany({ where: { action: { startsWith: "user.sign_in" } }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.action)).toEqual(["user.sign_in_failed", "user.sign_in"]);
    expect(rows[0]?.details).toMatchObject({ email: "ana@example.com", origin: "ui" });
    expect(rows[1]).toMatchObject({ actorType: "user", actorId: userId, targetId: userId });
    expect(JSON.stringify(rows)).not.toContain("wrong-password-1");
    expect(JSON.stringify(rows)).not.toContain("ana-password-123");
  });

  it("records a token's use at most once an hour", async () => {
    const { id, token } = await createApiToken(prisma, { userId, name: "ci", scopes: ["ingest"], expiresInDays: 1 });
    expect(await authenticateToken(prisma, token, "ingest")).not.toBeNull();
    expect(await authenticateToken(prisma, token, "ingest")).not.toBeNull();
    expect(await prisma.auditLog.count({ where: { action: "token.use", targetId: id } })).toBe(1);
    await prisma.apiToken.update({ where: { id }, data: { lastUsedAt: new Date(Date.now() - 2 * 3600_000) } });
    expect(await authenticateToken(prisma, token, "ingest")).not.toBeNull();
    expect(await prisma.auditLog.count({ where: { action: "token.use", targetId: id } })).toBe(2);
  });
});
