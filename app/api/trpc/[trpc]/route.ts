import { declareRoute } from "@/server/api/rest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { actorFromHeaders } from "@/server/auth/session";
import { getPrisma } from "@/server/db/client";
import { boundedRequest, MAX_BATCH, NO_STORE } from "@/server/api/limits";

export const dynamic = "force-dynamic";

const handler = declareRoute({ credential: "procedures" }, async (received: Request) => {
  const request = await boundedRequest(received);
  if (request instanceof Response) return request;
  const prisma = await getPrisma();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    maxBatchSize: MAX_BATCH,
    createContext: async () => ({ prisma, actor: await actorFromHeaders(prisma, request.headers) }),
    // Answers carry people's data and, once, a new token in plain text: never cached by a browser or a proxy.
    responseMeta: () => ({ headers: new Headers(NO_STORE) }),
  });
});

export { handler as GET, handler as POST };
