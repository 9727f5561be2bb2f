import { transitionRoute } from "@/server/api/findings-rest";
import { declareRoute } from "@/server/api/rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** POST /api/v1/findings/<id>/transition — move it to a state (the transition table and the owner's role decide). */
export const POST = declareRoute(
  { credential: "token", scope: "findings:write", permission: "findings:write", object: "a finding of the token owner's teams" },
  (request: Request, context: { params: Promise<{ id: string }> }) => transitionRoute(request, context, getPrisma),
);
