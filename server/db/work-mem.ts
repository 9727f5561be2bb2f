/**
 * One large read with more memory for its sorts and hashes than the server's default (PostgreSQL's 4 MB): the
 * report's pass over every finding's history joins 340,000 events to 200,000 findings, and at 4 MB its hash join ran
 * in 4–8 batches and its grouping sorted to disk — temporary files, which PGlite writes through WebAssembly. `SET
 * LOCAL` holds for this transaction only, so other connections and queries keep the server's setting.
 */
import type { Db } from "./client";
import type { Tx } from "./types";

export async function withWorkMem<T>(prisma: Db, megabytes: number, read: (tx: Tx) => Promise<T>): Promise<T> {
  if (!Number.isInteger(megabytes) || megabytes < 1 || megabytes > 1024) throw new Error(`work_mem of ${megabytes} MB`);
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL work_mem = '${megabytes}MB'`);
      return read(tx);
    },
    // A read of a large organisation on a busy machine: no interactive-transaction default of 5 s.
    { maxWait: 30_000, timeout: 300_000 },
  );
}
