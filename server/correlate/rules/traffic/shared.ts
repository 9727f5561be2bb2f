/**
 * Helpers shared by the traffic rules: evaluation windows, the Api filter, sample events for evidence (from
 * traffic_sample, never raw logs) and the evidence shape every traffic finding carries:
 * `{ window: {from, to}, client?, counts, samples }`.
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
}

export type SampleEvent = Record<string, unknown> & { time?: string };

/** Stored sample rows read per key before filtering (each holds up to 20 events). */
const SAMPLE_ROWS = 60;

/**
 * Up to MAX_SAMPLES stored sample events per key, inside the key's window when there are any there. One query.
 * Samples are stored per endpoint × hour (clientKey "*") and per client × hour across Apis (scopeKey, method and
 * pathTemplate "*", each event carrying its `scope` and `template`): see server/traffic/aggregate.ts. A key reads
 * both kinds (the client rows only when it names a client) and keeps the events that match all it names; the
 * per-event routing fields are dropped. Rows of the older per endpoint × client × hour layout match too.
 */
export async function loadSamples(tx: Tx, keys: readonly SampleKey[]): Promise<SampleEvent[][]> {
  const out: SampleEvent[][] = keys.map(() => []);
  if (keys.length === 0) return out;
  const rows = await tx.$queryRaw<{ i: number; events: unknown }[]>`
    SELECT k.i::int AS i, s.events
    FROM unnest(
      ${keys.map((k) => k.scopeKey)}::text[], ${keys.map((k) => k.method ?? null)}::text[],
      ${keys.map((k) => k.pathTemplate ?? null)}::text[], ${keys.map((k) => k.clientKey ?? null)}::text[],
      ${keys.map((k) => iso(k.window.from))}::text[], ${keys.map((k) => iso(k.window.to))}::text[]
    ) WITH ORDINALITY AS k(scope, method, tpl, client, f, t, i)
    CROSS JOIN LATERAL (
      SELECT ts.events FROM traffic_sample ts
      WHERE ts."hourStart" >= date_trunc('hour', k.f::timestamp) AND ts."hourStart" < k.t::timestamp
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
