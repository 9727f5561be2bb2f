/**
 * Test and benchmark helpers: Kong 3.8 file-log JSON lines and NGINX combined lines generated from a compact event
 * description, and a small OpenAPI inventory for the traffic tests.
 */
import type { Db } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { type GenEvent, kongLine } from "@/server/demo/kong-log";

export { type GenEvent, kongLine };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** One NGINX combined line (no host), time in UTC. */
export function nginxLine(e: GenEvent): string {
  const d = new Date(e.time);
  const t = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${e.ip ?? "203.0.113.7"} - ${e.consumer ?? "-"} [${t}] "${e.method ?? "GET"} ${e.path} HTTP/1.1" ${e.status ?? 200} ${e.bytes ?? 512} "-" "curl/8.4.0"`;
}

export const kongLog = (events: GenEvent[]) => `${events.map(kongLine).join("\n")}\n`;
export const nginxLog = (events: GenEvent[]) => `${events.map(nginxLine).join("\n")}\n`;

/** Repeats `n` events at one per `stepMs` from `start`. */
export function times(n: number, start: number, stepMs: number, f: (i: number, time: number) => GenEvent): GenEvent[] {
  return Array.from({ length: n }, (_, i) => f(i, start + i * stepMs));
}

/**
 * A small inventory: "Shop API" (https://shop.example.com/v1, production, bearer auth globally) and "Legacy API"
 * (https://legacy.example.com, lifecycle deprecated).
 */
export const SHOP_SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Shop API", version: "1.0.0", "x-lifecycle": "production" },
  servers: [{ url: "https://shop.example.com/v1" }],
  components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
  security: [{ bearer: [] }],
  paths: {
    "/users/{userId}": {
      get: {
        summary: "Get a user",
        parameters: [{ name: "userId", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { email: { type: "string" } } } } } } },
      },
    },
    "/orders": { get: { summary: "List orders", responses: { "200": { description: "ok" } } } },
    "/auth/login": { post: { summary: "Log in", tags: ["auth"], security: [], responses: { "200": { description: "ok" } } } },
    "/reports/legacy": { get: { summary: "Old report", deprecated: true, responses: { "200": { description: "ok" } } } },
    "/health": { get: { summary: "Health", security: [], responses: { "200": { description: "ok" } } } },
    "/catalog": { get: { summary: "Catalog", security: [], responses: { "200": { description: "ok" } } } },
    "/never-called": { get: { summary: "Never called", responses: { "200": { description: "ok" } } } },
  },
});

export const LEGACY_SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Legacy API", version: "0.9.0", "x-lifecycle": "deprecated" },
  servers: [{ url: "https://legacy.example.com" }],
  paths: { "/items/{id}": { get: { parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } } } },
});

const system = { type: "system" as const };

export async function ingestText(db: Db, content: string, name: string, options: { api?: string; format?: string } = {}) {
  return ingest(db, { file: bufferSource(content, name), channel: "cli", actor: system, options });
}

export async function ingestInventory(db: Db): Promise<void> {
  for (const [spec, name] of [
    [SHOP_SPEC, "shop.json"],
    [LEGACY_SPEC, "legacy.json"],
  ] as const) {
    const r = await ingestText(db, spec, name);
    if (r.status !== "succeeded") throw new Error(`inventory ${name}: ${r.message}`);
  }
}

/** A Kong file-log entry with every field the parser reads (tests vary it field by field). */
export const KONG_ENTRY = {
  request: {
    method: "POST",
    uri: "/v1/orders?api_key=abc&page=2",
    url: "https://api.example.com:8443/v1/orders?api_key=abc&page=2",
    headers: { host: "API.example.com:8443", "user-agent": "curl/8.0", "x-forwarded-for": "203.0.113.9:4711, 10.0.0.1" },
  },
  response: { status: 201, size: 512, headers: { "X-RateLimit-Remaining-Minute": "59", "content-type": "application/json" } },
  latencies: { request: 12, kong: 1, proxy: 11 },
  started_at: 1700000000123,
  client_ip: "10.0.0.1",
  route: { paths: ["/v1"], id: "r-1" },
  service: { host: "orders.internal", id: "s-1" },
  consumer: { username: "acme-app", id: "c-1" },
  authenticated_entity: { id: "cred-1" },
};

/** A Kong entry without consumer, client IP header or uri: the parser's fallbacks (authenticated_entity, client_ip, url). */
export const KONG_FALLBACK_ENTRY = {
  request: { method: "get", url: "http://h.example.com/a/b?x=1", headers: { "user-agent": ["ua-1", "ua-2"] } },
  response: { status: 401, headers: { "RateLimit-Limit": "5" } },
  started_at: 1700000000000,
  client_ip: "2001:db8::7",
  authenticated_entity: { id: "cred-9" },
};

/** The scope of a host's rollups: the shadow Api recorded for it (server/traffic/observed.ts), else "host:<host>". */
export async function hostScope(db: Db, host: string): Promise<string> {
  const api = await db.api.findFirst({ where: { host, discoveredFromTraffic: true }, select: { id: true } });
  return api?.id ?? `host:${host}`;
}
