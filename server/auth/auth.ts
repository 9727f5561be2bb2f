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
import { type Db, getPrisma } from "@/server/db/client";
import { CLIENT_HEADER, clientKey } from "./client";
import { lockedUntil, recordFailedSignIn, recordSuccessfulSignIn } from "./lockout";
import { serverSecret } from "./secret";

export const SESSION_DAYS = 7;

function createAuth(prisma: Db) {
  const baseURL = process.env.POSTERN_URL ?? process.env.BETTER_AUTH_URL ?? "http://localhost:3000";
  return betterAuth({
    appName: "Postern",
    baseURL,
    secret: serverSecret(),
    trustedOrigins: [baseURL],
    database: prismaAdapter(prisma, { provider: "postgresql" }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, autoSignIn: false },
    session: { expiresIn: SESSION_DAYS * 24 * 3600, updateAge: 24 * 3600 },
    user: { additionalFields: { role: { type: "string", input: false, required: false, defaultValue: "developer" } } },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "rateLimit",
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: 30 } },
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
        if (ctx.path !== "/sign-in/email") return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email : "";
        const client = clientKey(requestHeaders(ctx));
        const session = ctx.context.newSession;
        if (session) await recordSuccessfulSignIn(prisma, session.user.id, client);
        else if (email && ctx.context.returned instanceof APIError && ctx.context.returned.status === "UNAUTHORIZED") {
          await recordFailedSignIn(prisma, email, client);
        }
      }),
    },
    plugins: [nextCookies()],
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
