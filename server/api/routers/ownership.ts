import {
  apiSlugInput,
  assignOwnerless,
  assignOwnerlessInput,
  assignOwnerlessOutput,
  clearManualOwner,
  getOwnership,
  ownershipOutput,
  setManualOwner,
  setOwnerInput,
} from "@/server/inventory/ownership";
import { authorized, router } from "../trpc";

// An Api's owner and where each claim came from (read: anyone who sees the Api); the manual claim and the bulk
// assignment of ownerless Apis: inventory:own. Changes are audited and move open findings (server/findings/ownership.ts).
export const ownershipRouter = router({
  get: authorized("inventory:read").input(apiSlugInput).output(ownershipOutput).query(({ ctx, input }) => getOwnership(ctx.prisma, ctx.actor, input.slug)),
  set: authorized("inventory:own").input(setOwnerInput).output(ownershipOutput).mutation(({ ctx, input }) => setManualOwner(ctx.prisma, ctx.actor, input)),
  clear: authorized("inventory:own").input(apiSlugInput).output(ownershipOutput).mutation(({ ctx, input }) => clearManualOwner(ctx.prisma, ctx.actor, input)),
  assignOwnerless: authorized("inventory:own")
    .input(assignOwnerlessInput)
    .output(assignOwnerlessOutput)
    .mutation(({ ctx, input }) => assignOwnerless(ctx.prisma, ctx.actor, input)),
});
