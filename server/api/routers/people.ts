import { z } from "zod";
import { listLockouts } from "@/server/auth/lockout";
import { lockoutsOutput } from "@/server/auth/schemas";
import {
  createPerson,
  createUserInput,
  createUserOutput,
  deactivate,
  listUsers,
  reactivate,
  resetPassword,
  resetPasswordOutput,
  setRole,
  setRoleInput,
  unlock,
  userChangeOutput,
  userIdInput,
  userListOutput,
} from "@/server/people/admin";
import { authorized, router } from "../trpc";

// Settings → People: admins only (people:admin); every change audited in the service.
const admin = authorized("people:admin");

export const peopleRouter = router({
  list: admin.input(z.object({}).optional()).output(userListOutput).query(({ ctx }) => listUsers(ctx.prisma, ctx.actor)),
  create: admin.input(createUserInput).output(createUserOutput).mutation(({ ctx, input }) => createPerson(ctx.prisma, ctx.actor, input)),
  setRole: admin.input(setRoleInput).output(userChangeOutput).mutation(({ ctx, input }) => setRole(ctx.prisma, ctx.actor, input)),
  deactivate: admin.input(userIdInput).output(userChangeOutput).mutation(({ ctx, input }) => deactivate(ctx.prisma, ctx.actor, input)),
  reactivate: admin.input(userIdInput).output(userChangeOutput).mutation(({ ctx, input }) => reactivate(ctx.prisma, ctx.actor, input)),
  resetPassword: admin.input(userIdInput).output(resetPasswordOutput).mutation(({ ctx, input }) => resetPassword(ctx.prisma, ctx.actor, input)),
  unlock: admin.input(userIdInput).output(userChangeOutput).mutation(({ ctx, input }) => unlock(ctx.prisma, ctx.actor, input)),
  /** Running lockouts per person and client (wrong passwords from that address), latest first; `id` narrows to one person. */
  lockouts: admin
    .input(z.object({ id: z.string().trim().min(1).max(64).optional() }).optional())
    .output(lockoutsOutput)
    .query(({ ctx, input }) => listLockouts(ctx.prisma, { userId: input?.id })),
});
