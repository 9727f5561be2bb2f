import { secretListOutput } from "@/server/secrets/schemas";
import { listSecrets, secretListInput } from "@/server/secrets/service";
import { authorized, router } from "../trpc";

export const secretsRouter = router({
  list: authorized("secrets:read")
    .input(secretListInput)
    .output(secretListOutput)
    .query(({ ctx, input }) => listSecrets(ctx.prisma, ctx.actor, input)),
});
