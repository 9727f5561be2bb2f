import { actorFromHeaders } from "@/server/auth/session";
import { canIngest } from "@/server/auth/roles";
import { getPrisma } from "@/server/db/client";
import { errorResponse, ingestHttpRequest, ingestResponse } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** The UI's upload: session cookie, same-origin only (the cookie is SameSite=Lax; the Origin check closes the rest). */
export async function POST(request: Request) {
  const origin = request.headers.get("origin");
  if (!origin || origin !== new URL(request.url).origin) {
    return Response.json({ error: "cross-origin upload refused" }, { status: 403 });
  }
  const prisma = await getPrisma();
  const actor = await actorFromHeaders(prisma, request.headers);
  if (!actor) return Response.json({ error: "sign in first" }, { status: 401 });
  if (!canIngest(actor)) return Response.json({ error: "requires role admin or security" }, { status: 403 });
  try {
    return ingestResponse(await ingestHttpRequest(prisma, request, actor, "ui"));
  } catch (error) {
    return errorResponse(error);
  }
}
