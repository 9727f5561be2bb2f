import { declareRoute } from "@/server/api/rest";
import { runsRoute } from "@/server/api/reports-rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** GET /api/v1/reports/runs — the report history, newest first; developers: runs of their teams and their teams' Apis. */
export const GET = declareRoute(
  { credential: "token", scope: "reports:read", permission: "reports:read", object: "runs scoped to the token owner's teams or their Apis" },
  (request: Request) => runsRoute(request, getPrisma),
);
