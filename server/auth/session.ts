import type { Db } from "@/server/db/client";
import { getAuth } from "./auth";
import { type Actor, isRole } from "./roles";

/**
 * The signed-in person for a request's cookies, with their role and teams; null when not signed in or deactivated
 * (deactivating ends the sessions too; this also covers one that raced it).
 */
export async function actorFromHeaders(prisma: Db, headers: Headers): Promise<Actor | null> {
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const user = await prisma.user.findUnique({
    where: { id: session.user.id },
    select: { id: true, email: true, role: true, deactivatedAt: true, mustChangePassword: true, memberships: { select: { teamId: true } } },
  });
  if (!user || !isRole(user.role) || user.deactivatedAt) return null;
  return {
    type: "user",
    userId: user.id,
    email: user.email,
    role: user.role,
    teamIds: user.memberships.map((m) => m.teamId),
    sessionId: session.session.id,
    ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
  };
}
