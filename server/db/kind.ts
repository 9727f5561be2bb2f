/**
 * Which kind of database a Prisma client talks to, for code that is handed only the client: the embedded database
 * (PGlite) belongs to one process and has one connection, a PostgreSQL server is shared by any number of processes.
 */
const embedded = new WeakSet<object>();

/** Called by openDatabase for the client of an embedded database. */
export function markEmbedded(client: object): void {
  embedded.add(client);
}

/** Whether `client` is the client of an embedded database (PGlite). */
export function isEmbedded(client: object): boolean {
  return embedded.has(client);
}
