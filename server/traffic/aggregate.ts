/**
 * Traffic aggregation (DESIGN.md §2 "Traffic rollups"): pure, in-memory, bounded. Gateway events are attributed to an
 * Api and endpoint (server/traffic/attribute.ts) and folded into three maps that the persister flushes with batched
 * upserts whenever they grow past a bound:
 *
 * - rollups: per scope (Api id or "host:<host>") × method × path template × client × minute: counts by status class,
 *   401/403/404/410/429, bytes, latency sum/max, unauthenticated 2xx, plain-HTTP, rate-limit headers;
 * - parameter values: per … × client × hour × path parameter, the distinct values' hashes (capped);
 * - samples (evidence for findings), up to SAMPLE_LIMIT redacted events per key, in two kinds of key only so that
 *   their number does not grow with endpoints × clients:
 *   - per client × hour, across Apis and endpoints: scopeKey = method = pathTemplate = ANY ("*"); each event carries
 *     its `scope` and `template` so that readers can pick a client's events on one Api or endpoint;
 *   - per endpoint (scope × method × template) × hour, across clients: clientKey = ANY; events carry their `client`.
 *   Selection prefers events that findings show (non-2xx: 401/403, 404/410, 429, 5xx) while keeping the first few
 *   2xx ones (unauthenticated access, zombies and shadow endpoints show served requests): see pickSamples().
 *
 * Raw lines are never kept: only these aggregates and the bounded, redacted samples.
 */
import type { TrafficEvent } from "@/server/ingest/contract";
import { redact } from "@/server/ingest/redact";

export const SAMPLE_LIMIT = 20;
/** 2xx events a sample key keeps even when non-2xx ones could fill it. */
export const SAMPLE_MIN_OK = 5;
/** The wildcard of sample keys (see above). */
export const ANY = "*";
const MINUTE = 60_000;
const HOUR = 3_600_000;

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

export interface RollupRow {
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  host: string | null;
  method: string;
  pathTemplate: string;
  matched: boolean;
  clientKey: string;
  authenticated: boolean;
  bucketStart: number;
  requests: number;
  s2: number;
  s3: number;
  s4: number;
  s5: number;
  s401: number;
  s403: number;
  s404: number;
  s410: number;
  s429: number;
  unauth2xx: number;
  plainHttp: number;
  rateLimitHeaders: number;
  bytes: number;
  latencySum: number;
  latencyMax: number;
}

export interface ParamRow {
  scopeKey: string;
  method: string;
  pathTemplate: string;
  clientKey: string;
  hourStart: number;
  paramName: string;
  hashes: Set<string>;
}

export interface SampleEvent {
  time: string;
  method: string;
  path: string;
  status: number;
  client: string;
  host?: string;
  queryParams?: string[];
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

const isOk = (status: number) => status >= 200 && status < 300;

/**
 * The stored selection of a sample key from its candidates (each list in arrival order): up to SAMPLE_MIN_OK 2xx
 * events, as many non-2xx events as fit, then more 2xx events if room is left; sorted by time.
 * persist.ts applies the same rule in SQL when a flush merges into a stored row.
 */
export function pickSamples(ok: readonly SampleEvent[], other: readonly SampleEvent[]): SampleEvent[] {
  const okTake = Math.min(ok.length, Math.max(SAMPLE_MIN_OK, SAMPLE_LIMIT - other.length));
  const otherTake = Math.min(other.length, SAMPLE_LIMIT - okTake);
  const picked = [...ok.slice(0, okTake), ...other.slice(0, otherTake)];
  return picked.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** Nothing later can change the selection: SAMPLE_MIN_OK 2xx events and the rest non-2xx are held. */
function saturated(s: SampleRow): boolean {
  return s.ok.length >= SAMPLE_MIN_OK && s.other.length >= SAMPLE_LIMIT - SAMPLE_MIN_OK;
}

/** 53-bit FNV-1a-style hash (two 32-bit lanes) in base 36: distinct-value counting, not security. */
export function valueHash(value: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822507);
  }
  return ((h2 >>> 0) & 0x1fffff).toString(36) + (h1 >>> 0).toString(36).padStart(7, "0");
}

/** The client of an event (DESIGN.md "client identity"): the principal, else the client IP. */
export function clientOf(event: TrafficEvent): { key: string; authenticated: boolean } {
  if (event.principal !== undefined && event.principal !== "") return { key: event.principal, authenticated: true };
  return { key: event.clientIp ?? "unknown", authenticated: false };
}

function queryParamNames(query: string | undefined): string[] | undefined {
  if (query === undefined || query === "") return undefined;
  const names: string[] = [];
  for (const pair of query.split("&")) {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (name !== "" && names.length < 20 && !names.includes(name)) names.push(name.slice(0, 100));
  }
  return names.length ? names : undefined;
}

/** A sample event as stored: the path redacted, query values dropped (only parameter names kept). */
export function sampleOf(event: TrafficEvent, client: string): SampleEvent {
  const s: SampleEvent = {
    time: new Date(event.time).toISOString(),
    method: event.method,
    path: redact(event.path.slice(0, 500)),
    status: event.status,
    client,
  };
  if (event.host !== undefined) s.host = event.host;
  const q = queryParamNames(event.query);
  if (q !== undefined) s.queryParams = q;
  if (event.responseBytes !== undefined) s.bytes = event.responseBytes;
  if (event.latencyMs !== undefined) s.latencyMs = event.latencyMs;
  if (event.clientIp !== undefined) s.clientIp = event.clientIp;
  if (event.principal !== undefined) s.principal = event.principal;
  if (event.userAgent !== undefined) s.userAgent = event.userAgent.slice(0, 300);
  if (event.scheme !== undefined) s.scheme = event.scheme;
  return s;
}

export class TrafficAggregator {
  readonly rollups = new Map<string, RollupRow>();
  readonly params = new Map<string, ParamRow>();
  readonly samples = new Map<string, SampleRow>();
  /** Sample slots already full per key across flushes (so that a flushed key does not refill every batch). */
  private readonly fullSamples = new Set<string>();
  private readonly fullParams = new Set<string>();

  constructor(private readonly paramCap: number) {}

  /** Sample events held (bounded by SAMPLE_HOLD_EVENTS through the persister's flushes). */
  sampleEvents = 0;
  /** The latest hour seen: samples of hours well before it are unlikely to get more events (see takeSamples). */
  private maxHour = 0;

  /** Rollup and parameter keys held: the persister flushes when this reaches its bound. */
  get size(): number {
    return this.rollups.size + this.params.size;
  }

  add(event: TrafficEvent, at: Attribution): void {
    const client = clientOf(event);
    const method = event.method.toUpperCase();
    const minute = Math.floor(event.time / MINUTE) * MINUTE;
    const base = `${at.scopeKey}\u0000${method}\u0000${at.pathTemplate}\u0000${client.key}`;
    const key = `${base}\u0000${minute}`;
    let r = this.rollups.get(key);
    if (r === undefined) {
      r = {
        scopeKey: at.scopeKey,
        apiId: at.apiId,
        endpointId: at.endpointId,
        host: at.host,
        method,
        pathTemplate: at.pathTemplate,
        matched: at.matched,
        clientKey: client.key,
        authenticated: client.authenticated,
        bucketStart: minute,
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
      this.rollups.set(key, r);
    }
    const status = event.status;
    r.requests++;
    if (status >= 200 && status < 300) {
      r.s2++;
      if (!client.authenticated) r.unauth2xx++;
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
    if (event.responseBytes !== undefined && event.responseBytes > 0) r.bytes += event.responseBytes;
    if (event.latencyMs !== undefined && event.latencyMs >= 0) {
      r.latencySum += event.latencyMs;
      if (event.latencyMs > r.latencyMax) r.latencyMax = event.latencyMs;
    }

    const hour = Math.floor(event.time / HOUR) * HOUR;
    if (hour > this.maxHour) this.maxHour = hour;
    const hourKey = `${base}\u0000${hour}`;
    if (at.params !== null) {
      for (const name in at.params) {
        const value = at.params[name];
        if (value === undefined) continue;
        const pk = `${hourKey}\u0000${name}`;
        if (this.fullParams.has(pk)) continue;
        let p = this.params.get(pk);
        if (p === undefined) {
          p = { scopeKey: at.scopeKey, method, pathTemplate: at.pathTemplate, clientKey: client.key, hourStart: hour, paramName: name, hashes: new Set() };
          this.params.set(pk, p);
        }
        p.hashes.add(valueHash(value));
        if (p.hashes.size >= this.paramCap) this.fullParams.add(pk);
      }
    }

    const clientHour = `${client.key}\u0000${hour}`;
    const endpointHour = `\u0001${at.scopeKey}\u0000${method}\u0000${at.pathTemplate}\u0000${hour}`;
    const wantClient = !this.fullSamples.has(clientHour);
    const wantEndpoint = !this.fullSamples.has(endpointHour);
    if (wantClient || wantEndpoint) {
      const ok = isOk(status);
      const sample = sampleOf(event, client.key);
      if (wantClient) {
        this.addSample(clientHour, ANY, ANY, ANY, client.key, hour, ok, { ...sample, scope: at.scopeKey, template: at.pathTemplate });
      }
      if (wantEndpoint) this.addSample(endpointHour, at.scopeKey, method, at.pathTemplate, ANY, hour, ok, sample);
    }
  }

  private addSample(key: string, scopeKey: string, method: string, pathTemplate: string, clientKey: string, hourStart: number, ok: boolean, e: SampleEvent): void {
    let s = this.samples.get(key);
    if (s === undefined) {
      s = { scopeKey, method, pathTemplate, clientKey, hourStart, ok: [], other: [] };
      this.samples.set(key, s);
    }
    const list = ok ? s.ok : s.other;
    if (list.length < SAMPLE_LIMIT) {
      list.push(e);
      this.sampleEvents++;
    }
    if (saturated(s)) this.fullSamples.add(key);
  }

  /** The "full" markers stay, bounded by clearing when they grow large. */
  /**
   * Removes and returns the sample keys to write now: all of them when `all`, else those of hours at least two
   * hours before the latest hour seen. Logs are mostly in time order, so keys of the current hours stay in memory
   * and fill up there instead of being merged into stored rows flush after flush (a merge costs more than a write).
   */
  takeSamples(all: boolean): SampleRow[] {
    const out: SampleRow[] = [];
    const before = this.maxHour - HOUR;
    for (const [key, s] of this.samples) {
      if (all || s.hourStart < before) {
        out.push(s);
        this.sampleEvents -= s.ok.length + s.other.length;
        this.samples.delete(key);
      }
    }
    return out;
  }

  /** Empties the rollup and parameter maps (after a flush; samples leave through takeSamples). */
  clear(): void {
    this.rollups.clear();
    this.params.clear();
    if (this.fullSamples.size > 200_000) this.fullSamples.clear();
    if (this.fullParams.size > 200_000) this.fullParams.clear();
  }
}
