/**
 * Helpers shared by the traffic rules: evaluation windows, the Api filter, sample events for evidence (from
 * traffic_sample, never raw logs) and the evidence shape every traffic finding carries:
 * `{ window: {from, to}, client?, counts, samples }`.
 *
 * Traffic tiers (prisma/schema.prisma): traffic_endpoint_hour (per endpoint × hour, no client), traffic_client_day
 * (per client × Api × UTC day), traffic_client_minute (busy or failing client × endpoint minutes only) and
 * traffic_param_values. An hour or day row counts when it overlaps the window (`hourStart >= date_trunc('hour', from)`,
 * `day >= date_trunc('day', from)`, both `< to`): the tables cannot tell where inside the bucket its traffic was.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Tx } from "@/server/db/types";
import type { RuleContext } from "../../rule";

const DAY = 86_400_000;
export const MAX_SAMPLES = 20;

export interface Window {
  from: Date;
  to: Date;
}

/** [asOf − days, asOf). */
export function windowBack(ctx: RuleContext, days: number): Window {
  return { from: new Date(ctx.asOf.getTime() - days * DAY), to: ctx.asOf };
}

/** The lookback in which traffic signals count as active. */
export function lookback(ctx: RuleContext): Window {
  return windowBack(ctx, ctx.settings.signalLookbackDays);
}

export const iso = (d: Date) => d.toISOString();

/** null = every Api (SQL: `(${ids}::text[] IS NULL OR col = ANY(${ids}::text[]))`). */
export function apiFilter(ctx: RuleContext): string[] | null {
  return ctx.apiIds;
}

/** Authentication endpoints (DESIGN.md: login/token/signin/auth paths or spec tag), as a PostgreSQL regex. */
export const AUTH_PATH_REGEX = "(^|/)[^/]*(login|logon|signin|sign-in|sign_in|token|auth|oauth|session|password)[^/]*(/|$)";
export const AUTH_TAG_REGEX = "^(auth|authentication|login|oauth|oauth2|identity|session|sessions|token|tokens)$";

export interface SampleKey {
  scopeKey: string;
  method?: string | null;
  pathTemplate?: string | null;
  clientKey?: string | null;
  window: Window;
  /** Keeps only the events the finding is about (applied before the MAX_SAMPLES cut, so they are not crowded out). */
  keep?: (e: SampleEvent) => boolean;
}

export type SampleEvent = Record<string, unknown> & { time?: string };

/** Stored sample rows read per key before filtering (each holds up to 20 events). */
const SAMPLE_ROWS = 60;

/**
 * Up to MAX_SAMPLES stored sample events per key, inside the key's window when there are any there. One query.
 * Samples are stored per endpoint × UTC day (clientKey "*") and per client × UTC day across Apis (scopeKey, method and
 * pathTemplate "*", each event carrying its `scope` and `template`; hourStart = the day's start): see
 * server/traffic/aggregate.ts. A key reads both kinds (the client rows only when it names a client) and keeps the
 * events that match all it names; the per-event routing fields are dropped. Rows of older layouts (per endpoint ×
 * client × hour, per endpoint or client × hour) match too.
 */
export async function loadSamples(tx: Tx, keys: readonly SampleKey[]): Promise<SampleEvent[][]> {
  const out: SampleEvent[][] = keys.map(() => []);
  if (keys.length === 0) return out;
  // Sample rows start at the day's start, so a window that begins mid-day must reach back to it.
  const rows = await tx.$queryRaw<{ i: number; events: unknown }[]>`
    SELECT k.i::int AS i, s.events
    FROM unnest(
      ${keys.map((k) => k.scopeKey)}::text[], ${keys.map((k) => k.method ?? null)}::text[],
      ${keys.map((k) => k.pathTemplate ?? null)}::text[], ${keys.map((k) => k.clientKey ?? null)}::text[],
      ${keys.map((k) => iso(k.window.from))}::text[], ${keys.map((k) => iso(k.window.to))}::text[]
    ) WITH ORDINALITY AS k(scope, method, tpl, client, f, t, i)
    CROSS JOIN LATERAL (
      SELECT ts.events FROM traffic_sample ts
      WHERE ts."hourStart" < k.t::timestamp AND ts."hourStart" >= date_trunc('day', k.f::timestamp)
        AND (
          (ts."scopeKey" = k.scope AND (k.method IS NULL OR ts.method = k.method) AND (k.tpl IS NULL OR ts."pathTemplate" = k.tpl)
            AND (k.client IS NULL OR ts."clientKey" = k.client OR ts."clientKey" = '*'))
          OR (k.client IS NOT NULL AND ts."scopeKey" = '*' AND ts.method = '*' AND ts."pathTemplate" = '*' AND ts."clientKey" = k.client)
        )
      ORDER BY ts."hourStart" ASC
      LIMIT ${SAMPLE_ROWS}
    ) s
    ORDER BY k.i`;
  for (const row of rows) {
    const list = out[row.i - 1];
    const key = keys[row.i - 1];
    if (!list || !key || !Array.isArray(row.events)) continue;
    for (const e of row.events as SampleEvent[]) if (matches(e, key)) list.push(e);
  }
  return out.map((list, i) => {
    const key = keys[i];
    if (!key) return [];
    const from = iso(key.window.from);
    const to = iso(key.window.to);
    const seen = new Set<string>();
    const unique = list
      .map(({ scope: _scope, template: _template, ...e }) => e as SampleEvent)
      .filter((e) => {
        if (key.keep && !key.keep(e)) return false;
        const id = JSON.stringify(e);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      })
      .sort((a, b) => String(a.time ?? "").localeCompare(String(b.time ?? "")));
    const inside = unique.filter((e) => typeof e.time !== "string" || (e.time >= from && e.time < to));
    return (inside.length ? inside : unique).slice(0, MAX_SAMPLES);
  });
}

/** Distinct clients of sample events, most frequent first (a lower bound of the real number: samples are capped). */
export function sampleClients(events: readonly SampleEvent[]): string[] {
  const counts = new Map<string, number>();
  for (const e of events) if (typeof e.client === "string") counts.set(e.client, (counts.get(e.client) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

/** Whether a stored event belongs to the key: its client, and for client × hour events also its scope and endpoint. */
function matches(e: SampleEvent, key: SampleKey): boolean {
  if (key.clientKey != null && typeof e.client === "string" && e.client !== key.clientKey) return false;
  if (typeof e.scope === "string" && e.scope !== key.scopeKey) return false;
  if (key.pathTemplate != null && typeof e.template === "string" && e.template !== key.pathTemplate) return false;
  if (key.method != null && typeof e.template === "string" && typeof e.method === "string" && e.method.toUpperCase() !== key.method) return false;
  return true;
}

export function evidence(
  window: Window,
  counts: Record<string, number | string | null>,
  samples: SampleEvent[],
  extra: Record<string, unknown> = {},
): Prisma.InputJsonValue {
  return { window: { from: iso(window.from), to: iso(window.to) }, ...extra, counts, samples } as Prisma.InputJsonValue;
}

/** Number from a SQL aggregate (int, float, bigint or numeric string). */
export function n(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return Number(v);
  return 0;
}
