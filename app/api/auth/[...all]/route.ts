import { declareRoute } from "@/server/api/rest";
import { getAuth } from "@/server/auth/auth";

export const dynamic = "force-dynamic";

const handler = declareRoute(
  { credential: "public", why: "better-auth's sign-in and session endpoints (rate limited, lockout, same-origin POSTs)" },
  async (request: Request) => {
    const auth = await getAuth();
    return auth.handler(request);
  },
);

export { handler as GET, handler as POST };
