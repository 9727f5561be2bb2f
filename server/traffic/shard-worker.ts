/**
 * A shard worker (see shards.ts): reads one byte range of a gateway log — whole lines only — parses each line with
 * the format's pure line handler, attributes and aggregates the events (fold.ts), and hands the rollups to the main
 * thread, which holds the ingest transaction and writes them. One batch of rows is in flight at a time: the worker
 * waits for the main thread's acknowledgement before it sends the next, so memory stays bounded when writing is the
 * slower side. Line numbers it reports are relative to its range; the main thread numbers them for the file.
 */
import { createReadStream } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { rangeHandler } from "@/server/ingest/parsers/traffic/handlers";
import { notThisFormat, PROBE_LINES, Skip } from "@/server/ingest/parsers/traffic/common";
import { LineSplitter } from "@/server/ingest/source";
import { SAMPLE_HOLD_EVENTS, TrafficFold } from "./fold";
import type { ShardDone, ShardJob, ShardMessage } from "./shards";
import { type RollupBatch, takeReadySamples, takeRollups } from "./write-rollups";

/** Line errors a shard reports in full; past them it only counts (the ingest keeps the first 100 of the file). */
export const SHARD_ERRORS_KEPT = 150;
const PROGRESS_EVERY_BYTES = 8 * 1024 * 1024;

const port = parentPort;
const job = workerData as ShardJob;
let ack: (() => void) | null = null;
port?.on("message", (message: { type: "ack" }) => {
  if (message.type === "ack") ack?.();
});

const post = (message: ShardMessage) => port?.postMessage(message);

/** Sends a batch of rows and waits until the main thread has written it. */
function sendRows(batch: RollupBatch): Promise<void> {
  const done = new Promise<void>((resolve) => {
    ack = resolve;
  });
  post({ type: "rows", batch });
  return done;
}

async function run(): Promise<void> {
  const handle = rangeHandler(job.format);
  if (!handle) throw new Error(`no line handler for ${job.format}`);
  /** The line being read (relative to the shard), for the warning about cleaned values. */
  const position = { line: 0 };
  const fold = new TrafficFold(job.setup, job.edges, position);
  const done: ShardDone = {
    type: "done",
    lines: 0,
    firstGood: 0,
    errors: [],
    moreErrors: 0,
    skips: [],
    counts: fold.counts,
    apiIds: [],
    served: [],
    partials: { minutes: [], params: [] },
    missingStatus: fold.missingStatus,
    values: fold.agg.values.toJSON(),
  };
  const skips = new Map<string, { count: number; first: number }>();
  let bytes = 0;
  let reported = 0;

  const line = (text: string, start: number, end: number) => {
    const n = ++done.lines;
    const result = handle(text, start, end);
    if (result === null) return;
    if (typeof result === "string") {
      if (done.errors.length < SHARD_ERRORS_KEPT) done.errors.push([n, result]);
      else done.moreErrors++;
      // The first shard starts the file: PROBE_LINES bad lines before any good one reject it, as in runLines.
      if (job.first && done.firstGood === 0 && done.errors.length >= PROBE_LINES) {
        throw notThisFormat(job.label, done.errors.map(([l, message]) => ({ line: l, message })));
      }
      return;
    }
    if (done.firstGood === 0) done.firstGood = n;
    position.line = n;
    if (result instanceof Skip) {
      const s = skips.get(result.reason);
      if (s === undefined) skips.set(result.reason, { count: 1, first: n });
      else s.count++;
    } else if (Array.isArray(result)) for (const e of result) fold.add(e);
    else fold.add(result);
  };

  const splitter = new LineSplitter(job.first);
  const stream = createReadStream(job.path, { start: job.start, end: job.end - 1, highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    splitter.pushRanges(chunk, line);
    bytes += chunk.byteLength;
    if (fold.full) await sendRows(takeRollups(fold.agg, fold.agg.sampleEvents >= SAMPLE_HOLD_EVENTS));
    else if (fold.samplesReady) await sendRows(takeReadySamples(fold.agg));
    if (bytes - reported >= PROGRESS_EVERY_BYTES) {
      reported = bytes;
      post({ type: "progress", records: fold.counts.events, bytes });
    }
  }
  splitter.endRanges(line);

  fold.agg.closeAll();
  await sendRows(takeRollups(fold.agg, true));
  post({ type: "progress", records: fold.counts.events, bytes });
  done.skips = [...skips].map(([reason, s]) => [reason, s.count, s.first]);
  done.apiIds = [...fold.apiIds];
  done.served = [...fold.served];
  done.partials = fold.agg.takePartials();
  done.values = fold.agg.values.toJSON();
  post(done);
}

run().catch((error: unknown) => {
  const line = error instanceof Error && "line" in error && typeof error.line === "number" ? error.line : undefined;
  post({
    type: "failed",
    message: error instanceof Error ? error.message : String(error),
    parseError: error instanceof Error && error.name === "ParseError",
    ...(line === undefined ? {} : { line }),
  });
});
