import { bulkRoute } from "@/server/api/findings-rest";
import { declareRoute } from "@/server/api/rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** POST /api/v1/findings/bulk — transition or assign many findings (ids, or a filter of the Findings page) at once. */
export const POST = declareRoute(
  { credential: "token", scope: "findings:write", permission: "findings:write", object: "findings of the token owner's teams" },
  (request: Request) => bulkRoute(request, getPrisma),
);
