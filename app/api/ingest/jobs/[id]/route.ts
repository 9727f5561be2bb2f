import { declareRoute } from "@/server/api/rest";
import { jobResponse, sessionCredential } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** An upload's ingest job, for the session that started it. No database: it may be busy with that very ingest. */
export const GET = declareRoute(
  { credential: "session", permission: "ingest:write", object: "jobs started by this very session" },
  async (request: Request, { params }: { params: Promise<{ id: string }> }) =>
    jobResponse("get", params, await sessionCredential(request.headers)),
);
