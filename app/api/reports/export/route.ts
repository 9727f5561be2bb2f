import { declareRoute } from "@/server/api/rest";
import { reportResponse } from "@/server/api/reports-rest";
import { restError } from "@/server/api/token-route";
import { can, missingPermission } from "@/server/auth/permissions";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/**
 * The Reports page's downloads: the report as PDF, CSV or JSON (query as GET /api/v1/reports). Session cookie,
 * every role (reports:read); the CSV's finding rows need findings:read.
 */
export const GET = declareRoute({ credential: "session", permission: "reports:read", object: "a team or Api of the person's teams" }, async (request: Request) => {
  try {
    const prisma = await getPrisma();
    const actor = await actorFromHeaders(prisma, request.headers);
    if (!actor) return Response.json({ error: "sign in first" }, { status: 401 });
    if (!can(actor, "reports:read")) return Response.json({ error: missingPermission("reports:read") }, { status: 403 });
    return await reportResponse(prisma, actor, new URL(request.url).searchParams, request.signal);
  } catch (error) {
    return restError(error);
  }
});
