/**
 * The gateway-log persister (mode "stream" in server/ingest/pipeline.ts): attributes each parsed event to an Api and
 * endpoint (attribute.ts), folds it into bounded in-memory tiers (aggregate.ts: endpoint × hour, client × day, hot
 * client minutes, enumeration parameters, samples) and flushes them with batched upserts (write-rollups.ts), adding
 * counts to what earlier files stored for the same bucket. Memory is bounded by FLUSH_KEYS, SAMPLE_HOLD_EVENTS and PARAM_HOLD_KEYS,
 * not by the file size. Runs inside the ingest transaction: a failed or cancelled ingest leaves nothing.
 *
 * After the last flush: Endpoint.observed = true for matched endpoints that served traffic (any status but 404/410),
 * and the Apis' observedEndpoints through refreshApiAggregates.
 */
import { loadRuleSettings } from "@/server/correlate/settings";
import type { Tx } from "@/server/db/types";
import type { TrafficEvent } from "@/server/ingest/contract";
import { refreshApiAggregates } from "@/server/inventory/persist";
import { AUTH_PATH_REGEX, AUTH_TAG_REGEX } from "@/server/correlate/rules/traffic/shared";
import { type Attribution, TrafficAggregator } from "./aggregate";
import { Attributor } from "./attribute";
import { takeRollups, writeRollups } from "./write-rollups";

export interface TrafficCounts {
  events: number;
  unmatchedEvents: number;
  unknownHostEvents: number;
  rollupRows: number;
  endpointsObserved: number;
}

export interface TrafficSource {
  runId: string;
  options: { api?: string };
  signal?: AbortSignal;
  progress?: (records: number) => void;
  warn?: (message: string) => void;
}

/** Aggregate keys held in memory before a flush. */
export const FLUSH_KEYS = 150_000;
/** Sample events held in memory: past it, a flush writes all samples (not only those of past hours). */
export const SAMPLE_HOLD_EVENTS = 100_000;
const PROGRESS_EVERY = 50_000;
/** Client × endpoint minutes are kept from this many requests (or the rate-limit threshold, if lower). */
export const MINUTE_FLOOR = 60;
/** Parameter keys are kept from this many distinct values (or the enumeration threshold, if lower). */
export const PARAM_FLOOR = 10;
const CHUNK = 5_000;

export async function persistTraffic(
  tx: Tx,
  records: AsyncIterable<TrafficEvent>,
  source: TrafficSource,
): Promise<{ counts: TrafficCounts; apiIds: string[]; records: number }> {
  const settings = await loadRuleSettings(tx);
  const paramCap = Math.max(2, Math.ceil(settings.enumerationDistinctValues * 2));
  const apis = await tx.api.findMany({ select: { id: true, slug: true, name: true, catalogName: true, aliases: true, host: true, basePath: true } });
  const endpoints = await tx.endpoint.findMany({ select: { id: true, apiId: true, method: true, path: true, tags: true } });
  const attributor = new Attributor(apis, endpoints, source.options.api);

  const agg = new TrafficAggregator({
    paramCap,
    paramFloor: Math.max(2, Math.min(PARAM_FLOOR, Math.ceil(settings.enumerationDistinctValues))),
    minuteFloor: Math.max(1, Math.min(MINUTE_FLOOR, Math.floor(settings.rateLimitRequestsPerMinute))),
    isAuthEndpoint: authEndpointTest(endpoints),
  });
  const counts: TrafficCounts = { events: 0, unmatchedEvents: 0, unknownHostEvents: 0, rollupRows: 0, endpointsObserved: 0 };
  const apiIds = new Set<string>();
  const served = new Set<string>();
  let lastApi: string | null = null;

  for await (const event of records) {
    const at = attributor.attribute(event);
    agg.add(event, at);
    counts.events++;
    if (at.apiId === null) counts.unknownHostEvents++;
    else {
      if (at.apiId !== lastApi) {
        apiIds.add(at.apiId);
        lastApi = at.apiId;
      }
      if (!at.matched) counts.unmatchedEvents++;
      else if (at.endpointId !== null && event.status !== 404 && event.status !== 410) served.add(at.endpointId);
    }
    if (agg.size >= FLUSH_KEYS || agg.sampleEvents >= SAMPLE_HOLD_EVENTS) {
      counts.rollupRows += await writeRollups(tx, takeRollups(agg, agg.sampleEvents >= SAMPLE_HOLD_EVENTS), source.runId, paramCap);
      // Cancelled: stop reading; the pipeline sees the aborted signal and rolls the transaction back.
      if (source.signal?.aborted) break;
    }
    if (counts.events % PROGRESS_EVERY === 0) source.progress?.(counts.events);
  }
  agg.closeAll();
  counts.rollupRows += await writeRollups(tx, takeRollups(agg, true), source.runId, paramCap);
  if (counts.events % PROGRESS_EVERY !== 0) source.progress?.(counts.events);
  if (attributor.unknownOption !== undefined && counts.events > 0) {
    source.warn?.(`--api "${attributor.unknownOption}" names no known Api; traffic without a known host was kept as unknown`);
  }

  const observed = [...served];
  for (let i = 0; i < observed.length; i += CHUNK) {
    counts.endpointsObserved += await tx.$executeRaw`
      UPDATE endpoint SET observed = true WHERE id = ANY(${observed.slice(i, i + CHUNK)}::text[]) AND NOT observed`;
  }
  const touched = [...apiIds];
  if (touched.length) await refreshApiAggregates(tx, touched);
  return { counts, apiIds: touched, records: counts.events };
}


/** Authentication endpoints (DESIGN.md: login/token/signin/auth paths or an auth spec tag), as the rules see them. */
function authEndpointTest(endpoints: { id: string; tags: string[] }[]): (at: Attribution) => boolean {
  const tagRe = new RegExp(AUTH_TAG_REGEX, "i");
  const pathRe = new RegExp(AUTH_PATH_REGEX, "i");
  const tagged = new Set(endpoints.filter((e) => e.tags.some((t) => tagRe.test(t))).map((e) => e.id));
  const byTemplate = new Map<string, boolean>();
  return (at) => {
    if (at.endpointId !== null && tagged.has(at.endpointId)) return true;
    let auth = byTemplate.get(at.pathTemplate);
    if (auth === undefined) {
      auth = pathRe.test(at.pathTemplate);
      if (byTemplate.size < 100_000) byTemplate.set(at.pathTemplate, auth);
    }
    return auth;
  };
}
