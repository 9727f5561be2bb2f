/**
 * Moves stored rollups between scopes (part of the traffic-rollup writer, with ./write-rollups.ts): a shadow host's
 * rollups ("host:<host>") move to the Api recorded for it, and when an inventory documents a shadow Api under a base
 * path, the templates under that path are rebased so they read relative to it, like the traffic that follows.
 * Counts are never changed: the rows keep their buckets.
 */
import { Prisma } from "@/generated/prisma/client";
import type { Tx } from "@/server/db/types";

/** Tables keyed by scope, and whether they carry an apiId column. */
const SCOPED = [
  { table: "traffic_endpoint_hour", apiId: true },
  { table: "traffic_client_day", apiId: true },
  { table: "traffic_client_minute", apiId: true },
  { table: "traffic_param_values", apiId: false },
  { table: "traffic_sample", apiId: false },
] as const;

/** Every rollup of scope `from` moves to the Api `apiId` (whose scope must be empty: a newly recorded Api). */
export async function moveScopes(tx: Tx, moves: readonly { from: string; apiId: string }[]): Promise<void> {
  if (moves.length === 0) return;
  const from = moves.map((m) => m.from);
  const to = moves.map((m) => m.apiId);
  for (const { table, apiId } of SCOPED) {
    const setApi = apiId ? Prisma.sql`, "apiId" = m.id` : Prisma.empty;
    await tx.$executeRaw`
      UPDATE ${Prisma.raw(table)} t SET "scopeKey" = m.id ${setApi}
      FROM unnest(${from}::text[], ${to}::text[]) AS m(key, id)
      WHERE t."scopeKey" = m.key`;
  }
}

/** Tables with a path template, and the other columns of their unique key (a rebased row must not collide). */
const TEMPLATED = [
  { table: "traffic_endpoint_hour", key: ["hourStart"] },
  { table: "traffic_client_minute", key: ["clientKey", "minuteStart"] },
  { table: "traffic_param_values", key: ["clientKey", "hourStart", "paramName"] },
  { table: "traffic_sample", key: ["clientKey", "hourStart"] },
] as const;

/**
 * Templates of the Api's rollups under `basePath` ("/v1/orders" → "/orders", "/v1" → "/"). A row whose rebased key
 * is already taken (traffic stored both ways) keeps its template.
 */
export async function rebaseScope(tx: Tx, apiId: string, basePath: string): Promise<void> {
  if (!basePath || basePath === "/") return;
  const prefix = `${basePath}/`;
  for (const { table, key } of TEMPLATED) {
    const same = Prisma.raw(key.map((k) => `o."${k}" = t."${k}"`).join(" AND "));
    await tx.$executeRaw`
      UPDATE ${Prisma.raw(table)} t
      SET "pathTemplate" = CASE WHEN t."pathTemplate" = ${basePath} THEN '/' ELSE substr(t."pathTemplate", ${basePath.length + 1}) END
      WHERE t."scopeKey" = ${apiId} AND (t."pathTemplate" = ${basePath} OR left(t."pathTemplate", ${prefix.length}) = ${prefix})
        AND NOT EXISTS (
          SELECT 1 FROM ${Prisma.raw(table)} o
          WHERE o."scopeKey" = t."scopeKey" AND o.method = t.method AND ${same}
            AND o."pathTemplate" = CASE WHEN t."pathTemplate" = ${basePath} THEN '/' ELSE substr(t."pathTemplate", ${basePath.length + 1}) END)`;
  }
}
