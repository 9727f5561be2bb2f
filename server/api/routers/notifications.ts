import { z } from "zod";
import { notFound } from "@/server/domain/errors";
import {
  getPreferences,
  listInput,
  listNotifications,
  listOutput,
  markRead,
  markReadInput,
  preferencesInput,
  preferencesOutput,
  setPreferences,
  unreadCount,
} from "@/server/notify/notifications";
import { authorized, router } from "../trpc";

/** One's own in-app notifications and their preferences (object: one's own notifications only). */
export const notificationsRouter = router({
  list: authorized("app:use")
    .input(listInput)
    .output(listOutput)
    .query(({ ctx, input }) => listNotifications(ctx.prisma, ctx.actor.userId, input)),
  unreadCount: authorized("app:use")
    .output(z.object({ count: z.number().int() }))
    .query(async ({ ctx }) => ({ count: await unreadCount(ctx.prisma, ctx.actor.userId) })),
  /** Ids of one's own notifications (another's id answers not found, nothing changes), or all. */
  markRead: authorized("app:use")
    .input(markReadInput)
    .output(z.object({ changed: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const result = await markRead(ctx.prisma, ctx.actor.userId, input);
      if (!result) throw notFound("Notification");
      return result;
    }),
  preferences: router({
    get: authorized("app:use")
      .output(preferencesOutput)
      .query(({ ctx }) => getPreferences(ctx.prisma, ctx.actor.userId)),
    set: authorized("app:use")
      .input(preferencesInput)
      .output(preferencesOutput)
      .mutation(({ ctx, input }) => setPreferences(ctx.prisma, ctx.actor.userId, input)),
  }),
});
