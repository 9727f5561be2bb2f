import { recordAudit } from "@/server/audit/recorder";
import type { Db } from "@/server/db/client";
import { DomainError, notFound } from "@/server/domain/errors";
import { can, missingPermission, type Permission } from "./permissions";
import type { Actor } from "./roles";
import { createApiToken, type TokenScope } from "./tokens";

/** What a token scope lets its bearer do, as the owner's permission it needs. */
const SCOPE_PERMISSION: Record<TokenScope, Permission> = {
  ingest: "ingest:write",
  read: "inventory:read",
  "findings:read": "findings:read",
  "findings:write": "findings:write",
  "reports:read": "reports:read",
};

/** The actor's tokens; with tokens:all everyone's, unless `own` (My account lists one's own for every role). */
export async function listTokens(prisma: Db, actor: Actor, options: { own?: boolean } = {}) {
  const rows = await prisma.apiToken.findMany({
    where: can(actor, "tokens:all") && !options.own ? {} : { userId: actor.userId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, scopes: true, expiresAt: true, revokedAt: true, lastUsedAt: true, createdAt: true, user: { select: { email: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    owner: r.user.email,
    expiresAt: r.expiresAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function createTokenForActor(
  prisma: Db,
  actor: Actor,
  input: { name: string; scopes: TokenScope[]; expiresInDays: number },
) {
  if (actor.type !== "user") throw new DomainError("FORBIDDEN", "tokens cannot create tokens");
  for (const scope of input.scopes) {
    const needed = SCOPE_PERMISSION[scope];
    if (!can(actor, needed)) throw new DomainError("FORBIDDEN", `${missingPermission(needed)} for a token with scope ${scope}`);
  }
  const created = await createApiToken(prisma, { userId: actor.userId, ...input });
  await recordAudit(prisma, { actor: { type: "user", id: actor.userId }, action: "token.create", target: { type: "api_token", id: created.id }, details: { name: input.name, scopes: input.scopes } });
  return { id: created.id, token: created.token, expiresAt: created.expiresAt.toISOString() };
}

export async function revokeToken(prisma: Db, actor: Actor, id: string) {
  const token = await prisma.apiToken.findUnique({ where: { id }, select: { userId: true, revokedAt: true } });
  if (!token || (token.userId !== actor.userId && !can(actor, "tokens:all"))) throw notFound("Token");
  if (!token.revokedAt) {
    await prisma.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(prisma, { actor: { type: actor.type, id: actor.userId }, action: "token.revoke", target: { type: "api_token", id } });
  }
  return { ok: true };
}
