import { declareRoute } from "@/server/api/rest";
import { bearerCredential, jobResponse } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** POST /api/v1/ingest/jobs/<id>/cancel — stops the job; the file being stored rolls back. Same token as the start. */
export const POST = declareRoute(
  { credential: "token", scope: "ingest", permission: "ingest:write", object: "jobs started with this very token" },
  async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
    jobResponse("cancel", params, bearerCredential(request.headers)),
);
