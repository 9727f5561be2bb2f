/**
 * Gateway logs parsed on a second core: the main thread reads the file's raw bytes, cuts them into batches of whole
 * lines and sends them in order to one worker thread (line-worker.ts), which decodes, splits and parses them while
 * the main thread attributes, aggregates and writes what the previous batches gave. Results come back in order, so
 * line numbers, the format-probe rule and bad-line reports are exactly those of the single-threaded path.
 *
 * The worker also computes the content hash (SHA-256) of the bytes when the source lets a reader do so
 * (SourceFile.chunksHashedBy, offered by the ingest pipeline): hashing is a tenth of the ingest thread's work otherwise.
 *
 * Used for files of at least PARALLEL_MIN_BYTES from sources that give raw bytes; POSTERN_PARSE_WORKER=off turns
 * it off (the single-threaded path in shared.ts runLines is then used for everything).
 */
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { fromRoot } from "@/server/db/root";
import type { SourceFile, TrafficEvent } from "../../contract";
import { wholeLinesEnd } from "../../source";

export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
/**
 * Batches sent and not yet answered, and their size: enough to keep the worker busy, small enough that a batch's
 * events are consumed within a few milliseconds of arriving. Events that wait longer outlive a young-generation
 * collection and are copied into the old generation, whose garbage then grows the heap until a major GC (1 MB
 * batches, four in flight: ~35 MB/s of old-generation garbage on 2 KB Kong lines).
 */
const IN_FLIGHT = 3;
const BATCH_BYTES = 256 * 1024;

export interface WorkerData {
  handlerId: string;
  /** Hash the bytes (SHA-256) and answer a { digest } message with the hex digest. */
  hash: boolean;
  entry: string;
  tsconfig: string;
}

/** One batch's outcome; line numbers are relative to the batch (1 = its first line). */
export interface BatchResult {
  events: TrafficEvent[];
  errors: [number, string][];
  skips: [number, string][];
  /** The first line that parsed (an event or a skip), 0 if none did. */
  firstGood: number;
  lines: number;
}

export function shouldParseInWorker(file: SourceFile, handlerId: string | undefined): boolean {
  return (
    handlerId !== undefined &&
    file.chunks !== undefined &&
    (file.size ?? 0) >= PARALLEL_MIN_BYTES &&
    (process.env.POSTERN_PARSE_WORKER ?? "on").toLowerCase() !== "off"
  );
}

/** What the worker answers, in the order of the requests: a parsed batch, or the content hash at the end. */
type Answer = BatchResult | { digest: string };

interface Deferred {
  resolve(result: Answer): void;
  reject(error: Error): void;
  promise: Promise<Answer>;
}

function deferred(): Deferred {
  let resolve!: (result: Answer) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<Answer>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are awaited in order by the reader; this keeps an early one from counting as unhandled meanwhile.
  promise.catch(() => undefined);
  return { resolve, reject, promise };
}

/** The file's batches of lines, parsed by the worker, in file order. */
export async function* parsedBatches(file: SourceFile, handlerId: string, signal?: AbortSignal): AsyncGenerator<BatchResult> {
  if (!file.chunks) throw new Error("parsedBatches needs a source with raw bytes");
  // The content hash is computed on the worker too, when the source lets a reader hash (the pipeline's does).
  const source = file.chunksHashedBy?.() ?? { chunks: file.chunks(), digest: null };
  const data: WorkerData = {
    handlerId,
    hash: source.digest !== null,
    entry: pathToFileURL(fromRoot("server/ingest/parsers/traffic/line-worker.ts")).href,
    tsconfig: fromRoot("tsconfig.json"),
  };
  const worker = new Worker(fromRoot("server/ingest/worker-boot.mjs"), { workerData: data });
  const waiting: Deferred[] = [];
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    for (const d of waiting.splice(0)) d.reject(failure);
  };
  worker.on("message", (message: Answer | { ready: true } | { error: string }) => {
    if ("ready" in message) return;
    if ("error" in message) return fail(new Error(`log parser worker: ${message.error}`));
    waiting.shift()?.resolve(message);
  });
  worker.on("error", (error) => fail(error));
  worker.on("exit", (code) => fail(new Error(`log parser worker stopped (exit code ${code})`)));

  const inFlight: Promise<BatchResult>[] = [];
  const ask = (message: { bytes: Uint8Array } | { digest: true }, transfer: ArrayBuffer[] = []): Promise<Answer> => {
    if (failure) throw failure;
    const d = deferred();
    waiting.push(d);
    worker.postMessage(message, transfer);
    return d.promise;
  };
  const send = (bytes: Uint8Array) => {
    // A copy the worker can own (read-stream buffers may share a pooled ArrayBuffer).
    const own = new Uint8Array(bytes);
    inFlight.push(ask({ bytes: own }, [own.buffer]) as Promise<BatchResult>);
  };
  try {
    let carry: Uint8Array | null = null;
    for await (const chunk of source.chunks) {
      signal?.throwIfAborted();
      const bytes: Uint8Array = carry ? Buffer.concat([carry, chunk]) : chunk;
      const lastNewline = bytes.lastIndexOf(10);
      if (lastNewline === -1) {
        carry = bytes;
        continue;
      }
      // Whole lines, in batches of at most BATCH_BYTES (a longer line is a batch of its own).
      for (let start = 0; start <= lastNewline; ) {
        const end = wholeLinesEnd(bytes, start, lastNewline + 1, BATCH_BYTES);
        send(bytes.subarray(start, end));
        start = end;
        while (inFlight.length >= IN_FLIGHT) yield await inFlight.shift()!;
      }
      carry = lastNewline + 1 < bytes.length ? new Uint8Array(bytes.subarray(lastNewline + 1)) : null;
    }
    if (carry && carry.length > 0) send(carry);
    while (inFlight.length > 0) yield await inFlight.shift()!;
    if (source.digest !== null) source.digest(((await ask({ digest: true })) as { digest: string }).digest);
  } finally {
    worker.removeAllListeners("exit");
    await worker.terminate();
  }
}
