import { declareRoute } from "@/server/api/rest";
import { handleCliRequest } from "@/server/cli/remote-handler";

export const dynamic = "force-dynamic";

/**
 * POST /api/internal/cli: the `postern` CLI runs a command in this server while it holds the embedded database.
 * Loopback only, with the key of this start from <POSTERN_HOME>/server.json; see server/cli/remote-handler.ts.
 */
export const POST = declareRoute(
  { credential: "loopback-secret", why: "the CLI on this machine: the per-start key in server.json, a loopback peer, no forwarding" },
  async (request: Request) => handleCliRequest(request),
);
