import { crossOriginRefusal, jobResponse, sessionCredential } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** Cancels an upload's ingest job; the file being stored rolls back. Same-origin only, like the upload. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return crossOriginRefusal(request, "cancel") ?? jobResponse("cancel", params, await sessionCredential(request.headers));
}
