import { z } from "zod";
import { listTokens } from "@/server/auth/token-service";
import { accountOutput, changeOwnPassword, changePasswordInput, changePasswordOutput, getAccount } from "@/server/people/account";
import { authorized, router } from "../trpc";

const tokenRow = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  owner: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});

// My account: everyone's own profile, password and tokens. "app:use" is all a person whose password must be
// changed may do (server/auth/permissions.ts), so get and changePassword work for them; tokens do not yet.
export const accountRouter = router({
  get: authorized("app:use").input(z.object({}).optional()).output(accountOutput).query(({ ctx }) => getAccount(ctx.prisma, ctx.actor)),
  changePassword: authorized("app:use")
    .input(changePasswordInput)
    .output(changePasswordOutput)
    .mutation(({ ctx, input }) => changeOwnPassword(ctx.prisma, ctx.actor, input)),
  tokens: authorized("tokens:own")
    .input(z.object({}).optional())
    .output(z.array(tokenRow))
    .query(({ ctx }) => listTokens(ctx.prisma, ctx.actor, { own: true })),
});
