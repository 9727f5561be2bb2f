/**
 * Large gateway logs on disk are read by several worker threads at once, each over its own byte range of whole
 * lines (a shard): each parses, attributes and aggregates its lines (shard-worker.ts), and this thread — which holds
 * the ingest transaction — writes the rollups they send, hashes the file for dedupe, and merges what must be merged:
 *
 * - counts, touched Apis and observed endpoints add up; rollup rows add up in the database (upserts add counts);
 * - a client minute or parameter hour at a border between shards is judged against its floor only after both
 *   shards' parts are merged (AggregatorEdges), so nothing is lost at a cut;
 * - bad and skipped lines are renumbered for the file and replayed in file order through the same LineTally as the
 *   single-threaded reader, so the format-probe rule, line numbers and warnings are those of runLines.
 *
 * Samples of a key seen by two shards merge in the database by event time (write-rollups.ts).
 * Cancelling, a rejected file or a failed worker stops every worker; the transaction then rolls back.
 *
 * When: only with POSTERN_INGEST_SHARDS=N (N shards). A shard worker does all the per-line work (parse + attribute
 * + aggregate), so shards can only pay off with enough cores; on 2 cores (1M Kong lines, 2 GB, PostgreSQL server,
 * alternating runs) two shards took 13.5–15.6 s and 0.96–0.98 GB peak RSS where one parse worker, which attributes
 * too, feeding this thread's aggregation (parsers/traffic/parallel.ts) took 14.4–14.9 s and 0.56–0.61 GB. No machine
 * with more cores was at hand to measure where they start to win, so they are not on by default.
 */
import { open } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { fromRoot } from "@/server/db/root";
import { ParseError, type ParseContext, type SourceFile } from "@/server/ingest/contract";
import { missingStatusWarning } from "@/server/ingest/parsers/traffic/aws-apigateway/parser";
import { hasLineReader } from "@/server/ingest/parsers/traffic/handlers";
import { LineTally } from "@/server/ingest/parsers/traffic/common";
import type { AggregatorEdges, ClientDayRow, EndpointHourRow, Partials } from "./aggregate";
import { FLUSH_KEYS, type FoldCounts, TrafficFold, type TrafficSetup } from "./fold";
import { type RollupBatch, takeRollups } from "./write-rollups";

/** When files are read in shards, and into how many (tests lower the bounds to exercise shards on small files). */
export const shardSettings = {
  /** Smaller files are read without shards. */
  minBytes: 64 * 1024 * 1024,
  /** No shard smaller than this (a shard's worker costs a thread start-up and its own aggregation state). */
  minShardBytes: 16 * 1024 * 1024,
  /** Upper bound on workers: POSTERN_INGEST_SHARDS (0, the default: no shards). */
  maxShards: shardsFromEnvironment(process.env.POSTERN_INGEST_SHARDS),
};

function shardsFromEnvironment(setting: string | undefined): number {
  const n = Number(setting ?? 0);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, 64) : 0;
}

export interface ShardJob {
  path: string;
  start: number;
  end: number;
  format: string;
  label: string;
  setup: TrafficSetup;
  edges: AggregatorEdges;
  first: boolean;
  entry: string;
  tsconfig: string;
}

export interface ShardDone {
  type: "done";
  /** Lines in the shard (blank ones included), to number the next shard's lines. */
  lines: number;
  /** The first line that parsed (relative), 0 if none did. */
  firstGood: number;
  /** The first bad lines (relative line, message); `moreErrors` counts the rest. */
  errors: [number, string][];
  moreErrors: number;
  /** Skipped lines: reason, count, first (relative) line. */
  skips: [string, number, number][];
  counts: FoldCounts;
  apiIds: string[];
  served: string[];
  partials: Partials;
  /** Events without a status: how many, and the first one's ordinal among the shard's events. */
  missingStatus: { count: number; first: number };
  /** Kept strings cleaned or cut, with relative line numbers (ValueTally.toJSON). */
  values: { cleaned: number; truncated: number; cleanedLines: number[]; truncatedLines: number[] };
}

export type ShardMessage =
  | { type: "rows"; batch: RollupBatch }
  | { type: "progress"; records: number; bytes: number }
  | ShardDone
  | { type: "failed"; message: string; parseError: boolean; line?: number };

/** A gateway log on disk, big enough to be worth several threads, in a format with a line handler. */
export function canReadInShards(file: SourceFile, format: string): file is SourceFile & { path: string; size: number } {
  return (
    file.path !== undefined &&
    file.size !== null &&
    file.size >= shardSettings.minBytes &&
    shardSettings.maxShards >= 1 &&
    hasLineReader(format) &&
    (process.env.POSTERN_PARSE_WORKER ?? "on").toLowerCase() !== "off"
  );
}

/** Byte offsets [start, end) of shards that each begin at a line start; cut points move to the next line start. */
export async function shardRanges(path: string, size: number, shards: number): Promise<[number, number][]> {
  const cuts = [0];
  const handle = await open(path, "r");
  try {
    const window = Buffer.allocUnsafe(64 * 1024);
    for (let k = 1; k < shards; k++) {
      let pos = Math.max(cuts[cuts.length - 1] ?? 0, Math.floor((size * k) / shards));
      // The line containing byte `pos - 1` belongs to the previous shard: start after its newline.
      let cut = -1;
      for (let at = pos - 1; at < size && cut === -1; at += window.length) {
        const { bytesRead } = await handle.read(window, 0, window.length, at);
        const nl = window.subarray(0, bytesRead).indexOf(10);
        if (nl !== -1) cut = at + nl + 1;
        if (bytesRead === 0) break;
      }
      pos = cut === -1 ? size : cut;
      if (pos > (cuts[cuts.length - 1] ?? 0) && pos < size) cuts.push(pos);
    }
  } finally {
    await handle.close();
  }
  return cuts.map((start, i) => [start, cuts[i + 1] ?? size]);
}

export interface ShardedInput {
  file: SourceFile & { path: string; size: number };
  format: string;
  label: string;
  ctx: ParseContext;
}

export interface ShardedOutcome {
  fold: TrafficFold;
  rollupRows: number;
}

/**
 * Reads `input.file` in shards and returns the merged fold (counts, Apis, served endpoints). `write` stores a batch
 * inside the ingest transaction. The file's byte stream as the pipeline offers it (hashing it for dedupe) is read
 * here too, at the pace of the workers, so that byte-based progress meters show the real progress.
 */
export async function foldInShards(
  input: ShardedInput,
  setup: TrafficSetup,
  write: (batch: RollupBatch) => Promise<number>,
  progress?: (records: number) => void,
): Promise<ShardedOutcome> {
  const { file, ctx } = input;
  const hashFeed = file.chunks?.();
  const count = Math.max(1, Math.min(shardSettings.maxShards, Math.floor(file.size / shardSettings.minShardBytes)));
  const ranges = await shardRanges(file.path, file.size, count);
  const merged = new TrafficFold(setup);
  const results: (ShardDone | null)[] = ranges.map(() => null);
  const records = ranges.map(() => 0);
  const bytes = ranges.map(() => 0);
  const pending = new RollupMerger();
  let rollupRows = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };

  const workers = ranges.map(([start, end], k) => {
    const job: ShardJob = {
      path: file.path,
      start,
      end,
      format: input.format,
      label: input.label,
      setup,
      edges: { head: k > 0, tail: k < ranges.length - 1 },
      first: k === 0,
      entry: pathToFileURL(fromRoot("server/traffic/shard-worker.ts")).href,
      tsconfig: fromRoot("tsconfig.json"),
    };
    return new Worker(fromRoot("server/ingest/worker-boot.mjs"), { workerData: job });
  });

  const finished = workers.map(
    (worker, k) =>
      new Promise<void>((resolve, reject) => {
        worker.on("message", (message: ShardMessage) => {
          switch (message.type) {
            case "rows": {
              // Hour and day buckets are merged across shards before they are written (most keys are in every
              // shard: writing them per shard would double the upserts); the rest is written as it comes.
              // One transaction, one connection: writes queue up in arrival order.
              const direct = pending.add(message.batch);
              const due = pending.size >= FLUSH_KEYS ? pending.take() : null;
              worker.postMessage({ type: "ack" });
              writing = writing.then(async () => {
                rollupRows += await write(direct);
                if (due) rollupRows += await write(due);
              });
              writing.catch(reject);
              return;
            }
            case "progress":
              records[k] = message.records;
              bytes[k] = message.bytes;
              progress?.(records.reduce((a, b) => a + b, 0));
              nudge();
              return;
            case "done":
              results[k] = message;
              nudge();
              return resolve();
            case "failed":
              return reject(message.parseError ? new ParseError(message.message, message.line) : new Error(`log shard worker: ${message.message}`));
          }
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (results[k] === null) reject(new Error(`log shard worker stopped (exit code ${code})`));
        });
      }),
  );

  const stopped = new Promise<never>((_, reject) => {
    if (ctx.signal?.aborted) reject(ctx.signal.reason);
    ctx.signal?.addEventListener("abort", () => reject(ctx.signal?.reason), { once: true });
  });
  stopped.catch(() => undefined);

  /** The pipeline's hash reads the file too; it is kept behind the workers' progress (plus one chunk). */
  const hashing = (async () => {
    if (!hashFeed) return;
    let read = 0;
    for await (const chunk of hashFeed) {
      read += chunk.byteLength;
      while (read > bytes.reduce((a, b) => a + b, 0) + (1 << 20) && results.some((r) => r === null)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  })();

  try {
    await Promise.race([Promise.all([...finished, hashing]), stopped]);
    await Promise.race([writing, stopped]);
  } finally {
    nudge();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  // Merge: edge buckets judged once whole, bad and skipped lines replayed in file order.
  const tally = new LineTally(ctx, input.label);
  let offset = 0;
  for (const r of results) {
    if (r === null) throw new Error("log shard worker ended without a result");
    for (const [line, message] of r.errors) {
      if (r.firstGood !== 0 && line > r.firstGood) tally.good();
      tally.bad(offset + line, message);
    }
    if (r.firstGood !== 0) tally.good();
    if (r.moreErrors > 0) tally.badUnlisted(r.moreErrors);
    for (const [reason, n, first] of r.skips) tally.skip(offset + first, reason, n);
    merged.agg.values.absorb(r.values, offset);
    offset += r.lines;
    if (r.missingStatus.count > 0 && merged.missingStatus.count === 0) merged.missingStatus.first = merged.counts.events + r.missingStatus.first;
    merged.missingStatus.count += r.missingStatus.count;
    merged.counts.events += r.counts.events;
    merged.counts.unmatchedEvents += r.counts.unmatchedEvents;
    merged.counts.unknownHostEvents += r.counts.unknownHostEvents;
    for (const id of r.apiIds) merged.apiIds.add(id);
    for (const id of r.served) merged.served.add(id);
    merged.agg.absorbPartials(r.partials);
  }
  tally.end();
  if (input.format === "aws-apigateway" && merged.missingStatus.count > 0) {
    ctx.warn(missingStatusWarning(merged.missingStatus.count, merged.missingStatus.first));
  }
  merged.agg.closePartials();
  rollupRows += await write(takeRollups(merged.agg, true));
  rollupRows += await write(pending.take());
  return { fold: merged, rollupRows };
}

const NO_ROWS: Omit<RollupBatch, "endpointHours" | "clientDays"> = { minutes: [], params: [], paramDays: [], samples: [] };

/** The counters that add up when two rows of one bucket meet (as the upserts in write-rollups.ts add them). */
const HOUR_COUNTS = ["requests", "s2", "s3", "s4", "s5", "s401", "s403", "s404", "s410", "s429", "unauth2xx", "plainHttp", "rateLimitHeaders", "bytes", "latencySum"] as const;
const DAY_COUNTS = ["requests", "s2", "s4", "s5", "s401", "s403", "s429", "bytes"] as const;

/** Stores `row` under `key`, or adds its `counts` to the row already there and returns that row (to merge the rest). */
function mergeInto<R extends Record<C, number>, C extends string>(rows: Map<string, R>, key: string, row: R, counts: readonly C[]): R | undefined {
  const had = rows.get(key);
  if (had === undefined) {
    rows.set(key, row);
    return undefined;
  }
  for (const c of counts) (had[c] as number) += row[c];
  return had;
}

/** Endpoint-hour and client-day rows of several shards, added up by natural key as the database would. */
class RollupMerger {
  private readonly hours = new Map<string, EndpointHourRow>();
  private readonly days = new Map<string, ClientDayRow>();

  get size(): number {
    return this.hours.size + this.days.size;
  }

  /** Takes the hour and day rows of `batch`; returns the rest of it, to be written now. */
  add(batch: RollupBatch): RollupBatch {
    for (const r of batch.endpointHours) {
      const had = mergeInto(this.hours, `${r.scopeKey}\u0000${r.method}\u0000${r.pathTemplate}\u0000${r.hourStart}`, r, HOUR_COUNTS);
      if (had === undefined) continue;
      had.latencyMax = Math.max(had.latencyMax, r.latencyMax);
      had.endpointId ??= r.endpointId;
      had.host ??= r.host;
    }
    for (const d of batch.clientDays) {
      const had = mergeInto(this.days, `${d.scopeKey}\u0000${d.clientKey}\u0000${d.day}`, d, DAY_COUNTS);
      if (had === undefined) continue;
      had.authenticated ||= d.authenticated;
      had.host ??= d.host;
    }
    return { ...batch, endpointHours: [], clientDays: [] };
  }

  /** Removes and returns the merged rows. */
  take(): RollupBatch {
    const out = { ...NO_ROWS, endpointHours: [...this.hours.values()], clientDays: [...this.days.values()] };
    this.hours.clear();
    this.days.clear();
    return out;
  }
}
