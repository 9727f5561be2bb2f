import { bearerCredential, jobResponse } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/ingest/jobs/<id> — the state of a job started with `POST /ingest?async=true`, for the same bearer
 * token (compared by hash: no database lookup, as it may be busy with that very ingest). 404 for any other.
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return jobResponse("get", params, bearerCredential(request.headers));
}
