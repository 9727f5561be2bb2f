/**
 * What the change rules (auth-weakened, sensitive-data-added) share: the change history of the Apis in scope, read
 * once per evaluation from the stored changes of each version (server/inventory/versions.ts), and the walk that
 * finds, per source and endpoint (or response field), the last change that still holds. A change rule fires while
 * its change is the latest word of its source on the thing it changed: a later change of that thing (a restored
 * scheme, a removed field or endpoint) resolves it; unrelated later versions do not.
 */
import type { ApiChange } from "@/server/domain/api-versions";
import type { RuleContext } from "../../rule";

export interface VersionChange {
  change: ApiChange;
  versionId: string;
  apiId: string;
  format: string;
  fileName: string;
  at: Date;
  ingestRunId: string | null;
}

const cache = new WeakMap<RuleContext, Promise<VersionChange[]>>();

/** Every stored change of the Apis in scope, oldest version first. */
export function changeHistory(ctx: RuleContext): Promise<VersionChange[]> {
  let p = cache.get(ctx);
  if (!p) {
    p = ctx.tx.apiSourceVersion
      .findMany({
        where: { changeCount: { gt: 0 }, createdAt: { lte: ctx.asOf }, ...(ctx.apiIds === null ? {} : { apiId: { in: ctx.apiIds } }) },
        select: { id: true, apiId: true, format: true, fileName: true, createdAt: true, ingestRunId: true, changes: true },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      })
      .then((rows) =>
        rows.flatMap((r) =>
          (Array.isArray(r.changes) ? (r.changes as unknown as ApiChange[]) : []).map((change) => ({
            change,
            versionId: r.id,
            apiId: r.apiId,
            format: r.format,
            fileName: r.fileName,
            at: r.createdAt,
            ingestRunId: r.ingestRunId,
          })),
        ),
      );
    cache.set(ctx, p);
  }
  return p;
}

export const sourceOf = (c: VersionChange) => `${c.format}:${c.fileName}`;
export const endpointOf = (c: { change: ApiChange }) => (c.change.method ? `${c.change.method} ${c.change.path}` : "");

/**
 * The latest change per key among those `keyOf` gives a key (in history order), then those `holds` keeps: e.g. per
 * source and endpoint, the last security change or removal, kept when it weakened.
 */
export function latestPerKey(
  history: VersionChange[],
  keyOf: (c: VersionChange) => string | null,
  holds: (c: VersionChange) => boolean,
): VersionChange[] {
  const last = new Map<string, VersionChange>();
  for (const c of history) {
    const key = keyOf(c);
    if (key !== null) last.set(key, c);
  }
  return [...last.values()].filter(holds);
}

/** The stored endpoints (id, tags) by "apiId METHOD path", of the Apis the changes are about. */
export async function endpointsOf(ctx: RuleContext, changes: VersionChange[]): Promise<Map<string, { id: string; tags: string[] }>> {
  const apiIds = [...new Set(changes.filter((c) => c.change.method).map((c) => c.apiId))];
  if (apiIds.length === 0) return new Map();
  const rows = await ctx.tx.endpoint.findMany({
    where: { apiId: { in: apiIds } },
    select: { id: true, apiId: true, method: true, path: true, tags: true },
  });
  return new Map(rows.map((r) => [`${r.apiId} ${r.method} ${r.path}`, { id: r.id, tags: r.tags }]));
}

export function evidenceSource(c: VersionChange) {
  return { format: c.format, fileName: c.fileName, changedAt: c.at.toISOString(), versionId: c.versionId, ingestRunId: c.ingestRunId };
}
