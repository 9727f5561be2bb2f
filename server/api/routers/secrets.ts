import { listSecrets, secretListInput } from "@/server/secrets/service";
import { protectedProcedure, router } from "../trpc";

export const secretsRouter = router({
  list: protectedProcedure.input(secretListInput).query(({ ctx, input }) => listSecrets(ctx.prisma, ctx.actor, input)),
});
