import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { apiScope } from "@/server/auth/scope";

/** Inventory aggregates for the overview, computed in the database and scoped to what the actor may see. */
export async function inventoryOverview(prisma: Db, actor: Actor) {
  const scope = apiScope(actor);
  const [total, ownerless, byLifecycle, byExposure, sensitive, endpoints, unauthenticated, lastRun] = await Promise.all([
    prisma.api.count({ where: scope }),
    prisma.api.count({ where: { AND: [scope, { ownerTeamId: null }] } }),
    prisma.api.groupBy({ by: ["lifecycle"], where: scope, _count: { _all: true } }),
    prisma.api.groupBy({ by: ["exposure"], where: scope, _count: { _all: true } }),
    prisma.api.count({ where: { AND: [scope, { NOT: { dataClasses: { isEmpty: true } } }] } }),
    prisma.endpoint.count({ where: { api: scope } }),
    prisma.endpoint.count({ where: { api: scope, securityMode: { in: ["undeclared", "public"] } } }),
    prisma.ingestRun.findFirst({ where: { status: "succeeded" }, orderBy: { startedAt: "desc" }, select: { startedAt: true } }),
  ]);
  return {
    total,
    ownerless,
    sensitive,
    endpoints,
    unauthenticated,
    byLifecycle: Object.fromEntries(byLifecycle.map((g) => [g.lifecycle ?? "unknown", g._count._all])),
    byExposure: Object.fromEntries(byExposure.map((g) => [g.exposure ?? "unknown", g._count._all])),
    lastIngestAt: lastRun?.startedAt.toISOString() ?? null,
  };
}
