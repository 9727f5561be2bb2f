import { z } from "zod";
import {
  createWebhook,
  createWebhookInput,
  deleteWebhook,
  deliveryOutput,
  listDeliveries,
  listWebhooks,
  sendTestWebhook,
  updateWebhook,
  updateWebhookInput,
  webhookOutput,
} from "@/server/notify/webhooks";
import { authorized, router } from "../trpc";

const idInput = z.object({ id: z.string().min(1).max(64) });

/** Settings → Webhooks (admins and security). The secret is answered once, by create. */
export const webhooksRouter = router({
  list: authorized("webhooks:admin")
    .output(z.array(webhookOutput))
    .query(({ ctx }) => listWebhooks(ctx.prisma)),
  create: authorized("webhooks:admin")
    .input(createWebhookInput)
    .output(z.object({ webhook: webhookOutput, secret: z.string() }))
    .mutation(({ ctx, input }) => createWebhook(ctx.prisma, ctx.actor, input)),
  update: authorized("webhooks:admin")
    .input(updateWebhookInput)
    .output(webhookOutput)
    .mutation(({ ctx, input }) => updateWebhook(ctx.prisma, ctx.actor, input)),
  delete: authorized("webhooks:admin")
    .input(idInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteWebhook(ctx.prisma, ctx.actor, input.id)),
  deliveries: authorized("webhooks:admin")
    .input(idInput)
    .output(z.array(deliveryOutput))
    .query(({ ctx, input }) => listDeliveries(ctx.prisma, input.id)),
  test: authorized("webhooks:admin")
    .input(idInput)
    .output(deliveryOutput)
    .mutation(({ ctx, input }) => sendTestWebhook(ctx.prisma, ctx.actor, input.id)),
});
