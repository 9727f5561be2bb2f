/**
 * tRPC setup: context (database + who is asking), the error formatter, and the procedure ladder.
 * Every procedure is protected unless it is built from `publicProcedure` on purpose.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { type Actor, type Role } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError } from "@/server/domain/errors";

export interface Context {
  prisma: Db;
  actor: Actor | null;
}

const t = initTRPC.context<Context>().create({
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

/** Maps domain errors thrown by services to tRPC errors. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

/** Explicitly public: no sign-in needed. Use sparingly. */
export const publicProcedure = t.procedure.use(domainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Only the given roles; everyone else gets 403 with the roles named. */
export function roleProcedure(...roles: Role[]) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.actor.role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `Requires role ${roles.join(" or ")}` });
    }
    return next();
  });
}
