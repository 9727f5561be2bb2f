import { declareRoute } from "@/server/api/rest";
import { can } from "@/server/auth/permissions";
import { authenticateToken } from "@/server/auth/tokens";
import { getPrisma } from "@/server/db/client";
import { bearerCredential, errorResponse, ingestHttpRequest, ingestResponse, startHttpIngestJob } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/ingest — for CI jobs and log shippers. Bearer token with the `ingest` scope. Answers with the runs
 * once every file is stored; with `?async=true` it answers 202 at once and the files are ingested by a job.
 */
export const POST = declareRoute({ credential: "token", scope: "ingest", permission: "ingest:write" }, async (request: Request) => {
  const prisma = await getPrisma();
  const token = bearerCredential(request.headers);
  const actor = token ? await authenticateToken(prisma, token, "ingest") : null;
  if (!actor || !token) {
    return Response.json(
      { error: "a valid API token with the ingest scope is required" },
      { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="postern", scope="ingest"' } },
    );
  }
  // A token acts for its owner: their role applies, as in the UI.
  if (!can(actor, "ingest:write")) return Response.json({ error: "the token's owner needs role admin or security" }, { status: 403 });
  const mode = new URL(request.url).searchParams.get("async");
  if (mode !== null && mode !== "true" && mode !== "false") return Response.json({ error: "invalid query: async: expected true or false" }, { status: 400 });
  try {
    if (mode !== "true") return ingestResponse(await ingestHttpRequest(prisma, request, actor, "api"));
    const jobId = await startHttpIngestJob(prisma, request, actor, "api", token);
    const statusUrl = `/api/v1/ingest/jobs/${jobId}`;
    return Response.json({ jobId, statusUrl, cancelUrl: `${statusUrl}/cancel` }, { status: 202, headers: { Location: statusUrl } });
  } catch (error) {
    return errorResponse(error);
  }
});
