import { listRoute } from "@/server/api/findings-rest";
import { declareRoute } from "@/server/api/rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** GET /api/v1/findings — the Findings page's filters, sorted and paged; the token owner's teams' findings only. */
export const GET = declareRoute(
  { credential: "token", scope: "findings:read", permission: "findings:read", object: "findings of the token owner's teams" },
  (request: Request) => listRoute(request, getPrisma),
);
