import { z } from "zod";
import { tokenCreatedOutput, tokenRevokedOutput, tokenRowOutput } from "@/server/auth/schemas";
import { TOKEN_SCOPES } from "@/server/auth/tokens";
import { createTokenForActor, listTokens, revokeToken } from "@/server/auth/token-service";
import { authorized, router } from "../trpc";

// Everyone manages their own tokens (admins everyone's: tokens:all, in the service); a scope needs the permission
// it stands for (an ingest token needs ingest:write).
const tokenProcedure = authorized("tokens:own");

export const tokensRouter = router({
  list: tokenProcedure.output(z.array(tokenRowOutput)).query(({ ctx }) => listTokens(ctx.prisma, ctx.actor)),
  create: tokenProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(80),
        scopes: z.array(z.enum(TOKEN_SCOPES)).min(1),
        expiresInDays: z.number().int().min(1).max(365).default(90),
      }),
    )
    .output(tokenCreatedOutput)
    .mutation(({ ctx, input }) => createTokenForActor(ctx.prisma, ctx.actor, input)),
  revoke: tokenProcedure
    .input(z.object({ id: z.string().min(1).max(50) }))
    .output(tokenRevokedOutput)
    .mutation(({ ctx, input }) => revokeToken(ctx.prisma, ctx.actor, input.id)),
});
