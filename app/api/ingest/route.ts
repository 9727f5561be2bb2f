import { declareRoute } from "@/server/api/rest";
import { can } from "@/server/auth/permissions";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";
import { crossOriginRefusal, errorResponse, sessionCredential, startHttpIngestJob } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/**
 * The UI's upload: session cookie, same-origin only (the cookie is SameSite=Lax; the Origin check closes the rest).
 * The files are spooled, then ingested by a background job: 202 with its id, polled at /api/ingest/jobs/<id>.
 */
export const POST = declareRoute({ credential: "session", permission: "ingest:write" }, async (request: Request) => {
  const refused = crossOriginRefusal(request, "upload");
  if (refused) return refused;
  const prisma = await getPrisma();
  const actor = await actorFromHeaders(prisma, request.headers);
  const credential = await sessionCredential(request.headers);
  if (!actor || !credential) return Response.json({ error: "sign in first" }, { status: 401 });
  if (!can(actor, "ingest:write")) return Response.json({ error: "requires role admin or security" }, { status: 403 });
  try {
    const jobId = await startHttpIngestJob(prisma, request, actor, "ui", credential);
    return Response.json({ jobId }, { status: 202 });
  } catch (error) {
    return errorResponse(error);
  }
});
