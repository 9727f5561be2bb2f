import { declareRoute, downloadResponse } from "@/server/api/rest";
import { can, missingPermission } from "@/server/auth/permissions";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";
import { errorResponse } from "@/server/ingest/http";
import { draftSpec } from "@/server/traffic/draft-spec";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/apis/<slug>/draft-spec — an OpenAPI 3.1 draft of the Api from its traffic (server/traffic/draft-spec.ts),
 * downloaded from the Api page. Session cookie; scoped like the Api (another team's Api answers 404).
 */
export const GET = declareRoute(
  { credential: "session", permission: "inventory:read", object: "an Api the person may see" },
  async (request: Request, context: { params: Promise<{ slug: string }> }) => {
    const prisma = await getPrisma();
    const actor = await actorFromHeaders(prisma, request.headers);
    if (!actor) return Response.json({ error: "sign in first" }, { status: 401 });
    if (!can(actor, "inventory:read")) return Response.json({ error: missingPermission("inventory:read") }, { status: 403 });
    const { slug } = await context.params;
    if (!/^[a-z0-9-]{1,120}$/.test(slug)) return Response.json({ error: "Api not found" }, { status: 404 });
    try {
      const draft = await draftSpec(prisma, actor, slug);
      return downloadResponse(`${JSON.stringify(draft.document, null, 2)}\n`, { filename: draft.fileName, contentType: "application/json; charset=utf-8" });
    } catch (error) {
      return errorResponse(error);
    }
  },
);
