import { declareRoute } from "@/server/api/rest";
import { bearerCredential, jobResponse } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/ingest/jobs/<id> — the state of a job started with `POST /ingest?async=true`, for the same bearer
 * token (compared by hash: no database lookup, as it may be busy with that very ingest). 404 for any other.
 */
export const GET = declareRoute(
  { credential: "token", scope: "ingest", permission: "ingest:write", object: "jobs started with this very token" },
  async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
    jobResponse("get", params, bearerCredential(request.headers)),
);
