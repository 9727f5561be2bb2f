/**
 * Api versions (DESIGN.md §2 "Versions"): what one inventory source (format + file name) said about each Api it
 * describes, kept when it changed. Called by persistInventory in the ingest transaction; the only writer of
 * api_source_version. One query reads each Api's latest version of this source, one statement writes the new ones.
 */
import { createHash } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { Tx } from "@/server/db/types";
import { type ApiChange, buildSnapshot, countChanges, diffSnapshots, isSensitiveAddition, readSnapshot } from "@/server/domain/api-versions";
import type { EndpointSecurity, InventoryEndpoint } from "@/server/domain/records";

/** Changes kept per version: a rewritten spec can change thousands of fields; the counts still count them all. */
export const MAX_STORED_CHANGES = 500;

/**
 * The changes kept for a version: all of them when few; else every endpoint-, security- and sensitive-data change
 * (the change rules read them) before the plain field and parameter changes, up to the bound.
 */
function bounded(changes: ApiChange[]): ApiChange[] {
  if (changes.length <= MAX_STORED_CHANGES) return changes;
  const key = (c: ApiChange) => (c.kind.startsWith("endpoint-") || c.kind.startsWith("security-") || isSensitiveAddition(c) ? 0 : 1);
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => key(a.c) - key(b.c) || a.i - b.i)
    .slice(0, MAX_STORED_CHANGES)
    .map((x) => x.c);
}

export interface VersionEntry {
  apiId: string;
  /** The endpoints this file describes for the Api, paths relative to the Api's base path. */
  endpoints: InventoryEndpoint[];
  /** Security a gateway states for the whole Api (a plugin on the service), if any. */
  apiSecurity?: EndpointSecurity;
}

export interface VersionSource {
  runId: string;
  format: string;
  fileName: string;
  now: Date;
}

/** Writes a version for each Api whose snapshot from this source differs from the source's previous one. Returns how many. */
export async function recordVersions(tx: Tx, entries: VersionEntry[], source: VersionSource): Promise<number> {
  if (entries.length === 0) return 0;
  const apiIds = entries.map((e) => e.apiId);
  const previous = await tx.$queryRaw<{ apiId: string; contentHash: string; snapshot: unknown }[]>`
    SELECT DISTINCT ON ("apiId") "apiId", "contentHash", snapshot
    FROM api_source_version
    WHERE "apiId" = ANY(${apiIds}::text[]) AND format = ${source.format} AND "fileName" = ${source.fileName}
    ORDER BY "apiId", "createdAt" DESC, id DESC`;
  const byApi = new Map(previous.map((p) => [p.apiId, p]));
  const rows: Prisma.ApiSourceVersionCreateManyInput[] = [];
  for (const entry of entries) {
    const snapshot = buildSnapshot(entry.endpoints, entry.apiSecurity);
    const contentHash = createHash("sha256").update(JSON.stringify(snapshot)).digest("hex");
    const prev = byApi.get(entry.apiId);
    if (prev?.contentHash === contentHash) continue;
    const changes: ApiChange[] = prev ? diffSnapshots(readSnapshot(prev.snapshot), snapshot) : [];
    const counts = countChanges(changes);
    rows.push({
      apiId: entry.apiId,
      format: source.format,
      fileName: source.fileName,
      ingestRunId: source.runId,
      createdAt: source.now,
      contentHash,
      snapshot: snapshot as unknown as Prisma.InputJsonValue,
      changes: bounded(changes) as unknown as Prisma.InputJsonValue,
      changeCount: counts.total,
      breaking: counts.breaking,
      endpointsAdded: counts.endpointsAdded,
      authWeakened: counts.authWeakened,
      sensitiveAdded: counts.sensitiveAdded,
    });
  }
  for (let i = 0; i < rows.length; i += 500) await tx.apiSourceVersion.createMany({ data: rows.slice(i, i + 500) });
  return rows.length;
}
