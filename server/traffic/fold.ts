/**
 * Folding gateway events into rollups, without the database: what the persister does per event, in one place for
 * both ways a log is read — in-process (persist.ts) and by shard workers over byte ranges of a large file (shards.ts).
 * Everything here is plain data in and plain data out, so that it runs the same on any thread.
 */
import { AUTH_PATH_REGEX, AUTH_TAG_REGEX } from "@/server/correlate/rules/traffic/shared";
import type { ReadPosition } from "@/server/ingest/line-position";
import { type AggregatorEdges, type Attribution, PARAM_DAY_HOLD, TrafficAggregator } from "./aggregate";
import { type ApiRef, Attributor, type EndpointRef } from "./attribute";
import { type AttributedEvent, AttributionShapes } from "./attribute-stage";
import { ownString } from "./own-string";

/** Aggregate keys held in memory before a flush. */
export const FLUSH_KEYS = 150_000;
/** Sample events held in memory: past it, a flush writes all samples (not only those of past hours). */
export const SAMPLE_HOLD_EVENTS = 100_000;
/** Sample events of final keys (their selection can no longer change) written together, while folding goes on. */
export const SAMPLE_WRITE_EVENTS = 5_000;
/** Client × endpoint minutes are kept from this many requests (or the rate-limit threshold, if lower). */
export const MINUTE_FLOOR = 60;
/** Parameter keys are kept from this many distinct values (or the enumeration threshold, if lower). */
export const PARAM_FLOOR = 10;

/** What folding needs to know, loaded once per ingest from the database (persist.ts loadTrafficSetup). */
export interface TrafficSetup {
  apis: ApiRef[];
  endpoints: (EndpointRef & { tags: string[] })[];
  /** The ingest option that attributes host-less traffic to one Api. */
  apiOption: string | undefined;
  enumerationDistinctValues: number;
  /** The slow-enumeration day threshold: day keys stay exact up to it (decisions at the threshold are exact). */
  slowEnumerationDayDistinct: number;
  rateLimitRequestsPerMinute: number;
  /** The installation's salt for parameter value hashes (persist.ts valueSalt). */
  valueSalt: string;
}

export interface FoldCounts {
  events: number;
  unmatchedEvents: number;
  unknownHostEvents: number;
}

/** Distinct parameter values kept per key: the enumeration threshold, with room. */
export function paramCapOf(setup: TrafficSetup): number {
  return Math.max(2, Math.ceil(setup.enumerationDistinctValues * 2));
}

/**
 * Distinct values a day key keeps exactly: the slow-enumeration day threshold. A sketched day key then has more
 * values than the threshold for sure, and the 7-day union of days under it is exact too.
 */
export function paramDayCapOf(setup: TrafficSetup): number {
  return Math.max(2, Math.ceil(setup.slowEnumerationDayDistinct));
}

/** The caps writeRollups applies when merging stored rows. */
export function paramCapsOf(setup: TrafficSetup): { hour: number; day: number } {
  return { hour: paramCapOf(setup), day: paramDayCapOf(setup) };
}

/** Attributes and aggregates events; tracks which Apis were touched and which matched endpoints served traffic. */
export class TrafficFold {
  readonly attributor: Attributor;
  readonly agg: TrafficAggregator;
  readonly counts: FoldCounts = { events: 0, unmatchedEvents: 0, unknownHostEvents: 0 };
  readonly apiIds = new Set<string>();
  /** Matched endpoints that served traffic (any status but 404/410): they become observed. */
  readonly served = new Set<string>();
  /** Events logged without a status (recorded as 0), and the ordinal of the first one. */
  readonly missingStatus = { count: 0, first: 0 };
  private lastApi: string | null = null;
  private readonly shapes = new AttributionShapes();

  /** `position`: where the log's reader is, for the line numbers of the warning about cleaned values. */
  constructor(setup: TrafficSetup, edges?: AggregatorEdges, position?: ReadPosition) {
    this.attributor = new Attributor(setup.apis, setup.endpoints, setup.apiOption);
    this.agg = new TrafficAggregator({
      paramCap: paramCapOf(setup),
      paramDayCap: paramDayCapOf(setup),
      salt: setup.valueSalt,
      paramFloor: Math.max(2, Math.min(PARAM_FLOOR, Math.ceil(setup.enumerationDistinctValues))),
      minuteFloor: Math.max(1, Math.min(MINUTE_FLOOR, Math.floor(setup.rateLimitRequestsPerMinute))),
      isAuthEndpoint: authEndpointTest(setup.endpoints),
      ...(edges ? { edges } : {}),
      ...(position ? { position } : {}),
    });
  }

  /** Folds an event; one attributed in the parse worker (attribute-stage.ts) is not attributed again. */
  add(event: AttributedEvent): void {
    if (this.counts.events === 0) this.agg.markStart(event.time);
    const at = this.shapes.of(event) ?? this.attributor.attribute(event);
    this.agg.add(event, at);
    this.counts.events++;
    if (event.status === 0 && this.missingStatus.count++ === 0) this.missingStatus.first = this.counts.events;
    if (at.apiId === null) this.counts.unknownHostEvents++;
    else {
      if (at.apiId !== this.lastApi) {
        this.apiIds.add(at.apiId);
        this.lastApi = at.apiId;
      }
      if (!at.matched) this.counts.unmatchedEvents++;
      else if (at.endpointId !== null && event.status !== 404 && event.status !== 410) this.served.add(at.endpointId);
    }
  }

  /** Time to write what is held (memory bound). */
  get full(): boolean {
    return this.agg.size >= FLUSH_KEYS || this.agg.sampleEvents >= SAMPLE_HOLD_EVENTS || this.agg.paramDayWeight >= PARAM_DAY_HOLD;
  }

  /** Enough final sample keys for a write of their own (takeReadySamples). */
  get samplesReady(): boolean {
    return this.agg.readySampleEvents >= SAMPLE_WRITE_EVENTS;
  }
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
      if (byTemplate.size < 100_000) byTemplate.set(ownString(at.pathTemplate), auth);
    }
    return auth;
  };
}
