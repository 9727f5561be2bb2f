import { commentRoute } from "@/server/api/findings-rest";
import { declareRoute } from "@/server/api/rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** POST /api/v1/findings/<id>/comments — a markdown comment in the finding's history. */
export const POST = declareRoute(
  { credential: "token", scope: "findings:write", permission: "findings:write", object: "a finding of the token owner's teams" },
  (request: Request, context: { params: Promise<{ id: string }> }) => commentRoute(request, context, getPrisma),
);
