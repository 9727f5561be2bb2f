/**
 * Authentication with better-auth: email + password, database sessions in httpOnly SameSite cookies, scrypt
 * password hashes, sign-in rate limited per client and lockouts per person and client (./lockout.ts). No public
 * sign-up: people are created by an admin.
 *
 * The client is what ./client.ts trusts (the proxy's header when POSTERN_CLIENT_IP_HEADER is set, else the peer
 * address scripts/serve.mjs vouches for), handed to better-auth in x-postern-client by the auth route: better-auth
 * reads no other header, so a forged X-Forwarded-For picks no rate-limit bucket. Without a trusted address every
 * request shares one bucket (better-auth's fallback), as the lockouts share "unknown".
 */
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { genericOAuth } from "better-auth/plugins/generic-oauth";
import { type Db, getPrisma } from "@/server/db/client";
import { CLIENT_HEADER, clientKey } from "./client";
import { DEACTIVATED_MESSAGE } from "./deactivated";
import { lockedUntil, recordFailedSignIn, recordSuccessfulSignIn } from "./lockout";
import { applyClaims, mapClaims, OIDC_PROVIDER_ID, type OidcConfig, oidcConfig, rememberMapping, takeMapping } from "./oidc";
import { serverSecret } from "./secret";
import { recordAudit } from "@/server/audit/recorder";

export const SESSION_DAYS = 7;

/**
 * better-auth's gate for people coming from the identity provider (./oidc.ts), with the provider's raw claims: a
 * deactivated person or claims that map to no role are refused (the callback then redirects to the sign-in page with
 * the code); otherwise the mapping waits for the after-hook, which applies it once the session exists.
 */
async function validateOidcUser(prisma: Db, oidc: OidcConfig, data: { user: { id?: unknown; email?: unknown }; source: { oauth?: { providerId: string; profile?: Record<string, unknown> } } }) {
  if (data.source.oauth?.providerId !== OIDC_PROVIDER_ID) return;
  const email = typeof data.user.email === "string" ? data.user.email : "";
  if (typeof data.user.id === "string") {
    const user = await prisma.user.findUnique({ where: { id: data.user.id }, select: { deactivatedAt: true } });
    if (user?.deactivatedAt) return { error: "ACCOUNT_DEACTIVATED", errorDescription: DEACTIVATED_MESSAGE };
  }
  const mapping = mapClaims(oidc, data.source.oauth.profile ?? {});
  if (!mapping.role || !email) return { error: "NOT_AUTHORIZED", errorDescription: "Your identity provider's account has no role in Postern. Ask an admin." };
  rememberMapping(email, mapping);
}

function createAuth(prisma: Db) {
  const baseURL = process.env.POSTERN_URL ?? process.env.BETTER_AUTH_URL ?? "http://localhost:3000";
  const oidc = oidcConfig();
  return betterAuth({
    appName: "Postern",
    baseURL,
    secret: serverSecret(),
    trustedOrigins: [baseURL],
    database: prismaAdapter(prisma, { provider: "postgresql" }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, autoSignIn: false },
    session: { expiresIn: SESSION_DAYS * 24 * 3600, updateAge: 24 * 3600 },
    user: {
      additionalFields: { role: { type: "string", input: false, required: false, defaultValue: "developer" } },
      ...(oidc ? { validateUserInfo: (data) => validateOidcUser(prisma, oidc, data) } : {}),
    },
    // The identity provider creates its people; it never takes over an account that exists (a local admin's).
    account: { accountLinking: { disableImplicitLinking: true } },
    // Errors of the identity provider's round trip end on the sign-in page, which names them.
    onAPIError: { errorURL: `${baseURL}/sign-in` },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "rateLimit",
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: signInsPerMinute() }, "/sign-in/social": { window: 60, max: signInsPerMinute() } },
    },
    advanced: {
      // Set by the auth route from ./client.ts only (a client-sent one is replaced or removed).
      ipAddress: { ipAddressHeaders: [CLIENT_HEADER] },
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email : "";
        const until = email ? await lockedUntil(prisma, email, clientKey(requestHeaders(ctx))) : null;
        if (until) {
          const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
          throw new APIError("FORBIDDEN", {
            code: "ACCOUNT_LOCKED",
            message: `Account locked for this address after repeated failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"} or ask an admin.`,
          });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (oidc && ctx.path === "/callback/:id" && ctx.context.newSession) {
          // Signed in through the identity provider: role and teams from its claims, or no session at all.
          const { user, session } = ctx.context.newSession;
          const mapping = takeMapping(user.email);
          if (mapping?.role) {
            await applyClaims(prisma, user.id, { role: mapping.role, teams: mapping.teams });
            await recordAudit(prisma, { actor: { type: "user", id: user.id }, action: "user.sign_in", target: { type: "user", id: user.id }, origin: "ui", details: { method: "oidc", client: clientKey(requestHeaders(ctx)) } });
          } else await prisma.session.deleteMany({ where: { id: session.id } });
          return;
        }
        if (ctx.path !== "/sign-in/email") return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email : "";
        const client = clientKey(requestHeaders(ctx));
        const session = ctx.context.newSession;
        if (session) {
          await recordSuccessfulSignIn(prisma, session.user.id, client);
          await recordAudit(prisma, { actor: { type: "user", id: session.user.id }, action: "user.sign_in", target: { type: "user", id: session.user.id }, origin: "ui", details: { method: "password", client } });
        } else if (email && ctx.context.returned instanceof APIError) {
          // Every refused sign-in is audited (the password never is); wrong passwords also count toward a lockout.
          const status = ctx.context.returned.status;
          await recordAudit(prisma, { actor: { type: "system" }, action: "user.sign_in_failed", target: { type: "user", id: null }, origin: "ui", details: { email: email.trim().toLowerCase().slice(0, 320), client, reason: String(status) } });
          if (status === "UNAUTHORIZED") await recordFailedSignIn(prisma, email, client);
        }
      }),
    },
    plugins: [
      ...(oidc
        ? [
            genericOAuth({
              config: [
                {
                  providerId: OIDC_PROVIDER_ID,
                  name: oidc.name,
                  discoveryUrl: oidc.discoveryUrl,
                  clientId: oidc.clientId,
                  clientSecret: oidc.clientSecret,
                  scopes: oidc.scopes,
                  pkce: true,
                  // client_secret_basic: the token endpoint authentication every OpenID provider supports.
                  authentication: "basic",
                  requireIdTokenVerification: true,
                  overrideUserInfo: true,
                  mapProfileToUser: (profile) => ({
                    name: [profile.name, profile.preferred_username, typeof profile.email === "string" ? profile.email.split("@")[0] : null].find(
                      (n): n is string => typeof n === "string" && n.trim() !== "",
                    ),
                  }),
                },
              ],
            }),
          ]
        : []),
      nextCookies(),
    ],
  });
}

/** The headers of the request a hook runs for (none for a server-side auth.api call: the shared bucket). */
function requestHeaders(ctx: { request?: Request; headers?: Headers }): Headers {
  return ctx.request?.headers ?? ctx.headers ?? new Headers();
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { posternAuth?: Promise<Auth> };

export function getAuth(): Promise<Auth> {
  globalForAuth.posternAuth ??= getPrisma().then(createAuth);
  return globalForAuth.posternAuth;
}

/**
 * Sign-in attempts one client may make a minute (POSTERN_SIGN_IN_PER_MINUTE, default 30). The end-to-end suite signs
 * in from one address far more often than a person does, and raises it there.
 */
function signInsPerMinute(): number {
  const raw = Number(process.env.POSTERN_SIGN_IN_PER_MINUTE ?? 30);
  return Number.isInteger(raw) && raw >= 1 && raw <= 10_000 ? raw : 30;
}
