import { authenticateToken } from "@/server/auth/tokens";
import { getPrisma } from "@/server/db/client";
import { errorResponse, ingestHttpRequest, ingestResponse } from "@/server/ingest/http";

export const dynamic = "force-dynamic";

/** POST /api/v1/ingest — for CI jobs and log shippers. Bearer token with the `ingest` scope. */
export async function POST(request: Request) {
  const prisma = await getPrisma();
  const header = request.headers.get("authorization") ?? "";
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const actor = token ? await authenticateToken(prisma, token, "ingest") : null;
  if (!actor) {
    return Response.json(
      { error: "a valid API token with the ingest scope is required" },
      { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="postern", scope="ingest"' } },
    );
  }
  try {
    return ingestResponse(await ingestHttpRequest(prisma, request, actor, "api"));
  } catch (error) {
    return errorResponse(error);
  }
}
