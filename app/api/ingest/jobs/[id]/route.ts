import { jobResponse, sessionCredential } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** An upload's ingest job, for the session that started it. No database: it may be busy with that very ingest. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return jobResponse("get", params, await sessionCredential(request.headers));
}
