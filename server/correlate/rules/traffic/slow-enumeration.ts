/**
 * slow-enumeration (scraping, DESIGN.md §3): one client touched ≥ slowEnumerationDayDistinct distinct values of one
 * object-identifying parameter (path, or query: "?name") of one endpoint in a UTC day, or ≥ slowEnumerationWeekDistinct
 * over slowEnumerationWeekDays consecutive UTC days, while no hour of that window reached the hourly
 * object-enumeration threshold (that is `object-enumeration`'s finding). Windows end on each day of the lookback.
 *
 * Reads traffic_param_day: an exact set of salted value hashes per client × endpoint × parameter × day up to the day
 * threshold (at ingest time), a HyperLogLog sketch beyond it (server/traffic/hll.ts). Decisions at the thresholds are
 * exact: a day under the day threshold is an exact set, and so is the union of such days. A sketched day holds more
 * values than the cap it was stored with; its estimate (±1.6 %) counts as the threshold when it falls just short of it.
 * One finding per Api/scope × endpoint × client × parameter, with its worst window (distinct values / threshold).
 */
import { HyperLogLog } from "@/server/traffic/hll";
import type { DerivedFinding, Rule } from "../../rule";
import { declaredIn, paramLabel } from "./param-label";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

const DAY = 86_400_000;

interface DayRow {
  scopeKey: string;
  method: string;
  pathTemplate: string;
  clientKey: string;
  paramName: string;
  day: Date;
  hashes: string[] | null;
  sketch: Uint8Array | null;
}

interface Hit {
  kind: "day" | "days";
  from: number;
  to: number;
  distinct: number;
  threshold: number;
  exact: boolean;
  days: number;
}

/** HLL estimates this close below a threshold still count as reaching it (a sketch means "more than the cap"). */
const SKETCH_TOLERANCE = 0.9;

function keyOf(r: { scopeKey: string; method: string; pathTemplate: string; clientKey: string; paramName: string }): string {
  return `${r.scopeKey}\u0000${r.method}\u0000${r.pathTemplate}\u0000${r.clientKey}\u0000${r.paramName}`;
}

/** Distinct values of the union of day rows: exact when all are exact sets, else a sketch's estimate. */
function unionCount(rows: readonly DayRow[]): { count: number; exact: boolean } {
  if (rows.every((r) => r.sketch === null)) {
    const all = new Set<string>();
    for (const r of rows) for (const h of r.hashes ?? []) all.add(h);
    return { count: all.size, exact: true };
  }
  const hll = new HyperLogLog();
  for (const r of rows) {
    if (r.sketch !== null) hll.merge(new Uint8Array(r.sketch));
    for (const h of r.hashes ?? []) hll.add(Number(h));
  }
  return { count: hll.estimate(), exact: false };
}

/** A sketched count as the rules read it against `threshold` (see the module comment). */
function sketchCount(count: number, threshold: number): number {
  return count < threshold && count >= SKETCH_TOLERANCE * threshold ? threshold : count;
}

export const slowEnumeration: Rule = {
  id: "slow-enumeration",
  kind: "traffic",
  description: "One client walked many distinct values of one object-identifying parameter over a day or a week, staying under the hourly threshold.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const s = ctx.settings;
    const dayThreshold = s.slowEnumerationDayDistinct;
    const weekThreshold = s.slowEnumerationWeekDistinct;
    const span = Math.max(1, Math.round(s.slowEnumerationWeekDays));
    const hourly = s.enumerationDistinctValues;
    const firstDay = Math.floor(w.from.getTime() / DAY) * DAY;
    const from = new Date(firstDay - (span - 1) * DAY);
    // Candidates: a sketched day, a day over the day threshold, or days whose exact counts add up to the multi-day
    // threshold (an upper bound of their union). Only their rows are read.
    const rows = await ctx.tx.$queryRaw<DayRow[]>`
      WITH d AS (
        SELECT p."scopeKey", p.method, p."pathTemplate", p."clientKey", p."paramName", p.day, p.sketch,
          CASE WHEN p.sketch IS NULL THEN p."valueHashes"::text[] END AS hashes, coalesce(cardinality(p."valueHashes"), 0) AS exact
        FROM traffic_param_day p
        WHERE p.day >= ${iso(from)}::timestamp AND p.day < ${iso(w.to)}::timestamp
          AND (${ctx.apiIds}::text[] IS NULL OR p."scopeKey" = ANY(${ctx.apiIds}::text[]))
      ), k AS (
        SELECT "scopeKey", method, "pathTemplate", "clientKey", "paramName"
        FROM d GROUP BY 1, 2, 3, 4, 5
        HAVING bool_or(sketch IS NOT NULL) OR max(exact) >= ${dayThreshold}::float8 OR sum(exact) >= ${weekThreshold}::float8
      )
      SELECT d."scopeKey", d.method, d."pathTemplate", d."clientKey", d."paramName", d.day, d.hashes, d.sketch
      FROM d JOIN k USING ("scopeKey", method, "pathTemplate", "clientKey", "paramName")
      ORDER BY d."scopeKey", d."pathTemplate", d.method, d."clientKey", d."paramName", d.day`;
    if (rows.length === 0) return [];

    // Hours at or over the hourly threshold belong to object-enumeration: a window that holds one is not slow.
    const hot = await ctx.tx.$queryRaw<{ scopeKey: string; method: string; pathTemplate: string; clientKey: string; paramName: string; day: Date }[]>`
      SELECT DISTINCT v."scopeKey", v.method, v."pathTemplate", v."clientKey", v."paramName", date_trunc('day', v."hourStart") AS day
      FROM traffic_param_values v
      WHERE v."hourStart" >= ${iso(from)}::timestamp AND v."hourStart" < ${iso(w.to)}::timestamp
        AND cardinality(v."valueHashes") >= ${hourly}::float8
        AND (${ctx.apiIds}::text[] IS NULL OR v."scopeKey" = ANY(${ctx.apiIds}::text[]))`;
    const hotDays = new Set(hot.map((h) => `${keyOf(h)}\u0000${h.day.getTime()}`));

    const byKey = new Map<string, DayRow[]>();
    for (const r of rows) {
      const k = keyOf(r);
      const list = byKey.get(k);
      if (list) list.push(r);
      else byKey.set(k, [r]);
    }

    const found: { row: DayRow; best: Hit; windows: number }[] = [];
    for (const [k, days] of byKey) {
      let best: Hit | null = null;
      let windows = 0;
      const consider = (hit: Hit) => {
        windows++;
        if (best === null || hit.distinct / hit.threshold > best.distinct / best.threshold) best = hit;
      };
      for (const [i, r] of days.entries()) {
        const day = r.day.getTime();
        if (day < firstDay) continue;
        // One UTC day.
        if (!hotDays.has(`${k}\u0000${day}`)) {
          const one = unionCount([r]);
          const count = one.exact ? one.count : sketchCount(one.count, dayThreshold);
          if (count >= dayThreshold) consider({ kind: "day", from: day, to: day + DAY, distinct: one.count, threshold: dayThreshold, exact: one.exact, days: 1 });
        }
        // `span` days ending on this one.
        if (span > 1) {
          const start = day - (span - 1) * DAY;
          const inWindow = days.slice(0, i + 1).filter((x) => x.day.getTime() >= start);
          if (inWindow.length < 2 || inWindow.some((x) => hotDays.has(`${k}\u0000${x.day.getTime()}`))) continue;
          const union = unionCount(inWindow);
          const count = union.exact ? union.count : sketchCount(union.count, weekThreshold);
          if (count >= weekThreshold) consider({ kind: "days", from: start, to: day + DAY, distinct: union.count, threshold: weekThreshold, exact: union.exact, days: inWindow.length });
        }
      }
      const first = days[0];
      if (best !== null && first) found.push({ row: first, best, windows });
    }
    if (found.length === 0) return [];

    // Bytes and requests the client was served on the scope in each finding's window (traffic_client_day).
    const served = await ctx.tx.$queryRaw<{ i: number; bytes: number; requests: number }[]>`
      SELECT k.i::int AS i, coalesce(sum(c.bytes), 0)::float8 AS bytes, coalesce(sum(c.requests), 0)::float8 AS requests
      FROM unnest(${found.map((f) => f.row.scopeKey)}::text[], ${found.map((f) => f.row.clientKey)}::text[],
        ${found.map((f) => iso(new Date(f.best.from)))}::text[], ${found.map((f) => iso(new Date(f.best.to)))}::text[])
        WITH ORDINALITY AS k(scope, client, f, t, i)
      LEFT JOIN traffic_client_day c ON c."scopeKey" = k.scope AND c."clientKey" = k.client AND c.day >= k.f::timestamp AND c.day < k.t::timestamp
      GROUP BY k.i ORDER BY k.i`;
    const endpoints = await ctx.tx.endpoint.findMany({
      where: { apiId: { in: [...new Set(found.map((f) => f.row.scopeKey).filter((x) => !x.startsWith("host:")))] } },
      select: { id: true, apiId: true, method: true, path: true, parameters: true },
    });
    const endpointOf = new Map(endpoints.map((e) => [`${e.apiId}\u0000${e.method}\u0000${e.path}`, e]));
    const samples = await loadSamples(
      ctx.tx,
      found.map((f) => ({
        scopeKey: f.row.scopeKey,
        method: f.row.method,
        pathTemplate: f.row.pathTemplate,
        clientKey: f.row.clientKey,
        window: { from: new Date(f.best.from), to: new Date(f.best.to) },
      })),
    );

    return found.map(({ row: r, best, windows }, i): DerivedFinding => {
      const apiId = r.scopeKey.startsWith("host:") ? null : r.scopeKey;
      const endpoint = endpointOf.get(`${r.scopeKey}\u0000${r.method}\u0000${r.pathTemplate}`);
      const p = paramLabel(r.paramName);
      const declared = endpoint !== undefined && declaredIn(endpoint.parameters, p);
      const window = { from: new Date(best.from), to: new Date(best.to) };
      const windowText = best.kind === "day" ? `in the UTC day ${iso(window.from).slice(0, 10)}` : `over the ${best.days} day(s) with traffic in ${iso(window.from).slice(0, 10)} – ${iso(new Date(best.to - DAY)).slice(0, 10)}`;
      const distinct = `${best.exact ? "" : "about "}${n(best.distinct).toLocaleString("en-US")}`;
      const money = served[i];
      return {
        ruleId: "slow-enumeration",
        kind: "traffic",
        apiId,
        endpointId: endpoint?.id ?? null,
        subject: `${r.clientKey} ${r.method} ${r.pathTemplate} ${p.shown}`,
        title: `Slow enumeration: ${r.clientKey} walked ${distinct} values of ${p.shown} on ${r.method} ${r.pathTemplate} ${best.kind === "day" ? "in a day" : `over ${Math.round(s.slowEnumerationWeekDays)} days`}`,
        description: `Client ${r.clientKey} requested ${distinct} distinct values of ${p.in === "path" ? "path parameter" : `${declared ? "declared" : "undocumented"} query parameter`} ${p.shown} ${windowText} (threshold ${n(best.threshold).toLocaleString("en-US")}), never reaching ${hourly} in an hour: a scraper staying under the hourly and rate-limit rules.`,
        severity: "high",
        owaspCategory: "API6",
        cwe: 799,
        evidence: evidence(
          window,
          {
            distinctValues: n(best.distinct),
            distinctExact: best.exact ? "exact" : "estimate (HyperLogLog, ±1.6 %)",
            threshold: n(best.threshold),
            hourlyThreshold: hourly,
            daysWithValues: best.days,
            windowsOverThreshold: windows,
            bytesServed: n(money?.bytes),
            requests: n(money?.requests),
          },
          samples[i] ?? [],
          {
            client: r.clientKey,
            endpoint: { method: r.method, path: r.pathTemplate },
            parameter: p.name,
            parameterIn: p.in,
            parameterKind: p.in === "path" ? "path" : declared ? "declared" : "inferred",
            windowKind: best.kind === "day" ? "UTC day" : `${Math.round(s.slowEnumerationWeekDays)} days`,
            ...(apiId ? {} : { scope: r.scopeKey }),
          },
        ),
        observedFrom: window.from,
        observedTo: window.to,
      };
    });
  },
};
