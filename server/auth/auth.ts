/**
 * Authentication with better-auth: email + password, database sessions in httpOnly SameSite cookies, scrypt
 * password hashes, rate-limited sign-in and account lockout. No public sign-up: people are created by an admin.
 */
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { type Db, getPrisma } from "@/server/db/client";
import { LOCKOUT_MINUTES, lockedUntil, recordFailedSignIn, recordSuccessfulSignIn } from "./lockout";
import { serverSecret } from "./secret";

export const SESSION_DAYS = 7;

function createAuth(prisma: Db) {
  const baseURL = process.env.POSTERN_URL ?? process.env.BETTER_AUTH_URL ?? "http://localhost:3000";
  // Only a header set by a proxy you run is trustworthy for per-client rate limits (clients can forge others).
  const ipHeader = process.env.POSTERN_CLIENT_IP_HEADER;
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
      ipAddress: ipHeader ? { ipAddressHeaders: [ipHeader] } : { ipAddressHeaders: ["x-postern-untrusted-none"] },
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email : "";
        if (email && (await lockedUntil(prisma, email))) {
          throw new APIError("FORBIDDEN", {
            code: "ACCOUNT_LOCKED",
            message: `Account locked after repeated failed sign-ins. Try again in ${LOCKOUT_MINUTES} minutes or ask an admin.`,
          });
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = typeof ctx.body?.email === "string" ? ctx.body.email : "";
        const session = ctx.context.newSession;
        if (session) await recordSuccessfulSignIn(prisma, session.user.id);
        else if (email && ctx.context.returned instanceof APIError && ctx.context.returned.status === "UNAUTHORIZED") {
          await recordFailedSignIn(prisma, email);
        }
      }),
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { posternAuth?: Promise<Auth> };

export function getAuth(): Promise<Auth> {
  globalForAuth.posternAuth ??= getPrisma().then(createAuth);
  return globalForAuth.posternAuth;
}
