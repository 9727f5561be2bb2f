/**
 * Sign-in with the organisation's identity provider (OpenID Connect, authorization code flow with PKCE), through
 * better-auth's genericOAuth plugin (server/auth/auth.ts), configured by POSTERN_OIDC_* variables (README,
 * Configuration). Password sign-in stays for local accounts (the first admin, break-glass admins, people an admin
 * created).
 *
 * - People are created at their first sign-in; their role and (when POSTERN_OIDC_TEAMS_CLAIM is set) their teams
 *   follow the ID token / userinfo claims at every sign-in, audited when they change.
 * - An e-mail that already belongs to a local account is refused (no implicit account linking), so the identity
 *   provider can never take over a local admin's account.
 * - Deactivated people are refused (ACCOUNT_DEACTIVATED), as at the password door.
 * - Claims that map to no role, with POSTERN_OIDC_DEFAULT_ROLE=none, refuse the sign-in (NOT_AUTHORIZED).
 * - The ID token is verified against the issuer's JWKS (issuer, audience, nonce); without a JWKS the provider is
 *   not offered.
 */
import type { Db } from "@/server/db/client";
import { type Role, ROLES } from "./roles";
import { recordAudit } from "@/server/audit/recorder";

export const OIDC_PROVIDER_ID = "oidc";
/** The strongest role wins when claims map to several. */
const ROLE_RANK: readonly Role[] = ["admin", "security", "developer", "executive"];

export interface OidcConfig {
  issuer: string;
  discoveryUrl: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the button: "Sign in with <name>". */
  name: string;
  scopes: string[];
  roleClaim: string | null;
  /** Claim value → role. */
  roles: Map<string, Role>;
  /** For people whose claims map to no role; null: refuse them. */
  defaultRole: Role | null;
  teamsClaim: string | null;
  /** Claim value → team slug; null: a value that is a team's slug is that team. */
  teams: Map<string, string> | null;
}

export class OidcConfigError extends Error {}

/** `a=b,c=d` (split at the last "=" of each pair) or a JSON object, into a map. */
function pairs(variable: string, text: string | undefined): Map<string, string> | null {
  const value = text?.trim();
  if (!value) return null;
  if (value.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new OidcConfigError(`${variable}: not a JSON object`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new OidcConfigError(`${variable}: not a JSON object`);
    return new Map(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  }
  return new Map(
    value.split(",").flatMap((pair) => {
      if (!pair.trim()) return [];
      const at = pair.lastIndexOf("=");
      if (at <= 0) throw new OidcConfigError(`${variable}: "${pair.trim()}" is not claim-value=target`);
      return [[pair.slice(0, at).trim(), pair.slice(at + 1).trim()] as [string, string]];
    }),
  );
}

function role(variable: string, value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new OidcConfigError(`${variable}: "${value}" is not a role (${ROLES.join(", ")})`);
  return value as Role;
}

/** The identity provider's settings, or null when POSTERN_OIDC_ISSUER is unset. Throws on an incomplete one. */
export function oidcConfig(env: Record<string, string | undefined> = process.env): OidcConfig | null {
  const issuer = env.POSTERN_OIDC_ISSUER?.trim().replace(/\/+$/, "");
  if (!issuer) return null;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new OidcConfigError(`POSTERN_OIDC_ISSUER: "${issuer}" is not a URL`);
  }
  if (url.protocol !== "https:" && !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) {
    throw new OidcConfigError("POSTERN_OIDC_ISSUER must be an https URL (http only on localhost)");
  }
  const clientId = env.POSTERN_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.POSTERN_OIDC_CLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) throw new OidcConfigError("POSTERN_OIDC_ISSUER is set: POSTERN_OIDC_CLIENT_ID and POSTERN_OIDC_CLIENT_SECRET are needed too");
  const roles = new Map([...(pairs("POSTERN_OIDC_ROLES", env.POSTERN_OIDC_ROLES) ?? [])].map(([k, v]) => [k, role("POSTERN_OIDC_ROLES", v)] as const));
  const fallback = env.POSTERN_OIDC_DEFAULT_ROLE?.trim() || "developer";
  const scopes = (env.POSTERN_OIDC_SCOPES?.trim() || "openid email profile").split(/[\s,]+/).filter(Boolean);
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    name: env.POSTERN_OIDC_NAME?.trim() || "single sign-on",
    scopes: scopes.includes("openid") ? scopes : ["openid", ...scopes],
    roleClaim: env.POSTERN_OIDC_ROLE_CLAIM?.trim() || null,
    roles,
    defaultRole: fallback === "none" ? null : role("POSTERN_OIDC_DEFAULT_ROLE", fallback),
    teamsClaim: env.POSTERN_OIDC_TEAMS_CLAIM?.trim() || null,
    teams: pairs("POSTERN_OIDC_TEAMS", env.POSTERN_OIDC_TEAMS),
  };
}

/** A claim's values as strings: a string, a number, or an array of them (a string is one value, commas and all: LDAP
 * group DNs); `a.b` reads nested claims (Keycloak's realm_access.roles). */
function claimValues(claims: Record<string, unknown>, name: string): string[] {
  let value: unknown = name in claims ? claims[name] : claims;
  if (!(name in claims)) {
    for (const part of name.split(".")) value = value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  }
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.flatMap((v) => (typeof v === "string" ? [v.trim()] : typeof v === "number" ? [String(v)] : [])).filter(Boolean);
}

export interface ClaimsMapping {
  /** null: no role for these claims (refused). */
  role: Role | null;
  /** Team slugs the claims name; null when teams do not follow claims (POSTERN_OIDC_TEAMS_CLAIM unset). */
  teams: string[] | null;
}

/** What an identity provider's claims make of a person. Pure. */
export function mapClaims(config: OidcConfig, claims: Record<string, unknown>): ClaimsMapping {
  let mapped: Role | null = null;
  if (config.roleClaim) {
    const values = new Set(claimValues(claims, config.roleClaim));
    mapped = ROLE_RANK.find((r) => [...config.roles].some(([value, target]) => target === r && values.has(value))) ?? null;
  }
  let teams: string[] | null = null;
  if (config.teamsClaim) {
    const values = claimValues(claims, config.teamsClaim);
    teams = [...new Set(config.teams ? values.flatMap((v) => (config.teams?.has(v) ? [config.teams.get(v) as string] : [])) : values)].sort();
  }
  return { role: mapped ?? config.defaultRole, teams };
}

/**
 * Claims waiting between better-auth's validateUserInfo (which sees the provider's profile) and the after-sign-in
 * hook (which sees the new session), by e-mail, for a minute at most.
 */
const pending = new Map<string, { mapping: ClaimsMapping; at: number }>();

export function rememberMapping(email: string, mapping: ClaimsMapping): void {
  const now = Date.now();
  for (const [key, entry] of pending) if (now - entry.at > 60_000) pending.delete(key);
  pending.set(email.toLowerCase(), { mapping, at: now });
}

export function takeMapping(email: string): ClaimsMapping | null {
  const entry = pending.get(email.toLowerCase());
  pending.delete(email.toLowerCase());
  return entry && Date.now() - entry.at <= 60_000 ? entry.mapping : null;
}

/**
 * Applies an identity provider's claims to a person at sign-in: the role, and the team memberships when teams follow
 * claims (teams that do not exist are ignored: admins create teams). The last active admin keeps the role (as in
 * Settings → People). Audited when something changed.
 */
export async function applyClaims(prisma: Db, userId: string, mapping: ClaimsMapping & { role: Role }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, role: true, memberships: { select: { team: { select: { id: true, slug: true } } } } } });
    const details: Record<string, unknown> = { email: user.email };
    let role = mapping.role;
    if (user.role !== role && user.role === "admin") {
      const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "user" WHERE role = 'admin' AND "deactivatedAt" IS NULL FOR UPDATE`;
      if (admins.length <= 1 && admins.some((a) => a.id === userId)) {
        role = "admin";
        details.roleKept = `the last active admin stays admin (claims say ${mapping.role})`;
      }
    }
    if (user.role !== role) {
      await tx.user.update({ where: { id: userId }, data: { role } });
      Object.assign(details, { from: user.role, to: role });
    }
    if (mapping.teams) {
      const wanted = await tx.team.findMany({ where: { slug: { in: mapping.teams } }, select: { id: true, slug: true } });
      const current = user.memberships.map((m) => m.team);
      const added = wanted.filter((t) => !current.some((c) => c.id === t.id));
      const removed = current.filter((c) => !wanted.some((t) => t.id === c.id));
      if (added.length) await tx.teamMember.createMany({ data: added.map((t) => ({ teamId: t.id, userId })), skipDuplicates: true });
      if (removed.length) await tx.teamMember.deleteMany({ where: { userId, teamId: { in: removed.map((t) => t.id) } } });
      if (added.length) details.teamsAdded = added.map((t) => t.slug).sort();
      if (removed.length) details.teamsRemoved = removed.map((t) => t.slug).sort();
      const unknown = mapping.teams.filter((slug) => !wanted.some((t) => t.slug === slug));
      if (unknown.length && (added.length || removed.length)) details.teamsUnknown = unknown;
    }
    if (Object.keys(details).length > 1) {
      await recordAudit(tx, { actor: { type: "system" }, action: "user.claims_applied", target: { type: "user", id: userId }, details });
    }
  });
}
