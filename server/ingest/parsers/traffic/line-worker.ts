/**
 * The gateway-log parse worker: receives batches of whole lines as raw bytes (in file order), runs the format's
 * line handler on each line and answers with the events, the bad lines and the skipped lines of the batch, with line
 * numbers relative to the batch. The main thread (parallel.ts) numbers lines, applies the format-probe rule and
 * aggregates; this thread does the decoding, splitting and JSON parsing, which is most of a log's CPU cost.
 */
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import type { TrafficEvent } from "../../contract";
import { rangeHandler } from "./handlers";
import { LineSplitter } from "../../source";
import { Skip } from "./shared";
import type { BatchResult, WorkerData } from "./parallel";

const port = parentPort;
const { handlerId, hash: hashing } = workerData as WorkerData;
/** SHA-256 of every byte received, in order (the ingest's content hash; see SourceFile.chunksHashedBy). */
const hash = hashing ? createHash("sha256") : null;
const handle = rangeHandler(handlerId);
/** One splitter for the whole file: batches are whole lines (the last may lack its newline); the first holds any BOM. */
const splitter = new LineSplitter();

function parseBatch(bytes: Uint8Array): BatchResult {
  if (!handle) throw new Error(`no line handler for ${handlerId}`);
  const events: TrafficEvent[] = [];
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
    else if (Array.isArray(result)) for (const e of result) events.push(e);
    else events.push(result);
  };
  splitter.pushRanges(bytes, line);
  splitter.endRanges(line);
  return { events, errors, skips, firstGood, lines: n };
}

port?.on("message", (message: { bytes: Uint8Array } | { digest: true }) => {
  try {
    if ("digest" in message) {
      if (!hash) throw new Error("this worker was not asked to hash");
      port.postMessage({ digest: hash.digest("hex") });
      return;
    }
    hash?.update(message.bytes);
    port.postMessage(parseBatch(message.bytes));
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
port?.postMessage({ ready: true });
