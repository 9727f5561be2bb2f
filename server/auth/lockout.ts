/**
 * Lockouts after wrong passwords, per person AND client (issue 13). The client is the sign-in's peer address, or the
 * address the operator's proxy names (./client.ts `clientKey`); a signed-in person's own password change counts
 * under "session:<id>". So an attacker who knows an e-mail locks that person out of *the attacker's* address only.
 *
 * After LOCKOUT_THRESHOLD wrong passwords in a row from a client, that client is locked out for 1 minute; every
 * further wrong password (once the lock has passed) doubles it: 2, 4, 8 … minutes, up to LOCKOUT_MINUTES × 8. A
 * success from the client deletes its row; failures are forgotten after twice the cap without one. Unknown e-mails
 * are not counted (nothing to lock, and no rows for an attacker to pile up).
 *
 * API tokens are never locked: a token is its own credential (revoke it, or deactivate its owner).
 */
import type { Db } from "@/server/db/client";
import { recordAudit } from "@/server/audit/recorder";

/** Wrong passwords in a row (per client) before the first lock. */
export const LOCKOUT_THRESHOLD = Number(process.env.POSTERN_LOCKOUT_THRESHOLD ?? 5);
/** The scale of the backoff: a lock lasts at most 8 × this many minutes. */
export const LOCKOUT_MINUTES = Number(process.env.POSTERN_LOCKOUT_MINUTES ?? 15);
export const LOCKOUT_CAP_MINUTES = LOCKOUT_MINUTES * 8;
/** Failures older than this (with no lock running) are forgotten. */
const FORGET_MS = 2 * LOCKOUT_CAP_MINUTES * 60_000;

/** How long the lock lasts after the `failures`-th wrong password in a row (0: no lock yet). */
export function lockMinutes(failures: number): number {
  if (failures < LOCKOUT_THRESHOLD) return 0;
  const doublings = failures - LOCKOUT_THRESHOLD;
  return doublings >= 30 ? LOCKOUT_CAP_MINUTES : Math.min(2 ** doublings, LOCKOUT_CAP_MINUTES);
}

type LockoutDb = Pick<Db, "user" | "signInLockout" | "$executeRaw">;

/** Until when `email` is locked out from `client`, or null. */
export async function lockedUntil(prisma: Pick<Db, "signInLockout">, email: string, client: string, now = new Date()): Promise<Date | null> {
  const row = await prisma.signInLockout.findFirst({
    where: { client, user: { email: email.trim().toLowerCase() }, lockedUntil: { gt: now } },
    select: { lockedUntil: true },
  });
  return row?.lockedUntil ?? null;
}

/**
 * Counts a wrong password for (email, client); locks that client out once the threshold is reached, longer at every
 * further failure. Unknown e-mails are ignored. Returns until when the client is now locked out, or null.
 */
export async function recordFailedSignIn(prisma: LockoutDb, email: string, client: string, now = new Date()): Promise<Date | null> {
  const user = await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: { id: true } });
  if (!user) return null;
  const forgotten = new Date(now.getTime() - FORGET_MS);
  // Old failures of a client that is not locked are forgotten first; the increment itself is atomic.
  await prisma.signInLockout.updateMany({
    where: { userId: user.id, client, lastFailureAt: { lt: forgotten }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
    data: { failures: 0, lockedUntil: null },
  });
  const row = await prisma.signInLockout.upsert({
    where: { userId_client: { userId: user.id, client } },
    create: { userId: user.id, client, failures: 1, lastFailureAt: now },
    update: { failures: { increment: 1 }, lastFailureAt: now },
    select: { id: true, failures: true },
  });
  const minutes = lockMinutes(row.failures);
  // Rows nobody failed on for a long time and no longer locked: kept out of the way (any client, any person).
  await prisma.signInLockout.deleteMany({ where: { lastFailureAt: { lt: forgotten }, OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] } });
  if (!minutes) return null;
  const until = new Date(now.getTime() + minutes * 60_000);
  await prisma.signInLockout.update({ where: { id: row.id }, data: { lockedUntil: until } });
  await recordAudit(prisma, { actor: { type: "system" }, action: "user.locked", target: { type: "user", id: user.id }, details: { client, minutes, failures: row.failures } }, now);
  return until;
}

/** A success from `client` forgets that client's failures (other clients' stay). */
export async function recordSuccessfulSignIn(prisma: Pick<Db, "signInLockout">, userId: string, client: string): Promise<void> {
  await prisma.signInLockout.deleteMany({ where: { userId, client } });
}

export interface Lockout {
  userId: string;
  email: string;
  client: string;
  /** Wrong passwords in a row from this client. */
  failures: number;
  until: string;
  lastFailureAt: string;
}

/**
 * The lockouts running now, per person and client (latest first), for the admins' People screen (people.lockouts,
 * permission people:admin). `userId` narrows to one person.
 */
export async function listLockouts(prisma: Pick<Db, "signInLockout">, options: { userId?: string; now?: Date } = {}): Promise<Lockout[]> {
  const rows = await prisma.signInLockout.findMany({
    where: { lockedUntil: { gt: options.now ?? new Date() }, ...(options.userId ? { userId: options.userId } : {}) },
    orderBy: [{ lockedUntil: "desc" }, { client: "asc" }],
    select: { userId: true, client: true, failures: true, lockedUntil: true, lastFailureAt: true, user: { select: { email: true } } },
  });
  return rows.map((r) => ({
    userId: r.userId,
    email: r.user.email,
    client: r.client,
    failures: r.failures,
    until: (r.lockedUntil ?? r.lastFailureAt).toISOString(),
    lastFailureAt: r.lastFailureAt.toISOString(),
  }));
}

/** The latest end of a person's running lockouts (any client), or null: the People list's "locked" badge. */
export async function lockedUntilAnyClient(prisma: Pick<Db, "signInLockout">, userIds: string[], now = new Date()): Promise<Map<string, Date>> {
  const rows = await prisma.signInLockout.groupBy({ by: ["userId"], where: { userId: { in: userIds }, lockedUntil: { gt: now } }, _max: { lockedUntil: true } });
  return new Map(rows.flatMap((r) => (r._max.lockedUntil ? [[r.userId, r._max.lockedUntil] as const] : [])));
}

/**
 * An admin's unlock (also a password reset, `postern user passwd`, a reactivation): forgets the person's failures
 * from every client. Returns whether any client was locked out.
 */
export async function unlockAccount(prisma: Pick<Db, "signInLockout">, userId: string, now = new Date()): Promise<boolean> {
  const locked = await prisma.signInLockout.count({ where: { userId, lockedUntil: { gt: now } } });
  await prisma.signInLockout.deleteMany({ where: { userId } });
  return locked > 0;
}
