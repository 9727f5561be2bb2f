/**
 * Outgoing webhooks (issue 14), per team or global: the service behind Settings → Webhooks, and the delivery pass the
 * server's loop runs (./loop.ts). Each outbox event (./outbox.ts) goes to every active webhook of its team and every
 * global one (whose event list is empty or names it), as a JSON body (or Slack's {"text": …}), with the headers
 *   Postern-Event: <type>
 *   Postern-Delivery: <delivery id>
 *   Postern-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the webhook's secret>
 * Failures (no answer, or not 2xx) retry after 30 s × 2^(attempt − 1), at most 8 attempts, then the delivery fails.
 * Secrets are generated here, shown once at creation, never returned again.
 */
import { createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/server/db/client";
import { DomainError, notFound } from "@/server/domain/errors";
import { recordAudit } from "@/server/audit/recorder";
import type { Actor } from "@/server/auth/roles";
import { literalRefusal, resolvedRefusal } from "./address-guard";
import { EVENT_TYPES } from "./outbox";

export const MAX_ATTEMPTS = 8;
export const BACKOFF_BASE_MS = 30_000;
const TIMEOUT_MS = 10_000;
/** A claimed delivery is not picked up by another pass for this long (a pass that died leaves it to the next). */
const LEASE_MS = 5 * 60_000;
const BATCH = 100;

// ---------------------------------------------------------------------------------------------------------------
// Settings → Webhooks

export function validateWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("BAD_REQUEST", "the webhook URL is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new DomainError("BAD_REQUEST", "a webhook URL must be http or https");
  if (url.username || url.password) throw new DomainError("BAD_REQUEST", "a webhook URL may not carry credentials; the signature authenticates Postern");
  const refusal = literalRefusal(url);
  if (refusal) throw new DomainError("BAD_REQUEST", refusal);
  return url.toString();
}

const webhookFields = {
  name: z.string().trim().min(1).max(200),
  url: z.string().trim().min(1).max(2000),
  format: z.enum(["json", "slack"]).default("json"),
  events: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).default([]),
};
export const createWebhookInput = z.object({ ...webhookFields, team: z.string().min(1).max(100).nullable().default(null) });
export const updateWebhookInput = z.object({
  id: z.string().min(1).max(64),
  name: webhookFields.name.optional(),
  url: webhookFields.url.optional(),
  format: z.enum(["json", "slack"]).optional(),
  events: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
  active: z.boolean().optional(),
});
export const webhookOutput = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  team: z.string().nullable(),
  format: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.date(),
  lastDelivery: z.object({ status: z.string(), lastStatusCode: z.number().nullable(), updatedAt: z.date() }).nullable(),
});
export type WebhookView = z.infer<typeof webhookOutput>;
export const deliveryOutput = z.object({
  id: z.string(),
  eventType: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.date(),
  deliveredAt: z.date().nullable(),
  createdAt: z.date(),
});

const VIEW = {
  id: true,
  name: true,
  url: true,
  teamId: true,
  format: true,
  events: true,
  active: true,
  createdAt: true,
  deliveries: { orderBy: { updatedAt: "desc" as const }, take: 1, select: { status: true, lastStatusCode: true, updatedAt: true } },
} as const;

async function teamSlugs(prisma: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (!wanted.length) return new Map();
  return new Map((await prisma.team.findMany({ where: { id: { in: wanted } }, select: { id: true, slug: true } })).map((t) => [t.id, t.slug]));
}

export async function listWebhooks(prisma: Db): Promise<WebhookView[]> {
  const rows = await prisma.webhook.findMany({ orderBy: { createdAt: "asc" }, select: VIEW });
  const slugs = await teamSlugs(prisma, rows.map((r) => r.teamId));
  return rows.map(({ teamId, deliveries, ...r }) => ({ ...r, team: teamId ? (slugs.get(teamId) ?? null) : null, lastDelivery: deliveries[0] ?? null }));
}

async function one(prisma: Db, id: string): Promise<WebhookView> {
  const found = (await listWebhooks(prisma)).find((w) => w.id === id);
  if (!found) throw notFound("Webhook");
  return found;
}

export async function createWebhook(prisma: Db, actor: Actor, raw: z.input<typeof createWebhookInput>): Promise<{ webhook: WebhookView; secret: string }> {
  const input = createWebhookInput.parse(raw);
  const url = validateWebhookUrl(input.url);
  let teamId: string | null = null;
  if (input.team) {
    const team = await prisma.team.findUnique({ where: { slug: input.team }, select: { id: true } });
    if (!team) throw notFound("Team");
    teamId = team.id;
  }
  const secret = `whsec_${randomBytes(32).toString("hex")}`;
  const created = await prisma.$transaction(async (tx) => {
    const row = await tx.webhook.create({ data: { name: input.name, url, secret, teamId, format: input.format, events: input.events, createdById: actor.userId }, select: { id: true } });
    await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action: "webhook.create", target: { type: "webhook", id: row.id }, details: { name: input.name, url, team: input.team } });
    return row;
  });
  return { webhook: await one(prisma, created.id), secret };
}

export async function updateWebhook(prisma: Db, actor: Actor, raw: z.input<typeof updateWebhookInput>): Promise<WebhookView> {
  const input = updateWebhookInput.parse(raw);
  const { id, ...changes } = input;
  if (changes.url !== undefined) changes.url = validateWebhookUrl(changes.url);
  await prisma.$transaction(async (tx) => {
    const found = await tx.webhook.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw notFound("Webhook");
    await tx.webhook.update({ where: { id }, data: changes });
    await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action: "webhook.update", target: { type: "webhook", id }, details: { ...changes } });
  });
  return one(prisma, id);
}

export async function deleteWebhook(prisma: Db, actor: Actor, id: string): Promise<{ ok: true }> {
  await prisma.$transaction(async (tx) => {
    const found = await tx.webhook.findUnique({ where: { id }, select: { id: true, name: true } });
    if (!found) throw notFound("Webhook");
    await tx.webhook.delete({ where: { id } });
    await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action: "webhook.delete", target: { type: "webhook", id }, details: { name: found.name } });
  });
  return { ok: true };
}

export async function listDeliveries(prisma: Db, webhookId: string): Promise<z.infer<typeof deliveryOutput>[]> {
  const found = await prisma.webhook.findUnique({ where: { id: webhookId }, select: { id: true } });
  if (!found) throw notFound("Webhook");
  const rows = await prisma.webhookDelivery.findMany({
    where: { webhookId },
    orderBy: { createdAt: "desc" },
    take: 100,
    select: { id: true, status: true, attempts: true, lastStatusCode: true, lastError: true, nextAttemptAt: true, deliveredAt: true, createdAt: true, event: { select: { type: true } } },
  });
  return rows.map(({ event, ...r }) => ({ ...r, eventType: event.type }));
}

/** "Send test": a webhook.test event for this webhook alone, through the outbox, sent at once. */
export async function sendTestWebhook(
  prisma: Db,
  actor: Actor,
  id: string,
  options: { now?: Date; fetch?: typeof fetch } = {},
): Promise<z.infer<typeof deliveryOutput>> {
  const now = options.now ?? new Date();
  const delivery = await prisma.$transaction(async (tx) => {
    const hook = await tx.webhook.findUnique({ where: { id }, select: { id: true, teamId: true, name: true } });
    if (!hook) throw notFound("Webhook");
    const event = await tx.outboxEvent.create({
      data: { type: "webhook.test", teamId: hook.teamId, payload: { message: `Test delivery for webhook "${hook.name}"`, by: actor.email ?? null, at: now.toISOString() }, createdAt: now },
    });
    return tx.webhookDelivery.create({ data: { webhookId: hook.id, eventId: event.id, nextAttemptAt: now }, select: { id: true } });
  });
  await runDeliveryPass(prisma, { now, fetch: options.fetch, only: [delivery.id] });
  const rows = await listDeliveries(prisma, id);
  return rows.find((r) => r.id === delivery.id)!;
}

// ---------------------------------------------------------------------------------------------------------------
// Delivery

export function signature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The Slack-compatible text of an event. */
export function slackText(type: string, payload: Record<string, unknown>): string {
  const f = payload.finding as { title?: string; severity?: string; api?: string | null } | undefined;
  const what = f ? `${f.severity ? `[${f.severity}] ` : ""}${f.title ?? ""}${f.api ? ` (${f.api})` : ""}` : String(payload.message ?? "");
  switch (type) {
    case "finding.status":
      return `Postern: ${what} moved from ${String(payload.from)} to ${String(payload.to)}`;
    case "finding.assigned":
      return `Postern: ${what} assigned to ${String(payload.assignee ?? "nobody")}`;
    case "finding.comment":
      return `Postern: new comment on ${what}: ${String(payload.comment ?? "").slice(0, 500)}`;
    case "finding.regression":
      return `Postern: regression — ${what} was reported again and reopened`;
    case "report.generated":
      return reportText(payload);
    default:
      return `Postern: ${type} ${what}`.trim();
  }
}

/** One line for a stored compliance report: what, for whom, which period, the counts, and the link. */
function reportText(payload: Record<string, unknown>): string {
  const p = payload as {
    framework?: { name?: string; version?: string };
    scope?: { label?: string };
    period?: { from?: string; to?: string };
    summary?: { passing?: number; failing?: number; notAssessed?: number };
    links?: { page?: string };
  };
  const day = (iso: string | undefined) => (iso ?? "").slice(0, 10);
  // The period's end is exclusive: the last day covered is the one before it.
  const last = p.period?.to ? new Date(new Date(p.period.to).getTime() - 86_400_000).toISOString().slice(0, 10) : "";
  return (
    `Postern: ${p.framework?.name ?? "compliance"} ${p.framework?.version ?? ""} report for ${p.scope?.label ?? "?"}, ${day(p.period?.from)} to ${last}: ` +
    `${p.summary?.passing ?? 0} passing, ${p.summary?.failing ?? 0} failing, ${p.summary?.notAssessed ?? 0} not assessed — ${p.links?.page ?? ""}`
  ).trim();
}

export function backoffMs(attempts: number): number {
  return BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1);
}

export interface PassResult {
  /** Deliveries created for new outbox events. */
  queued: number;
  delivered: number;
  retrying: number;
  failed: number;
}

/** Creates the deliveries of outbox events not yet fanned out; events no webhook wants are marked processed. */
async function fanOut(prisma: Db, now: Date): Promise<number> {
  const events = await prisma.outboxEvent.findMany({
    where: { processedAt: null, deliveries: { none: {} } },
    orderBy: { createdAt: "asc" },
    take: 1000,
    select: { id: true, type: true, teamId: true },
  });
  if (events.length === 0) return 0;
  const hooks = await prisma.webhook.findMany({ where: { active: true }, select: { id: true, teamId: true, events: true } });
  let queued = 0;
  await prisma.$transaction(async (tx) => {
    const data = events.flatMap((e) =>
      hooks.filter((h) => (h.teamId === null || h.teamId === e.teamId) && (h.events.length === 0 || h.events.includes(e.type))).map((h) => ({ webhookId: h.id, eventId: e.id, nextAttemptAt: now })),
    );
    if (data.length) queued = (await tx.webhookDelivery.createMany({ data, skipDuplicates: true })).count;
    const wanted = new Set(data.map((d) => d.eventId));
    const unwanted = events.filter((e) => !wanted.has(e.id)).map((e) => e.id);
    if (unwanted.length) await tx.outboxEvent.updateMany({ where: { id: { in: unwanted } }, data: { processedAt: now } });
  });
  return queued;
}

/**
 * One pass of the delivery loop: fans new outbox events out to their webhooks, then sends every delivery that is due
 * (`now` is the clock: tests advance it instead of sleeping). `only`: just these deliveries (send test).
 */
export async function runDeliveryPass(prisma: Db, options: { now?: Date; fetch?: typeof fetch; only?: string[] } = {}): Promise<PassResult> {
  const now = options.now ?? new Date();
  const send = options.fetch ?? fetch;
  const result: PassResult = { queued: options.only ? 0 : await fanOut(prisma, now), delivered: 0, retrying: 0, failed: 0 };
  // Claim the due deliveries: a lease moves their next attempt on, so a concurrent pass does not send them too.
  const claimed = await prisma.$queryRaw<{ id: string }[]>`
    UPDATE webhook_delivery SET "nextAttemptAt" = ${new Date(now.getTime() + LEASE_MS)}, "updatedAt" = ${now}
    WHERE id IN (
      SELECT d.id FROM webhook_delivery d JOIN webhook w ON w.id = d."webhookId"
      WHERE d.status = 'pending' AND d."nextAttemptAt" <= ${now} AND w.active
        AND (${options.only ?? null}::text[] IS NULL OR d.id = ANY(${options.only ?? null}::text[]))
      ORDER BY d."nextAttemptAt" LIMIT ${BATCH}
      FOR UPDATE OF d SKIP LOCKED)
    RETURNING id`;
  if (claimed.length === 0) return result;
  const deliveries = await prisma.webhookDelivery.findMany({
    where: { id: { in: claimed.map((c) => c.id) } },
    select: { id: true, attempts: true, eventId: true, webhook: { select: { url: true, secret: true, format: true } }, event: { select: { id: true, type: true, payload: true, createdAt: true } } },
  });
  for (const d of deliveries) {
    const payload = (d.event.payload ?? {}) as Record<string, unknown>;
    const body =
      d.webhook.format === "slack"
        ? JSON.stringify({ text: slackText(d.event.type, payload) })
        : JSON.stringify({ id: d.event.id, type: d.event.type, createdAt: d.event.createdAt.toISOString(), data: payload });
    const t = Math.floor(now.getTime() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const refusal = await resolvedRefusal(new URL(d.webhook.url));
      if (refusal) throw new Error(`not sent: ${refusal}`);
      const response = await send(d.webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Postern-Webhooks/1",
          "postern-event": d.event.type,
          "postern-delivery": d.id,
          "postern-signature": signature(d.webhook.secret, t, body),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    }
    const attempts = d.attempts + 1;
    if (!error) {
      result.delivered++;
      await prisma.webhookDelivery.update({ where: { id: d.id }, data: { status: "delivered", attempts, lastStatusCode: status, lastError: null, deliveredAt: now } });
    } else if (attempts >= MAX_ATTEMPTS) {
      result.failed++;
      await prisma.webhookDelivery.update({ where: { id: d.id }, data: { status: "failed", attempts, lastStatusCode: status, lastError: error } });
    } else {
      result.retrying++;
      await prisma.webhookDelivery.update({
        where: { id: d.id },
        data: { attempts, lastStatusCode: status, lastError: error, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)) },
      });
    }
  }
  // Events none of whose deliveries is pending any more are processed.
  const eventIds = [...new Set(deliveries.map((d) => d.eventId))];
  await prisma.outboxEvent.updateMany({ where: { id: { in: eventIds }, processedAt: null, deliveries: { none: { status: "pending" } } }, data: { processedAt: now } });
  return result;
}
