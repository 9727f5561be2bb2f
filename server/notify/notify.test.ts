// Notifications and webhooks (issue 14) on a real database: in-app notifications written with the change, per-user
// preferences, the overdue check; webhooks through the outbox to a real HTTP server on 127.0.0.1 (signature, retries
// with backoff by the clock parameter, Slack format), and an outbox event surviving a process that died before delivery.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor, Role } from "@/server/auth/roles";
import { type Database, openDatabase } from "@/server/db/client";
import type { Db } from "@/server/db/client";
import { reportedAgain } from "@/server/findings/lifecycle";
import { assignFindingsTo, commentOnFinding, transitionFindings } from "@/server/findings/workflow";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { getPreferences, listNotifications, markRead, runOverdueCheck, setPreferences, unreadCount } from "./notifications";
import { BACKOFF_BASE_MS, createWebhook, listDeliveries, listWebhooks, MAX_ATTEMPTS, runDeliveryPass, sendTestWebhook, validateWebhookUrl } from "./webhooks";

const DAY = 86_400_000;

// The receivers below listen on 127.0.0.1, which webhooks refuse unless internal receivers are allowed
// (./address-guard.ts; its refusals are tested in address-guard.test.ts).
process.env.POSTERN_WEBHOOK_ALLOW_PRIVATE = "1";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server: answers the first `failures` requests with 500, then 204. */
async function receiver(failures = 0): Promise<{ url: string; received: Received[]; close: () => Promise<void>; server: Server }> {
  const received: Received[] = [];
  let left = failures;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = left-- > 0 ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function verify(secret: string, header: string | undefined, body: string, now: Date): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!m) return false;
  if (Math.abs(now.getTime() / 1000 - Number(m[1])) > 300) return false;
  return createHmac("sha256", secret).update(`${m[1]}.${body}`).digest("hex") === m[2];
}

async function setUp(prisma: Db) {
  const alpha = await ensureTeam(prisma, "alpha");
  const spec = {
    openapi: "3.0.3",
    info: { title: "Alpha API", version: "1", "x-owner": "alpha" },
    servers: [{ url: "https://alpha.example.com/v1" }],
    paths: { "/things/{id}": { get: { summary: "Get", responses: { "200": { description: "ok" } } } } },
  };
  const result = await ingest(prisma, { file: bufferSource(JSON.stringify(spec), "alpha.json"), channel: "cli", actor: { type: "system" } });
  expect(result.status).toBe("succeeded");
  const api = await prisma.api.findFirstOrThrow({ where: { slug: "alpha-api" }, select: { id: true, ownerTeamId: true } });
  const actors = {} as Record<"dev" | "dev2" | "sec", Actor>;
  for (const [key, role, teams] of [["dev", "developer", ["alpha"]], ["dev2", "developer", ["alpha"]], ["sec", "security", []]] as const) {
    const user = await createUser(prisma, { email: `${key}@example.com`, role: role as Role, password: `${key}-password-123`, teams: [...teams] });
    actors[key] = { type: "user", userId: user.id, email: user.email, role: role as Role, teamIds: teams.length ? [alpha.id] : [] };
  }
  let n = 0;
  const finding = async (extra: Record<string, unknown> = {}) => {
    n++;
    const now = new Date();
    return (
      await prisma.finding.create({
        data: {
          kind: "scan", ruleId: `rule-${n}`, tool: "zap", title: `Finding ${n}`, severity: "high", fingerprint: `notify-${n}-${Math.random()}`,
          apiId: api.id, teamId: api.ownerTeamId, firstSeenAt: now, lastSeenAt: now, evidence: { detail: "x" }, ...extra,
        },
      })
    ).id;
  };
  return { alpha, actors, finding };
}

describe("webhook URLs", () => {
  it("accepts http and https, refuses other schemes and credentials", () => {
    expect(validateWebhookUrl("https://hooks.example.com/x?y=1")).toBe("https://hooks.example.com/x?y=1");
    expect(validateWebhookUrl("http://127.0.0.1:8080/hook")).toBe("http://127.0.0.1:8080/hook");
    expect(() => validateWebhookUrl("ftp://example.com/")).toThrow(/http or https/);
    expect(() => validateWebhookUrl("javascript:alert(1)")).toThrow(/http or https/);
    expect(() => validateWebhookUrl("https://user:pass@example.com/")).toThrow(/credentials/);
    expect(() => validateWebhookUrl("https://token@example.com/")).toThrow(/credentials/);
    expect(() => validateWebhookUrl("not a url")).toThrow(/not a URL/);
  });
});

describe.each(TEST_DATABASES)("notifications and webhooks on $name", (kind) => {
  let db: Database;
  let world: Awaited<ReturnType<typeof setUp>>;

  beforeAll(async () => {
    db = await kind.open();
    world = await setUp(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("assignment notifies the assignee, not someone assigning themselves; preferences turn a type off", async () => {
    const { actors, finding } = world;
    const f1 = await finding();
    await assignFindingsTo(db.prisma, actors.sec, { ids: [f1], assignee: actors.dev.userId });
    const mine = await listNotifications(db.prisma, actors.dev.userId, {});
    expect(mine.items.filter((i) => i.findingId === f1).map((i) => i.type)).toEqual(["assigned"]);
    const f2 = await finding();
    await assignFindingsTo(db.prisma, actors.dev, { ids: [f2], assignee: actors.dev.userId });
    expect(await db.prisma.notification.count({ where: { findingId: f2 } })).toBe(0);

    expect((await getPreferences(db.prisma, actors.dev2.userId)).every((p) => p.inApp)).toBe(true);
    await setPreferences(db.prisma, actors.dev2.userId, [{ type: "assigned", inApp: false }]);
    expect((await getPreferences(db.prisma, actors.dev2.userId)).find((p) => p.type === "assigned")?.inApp).toBe(false);
    const f3 = await finding();
    await assignFindingsTo(db.prisma, actors.sec, { ids: [f3], assignee: actors.dev2.userId });
    expect(await db.prisma.notification.count({ where: { findingId: f3 } })).toBe(0);
    await setPreferences(db.prisma, actors.dev2.userId, [{ type: "assigned", inApp: true }]);
  });

  it("a comment notifies the assignee and earlier commenters, never its author", async () => {
    const { actors, finding } = world;
    const f = await finding({ assigneeId: actors.dev.userId });
    await commentOnFinding(db.prisma, actors.dev2, { id: f, body: "first" });
    await commentOnFinding(db.prisma, actors.sec, { id: f, body: "second" });
    const rows = await db.prisma.notification.findMany({ where: { findingId: f, type: "comment" }, select: { userId: true, body: true } });
    const to = (body: string) => rows.filter((r) => r.body === body).map((r) => r.userId).sort();
    expect(to("first")).toEqual([actors.dev.userId]);
    expect(to("second")).toEqual([actors.dev.userId, actors.dev2.userId].sort());
  });

  it("a regression notifies the assignee, else the owning team's members", async () => {
    const { actors, finding } = world;
    const assigned = await finding({ status: "resolved", assigneeId: actors.dev2.userId });
    const unassigned = await finding({ status: "resolved" });
    const reopened = await db.prisma.$transaction((tx) => reportedAgain(tx, [{ id: assigned, why: "x" }, { id: unassigned, why: "x" }], new Date()));
    expect(reopened.sort()).toEqual([assigned, unassigned].sort());
    const rows = await db.prisma.notification.findMany({ where: { type: "regression" }, select: { userId: true, findingId: true } });
    expect(rows.filter((r) => r.findingId === assigned).map((r) => r.userId)).toEqual([actors.dev2.userId]);
    expect(rows.filter((r) => r.findingId === unassigned).map((r) => r.userId).sort()).toEqual([actors.dev.userId, actors.dev2.userId].sort());
    expect(await db.prisma.outboxEvent.count({ where: { type: "finding.regression" } })).toBe(2);
  });

  it("the overdue check notifies once per finding per day", async () => {
    const { actors, finding } = world;
    const now = new Date("2030-03-01T10:00:00Z");
    const f = await finding({ assigneeId: actors.dev.userId, slaDueAt: new Date(now.getTime() - DAY) });
    const count = () => db.prisma.notification.count({ where: { findingId: f, type: "overdue" } });
    await runOverdueCheck(db.prisma, now);
    expect(await count()).toBe(1);
    await runOverdueCheck(db.prisma, new Date(now.getTime() + 3 * 3_600_000));
    expect(await count()).toBe(1);
    await runOverdueCheck(db.prisma, new Date(now.getTime() + DAY));
    expect(await count()).toBe(2);
    await db.prisma.finding.update({ where: { id: f }, data: { status: "resolved" } });
    await runOverdueCheck(db.prisma, new Date(now.getTime() + 2 * DAY));
    expect(await count()).toBe(2);
  });

  it("lists, counts and marks read one's own notifications only", async () => {
    const { actors } = world;
    const unread = await unreadCount(db.prisma, actors.dev.userId);
    expect(unread).toBeGreaterThan(0);
    const page = await listNotifications(db.prisma, actors.dev.userId, { pageSize: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.unread).toBe(unread);
    const theirs = await listNotifications(db.prisma, actors.dev2.userId, {});
    expect(await markRead(db.prisma, actors.dev.userId, { ids: [theirs.items[0]!.id] })).toBeNull();
    expect(await unreadCount(db.prisma, actors.dev2.userId)).toBe(theirs.unread);
    expect(await markRead(db.prisma, actors.dev.userId, { ids: [page.items[0]!.id] })).toEqual({ changed: 1 });
    expect(await unreadCount(db.prisma, actors.dev.userId)).toBe(unread - 1);
    await markRead(db.prisma, actors.dev.userId, { all: true });
    expect(await unreadCount(db.prisma, actors.dev.userId)).toBe(0);
  });

  it("delivers outbox events to a real server: signed, retried with backoff, then delivered; secret shown once", async () => {
    const { actors, finding, alpha } = world;
    // Events committed before the webhooks existed are nobody's.
    await runDeliveryPass(db.prisma, { now: new Date() });
    const server = await receiver(2);
    try {
      const { webhook, secret } = await createWebhook(db.prisma, actors.sec, { name: "alpha hook", url: server.url, team: "alpha", events: ["finding.status"] });
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(JSON.stringify(await listWebhooks(db.prisma))).not.toContain(secret);
      expect(webhook.team).toBe(alpha.slug);
      const f = await finding();
      const t0 = new Date("2030-04-01T12:00:00Z");
      await transitionFindings(db.prisma, actors.dev, { ids: [f], to: "triaged" }, { now: t0 });
      await commentOnFinding(db.prisma, actors.dev, { id: f, body: "not for this hook" }, { now: t0 });

      expect(await runDeliveryPass(db.prisma, { now: t0 })).toMatchObject({ queued: 1, delivered: 0, retrying: 1 });
      // Not before the backoff (30 s) is over.
      expect(await runDeliveryPass(db.prisma, { now: new Date(t0.getTime() + BACKOFF_BASE_MS - 1000) })).toMatchObject({ delivered: 0, retrying: 0 });
      expect(await runDeliveryPass(db.prisma, { now: new Date(t0.getTime() + BACKOFF_BASE_MS) })).toMatchObject({ retrying: 1 });
      // Second backoff: 60 s.
      const t2 = new Date(t0.getTime() + BACKOFF_BASE_MS);
      expect(await runDeliveryPass(db.prisma, { now: new Date(t2.getTime() + 2 * BACKOFF_BASE_MS - 1000) })).toMatchObject({ delivered: 0 });
      const t3 = new Date(t2.getTime() + 2 * BACKOFF_BASE_MS);
      expect(await runDeliveryPass(db.prisma, { now: t3 })).toMatchObject({ delivered: 1 });
      expect(await runDeliveryPass(db.prisma, { now: new Date(t3.getTime() + DAY) })).toMatchObject({ queued: 0, delivered: 0, retrying: 0 });

      expect(server.received).toHaveLength(3);
      const last = server.received[2]!;
      expect(last.headers["postern-event"]).toBe("finding.status");
      expect(verify(secret, last.headers["postern-signature"] as string, last.body, t3)).toBe(true);
      expect(verify("whsec_wrong", last.headers["postern-signature"] as string, last.body, t3)).toBe(false);
      const body = JSON.parse(last.body) as { type: string; data: { finding: { id: string }; from: string; to: string } };
      // The payload is built in SQL from the finding: its summary as it is after the change, the actor, the time.
      const stored = await db.prisma.finding.findUniqueOrThrow({ where: { id: f }, select: { title: true, severity: true, api: { select: { slug: true } } } });
      expect(body).toMatchObject({
        type: "finding.status",
        data: {
          finding: { id: f, title: stored.title, severity: stored.severity, status: "triaged", api: stored.api?.slug ?? null, assignee: null },
          from: "open",
          to: "triaged",
          actor: { type: "user", id: actors.dev.userId },
          at: t0.toISOString(),
        },
      });
      const log = await listDeliveries(db.prisma, webhook.id);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ status: "delivered", attempts: 3, lastStatusCode: 204, id: last.headers["postern-delivery"] });
    } finally {
      await server.close();
    }
  });

  it("gives up after the last attempt; send test and the Slack format", async () => {
    const { actors } = world;
    const down = await receiver(1000);
    const slack = await receiver(0);
    try {
      const { webhook } = await createWebhook(db.prisma, actors.sec, { name: "down", url: down.url, events: ["webhook.test"] });
      let now = new Date("2030-05-01T00:00:00Z");
      const first = await sendTestWebhook(db.prisma, actors.sec, webhook.id, { now });
      expect(first).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, eventType: "webhook.test" });
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        now = new Date(now.getTime() + BACKOFF_BASE_MS * 2 ** (attempt - 2));
        await runDeliveryPass(db.prisma, { now });
      }
      expect((await listDeliveries(db.prisma, webhook.id))[0]).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, lastStatusCode: 500 });
      await runDeliveryPass(db.prisma, { now: new Date(now.getTime() + 30 * DAY) });
      expect(down.received).toHaveLength(MAX_ATTEMPTS);

      const s = await createWebhook(db.prisma, actors.sec, { name: "slack", url: slack.url, format: "slack", events: ["webhook.test"] });
      expect(await sendTestWebhook(db.prisma, actors.sec, s.webhook.id)).toMatchObject({ status: "delivered", lastStatusCode: 204 });
      expect(Object.keys(JSON.parse(slack.received[0]!.body) as object)).toEqual(["text"]);
    } finally {
      await down.close();
      await slack.close();
    }
  });
});

describe("an outbox event survives a process that died before delivery", () => {
  it("is delivered exactly once by a fresh connection's first pass", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "postern-outbox-"));
    const dataDir = path.join(dir, "db");
    const server = await receiver(0);
    try {
      let db = await openDatabase({ kind: "pglite", dataDir });
      const { actors, finding } = await setUp(db.prisma);
      const { secret } = await createWebhook(db.prisma, actors.sec, { name: "global", url: server.url });
      const f = await finding();
      await assignFindingsTo(db.prisma, actors.sec, { ids: [f], assignee: actors.dev.userId });
      // The process "dies": no pass ran.
      await db.close();
      expect(server.received).toHaveLength(0);

      db = await openDatabase({ kind: "pglite", dataDir });
      try {
        const now = new Date();
        expect(await runDeliveryPass(db.prisma, { now })).toMatchObject({ delivered: 1 });
        expect(await runDeliveryPass(db.prisma, { now: new Date(now.getTime() + DAY) })).toMatchObject({ queued: 0, delivered: 0, retrying: 0 });
        expect(server.received).toHaveLength(1);
        expect(server.received[0]!.headers["postern-event"]).toBe("finding.assigned");
        expect(verify(secret, server.received[0]!.headers["postern-signature"] as string, server.received[0]!.body, now)).toBe(true);
        expect(await db.prisma.outboxEvent.count({ where: { processedAt: null } })).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
