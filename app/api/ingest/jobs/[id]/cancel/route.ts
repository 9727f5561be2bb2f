import { declareRoute } from "@/server/api/rest";
import { crossOriginRefusal, jobResponse, sessionCredential } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** Cancels an upload's ingest job; the file being stored rolls back. Same-origin only, like the upload. */
export const POST = declareRoute(
  { credential: "session", permission: "ingest:write", object: "jobs started by this very session" },
  async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
    crossOriginRefusal(request, "cancel") ?? jobResponse("cancel", params, await sessionCredential(request.headers)),
);
