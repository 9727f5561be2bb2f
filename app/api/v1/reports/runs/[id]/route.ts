import { declareRoute } from "@/server/api/rest";
import { runRoute } from "@/server/api/reports-rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** GET /api/v1/reports/runs/<id>?format=json|pdf — a stored report as it was made; a run another team's answers 404. */
export const GET = declareRoute(
  { credential: "token", scope: "reports:read", permission: "reports:read", object: "a run scoped to the token owner's teams or their Apis" },
  async (request: Request, context: { params: Promise<{ id: string }> }) => runRoute(request, (await context.params).id, getPrisma),
);
