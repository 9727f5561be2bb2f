import { getRoute } from "@/server/api/findings-rest";
import { declareRoute } from "@/server/api/rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** GET /api/v1/findings/<id> — one finding with its evidence and history; another team's answers 404. */
export const GET = declareRoute(
  { credential: "token", scope: "findings:read", permission: "findings:read", object: "a finding of the token owner's teams" },
  (request: Request, context: { params: Promise<{ id: string }> }) => getRoute(request, context, getPrisma),
);
