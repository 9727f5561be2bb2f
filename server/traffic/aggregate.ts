/**
 * Traffic aggregation (DESIGN.md §2 "Traffic rollups"): pure, in-memory, bounded. Gateway events are attributed to an
 * Api and endpoint (server/traffic/attribute.ts) and folded into tiers whose row counts do not grow with clients ×
 * endpoints × minutes (about one row per log line before), each read by the rules that need it:
 *
 * - endpoint × hour (scope = Api id or "host:<host>", method, path template), across clients: counts by status class,
 *   401/403/404/410/429, bytes, latency sum/max, unauthenticated 2xx, plain-HTTP, rate-limit headers;
 * - client × scope × UTC day: requests, statuses and bytes (exfiltration baselines, top clients);
 * - client × endpoint × minute, held in memory until the minute is over and kept only when "hot": at least
 *   `minuteFloor` requests (rate limits) or a 401/403 from an authentication endpoint (credential stuffing);
 * - object-identifying parameter values (path parameters, and query parameters: server/domain/query-params.ts, named
 *   "?name") per client × endpoint × hour, held until the hour is over and kept only with at least `paramFloor`
 *   distinct values (object enumeration), capped at `paramCap` hashes;
 * - the same per client × endpoint × parameter × UTC day (slow enumeration), fed by each closed hour's keys with at
 *   least PARAM_DAY_FLOOR distinct values: an exact set up to `paramDayCap` hashes, a HyperLogLog sketch beyond it
 *   (hll.ts). Values are hashed with the installation's salt (ValueHasher), never kept.
 *   Both are held per open minute (hour) as flat lists, one entry per request (value), and grouped only when it
 *   closes, for the clients whose total could pass the floor (MinuteList, ParamList);
 * - samples (evidence), up to SAMPLE_LIMIT redacted events per key, per endpoint × UTC day (clientKey ANY, events
 *   carry their `client`) and per client × UTC day across Apis (scope, method and template ANY; events carry their `scope`
 *   and `template`). Selection prefers the events findings show (non-2xx) while keeping a few 2xx: pickSamples().
 *
 * Logs are mostly in time order: a minute (hour) counts as over once events two minutes (two hours) later arrive. An
 * event for a minute already over starts a new bucket for it; the database adds the two.
 * Raw lines are never kept: only these aggregates and the bounded, redacted samples.
 */
import type { TrafficEvent } from "@/server/domain/records";
import type { ReadPosition } from "@/server/ingest/line-position";
import { redact } from "@/server/ingest/redact";
import { headOf, storable, SUSPECT, ValueTally } from "@/server/ingest/sanitize";
import { redactIdentifier } from "@/server/domain/query-params";
import { HyperLogLog } from "./hll";
import { ownString } from "./own-string";
import type { StatusCounts } from "./status-counts";

export const SAMPLE_LIMIT = 20;
/** 2xx events a sample key keeps even when non-2xx ones could fill it. */
export const SAMPLE_MIN_OK = 5;
/** The wildcard of sample keys (see above). */
export const ANY = "*";
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Byte limits of the strings a rollup keeps (see server/ingest/sanitize.ts). The key parts of the widest unique index
 * (traffic_param_values: scope, method, template, client, hour, parameter name) stay below the ~2,700 bytes a btree
 * entry may hold, whatever a log sends.
 */
export const TRAFFIC_LIMITS = { scope: 512, method: 64, template: 1024, client: 512, paramName: 128, host: 512, sample: 512 } as const;

/** Where an event was attributed (see attribute.ts). */
export interface Attribution {
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  host: string | null;
  pathTemplate: string;
  matched: boolean;
  /** Path-parameter values by name (matched template) or by position ("id", "id2"… for an inferred one). */
  params: Record<string, string> | null;
}

/** An endpoint's hour: traffic_endpoint_hour (its status counters: status-counts.ts). */
export interface EndpointHourRow extends StatusCounts {
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  host: string | null;
  method: string;
  pathTemplate: string;
  matched: boolean;
  hourStart: number;
  requests: number;
  plainHttp: number;
  rateLimitHeaders: number;
  bytes: number;
  latencySum: number;
  latencyMax: number;
}

export interface ClientDayRow {
  scopeKey: string;
  apiId: string | null;
  host: string | null;
  clientKey: string;
  authenticated: boolean;
  day: number;
  requests: number;
  s2: number;
  s4: number;
  s5: number;
  s401: number;
  s403: number;
  s429: number;
  bytes: number;
}

export interface ClientMinuteRow {
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  method: string;
  pathTemplate: string;
  clientKey: string;
  minuteStart: number;
  requests: number;
  failures: number;
  s429: number;
  /** On an authentication endpoint (its failures make the minute worth keeping). */
  auth: boolean;
}

export interface ParamRow {
  scopeKey: string;
  method: string;
  pathTemplate: string;
  clientKey: string;
  hourStart: number;
  paramName: string;
  /** Distinct value hashes (ValueHasher), up to the cap. */
  hashes: Set<number>;
}

/** Distinct values of one parameter per client × endpoint × UTC day: exact (`hashes`) up to the cap, else `sketch`. */
export interface ParamDayRow {
  scopeKey: string;
  method: string;
  pathTemplate: string;
  clientKey: string;
  day: number;
  paramName: string;
  hashes: Set<number> | null;
  /** HyperLogLog registers (hll.ts), once the set outgrew the cap. */
  sketch: Uint8Array | null;
}

export interface SampleEvent {
  time: string;
  method: string;
  path: string;
  status: number;
  client: string;
  host?: string;
  queryParams?: string[];
  /** Object-identifying query parameters, values redacted (`phone: "+44••••••••56"`). */
  queryValues?: Record<string, string>;
  bytes?: number;
  latencyMs?: number;
  clientIp?: string;
  principal?: string;
  userAgent?: string;
  scheme?: string;
  /** Client × hour samples only: the event's scope key and path template (the row's own are ANY). */
  scope?: string;
  template?: string;
}

export interface SampleRow {
  scopeKey: string;
  method: string;
  pathTemplate: string;
  clientKey: string;
  hourStart: number;
  /** Candidates in arrival order: 2xx events and the others, each capped at SAMPLE_LIMIT. */
  ok: SampleEvent[];
  other: SampleEvent[];
}

/**
 * The stored selection of a sample key from its candidates (each list in arrival order): up to SAMPLE_MIN_OK 2xx
 * events, as many non-2xx events as fit, then more 2xx events if room is left; sorted by time.
 * write-rollups.ts applies the same rule in SQL when a flush merges into a stored row, but ranks the candidates by
 * event time (ties: stored before new, then position), so the merge does not depend on which flush arrives first.
 */
export function pickSamples(ok: readonly SampleEvent[], other: readonly SampleEvent[]): SampleEvent[] {
  const [okTake, otherTake] = sampleTakes(ok.length, other.length);
  const picked = [...ok.slice(0, okTake), ...other.slice(0, otherTake)];
  return picked.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** How many of the first 2xx and non-2xx candidates pickSamples keeps. */
function sampleTakes(okHeld: number, otherHeld: number): [ok: number, other: number] {
  const ok = Math.min(okHeld, Math.max(SAMPLE_MIN_OK, SAMPLE_LIMIT - otherHeld));
  return [ok, Math.min(otherHeld, SAMPLE_LIMIT - ok)];
}

/** Nothing later can change the selection: SAMPLE_MIN_OK 2xx events and the rest non-2xx are held. */
function saturated(s: SampleRow): boolean {
  return s.ok.length >= SAMPLE_MIN_OK && s.other.length >= SAMPLE_LIMIT - SAMPLE_MIN_OK;
}

/** Murmur3's 32-bit finaliser: every input bit moves every output bit (the sketch reads the low bits). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * 53-bit FNV-1a-style hash (two 32-bit lanes, finalised) of a parameter value, keyed by the installation's salt (the
 * lanes start from the salt's hash): distinct-value counting, not security. Values (phone numbers, e-mail addresses)
 * are never stored; their hashes cannot be matched against another installation's or a table computed without the
 * salt. Same cost per value as an unsalted hash.
 */
export class ValueHasher {
  private readonly s1: number;
  private readonly s2: number;

  constructor(salt: string) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < salt.length; i++) {
      const c = salt.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822507);
    }
    this.s1 = h1;
    this.s2 = h2;
  }

  hash(value: string): number {
    let h1 = this.s1;
    let h2 = this.s2;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822507);
    }
    const low = fmix32(h1 ^ Math.imul(h2, 0x9e3779b1));
    return (fmix32(h2 ^ low) & 0x1fffff) * 0x100000000 + low;
  }
}

/** The stored form of a value hash in hour rows (base 36; one string per number). */
export function hashText(n: number): string {
  return Math.floor(n / 0x100000000).toString(36) + (n >>> 0).toString(36).padStart(7, "0");
}

function queryParamNames(query: string | undefined, text: (s: string, maxBytes: number) => string): string[] | undefined {
  if (query === undefined || query === "") return undefined;
  const names: string[] = [];
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (name !== "" && names.length < 20 && !names.includes(name)) names.push(ownString(text(headOf(name, 100), TRAFFIC_LIMITS.sample)));
  }
  return names.length ? names : undefined;
}

/** new Date(time).toISOString(), or the time as a number's string when it is out of Date's range. */
function isoTime(time: number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? String(time) : date.toISOString();
}

/**
 * A sample event as stored: the path redacted, query values dropped (only parameter names kept; the values of
 * object-identifying ones, `params` named "?name", shown redacted in `queryValues`), strings made
 * storable by `text` (the aggregator's: cleaned, and cut to TRAFFIC_LIMITS.sample bytes with a marker).
 */
export function sampleOf(
  event: TrafficEvent,
  client: string,
  text: (s: string, maxBytes: number) => string = keep,
  params: Record<string, string> | null = null,
): SampleEvent {
  const s: SampleEvent = {
    // One flat string: a template literal of its parts would be a tree of ~10 cons strings, held with the sample.
    time: isoTime(event.time),
    method: text(event.method, TRAFFIC_LIMITS.method),
    path: ownString(redact(text(event.path, TRAFFIC_LIMITS.sample))),
    status: event.status,
    client,
  };
  // Held for up to a day: strings of their own (see ownString).
  if (event.host !== undefined) s.host = ownString(text(event.host, TRAFFIC_LIMITS.host));
  const q = queryParamNames(event.query, text);
  if (q !== undefined) s.queryParams = q;
  if (params !== null) {
    for (const name in params) {
      if (name.charCodeAt(0) !== 63 /* ? */) continue;
      s.queryValues ??= {};
      s.queryValues[ownString(text(name.slice(1), 128))] = ownString(redactIdentifier(text(params[name] ?? "", TRAFFIC_LIMITS.sample)));
    }
  }
  if (event.responseBytes !== undefined) s.bytes = event.responseBytes;
  if (event.latencyMs !== undefined) s.latencyMs = event.latencyMs;
  if (event.clientIp !== undefined) s.clientIp = ownString(text(event.clientIp, TRAFFIC_LIMITS.sample));
  if (event.principal !== undefined) s.principal = ownString(text(event.principal, TRAFFIC_LIMITS.sample));
  if (event.userAgent !== undefined) s.userAgent = ownString(text(event.userAgent, TRAFFIC_LIMITS.sample));
  if (event.scheme !== undefined) s.scheme = event.scheme;
  return s;
}

const keep = (s: string) => s;

/** `{ ...s, scope, template }` (same properties, same order) without the generic spread of a varying object shape. */
function scopedSample(s: SampleEvent, scope: string, template: string): SampleEvent {
  const c: SampleEvent = { time: s.time, method: s.method, path: s.path, status: s.status, client: s.client };
  if (s.host !== undefined) c.host = s.host;
  if (s.queryParams !== undefined) c.queryParams = s.queryParams;
  if (s.queryValues !== undefined) c.queryValues = s.queryValues;
  if (s.bytes !== undefined) c.bytes = s.bytes;
  if (s.latencyMs !== undefined) c.latencyMs = s.latencyMs;
  if (s.clientIp !== undefined) c.clientIp = s.clientIp;
  if (s.principal !== undefined) c.principal = s.principal;
  if (s.userAgent !== undefined) c.userAgent = s.userAgent;
  if (s.scheme !== undefined) c.scheme = s.scheme;
  c.scope = scope;
  c.template = template;
  return c;
}

export interface AggregatorOptions {
  /** Distinct values kept per parameter key (the enumeration threshold, with room). */
  paramCap: number;
  /** A closed parameter key is kept from this many distinct values. */
  paramFloor: number;
  /** Distinct values a day key keeps exactly; past them, a sketch (the slow-enumeration day threshold, at least). */
  paramDayCap: number;
  /** The installation's salt for value hashes (ValueHasher). */
  salt: string;
  /** A closed client × endpoint minute is kept from this many requests. */
  minuteFloor: number;
  /** Whether an attributed endpoint is an authentication endpoint (credential-stuffing evidence). */
  isAuthEndpoint(at: Attribution): boolean;
  /** Set when this aggregator sees one byte range of a file read by several shard workers (shards.ts). */
  edges?: AggregatorEdges;
  /** Parameter values held in open hours before a spill (default PARAM_HOLD_VALUES). */
  paramHoldValues?: number;
  /** Where the reader of the log is (its line numbers go into the warning about cleaned values). */
  position?: ReadPosition;
}

/**
 * A shard's edges: a minute or parameter hour at the border between two shards has events in both, and only their
 * sum may be judged against the floor. Such buckets are handed over whole as partials (takePartials) and judged
 * after merging (absorbPartials + closePartials) instead of being kept or dropped by one shard.
 */
export interface AggregatorEdges {
  /** Not the first shard: buckets up to two minutes (hours) after its first event are partial. */
  head: boolean;
  /** Not the last shard: buckets still open at its end are partial. */
  tail: boolean;
}

/** Edge buckets of a shard, not yet judged against the floors. */
export interface Partials {
  minutes: ClientMinuteRow[];
  params: ParamRow[];
}

/**
 * An hour's key feeds its day key from this many distinct values: at most PARAM_DAY_FLOOR − 1 values per hour are
 * lost, 48 a day (4.8 % of the default day threshold) and 336 in 7 days (6.7 % of 5,000). At 2, ordinary traffic
 * (a client opening two records of one endpoint in an hour) made a day row per 60 requests of the benchmark and cost
 * 12 % of its ingest time; at 3 it makes almost none.
 */
export const PARAM_DAY_FLOOR = 3;
/** Day-key set entries (a sketch weighs PARAM_DAY_SKETCH_WEIGHT) held before a flush. */
export const PARAM_DAY_HOLD = 500_000;
const PARAM_DAY_SKETCH_WEIGHT = 100;

/** Parameter values held in open hours past which single-value keys are dropped (they cannot signal enumeration). */
export const PARAM_HOLD_VALUES = 500_000;
const FAILURE = 1;
const THROTTLED = 2;

function newEndpointHour(at: Attribution, endpoint: EndpointKeys, hourStart: number, host: string | null): EndpointHourRow {
  return {
    scopeKey: endpoint.scopeKey,
    apiId: at.apiId,
    endpointId: at.endpointId,
    host,
    method: endpoint.method,
    pathTemplate: endpoint.pathTemplate,
    matched: at.matched,
    hourStart,
    requests: 0,
    s2: 0,
    s3: 0,
    s4: 0,
    s5: 0,
    s401: 0,
    s403: 0,
    s404: 0,
    s410: 0,
    s429: 0,
    unauth2xx: 0,
    plainHttp: 0,
    rateLimitHeaders: 0,
    bytes: 0,
    latencySum: 0,
    latencyMax: 0,
  };
}

/** Cached keys held by an aggregator, past which the cache starts over. */
const KEY_CACHE_LIMIT = 200_000;

/** An endpoint's key (scope \0 method \0 template), what the attribution said of it, and its latest hour and day keys. */
interface EndpointKeys {
  key: string;
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  method: string;
  pathTemplate: string;
  /** An authentication endpoint (known once one of its requests failed with 401/403). */
  auth: boolean | undefined;
  hour: number;
  /** Its endpoint × hour row for `hour`, while `generation` is the aggregator's (a flush empties the rows). */
  hourRow: EndpointHourRow | null;
  generation: number;
  day: number;
  daySampleKey: string;
  /** The sample key of `day` is full. */
  daySampleFull: boolean;
}

/** A client's key, its day's sample key and its client × scope × day rows of that day. */
interface ClientKeys {
  /** The client key, a string of its own (held by rows and open lists). */
  key: string;
  day: number;
  sampleKey: string;
  /** The sample key of `day` is full. */
  sampleFull: boolean;
  /** Its client × scope × day rows of `day` by scope, while `generation` is the aggregator's. */
  dayRows: Map<string, ClientDayRow>;
  generation: number;
}

/**
 * What one open minute (hour) saw, as flat lists with one entry per request (parameter value): its client and
 * endpoint, with each client's total. Most clients send far fewer than the floor in a minute or hour: their entries
 * are skipped whole when it closes, and no row is ever built for them. Flat lists rather than an object per client ×
 * endpoint: a request costs a few array pushes, and nothing per request outlives a young-generation collection to
 * become old-generation garbage.
 */
class OpenPeriod {
  readonly clients: string[] = [];
  readonly endpoints: EndpointKeys[] = [];
  readonly totals = new Map<string, number>();
  closed = false;
  constructor(readonly start: number) {}

  /** Lists an entry of `client` at `endpoint`. */
  list(client: string, endpoint: EndpointKeys): void {
    this.clients.push(client);
    this.endpoints.push(endpoint);
  }

  /** Adds `n` listed entries to the client's total. */
  count(client: string, n: number): void {
    this.totals.set(client, (this.totals.get(client) ?? 0) + n);
  }

  /** The client's entries number at least `floor`. */
  reaches(client: string, floor: number): boolean {
    return (this.totals.get(client) ?? 0) >= floor;
  }
}

/** An open minute's requests; per request, FAILURE (401/403) and THROTTLED (429) flags. */
class MinuteList extends OpenPeriod {
  readonly flags: number[] = [];
  /** Clients with a 401/403 from an authentication endpoint in this minute (kept whatever their total). */
  readonly authFailures = new Set<string>();
}

/** An open hour's path-parameter values: per entry, the parameter's name and the value's hash. */
class ParamList extends OpenPeriod {
  readonly names: string[] = [];
  readonly hashes: number[] = [];
}

// Module-level factories: an arrow written at the call would be a new closure on every request.
const newMinuteList = (start: number) => new MinuteList(start);
const newParamList = (start: number) => new ParamList(start);

/** The open period starting at `start`: `last` when it is that one and still open, else found in or added to `open`. */
function openPeriod<P extends OpenPeriod>(open: Map<number, P>, last: P | null, start: number, make: (start: number) => P): P {
  if (last !== null && last.start === start && !last.closed) return last;
  let period = open.get(start);
  if (period === undefined) {
    period = make(start);
    open.set(start, period);
  }
  return period;
}

export class TrafficAggregator {
  readonly endpointHours = new Map<string, EndpointHourRow>();
  readonly clientDays = new Map<string, ClientDayRow>();
  readonly samples = new Map<string, SampleRow>();
  /**
   * Closed, hot client minutes and closed parameter keys over the floor, written at the next flush; by natural key,
   * so that a minute or hour that comes back (late events, a spill) merges instead of repeating a key in one upsert.
   */
  private readonly ready = { minutes: new Map<string, ClientMinuteRow>(), params: new Map<string, ParamRow>(), paramDays: new Map<string, ParamDayRow>() };
  /** Weight of the day keys held (set entries, sketches count PARAM_DAY_SKETCH_WEIGHT): bounded by PARAM_DAY_HOLD. */
  paramDayWeight = 0;
  private readonly hasher: ValueHasher;
  /** Open minutes and hours by start; the latest of each, looked up first. */
  private readonly openMinutes = new Map<number, MinuteList>();
  private readonly openParams = new Map<number, ParamList>();
  private lastMinute: MinuteList | null = null;
  private lastHour: ParamList | null = null;
  /** Parameter values listed in open hours (bounded by PARAM_HOLD_VALUES). */
  private openParamValues = 0;
  /** Sample slots already full per key across flushes (so that a flushed key does not refill every batch). */
  private readonly fullSamples = new Set<string>();
  private maxMinute = 0;
  /** Counts flushes: rows cached on keys (hourRow, dayRows) of an earlier generation were written and are stale. */
  private generation = 0;
  private maxHour = 0;
  /**
   * Keys of endpoints and clients (with each client's day rows by scope), built once: a Map lookup with a string hashed before is cheap,
   * a new concatenation is flattened and hashed again on every lookup. Bounded by KEY_CACHE_LIMIT.
   */
  private keyCache: { endpoints: Map<string, Map<string, Map<string, EndpointKeys>>>; clients: Map<string, ClientKeys>; size: number } = {
    endpoints: new Map(),
    clients: new Map(),
    size: 0,
  };
  /** Sample events held, ready ones included (bounded by SAMPLE_HOLD_EVENTS through the persister's flushes). */
  sampleEvents = 0;
  /** Sample keys whose selection is final (saturated), trimmed to it, waiting for the next write. */
  private readySamples: SampleRow[] = [];
  /** Events in readySamples. */
  readySampleEvents = 0;

  /** Edge buckets (see AggregatorEdges), by natural key. */
  private readonly partial = { minutes: new Map<string, ClientMinuteRow>(), params: new Map<string, ParamRow>() };
  /** With edges.head: buckets up to these starts are partial (set from the shard's first event, markStart). */
  private headMinuteUntil = Number.NEGATIVE_INFINITY;
  private headHourUntil = Number.NEGATIVE_INFINITY;

  /** Kept strings that had to be cleaned or cut (one warning for the file: see server/ingest/sanitize.ts). */
  readonly values = new ValueTally();
  /** `text` bound to this aggregator (sampleOf takes it). */
  private readonly textOf = (s: string, maxBytes: number): string => this.text(s, maxBytes);

  constructor(private readonly options: AggregatorOptions) {
    this.hasher = new ValueHasher(options.salt);
  }

  /**
   * A string about to be kept (a key part or a sample field), as it may be stored: itself after one regex test, else
   * cleaned or cut and counted with the reader's line. Called when a key or a sample is made, not per request.
   */
  private text(s: string, maxBytes: number): string {
    if (s.length * 3 <= maxBytes && !SUSPECT.test(s)) return s;
    return storable(s, maxBytes, this.values, this.options.position?.line);
  }

  /** The time of the first event of a shard (its head edge starts there). */
  markStart(time: number): void {
    if (!this.options.edges?.head) return;
    this.headMinuteUntil = Math.floor(time / MINUTE) * MINUTE + 2 * MINUTE;
    this.headHourUntil = Math.floor(time / HOUR) * HOUR + 2 * HOUR;
  }

  /** Rows ready to write or accumulating: the persister flushes when this reaches its bound. */
  get size(): number {
    return this.endpointHours.size + this.clientDays.size + this.ready.minutes.size + this.ready.params.size + this.ready.paramDays.size;
  }

  get readyParamDays(): ParamDayRow[] {
    return [...this.ready.paramDays.values()];
  }

  get readyMinutes(): ClientMinuteRow[] {
    return [...this.ready.minutes.values()];
  }

  get readyParams(): ParamRow[] {
    return [...this.ready.params.values()];
  }

  /** A closed minute worth keeping: busy enough for the rate-limit rule, or an authentication failure in it. */
  private hotMinute(m: ClientMinuteRow): boolean {
    return m.requests >= this.options.minuteFloor || (m.auth && m.failures > 0);
  }

  /** A closed parameter key worth keeping: enough distinct values for the enumeration rule. */
  private enumerating(p: ParamRow): boolean {
    return p.hashes.size >= this.options.paramFloor;
  }

  private keepMinute(m: ClientMinuteRow): void {
    mergeMinute(this.ready.minutes, m);
  }

  private keepParam(p: ParamRow): void {
    mergeParam(this.ready.params, p, this.options.paramCap);
  }

  /** Adds an hour key's values to its day key (copied: the hour row may be merged into later). */
  private keepParamDay(p: ParamRow): void {
    const day = Math.floor(p.hourStart / DAY) * DAY;
    const key = `${p.scopeKey}\u0000${p.method}\u0000${p.pathTemplate}\u0000${p.clientKey}\u0000${day}\u0000${p.paramName}`;
    let d = this.ready.paramDays.get(key);
    if (d === undefined) {
      d = { scopeKey: p.scopeKey, method: p.method, pathTemplate: p.pathTemplate, clientKey: p.clientKey, day, paramName: p.paramName, hashes: new Set(), sketch: null };
      this.ready.paramDays.set(key, d);
    }
    this.paramDayWeight += addToDay(d, p.hashes, this.options.paramDayCap);
  }

  add(event: TrafficEvent, at: Attribution): void {
    // The client (DESIGN.md "client identity"): the principal, else the client IP.
    const principal = event.principal;
    const authenticated = principal !== undefined && principal !== "";
    const clientKey = authenticated ? principal : (event.clientIp ?? "unknown");
    const method = event.method.toUpperCase();
    const status = event.status;
    const time = event.time;
    const hour = Math.floor(time / HOUR) * HOUR;
    const endpoint = this.endpointKeysOf(at, method);
    // The row is cached on the endpoint's keys: one property read instead of a lookup in a large map.
    if (endpoint.hour !== hour || endpoint.generation !== this.generation) {
      endpoint.hour = hour;
      endpoint.generation = this.generation;
      endpoint.hourRow = null;
    }
    let r = endpoint.hourRow;
    if (r === null) {
      const hourKey = `${endpoint.key}\u0000${hour}`;
      r = this.endpointHours.get(hourKey) ?? null;
      if (r === null) {
        r = newEndpointHour(at, endpoint, hour, at.host === null ? null : ownString(this.text(at.host, TRAFFIC_LIMITS.host)));
        this.endpointHours.set(hourKey, r);
      }
      endpoint.hourRow = r;
    }
    const ok = status >= 200 && status < 300;
    const failure = status === 401 || status === 403;
    const bytes = event.responseBytes !== undefined && event.responseBytes > 0 ? event.responseBytes : 0;
    r.requests++;
    if (ok) {
      r.s2++;
      if (!authenticated) r.unauth2xx++;
    } else if (status >= 300 && status < 400) r.s3++;
    else if (status >= 400 && status < 500) {
      r.s4++;
      if (status === 401) r.s401++;
      else if (status === 403) r.s403++;
      else if (status === 404) r.s404++;
      else if (status === 410) r.s410++;
      else if (status === 429) r.s429++;
    } else if (status >= 500 && status < 600) r.s5++;
    if (event.scheme === "http") r.plainHttp++;
    if (event.rateLimitHeaders === true) r.rateLimitHeaders++;
    r.bytes += bytes;
    if (event.latencyMs !== undefined && event.latencyMs >= 0) {
      r.latencySum += event.latencyMs;
      if (event.latencyMs > r.latencyMax) r.latencyMax = event.latencyMs;
    }

    const day = Math.floor(time / DAY) * DAY;
    const client = this.clientKeysOf(clientKey, day);
    const key = client.key;
    if (client.generation !== this.generation) {
      client.generation = this.generation;
      this.keyCache.size -= client.dayRows.size;
      client.dayRows.clear();
    }
    let d = client.dayRows.get(endpoint.scopeKey);
    if (d === undefined) {
      const dayKey = `${endpoint.scopeKey}\u0000${key}\u0000${day}`;
      d = this.clientDays.get(dayKey);
      if (d === undefined) {
        const host = at.host === null ? null : ownString(this.text(at.host, TRAFFIC_LIMITS.host));
        d = { scopeKey: endpoint.scopeKey, apiId: at.apiId, host, clientKey: key, authenticated, day, requests: 0, s2: 0, s4: 0, s5: 0, s401: 0, s403: 0, s429: 0, bytes: 0 };
        this.clientDays.set(dayKey, d);
      }
      client.dayRows.set(endpoint.scopeKey, d);
      this.keyCache.size++;
    }
    d.requests++;
    if (ok) d.s2++;
    else if (status >= 400 && status < 500) {
      d.s4++;
      if (status === 401) d.s401++;
      else if (status === 403) d.s403++;
      else if (status === 429) d.s429++;
    } else if (status >= 500 && status < 600) d.s5++;
    d.bytes += bytes;

    this.addMinute(event.time, at, endpoint, key, failure, status === 429);
    if (at.params !== null) this.addParams(at.params, endpoint, key, hour);
    if (hour > this.maxHour) {
      this.maxHour = hour;
      this.closeParams(hour - 2 * HOUR);
    }

    // Sample keys are per day: a few thousand rows of up to 20 events each per day of log, whatever its length.
    if (endpoint.day !== day) {
      endpoint.day = day;
      endpoint.daySampleKey = `\u0001${endpoint.key}\u0000${day}`;
      endpoint.daySampleFull = this.fullSamples.has(endpoint.daySampleKey);
    }
    if (!client.sampleFull || !endpoint.daySampleFull) {
      // The sample is built only when a list has room for it (most keys fill up early).
      let sample: SampleEvent | undefined;
      if (!client.sampleFull) {
        const row = this.sampleRow(client.sampleKey, ANY, ANY, ANY, key, day);
        if ((ok ? row.ok : row.other).length < SAMPLE_LIMIT) {
          sample = sampleOf(event, key, this.textOf, at.params);
          client.sampleFull = this.addSample(client.sampleKey, row, ok, scopedSample(sample, endpoint.scopeKey, endpoint.pathTemplate));
        } else client.sampleFull = this.addSample(client.sampleKey, row, ok, undefined);
      }
      if (!endpoint.daySampleFull) {
        const sampleKey = endpoint.daySampleKey;
        const row = this.sampleRow(sampleKey, endpoint.scopeKey, endpoint.method, endpoint.pathTemplate, ANY, day);
        if ((ok ? row.ok : row.other).length < SAMPLE_LIMIT) endpoint.daySampleFull = this.addSample(sampleKey, row, ok, sample ?? sampleOf(event, key, this.textOf, at.params));
        else endpoint.daySampleFull = this.addSample(sampleKey, row, ok, undefined);
      }
    }
  }

  /** The cached keys of an endpoint (created on first use). */
  private endpointKeysOf(at: Attribution, eventMethod: string): EndpointKeys {
    let byTemplate = this.keyCache.endpoints.get(at.scopeKey);
    if (byTemplate === undefined) {
      byTemplate = new Map();
      this.keyCache.endpoints.set(ownString(at.scopeKey), byTemplate);
    }
    let byMethod = byTemplate.get(at.pathTemplate);
    if (byMethod === undefined) {
      byMethod = new Map();
      byTemplate.set(ownString(at.pathTemplate), byMethod);
    }
    let keys = byMethod.get(eventMethod);
    if (keys === undefined) {
      if (this.keyCache.size >= KEY_CACHE_LIMIT) this.dropKeyCache();
      // Strings of their own: keys live as long as the ingest (see ownString); storable ones (see text).
      const scopeKey = ownString(this.text(at.scopeKey, TRAFFIC_LIMITS.scope));
      const method = ownString(this.text(eventMethod, TRAFFIC_LIMITS.method));
      const pathTemplate = ownString(this.text(at.pathTemplate, TRAFFIC_LIMITS.template));
      keys = {
        key: `${scopeKey}\u0000${method}\u0000${pathTemplate}`,
        scopeKey,
        apiId: at.apiId,
        endpointId: at.endpointId,
        method,
        pathTemplate,
        auth: undefined,
        hour: NaN,
        hourRow: null,
        generation: -1,
        day: NaN,
        daySampleKey: "",
        daySampleFull: false,
      };
      byMethod.set(method, keys);
      this.keyCache.size++;
    }
    return keys;
  }

  /** The cached keys of a client for `day`. */
  private clientKeysOf(clientKey: string, day: number): ClientKeys {
    let keys = this.keyCache.clients.get(clientKey);
    if (keys === undefined) {
      if (this.keyCache.size >= KEY_CACHE_LIMIT) this.dropKeyCache();
      const key = ownString(this.text(clientKey, TRAFFIC_LIMITS.client));
      keys = { key, day: NaN, sampleKey: "", sampleFull: false, dayRows: new Map(), generation: this.generation };
      this.keyCache.clients.set(key, keys);
      this.keyCache.size++;
    }
    if (keys.day !== day) {
      keys.day = day;
      keys.sampleKey = `${keys.key}\u0000${day}`;
      keys.sampleFull = this.fullSamples.has(keys.sampleKey);
      this.keyCache.size -= keys.dayRows.size;
      keys.dayRows.clear();
    }
    if (keys.dayRows.size >= 1_000) {
      this.keyCache.size -= keys.dayRows.size;
      keys.dayRows.clear();
    }
    return keys;
  }

  /** Key strings are only a cache: dropping them costs rebuilding, never a different key. */
  private dropKeyCache(): void {
    this.keyCache = { endpoints: new Map(), clients: new Map(), size: 0 };
  }

  private addMinute(time: number, at: Attribution, endpoint: EndpointKeys, clientKey: string, failure: boolean, throttled: boolean): void {
    const minute = Math.floor(time / MINUTE) * MINUTE;
    const list = openPeriod(this.openMinutes, this.lastMinute, minute, newMinuteList);
    this.lastMinute = list;
    list.list(clientKey, endpoint);
    list.flags.push((failure ? FAILURE : 0) | (throttled ? THROTTLED : 0));
    list.count(clientKey, 1);
    if (failure) {
      endpoint.auth ??= this.options.isAuthEndpoint(at);
      if (endpoint.auth) list.authFailures.add(clientKey);
    }
    if (minute > this.maxMinute) {
      this.maxMinute = minute;
      this.closeMinutes(minute - 2 * MINUTE);
    }
  }

  private addParams(params: Record<string, string>, endpoint: EndpointKeys, clientKey: string, hour: number): void {
    const list = openPeriod(this.openParams, this.lastHour, hour, newParamList);
    this.lastHour = list;
    let listed = 0;
    for (const name in params) {
      const value = params[name];
      if (value === undefined) continue;
      list.list(clientKey, endpoint);
      // Names come from templates (stored inventory paths, or "id", "id2"… inferred): only their length can be wrong.
      list.names.push(name.length * 3 > TRAFFIC_LIMITS.paramName ? this.text(name, TRAFFIC_LIMITS.paramName) : name);
      list.hashes.push(this.hasher.hash(value));
      listed++;
    }
    if (listed === 0) return;
    list.count(clientKey, listed);
    this.openParamValues += listed;
    if (this.openParamValues > (this.options.paramHoldValues ?? PARAM_HOLD_VALUES)) this.spillParams();
  }

  /** Minutes up to `until` are over: hot client × endpoint minutes become ready, the rest are dropped. */
  private closeMinutes(until: number, atEnd = false): void {
    const tail = atEnd && this.options.edges?.tail === true;
    for (const [minute, list] of this.openMinutes) {
      if (minute > until) continue;
      list.closed = true;
      this.openMinutes.delete(minute);
      if (tail || minute <= this.headMinuteUntil) {
        for (const m of minuteRows(list, () => true)) mergeMinute(this.partial.minutes, m);
        continue;
      }
      // A client below the floor in all, without an authentication failure: none of its endpoint minutes is hot.
      const floor = this.options.minuteFloor;
      const candidate = (client: string) => list.reaches(client, floor) || list.authFailures.has(client);
      for (const m of minuteRows(list, candidate)) if (this.hotMinute(m)) this.keepMinute(m);
    }
  }

  /** Hours up to `until` are over: keys with enough distinct values become ready, the rest are dropped. */
  private closeParams(until: number, atEnd = false): void {
    const tail = atEnd && this.options.edges?.tail === true;
    for (const [hour, list] of this.openParams) {
      if (hour > until) continue;
      list.closed = true;
      this.openParams.delete(hour);
      this.openParamValues -= list.hashes.length;
      const cap = this.options.paramCap;
      if (tail || hour <= this.headHourUntil) {
        forEachParamKey(list, () => true, cap, (p) => mergeParam(this.partial.params, p, cap));
        continue;
      }
      // A client with fewer values than the day floor in all: none of its keys can count.
      forEachParamKey(list, (client) => list.reaches(client, PARAM_DAY_FLOOR), cap, (p) => {
        if (p.hashes.size >= PARAM_DAY_FLOOR) this.keepParamDay(p);
        if (this.enumerating(p)) this.keepParam(p);
      });
    }
  }

  /** Too many parameter values held (very many clients in one hour): keys with one value so far are dropped, the
   * others are written now and merged with what the rest of the hour brings. */
  private spillParams(): void {
    const cap = this.options.paramCap;
    for (const list of this.openParams.values()) {
      list.closed = true;
      forEachParamKey(list, (client) => list.reaches(client, 2), cap, (p) => {
        if (p.hashes.size < 2) return;
        this.keepParamDay(p);
        this.keepParam(p);
      });
    }
    this.openParams.clear();
    this.openParamValues = 0;
  }

  /** End of the input: every open minute and hour is over. */
  closeAll(): void {
    this.closeMinutes(Number.POSITIVE_INFINITY, true);
    this.closeParams(Number.POSITIVE_INFINITY, true);
  }

  /** Removes and returns the edge buckets (call after closeAll). */
  takePartials(): Partials {
    const out = { minutes: [...this.partial.minutes.values()], params: [...this.partial.params.values()] };
    this.partial.minutes.clear();
    this.partial.params.clear();
    return out;
  }

  /** Adds another shard's edge buckets to this aggregator's (which must have no edges of its own). */
  absorbPartials(p: Partials): void {
    for (const m of p.minutes) mergeMinute(this.partial.minutes, m);
    for (const q of p.params) mergeParam(this.partial.params, q, this.options.paramCap);
  }

  /** Judges the merged edge buckets against the floors: those that pass are ready to write. */
  closePartials(): void {
    for (const m of this.partial.minutes.values()) if (this.hotMinute(m)) this.keepMinute(m);
    for (const p of this.partial.params.values()) {
      if (p.hashes.size >= PARAM_DAY_FLOOR) this.keepParamDay(p);
      if (this.enumerating(p)) this.keepParam(p);
    }
    this.partial.minutes.clear();
    this.partial.params.clear();
  }

  /** The sample row of `key`, created empty. */
  private sampleRow(key: string, scopeKey: string, method: string, pathTemplate: string, clientKey: string, hourStart: number): SampleRow {
    let s = this.samples.get(key);
    if (s === undefined) {
      s = { scopeKey, method, pathTemplate, clientKey, hourStart, ok: [], other: [] };
      this.samples.set(key, s);
    }
    return s;
  }

  /** Adds `e` (undefined: its list is full) to its list of `row`; true when nothing can change the row's selection now. */
  private addSample(key: string, row: SampleRow, ok: boolean, e: SampleEvent | undefined): boolean {
    if (e !== undefined) {
      (ok ? row.ok : row.other).push(e);
      this.sampleEvents++;
    }
    if (!saturated(row)) return false;
    this.fullSamples.add(key);
    if (this.samples.get(key) === row) {
      // Final: trimmed to what pickSamples keeps and handed to the next write, not held until the day is over.
      this.samples.delete(key);
      const held = row.ok.length + row.other.length;
      [row.ok.length, row.other.length] = sampleTakes(row.ok.length, row.other.length);
      const kept = row.ok.length + row.other.length;
      this.sampleEvents -= held - kept;
      this.readySamples.push(row);
      this.readySampleEvents += kept;
    }
    return true;
  }

  /** Removes and returns the sample keys whose selection is final. */
  takeReadySamples(): SampleRow[] {
    const out = this.readySamples;
    this.readySamples = [];
    this.sampleEvents -= this.readySampleEvents;
    this.readySampleEvents = 0;
    return out;
  }

  /**
   * Removes and returns the sample keys to write now: the final ones, and all others when `all`, else those of days
   * that ended at least an hour before the latest hour seen. Other keys of the current day stay in memory and fill up
   * there instead of being merged into stored rows flush after flush.
   */
  takeSamples(all: boolean): SampleRow[] {
    const out = this.takeReadySamples();
    const before = this.maxHour - HOUR;
    for (const [key, s] of this.samples) {
      if (all || s.hourStart + DAY - HOUR < before) {
        out.push(s);
        this.sampleEvents -= s.ok.length + s.other.length;
        this.samples.delete(key);
      }
    }
    return out;
  }

  /** Empties what a flush wrote (samples leave through takeSamples; open minutes and hours stay). */
  clear(): void {
    this.generation++;
    this.endpointHours.clear();
    this.clientDays.clear();
    this.ready.minutes.clear();
    this.ready.params.clear();
    this.ready.paramDays.clear();
    this.paramDayWeight = 0;
    if (this.fullSamples.size > 200_000) this.fullSamples.clear();
  }
}

/** The client × endpoint rows of a closed minute, for the clients `candidate` accepts. */
function minuteRows(list: MinuteList, candidate: (client: string) => boolean): Iterable<ClientMinuteRow> {
  const rows = new Map<string, ClientMinuteRow>();
  for (let i = 0; i < list.clients.length; i++) {
    const client = list.clients[i] as string;
    if (!candidate(client)) continue;
    const e = list.endpoints[i] as EndpointKeys;
    const flags = list.flags[i] as number;
    const key = `${e.key}\u0000${client}`;
    let m = rows.get(key);
    if (m === undefined) {
      m = { scopeKey: e.scopeKey, apiId: e.apiId, endpointId: e.endpointId, method: e.method, pathTemplate: e.pathTemplate, clientKey: client, minuteStart: list.start, requests: 0, failures: 0, s429: 0, auth: false };
      rows.set(key, m);
    }
    m.requests++;
    if ((flags & FAILURE) !== 0) {
      m.failures++;
      if (e.auth === true) m.auth = true;
    }
    if ((flags & THROTTLED) !== 0) m.s429++;
  }
  return rows.values();
}

/**
 * Calls `take` with each parameter key (client × endpoint × name) of a closed hour, for the clients `candidate`
 * accepts, with its distinct value hashes (up to `cap`) in their stored form. One client at a time: the entries are
 * chained per client first, so that what is built for a client is garbage before the next one's is.
 */
function forEachParamKey(list: ParamList, candidate: (client: string) => boolean, cap: number, take: (p: ParamRow) => void): void {
  const n = list.clients.length;
  const next = new Int32Array(n);
  /** Each candidate client's first entry; its chain runs on through `next` (-1 ends it), in arrival order. */
  const first = new Map<string, number>();
  for (let i = n - 1; i >= 0; i--) {
    const client = list.clients[i] as string;
    const following = first.get(client);
    if (following === undefined && !candidate(client)) continue;
    next[i] = following ?? -1;
    first.set(client, i);
  }
  for (const [client, start] of first) {
    const keys = new Map<string, { endpoint: EndpointKeys; name: string; hashes: Set<number> }>();
    for (let i = start; i !== -1; i = next[i] as number) {
      const e = list.endpoints[i] as EndpointKeys;
      const name = list.names[i] as string;
      const key = `${e.key}\u0000${name}`;
      let k = keys.get(key);
      if (k === undefined) {
        k = { endpoint: e, name, hashes: new Set() };
        keys.set(key, k);
      }
      if (k.hashes.size < cap) k.hashes.add(list.hashes[i] as number);
    }
    for (const k of keys.values()) {
      const e = k.endpoint;
      take({ scopeKey: e.scopeKey, method: e.method, pathTemplate: e.pathTemplate, clientKey: client, hourStart: list.start, paramName: k.name, hashes: k.hashes });
    }
  }
}

function minuteKey(m: ClientMinuteRow): string {
  return `${m.scopeKey}\u0000${m.method}\u0000${m.pathTemplate}\u0000${m.clientKey}\u0000${m.minuteStart}`;
}

function paramKey(p: ParamRow): string {
  return `${p.scopeKey}\u0000${p.method}\u0000${p.pathTemplate}\u0000${p.clientKey}\u0000${p.hourStart}\u0000${p.paramName}`;
}

/** Adds a minute bucket into `into` (same natural key: counts add up). */
function mergeMinute(into: Map<string, ClientMinuteRow>, m: ClientMinuteRow): void {
  const key = minuteKey(m);
  const had = into.get(key);
  if (had === undefined) {
    into.set(key, m);
    return;
  }
  had.requests += m.requests;
  had.failures += m.failures;
  had.s429 += m.s429;
  had.auth ||= m.auth;
  had.endpointId ??= m.endpointId;
}

/** Adds a parameter bucket into `into` (same natural key: value hashes unite, up to `cap`). */
function mergeParam(into: Map<string, ParamRow>, p: ParamRow, cap: number): void {
  const key = paramKey(p);
  const had = into.get(key);
  if (had === undefined) {
    into.set(key, p);
    return;
  }
  for (const h of p.hashes) if (had.hashes.size < cap) had.hashes.add(h);
}

/**
 * Adds `hashes` to a day key: to its exact set while it stays within `cap`, else to its sketch (the set moves into a
 * new sketch when it outgrows the cap). Returns the change in held weight.
 */
export function addToDay(d: ParamDayRow, hashes: Iterable<number>, cap: number): number {
  if (d.sketch !== null) {
    const h = new HyperLogLog(d.sketch);
    for (const v of hashes) h.add(v);
    d.sketch = h.registers;
    return 0;
  }
  const set = d.hashes ?? new Set<number>();
  const before = set.size;
  for (const v of hashes) set.add(v);
  if (set.size <= cap) {
    d.hashes = set;
    return set.size - before;
  }
  const h = new HyperLogLog();
  for (const v of set) h.add(v);
  d.sketch = h.registers;
  d.hashes = null;
  return PARAM_DAY_SKETCH_WEIGHT - before;
}
