import type { Prisma } from "@/generated/prisma/client";
import { type Actor, seesAllApis } from "@/server/auth/roles";

/**
 * Row-level scope of Apis an actor may see: admins, the security team and executives (aggregate views) see every
 * Api; developers only the Apis their teams own.
 */
export function apiScope(actor: Actor): Prisma.ApiWhereInput {
  if (seesAllApis(actor) || actor.role === "executive") return {};
  return { ownerTeamId: { in: actor.teamIds } };
}
