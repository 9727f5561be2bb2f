import type { Db } from "@/server/db/client";

/** Consecutive wrong passwords before an account is locked, and for how long. */
export const LOCKOUT_THRESHOLD = Number(process.env.POSTERN_LOCKOUT_THRESHOLD ?? 5);
export const LOCKOUT_MINUTES = Number(process.env.POSTERN_LOCKOUT_MINUTES ?? 15);

export async function lockedUntil(prisma: Db, email: string, now = new Date()): Promise<Date | null> {
  const user = await prisma.user.findUnique({ where: { email: email.toLowerCase() }, select: { lockedUntil: true } });
  return user?.lockedUntil && user.lockedUntil > now ? user.lockedUntil : null;
}

/** Counts a failed sign-in; locks the account when the threshold is reached. Unknown emails are ignored. */
export async function recordFailedSignIn(prisma: Db, email: string, now = new Date()): Promise<void> {
  const user = await prisma.user.update({
    where: { email: email.toLowerCase() },
    data: { failedSignIns: { increment: 1 } },
    select: { id: true, failedSignIns: true },
  }).catch(() => null);
  if (user && user.failedSignIns >= LOCKOUT_THRESHOLD) {
    await prisma.user.update({
      where: { id: user.id },
      data: { lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000), failedSignIns: 0 },
    });
    await prisma.auditLog.create({
      data: { actorType: "system", action: "user.locked", targetType: "user", targetId: user.id, details: { minutes: LOCKOUT_MINUTES } },
    });
  }
}

export async function recordSuccessfulSignIn(prisma: Db, userId: string): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { failedSignIns: 0, lockedUntil: null } });
}

/** An admin's unlock: clears the lockout and the failed sign-in count. Returns whether the account was locked. */
export async function unlockAccount(prisma: Pick<Db, "user">, userId: string, now = new Date()): Promise<boolean> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { lockedUntil: true } });
  await prisma.user.update({ where: { id: userId }, data: { failedSignIns: 0, lockedUntil: null } });
  return !!user?.lockedUntil && user.lockedUntil > now;
}
