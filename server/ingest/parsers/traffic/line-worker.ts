/**
 * The gateway-log parse worker: receives batches of whole lines as raw bytes (in file order), runs the format's
 * line handler on each line and answers with the events, the bad lines and the skipped lines of the batch, with line
 * numbers relative to the batch. The main thread (parallel.ts) numbers lines, applies the format-probe rule and
 * aggregates; this thread does the decoding, splitting and JSON parsing, which is most of a log's CPU cost, and the
 * persister's event stage when it gave one (attribution to Apis and endpoints: server/traffic/attribute-stage.ts).
 */
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import type { TrafficEvent } from "../../contract";
import { rangeHandler } from "./handlers";
import { LineSplitter } from "../../source";
import { Skip } from "./common";
import type { BatchResult, WorkerData } from "./parallel";

const port = parentPort;
const { handlerId, hash: hashing, stage: stageSpec, answers } = workerData as WorkerData;
/** The persister's per-event work (ParseContext.eventStage), e.g. attributing events to Apis. */
const stage: ((event: TrafficEvent) => void) | null = stageSpec
  ? ((await import(stageSpec.module)) as { createEventStage(data: unknown): (event: TrafficEvent) => void }).createEventStage(stageSpec.data)
  : null;
/** SHA-256 of every byte received, in order (the ingest's content hash; see SourceFile.chunksHashedBy). */
const hash = hashing ? createHash("sha256") : null;
const handle = rangeHandler(handlerId);
/** One splitter for the whole file: batches are whole lines (the last may lack its newline); the first holds any BOM. */
const splitter = new LineSplitter();

function parseBatch(bytes: Uint8Array): BatchResult {
  if (!handle) throw new Error(`no line handler for ${handlerId}`);
  const events: TrafficEvent[] = [];
  const lines: number[] = [];
  const errors: [number, string][] = [];
  const skips: [number, string][] = [];
  let firstGood = 0;
  let n = 0;
  const line = (text: string, start: number, end: number) => {
    n++;
    const result = handle(text, start, end);
    if (result === null) return;
    if (typeof result === "string") {
      errors.push([n, result]);
      return;
    }
    if (firstGood === 0) firstGood = n;
    if (result instanceof Skip) skips.push([n, result.reason]);
    else if (Array.isArray(result)) {
      for (const e of result) {
        events.push(e);
        lines.push(n);
      }
    } else {
      events.push(result);
      lines.push(n);
    }
  };
  splitter.pushRanges(bytes, line);
  splitter.endRanges(line);
  if (stage !== null) for (const e of events) stage(e);
  return { events, eventLines: Int32Array.from(lines), errors, skips, firstGood, lines: n };
}

/** Answers on their own port (read by the main thread when it wants the next), then a notice on the worker's. */
const answer = (message: unknown) => {
  answers.postMessage(message);
  port?.postMessage(null);
};

port?.on("message", (message: { bytes: Uint8Array } | { digest: true }) => {
  try {
    if ("digest" in message) {
      if (!hash) throw new Error("this worker was not asked to hash");
      answer({ digest: hash.digest("hex") });
      return;
    }
    hash?.update(message.bytes);
    answer(parseBatch(message.bytes));
  } catch (error) {
    port?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
