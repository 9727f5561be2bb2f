import { declareRoute } from "@/server/api/rest";
import { runResponse } from "@/server/api/reports-rest";
import { restError } from "@/server/api/token-route";
import { can, missingPermission } from "@/server/auth/permissions";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** The report history page's downloads: a stored run as PDF or JSON (as GET /api/v1/reports/runs/<id>), session cookie. */
export const GET = declareRoute(
  { credential: "session", permission: "reports:read", object: "a run scoped to the person's teams or their Apis" },
  async (request: Request, context: { params: Promise<{ id: string }> }) => {
    try {
      const prisma = await getPrisma();
      const actor = await actorFromHeaders(prisma, request.headers);
      if (!actor) return Response.json({ error: "sign in first" }, { status: 401 });
      if (!can(actor, "reports:read")) return Response.json({ error: missingPermission("reports:read") }, { status: 403 });
      return await runResponse(prisma, actor, (await context.params).id, new URL(request.url).searchParams);
    } catch (error) {
      return restError(error);
    }
  },
);
