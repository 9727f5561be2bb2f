import { declareRoute } from "@/server/api/rest";
import { getAuth } from "@/server/auth/auth";
import { withClientHeader } from "@/server/auth/client";
import { refuseDeactivatedSignIn } from "@/server/auth/deactivated";
import { getPrisma } from "@/server/db/client";

export const dynamic = "force-dynamic";

const handler = declareRoute(
  { credential: "public", why: "better-auth's sign-in and session endpoints (rate limited, lockout, same-origin POSTs)" },
  async (request: Request) => {
    const auth = await getAuth();
    return refuseDeactivatedSignIn(await getPrisma(), request, await auth.handler(withClientHeader(request)));
  },
);

export { handler as GET, handler as POST };
