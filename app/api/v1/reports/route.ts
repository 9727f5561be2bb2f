import { declareRoute } from "@/server/api/rest";
import { reportsRoute } from "@/server/api/reports-rest";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

/** GET /api/v1/reports — a compliance report as PDF, CSV or JSON; the token owner's teams' Apis for developers. */
export const GET = declareRoute(
  { credential: "token", scope: "reports:read", permission: "reports:read", object: "a team or Api of the token owner's teams" },
  (request: Request) => reportsRoute(request, getPrisma),
);
