/**
 * Gateway logs parsed on a second core: the main thread reads the file's raw bytes, cuts them into batches of whole
 * lines and sends them in order to one worker thread (line-worker.ts), which decodes, splits and parses them — and
 * runs the persister's event stage on them, when it gave one (gateway logs: attribution to Apis and endpoints) —
 * while the main thread aggregates and writes what the previous batches gave. Results come back in order, so line
 * numbers, the format-probe rule and bad-line reports are exactly those of the single-threaded path.
 *
 * The worker also computes the content hash (SHA-256) of the bytes when the source lets a reader do so
 * (SourceFile.chunksHashedBy, offered by the ingest pipeline): hashing is a tenth of the ingest thread's work otherwise.
 *
 * Used for files of at least PARALLEL_MIN_BYTES from sources that give raw bytes; POSTERN_PARSE_WORKER=off turns
 * it off (the single-threaded path in common.ts runLines is then used for everything).
 */
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { fromRoot } from "@/server/db/root";
import type { EventStage, SourceFile, TrafficEvent } from "../../contract";
import { wholeLinesEnd } from "../../source";

export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
/**
 * Batches sent and not yet taken, and their size. The worker's answers wait in a port of their own, still serialised,
 * until the reader takes the next one (receiveMessageOnPort): so the worker can run well ahead of the reader — a
 * garbage collection or a slow event on either side no longer stalls the other — without a backlog of parsed events
 * in the reader's heap (events that wait there outlive a young-generation collection and become old-generation
 * garbage: 1 MB batches, four in flight, delivered as they came, made ~35 MB/s of it on 2 KB Kong lines).
 */
const IN_FLIGHT = 16;
const BATCH_BYTES = 256 * 1024;

export interface WorkerData {
  handlerId: string;
  /** Hash the bytes (SHA-256) and answer a { digest } message with the hex digest. */
  hash: boolean;
  /** Run on each event after parsing (ParseContext.eventStage). */
  stage: EventStage | null;
  /** Where the answers go, in request order; each is followed by a notice (any message) on the worker's own port. */
  answers: MessagePort;
  entry: string;
  tsconfig: string;
}

/** One batch's outcome; line numbers are relative to the batch (1 = its first line). */
export interface BatchResult {
  events: TrafficEvent[];
  /** The (relative) line of each event. */
  eventLines: Int32Array;
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

/** The file's batches of lines, parsed by the worker, in file order. */
export async function* parsedBatches(file: SourceFile, handlerId: string, signal?: AbortSignal, stage?: EventStage): AsyncGenerator<BatchResult> {
  if (!file.chunks) throw new Error("parsedBatches needs a source with raw bytes");
  // The content hash is computed on the worker too, when the source lets a reader hash (the pipeline's does).
  const source = file.chunksHashedBy?.() ?? { chunks: file.chunks(), digest: null };
  const { port1: answers, port2: answerPort } = new MessageChannel();
  const data: WorkerData = {
    handlerId,
    hash: source.digest !== null,
    stage: stage ?? null,
    answers: answerPort,
    entry: pathToFileURL(fromRoot("server/ingest/parsers/traffic/line-worker.ts")).href,
    tsconfig: fromRoot("tsconfig.json"),
  };
  const worker = new Worker(fromRoot("server/ingest/worker-boot.mjs"), { workerData: data, transferList: [answerPort] });
  let failure: Error | null = null;
  /** Resolves the reader's wait for the next answer (an answer or a failure arrived). */
  let wake: (() => void) | null = null;
  const nudge = () => {
    wake?.();
    wake = null;
  };
  const fail = (error: Error) => {
    failure ??= error;
    nudge();
  };
  worker.on("message", (message: { error: string } | null) => {
    if (message !== null && typeof message === "object" && "error" in message) fail(new Error(`log parser worker: ${message.error}`));
    else nudge();
  });
  worker.on("error", (error) => fail(error));
  worker.on("exit", (code) => fail(new Error(`log parser worker stopped (exit code ${code})`)));

  /** The next answer, in request order; deserialised only now. */
  const take = async (): Promise<Answer> => {
    for (;;) {
      const received = receiveMessageOnPort(answers);
      if (received !== undefined) return received.message as Answer;
      if (failure) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  let inFlight = 0;
  const ask = (message: { bytes: Uint8Array } | { digest: true }, transfer: ArrayBuffer[] = []) => {
    if (failure) throw failure;
    worker.postMessage(message, transfer);
    inFlight++;
  };
  const next = async (): Promise<BatchResult> => {
    const answer = await take();
    inFlight--;
    return answer as BatchResult;
  };
  const send = (bytes: Uint8Array) => {
    // A copy the worker can own (read-stream buffers may share a pooled ArrayBuffer).
    const own = new Uint8Array(bytes);
    ask({ bytes: own }, [own.buffer]);
  };
  try {
    /** The start of a line that the next chunk ends. */
    let carry: Uint8Array | null = null;
    for await (const chunk of source.chunks) {
      signal?.throwIfAborted();
      const lastNewline = chunk.lastIndexOf(10);
      if (lastNewline === -1) {
        carry = carry ? Buffer.concat([carry, chunk]) : new Uint8Array(chunk);
        continue;
      }
      let start = 0;
      if (carry) {
        // The carried line, finished by this chunk, is a batch of its own (copying only it, not the whole chunk).
        start = chunk.indexOf(10) + 1;
        send(Buffer.concat([carry, chunk.subarray(0, start)]));
        carry = null;
      }
      // Whole lines, in batches of at most BATCH_BYTES (a longer line is a batch of its own).
      while (start <= lastNewline) {
        const end = wholeLinesEnd(chunk, start, lastNewline + 1, BATCH_BYTES);
        send(chunk.subarray(start, end));
        start = end;
        while (inFlight >= IN_FLIGHT) yield await next();
      }
      if (lastNewline + 1 < chunk.length) carry = new Uint8Array(chunk.subarray(lastNewline + 1));
    }
    if (carry && carry.length > 0) send(carry);
    while (inFlight > 0) yield await next();
    if (source.digest !== null) {
      ask({ digest: true });
      source.digest(((await take()) as { digest: string }).digest);
    }
  } finally {
    worker.removeAllListeners("exit");
    answers.close();
    await worker.terminate();
  }
}
