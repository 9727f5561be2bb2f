import { handleCliRequest } from "@/server/cli/remote-handler";

export const dynamic = "force-dynamic";

/**
 * POST /api/internal/cli: the `postern` CLI runs a command in this server while it holds the embedded database.
 * Loopback only, with the key of this start from <POSTERN_HOME>/server.json; see server/cli/remote-handler.ts.
 */
export async function POST(request: Request) {
  return handleCliRequest(request);
}
