/**
 * A deactivated person cannot sign in. better-auth answers the sign-in first (wrong passwords and lockouts as
 * usual); when it has just signed in a deactivated person, that session is deleted and the answer becomes a 403
 * without its cookie or token. So only someone who knows the password learns that the account is deactivated.
 * (Their other doors: server/auth/session.ts ignores their sessions, server/auth/tokens.ts refuses their tokens.)
 */
import type { Db } from "@/server/db/client";

export const DEACTIVATED_MESSAGE = "This account is deactivated. Ask an admin to reactivate it.";

export async function refuseDeactivatedSignIn(prisma: Db, request: Request, response: Response): Promise<Response> {
  if (request.method !== "POST" || !new URL(request.url).pathname.endsWith("/sign-in/email") || !response.ok) return response;
  let body: { token?: unknown; user?: { id?: unknown } };
  try {
    body = (await response.clone().json()) as typeof body;
  } catch {
    return response;
  }
  const userId = typeof body.user?.id === "string" ? body.user.id : null;
  if (!userId) return response;
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { deactivatedAt: true } });
  if (!user?.deactivatedAt) return response;
  await prisma.session.deleteMany({ where: { userId } });
  return Response.json({ code: "ACCOUNT_DEACTIVATED", message: DEACTIVATED_MESSAGE }, { status: 403, headers: { "cache-control": "no-store" } });
}
