import { bearerCredential, jobResponse } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** POST /api/v1/ingest/jobs/<id>/cancel — stops the job; the file being stored rolls back. Same token as the start. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return jobResponse("cancel", params, bearerCredential(request.headers));
}
