import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

async function handler(request: Request) {
  const prisma = await getPrisma();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: async () => ({ prisma, actor: await actorFromHeaders(prisma, request.headers) }),
  });
}

export { handler as GET, handler as POST };
