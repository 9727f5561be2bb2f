/**
 * Object-level access as `where` builders (Documenso style): a service builds every query on the actor's scope, so a
 * list cannot forget the team filter. The one rule (DESIGN.md §7): admins and the security team see every object;
 * developers see what belongs to their teams' Apis — by each Api's *current* owner, never a team stamped on a row
 * when it was created; executives see aggregates of everything (services withhold detail: `seesDetail`).
 */
import { Prisma } from "@/generated/prisma/client";
import { type Actor, seesAllApis } from "./roles";

/** Apis the actor may see. */
export function apiScope(actor: Actor): Prisma.ApiWhereInput {
  if (seesAllApis(actor) || actor.role === "executive") return {};
  return { ownerTeamId: { in: actor.teamIds } };
}

/**
 * Findings the actor may see: those of Apis it may see. A finding without an Api is the security team's alone. The
 * team column on a finding is who works on it, not who may read it: after an Api changes owner, its findings follow.
 */
export function findingScope(actor: Actor): Prisma.FindingWhereInput {
  if (seesAllApis(actor) || actor.role === "executive") return {};
  return { apiId: { not: null }, api: { ownerTeamId: { in: actor.teamIds } } };
}

/** The same Api rule for raw SQL, on the Api table aliased `alias` (e.g. "a"): a condition to AND into a WHERE. */
export function apiSqlScope(actor: Actor, alias: string): Prisma.Sql {
  if (seesAllApis(actor) || actor.role === "executive") return Prisma.sql`TRUE`;
  return Prisma.sql`${Prisma.raw(`${alias}."ownerTeamId"`)} = ANY(${actor.teamIds}::text[])`;
}

/** findingScope for raw SQL, on finding `f` LEFT JOINed to its Api `a` (the aliases given): a condition to AND in. */
export function findingSqlScope(actor: Actor, finding = "f", api = "a"): Prisma.Sql {
  if (seesAllApis(actor) || actor.role === "executive") return Prisma.sql`TRUE`;
  return Prisma.sql`(${Prisma.raw(`${finding}."apiId"`)} IS NOT NULL AND ${apiSqlScope(actor, api)})`;
}

/**
 * Stored reports (the report history) the actor may read: everything for admins, security and executives (reports are
 * aggregates); for developers, runs scoped to one of their teams or to an Api their teams own today. An organisation-
 * wide run is not a developer's: it answers like a missing one.
 */
export function reportRunScope(actor: Actor): Prisma.ReportRunWhereInput {
  if (seesAllApis(actor) || actor.role === "executive") return {};
  return {
    OR: [
      { scopeKind: "team", scopeTeamId: { in: actor.teamIds } },
      { scopeKind: "api", scopeApi: { ownerTeamId: { in: actor.teamIds } } },
    ],
  };
}
