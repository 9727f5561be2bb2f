/**
 * Planner statistics after a bulk write. PostgreSQL plans from statistics that only ANALYZE (or autovacuum, which
 * runs later if at all, and never in PGlite) refreshes: right after a vault file filled the access rollups, a table
 * the planner still believed empty made the secret-access-anomaly rule join 7.7 million row pairs (47 s for 1,000
 * Apis; 104 ms once analysed). A table is analysed when the rows just written are at least a tenth of what its
 * statistics count, or it has none. Inside a transaction ANALYZE counts that transaction's own new rows.
 */
import type { Tx } from "./types";

export async function analyzeAfterBulkWrite(tx: Tx, written: Record<string, number>): Promise<string[]> {
  const tables = Object.keys(written).filter((t) => (written[t] ?? 0) > 0);
  if (tables.length === 0) return [];
  const known = await tx.$queryRaw<{ relname: string; reltuples: number }[]>`
    SELECT relname, reltuples::float8 AS reltuples FROM pg_class WHERE relname = ANY(${tables}::text[]) AND relkind = 'r'`;
  const stale = known.filter((t) => t.reltuples < 0 || (written[t.relname] ?? 0) >= Math.max(1, t.reltuples) * 0.1).map((t) => t.relname);
  // Table names come from the caller's code, checked against pg_class above; quoted as identifiers all the same.
  if (stale.length) await tx.$executeRawUnsafe(`ANALYZE ${stale.map((t) => `"${t.replaceAll('"', '""')}"`).join(", ")}`);
  return stale;
}
