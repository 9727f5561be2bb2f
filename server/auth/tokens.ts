import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "@/server/db/client";
import { type Actor, isRole } from "./roles";
import { recordAudit } from "@/server/audit/recorder";

/** ingest: POST /api/v1/ingest; read: inventory reads; findings:read / findings:write: the findings REST API; reports:read: GET /api/v1/reports. */
export const TOKEN_SCOPES = ["ingest", "read", "findings:read", "findings:write", "reports:read"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
const PREFIX = "pst_";

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a token; the plain value is returned once and never stored. */
export async function createApiToken(
  prisma: Db,
  input: { userId: string; name: string; scopes: TokenScope[]; expiresInDays: number },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + input.expiresInDays * 86_400_000);
  const row = await prisma.apiToken.create({
    data: {
      name: input.name,
      prefix: token.slice(0, PREFIX.length + 6),
      hash: hashToken(token),
      scopes: [...new Set(input.scopes)],
      userId: input.userId,
      expiresAt,
    },
  });
  return { id: row.id, token, expiresAt };
}

const TOKEN_USE_AUDIT_MS = 3600_000;

/** The actor behind a bearer token, or null when it is unknown, expired, revoked or lacks the scope, or its owner is deactivated. */
export async function authenticateToken(prisma: Db, token: string, scope: TokenScope): Promise<Actor | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const hash = hashToken(token);
  const row = await prisma.apiToken.findUnique({
    where: { hash },
    include: { user: { include: { memberships: { select: { teamId: true } } } } },
  });
  if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null;
  if (row.revokedAt || row.expiresAt <= new Date() || !row.scopes.includes(scope)) return null;
  // A deactivated owner's tokens are refused (an admin's deliberate act); a sign-in lockout never touches tokens:
  // a token is its own credential, and anyone who knows the owner's e-mail can cause a lockout.
  if (!isRole(row.user.role) || row.user.deactivatedAt) return null;
  const now = new Date();
  await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  // Use is audited at most once an hour per token (lastUsedAt always has the latest): a log shipper calling every few
  // seconds would otherwise fill the audit log with one line per call.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOKEN_USE_AUDIT_MS) {
    await recordAudit(prisma, { actor: { type: "token", id: row.userId }, action: "token.use", target: { type: "api_token", id: row.id }, origin: "api", details: { scope } }, now);
  }
  return {
    type: "token",
    userId: row.userId,
    tokenId: row.id,
    email: row.user.email,
    role: row.user.role,
    teamIds: row.user.memberships.map((m) => m.teamId),
    scopes: row.scopes,
  };
}
