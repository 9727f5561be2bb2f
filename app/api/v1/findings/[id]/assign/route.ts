import { assignRoute } from "@/server/api/findings-rest";
import { declareRoute } from "@/server/api/rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** POST /api/v1/findings/<id>/assign — to a person of the owning team (by email), or nobody. */
export const POST = declareRoute(
  { credential: "token", scope: "findings:write", permission: "findings:write", object: "a finding of the token owner's teams" },
  (request: Request, context: { params: Promise<{ id: string }> }) => assignRoute(request, context, getPrisma),
);
