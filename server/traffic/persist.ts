/**
 * The gateway-log persister (mode "stream" in server/ingest/pipeline.ts): attributes each parsed event to an Api and
 * endpoint (attribute.ts), folds it into bounded in-memory tiers (aggregate.ts: endpoint × hour, client × day, hot
 * client minutes, enumeration parameters, samples) and flushes them with batched upserts (write-rollups.ts), adding
 * counts to what earlier files stored for the same bucket. Memory is bounded by FLUSH_KEYS, SAMPLE_HOLD_EVENTS and
 * PARAM_HOLD_KEYS, not by the file size. Runs inside the ingest transaction: a failed or cancelled ingest leaves nothing.
 *
 * A large log on disk is read by shard workers over byte ranges instead (shards.ts): the parser's events are then not
 * iterated here; the workers run the same line handler and the same fold, and this thread writes what they send.
 *
 * After the last flush: Endpoint.observed = true for matched endpoints that served traffic (any status but 404/410),
 * shadow hosts and undocumented templates become records (./observed.ts), and the Apis' observedEndpoints follow
 * through refreshApiAggregates.
 */
import { randomBytes } from "node:crypto";
import { loadRuleSettings } from "@/server/correlate/settings";
import type { Tx } from "@/server/db/types";
import type { TrafficEvent } from "@/server/domain/records";
import type { ParseContext, SourceFile } from "@/server/ingest/contract";
import { readPosition } from "@/server/ingest/line-position";
import { refreshApiAggregates } from "@/server/inventory/persist";
import { paramCapsOf, SAMPLE_HOLD_EVENTS, TrafficFold, type TrafficSetup } from "./fold";
import { attributionStage } from "./attribute-stage";
import { recordObserved } from "./observed";
import { canReadInShards, foldInShards } from "./shards";
import { type RollupBatch, takeReadySamples, takeRollups, writeRollups } from "./write-rollups";

export interface TrafficCounts {
  events: number;
  unmatchedEvents: number;
  unknownHostEvents: number;
  rollupRows: number;
  endpointsObserved: number;
  shadowApisRecorded: number;
  observedEndpointsRecorded: number;
}

export interface TrafficSource {
  runId: string;
  options: { api?: string };
  signal?: AbortSignal;
  progress?: (records: number) => void;
  warn?: (message: string, line?: number) => void;
  /** The file as its parser reads it: a large log on disk is then read in shards (its events are not iterated). */
  input?: { file: SourceFile; format: string; label: string; ctx: ParseContext };
}

const PROGRESS_EVERY = 50_000;
const CHUNK = 5_000;

/** What folding needs from the database: Apis, endpoints and the rule thresholds that size the tiers. */
export async function loadTrafficSetup(tx: Tx, apiOption: string | undefined): Promise<TrafficSetup> {
  const settings = await loadRuleSettings(tx);
  const apis = await tx.api.findMany({ select: { id: true, slug: true, name: true, catalogName: true, aliases: true, host: true, basePath: true } });
  // Only documented endpoints match: traffic to an observed-only one stays unmatched (the shadow-endpoint signal).
  const rows = await tx.endpoint.findMany({ where: { documented: true }, select: { id: true, apiId: true, method: true, path: true, tags: true, parameters: true } });
  const endpoints = rows.map(({ parameters, ...e }) => {
    const queryParams = declaredQueryParams(parameters);
    return queryParams.length ? { ...e, queryParams } : e;
  });
  return {
    apis,
    endpoints,
    apiOption,
    enumerationDistinctValues: settings.enumerationDistinctValues,
    slowEnumerationDayDistinct: settings.slowEnumerationDayDistinct,
    rateLimitRequestsPerMinute: settings.rateLimitRequestsPerMinute,
    valueSalt: await valueSalt(tx),
  };
}

/** The names of an endpoint's declared query parameters (Endpoint.parameters: `{ name, in }[]`). */
function declaredQueryParams(parameters: unknown): string[] {
  if (!Array.isArray(parameters)) return [];
  const out: string[] = [];
  for (const p of parameters as unknown[]) {
    if (p !== null && typeof p === "object" && (p as { in?: unknown }).in === "query" && typeof (p as { name?: unknown }).name === "string") {
      out.push((p as { name: string }).name);
    }
  }
  return out;
}

/** Where the installation's salt for parameter value hashes is kept (never shown: no settings page reads it). */
export const VALUE_SALT_KEY = "traffic.valueSalt";

/**
 * The installation's salt for parameter value hashes, made on first use. Concurrent first ingests agree: the insert
 * that loses waits for the winner's commit and then reads its salt.
 */
export async function valueSalt(tx: Tx): Promise<string> {
  const read = async () => (await tx.setting.findUnique({ where: { key: VALUE_SALT_KEY } }))?.value;
  const stored = await read();
  if (typeof stored === "string" && stored.length > 0) return stored;
  const salt = randomBytes(24).toString("base64url");
  await tx.$executeRaw`INSERT INTO setting (key, value, "updatedAt") VALUES (${VALUE_SALT_KEY}, ${JSON.stringify(salt)}::jsonb, now()) ON CONFLICT (key) DO NOTHING`;
  const now = await read();
  if (typeof now !== "string") throw new Error("the traffic value salt could not be stored");
  return now;
}

export async function persistTraffic(
  tx: Tx,
  records: AsyncIterable<TrafficEvent>,
  source: TrafficSource,
): Promise<{ counts: TrafficCounts; apiIds: string[]; records: number }> {
  const setup = await loadTrafficSetup(tx, source.options.api);
  const caps = paramCapsOf(setup);
  const write = (batch: RollupBatch) => writeRollups(tx, batch, source.runId, caps);

  let fold: TrafficFold;
  let rollupRows = 0;
  const input = source.input;
  if (input && canReadInShards(input.file, input.format)) {
    const sharded = await foldInShards({ ...input, file: input.file }, setup, write, source.progress);
    fold = sharded.fold;
    rollupRows = sharded.rollupRows;
  } else {
    fold = new TrafficFold(setup, undefined, input ? readPosition(input.ctx) : undefined);
    // A log parsed on a worker thread is attributed there too (the records are not iterated before this loop).
    if (input) input.ctx.eventStage = attributionStage(setup);
    // Final sample keys are written while folding goes on, one write at a time: folding runs on microtasks between
    // the parse worker's batches, so queued writes would wait for the event loop and pile up in memory (each holds
    // its parameters twice: as built and as Prisma serialises them). A flush of everything waits for it.
    let behind: Promise<void> | null = null;
    let behindFailed: { error: unknown } | null = null;
    const writeBehind = (batch: RollupBatch) => {
      behind = write(batch).then(
        (n) => {
          rollupRows += n;
          behind = null;
        },
        (error: unknown) => {
          behindFailed = { error };
          behind = null;
        },
      );
    };
    const caughtUp = async () => {
      await behind;
      if (behindFailed) throw behindFailed.error;
    };
    for await (const event of records) {
      fold.add(event);
      if (fold.full) {
        await caughtUp();
        rollupRows += await write(takeRollups(fold.agg, fold.agg.sampleEvents >= SAMPLE_HOLD_EVENTS));
        // Cancelled: stop reading; the pipeline sees the aborted signal and rolls the transaction back.
        if (source.signal?.aborted) break;
      } else if (behind === null && fold.samplesReady) {
        if (behindFailed) break;
        writeBehind(takeReadySamples(fold.agg));
      }
      if (fold.counts.events % PROGRESS_EVERY === 0) source.progress?.(fold.counts.events);
    }
    await caughtUp();
    fold.agg.closeAll();
    rollupRows += await write(takeRollups(fold.agg, true));
    if (fold.counts.events % PROGRESS_EVERY !== 0) source.progress?.(fold.counts.events);
  }
  const counts: TrafficCounts = { ...fold.counts, rollupRows, endpointsObserved: 0, shadowApisRecorded: 0, observedEndpointsRecorded: 0 };
  for (const w of fold.agg.values.warnings()) source.warn?.(w.message, w.line);
  if (fold.attributor.unknownOption !== undefined && counts.events > 0) {
    source.warn?.(`--api "${fold.attributor.unknownOption}" names no known Api; traffic without a known host was kept as unknown`);
  }

  const observed = [...fold.served];
  for (let i = 0; i < observed.length; i += CHUNK) {
    counts.endpointsObserved += await tx.$executeRaw`
      UPDATE endpoint SET observed = true WHERE id = ANY(${observed.slice(i, i + CHUNK)}::text[]) AND NOT observed`;
  }
  const observedRecords = await recordObserved(tx, [...fold.apiIds]);
  Object.assign(counts, observedRecords.counts);
  const touched = observedRecords.apiIds;
  if (touched.length) await refreshApiAggregates(tx, touched);
  return { counts, apiIds: touched, records: counts.events };
}
