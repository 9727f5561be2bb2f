/**
 * tRPC setup: context (database + who is asking), the error formatter, and the procedure ladder.
 * Every procedure states the permission it needs with `authorized(permission)` (server/auth/permissions.ts); its
 * objects are checked in the domain layer through the scoped where builders (server/auth/scope.ts). The permission
 * is kept in the procedure's meta, so the authorization matrix test can list every procedure and what it needs.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { can, missingPermission, type Permission } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError, ERROR_CODES } from "@/server/domain/errors";

export interface Context {
  prisma: Db;
  actor: Actor | null;
}

/** What a procedure declares about who may call it: a permission, or "public" (no sign-in) on purpose. */
export interface Meta {
  permission: Permission | "public";
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  errorFormatter({ shape, error }) {
    // Never send stack traces, SQL or internal messages to clients.
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    if (internal) console.error("tRPC internal error:", error.cause?.message ?? error.message);
    return {
      message: internal ? "Internal error" : shape.message,
      code: shape.code,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodError: error.cause instanceof ZodError ? error.cause.issues.map((i) => ({ path: i.path.join("."), message: i.message })) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain errors thrown by services to tRPC errors, by the one table (server/domain/errors.ts). */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_CODES[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

/** Explicitly public: no sign-in needed. Use sparingly. */
export const publicProcedure = t.procedure.use(domainErrors).meta({ permission: "public" });

const signedIn = t.procedure.use(domainErrors).use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/**
 * A procedure for callers holding `permission`: 401 when signed out, 403 naming the permission otherwise. Objects
 * are the service's to check (scoped where builders), as a role alone never says which Apis one may touch.
 */
export function authorized(permission: Permission) {
  return signedIn.meta({ permission }).use(({ ctx, next }) => {
    if (!can(ctx.actor, permission)) throw new TRPCError({ code: "FORBIDDEN", message: missingPermission(permission) });
    return next();
  });
}
