/**
 * Test helpers for the ways a gateway log can be read (in-thread, with the parse worker, in shards), which must all
 * store the same: a log with hot minutes, an enumeration key, authentication failures, bad and blank lines, and the
 * stored rows of a run in a comparable form.
 */
import type { Database } from "@/server/db/client";
import type { IngestResult } from "@/server/ingest/pipeline";
import { VALUE_SALT_KEY } from "./persist";
import { type GenEvent, kongLine } from "./test-helpers";

export const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);

/**
 * Seven minutes of traffic, strictly in time order: background clients over several endpoints, one client at about 70
 * requests a minute on one endpoint (hot minutes, above the floor of 60 only when a minute is counted whole), one
 * client walking 16 user ids (an enumeration key, above the floor of 10 only when counted whole), 401s on the login
 * endpoint, and bad and blank lines spread over the file.
 */
export function logLines(): string[] {
  const events: GenEvent[] = [];
  const span = 7 * 60_000;
  const n = 3_000;
  let walked = 0;
  for (let i = 0; i < n; i++) {
    const time = T0 + Math.floor((i * span) / n);
    const k = i % 12;
    if (k < 2) events.push({ time, host: "shop.example.com", path: "/v1/orders", status: 200, consumer: "hammer", bytes: 100 + i });
    else if (k === 2 && i % 24 === 2) {
      // 125 requests over the 7 minutes, walking 16 ids in order: a few per shard, 16 in the hour.
      events.push({ time, host: "shop.example.com", path: `/v1/users/u${Math.floor((walked++ * 16) / 125)}`, status: 200, ip: "198.51.100.7" });
    } else if (k === 3) events.push({ time, method: "POST", host: "shop.example.com", path: "/v1/auth/login", status: 401, ip: "203.0.113.66" });
    else if (k < 7) events.push({ time, host: "legacy.example.com", path: "/reports/legacy", status: i % 3 ? 200 : 500, ip: `192.0.2.${i % 50}` });
    else events.push({ time, host: "unknown.example.net", path: `/x/${i}`, status: i % 4 ? 200 : 404, ip: `192.0.2.${i % 7}` });
  }
  const lines = events.map(kongLine);
  for (const at of [2, 700, 1_501, 2_300]) lines.splice(at, 0, `{"not": "kong"} ${at}`);
  lines.splice(1_200, 0, "", "   ");
  return lines;
}

/** Gives databases one salt for value hashes (each makes its own at first use), so that their hashes compare. */
export async function sameSalt(...dbs: Database[]): Promise<void> {
  for (const db of dbs) {
    await db.prisma.setting.upsert({ where: { key: VALUE_SALT_KEY }, create: { key: VALUE_SALT_KEY, value: "test-salt" }, update: { value: "test-salt" } });
  }
}

/** The stored rows of a run, as JSON with database ids replaced by Api slugs and endpoint names. */
export async function stored(db: Database, runId: string): Promise<unknown> {
  const names = new Map<string, string>();
  for (const a of await db.prisma.api.findMany({ select: { id: true, slug: true } })) names.set(a.id, `api:${a.slug}`);
  for (const e of await db.prisma.endpoint.findMany({ select: { id: true, method: true, path: true } })) names.set(e.id, `${e.method} ${e.path}`);
  const where = { ingestRunId: runId };
  const strip = <T extends { id?: unknown; ingestRunId?: unknown }>(rows: T[]) => rows.map(({ id: _id, ingestRunId: _run, ...rest }) => rest);
  const rows = {
    hours: strip(await db.prisma.trafficEndpointHour.findMany({ where, orderBy: [{ scopeKey: "asc" }, { method: "asc" }, { pathTemplate: "asc" }, { hourStart: "asc" }] })),
    days: strip(await db.prisma.trafficClientDay.findMany({ where, orderBy: [{ scopeKey: "asc" }, { clientKey: "asc" }, { day: "asc" }] })),
    minutes: strip(await db.prisma.trafficClientMinute.findMany({ where, orderBy: [{ scopeKey: "asc" }, { pathTemplate: "asc" }, { clientKey: "asc" }, { minuteStart: "asc" }] })),
    params: strip(await db.prisma.trafficParamValues.findMany({ where, orderBy: [{ clientKey: "asc" }, { hourStart: "asc" }, { paramName: "asc" }] })).map((p) => ({
      ...p,
      valueHashes: [...p.valueHashes].sort(),
    })),
    paramDays: strip(await db.prisma.trafficParamDay.findMany({ where, orderBy: [{ clientKey: "asc" }, { day: "asc" }, { pathTemplate: "asc" }, { paramName: "asc" }] })).map((p) => ({
      ...p,
      valueHashes: [...p.valueHashes].sort(),
      sketch: p.sketch === null ? null : Buffer.from(p.sketch).toString("base64"),
    })),
    samples: strip(await db.prisma.trafficSample.findMany({ where, orderBy: [{ scopeKey: "asc" }, { method: "asc" }, { pathTemplate: "asc" }, { clientKey: "asc" }] })),
  };
  const json = JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  return JSON.parse(json.replace(/"(c[a-z0-9]{24})"/g, (whole, id: string) => JSON.stringify(names.get(id) ?? whole)));
}

export const outcome = (r: IngestResult) => ({ status: r.status, counts: r.counts, lineErrors: r.lineErrors, errorCount: r.errorCount, warnings: r.warnings, message: r.message });

