/**
 * The one ingest pipeline (DESIGN.md §1): hash → dedupe → detect → parse (pure) → validate → persist in one
 * transaction → recompute what the new evidence touches → record the run. The UI upload, POST /api/v1/ingest,
 * the CLI and the demo loader all come through here; nothing else writes ingested data.
 */
import { createHash } from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { correlate } from "@/server/correlate/engine";
import { persistScanFindings } from "@/server/findings/persist";
import { persistInventory } from "@/server/inventory/persist";
import { persistVaultEvents } from "@/server/secrets/persist";
import { persistTraffic } from "@/server/traffic/persist";
import { type Family, type InventoryApi, type ParseContext, ParseError, type ScanFinding, type SourceFile, type TrafficEvent, type VaultEvent } from "./contract";
import { type AnyParser, detectParser, parserById, undetectedMessage } from "./registry";
import { runOwner, startHeartbeat } from "./runs";
import { LIMITS, sanitiseRecord, storable, suspectLines, ValueTally } from "./sanitize";
import { decodedSource, splitLines } from "./source";
import { recordAudit } from "@/server/audit/recorder";

export type IngestChannel = "ui" | "api" | "cli" | "demo";
export type IngestStatus = "succeeded" | "failed" | "duplicate" | "cancelled";

export interface IngestRequest {
  file: SourceFile;
  channel: IngestChannel;
  actor: { type: "user" | "token" | "system"; id?: string };
  options?: { format?: string; api?: string };
  signal?: AbortSignal;
  /** false: skip the post-ingest correlation (bulk loads of many files run one `correlate` at the end). Default true. */
  correlate?: boolean;
  /** false: skip the Spectral lint of OpenAPI/Swagger specs (~0.1 s per spec), e.g. for bulk loads. Default true. */
  specLint?: boolean;
  /** Progress of large streamed files (gateway logs): called every ~50k records. */
  onProgress?: (p: { records: number; bytes?: number }) => void;
  /** The time the records are written as of (first/last seen, rescan resolutions). Default: now. The demo loads past scans. */
  now?: Date;
}

export interface LineError {
  line: number;
  message: string;
}

export interface IngestResult {
  runId: string;
  status: IngestStatus;
  fileName: string;
  family: Family | null;
  format: string | null;
  /** What was read and written, e.g. { records, apisCreated, endpointsCreated }. */
  counts: Record<string, number>;
  warnings: { message: string; line?: number }[];
  /** The first MAX_LINE_ERRORS line-level errors; errorCount has them all. */
  lineErrors: LineError[];
  errorCount: number;
  /** Why the whole file was rejected (failed) or why it was skipped (duplicate). */
  message: string | null;
  durationMs: number;
}

export const MAX_LINE_ERRORS = 100;
const MAX_WARNINGS = 100;

export interface PersistSource {
  runId: string;
  format: string;
  fileName: string;
  now: Date;
  options: { api?: string };
  signal?: AbortSignal;
  /** Streaming persisters report the records written so far (→ IngestRequest.onProgress). */
  progress?: (records: number) => void;
  /** A file-level note (→ the run's warnings), with the line it is about when there is one. */
  warn: (message: string, line?: number) => void;
  /**
   * The file as the parser reads it (hashed while read) with the parse context: a persister may read a large file
   * itself, in parallel, with the parser's own line handler (traffic shards) instead of iterating the parser.
   */
  input: { file: SourceFile; format: string; label: string; ctx: ParseContext };
}

/**
 * A family's writer, run inside the ingest transaction. Batch families (inventories, scan reports) get every
 * record of the file at once; streaming families (gateway logs, vault audits) get the parser's records as they
 * come, so memory does not grow with the file, and aggregate as they go. Either way a failure rolls back all.
 */
type Persister =
  | { mode: "batch"; write(tx: Tx, records: unknown[], source: PersistSource): Promise<{ counts: object; apiIds: string[] }> }
  | {
      mode: "stream";
      write(tx: Tx, records: AsyncIterable<unknown>, source: PersistSource): Promise<{ counts: object; apiIds: string[]; records: number }>;
    };

const PERSISTERS: Partial<Record<Family, Persister>> = {
  inventory: { mode: "batch", write: (tx, records, source) => persistInventory(tx, records as InventoryApi[], source) },
  scan: { mode: "batch", write: (tx, records, source) => persistScanFindings(tx, records as ScanFinding[], source) },
  traffic: { mode: "stream", write: (tx, records, source) => persistTraffic(tx, records as AsyncIterable<TrafficEvent>, source) },
  vault: { mode: "stream", write: (tx, records, source) => persistVaultEvents(tx, records as AsyncIterable<VaultEvent>, source) },
};

const FAMILY_LABEL: Record<Family, string> = {
  inventory: "API inventories",
  scan: "scanner results",
  traffic: "gateway logs",
  vault: "vault audit logs",
};

/** SHA-256 of the content: of its raw bytes when the source gives them, else of its lines ("line\\n" each). */
export async function hashContent(file: SourceFile): Promise<string> {
  const hash = createHash("sha256");
  if (file.chunks) for await (const chunk of file.chunks()) hash.update(chunk);
  else for await (const line of file.lines()) hash.update(line).update("\n");
  return hash.digest("hex");
}

/**
 * The file with its content hash computed while the parser reads it (the same digest as hashContent), so that a
 * multi-GB log is read once, not twice. `digest()` is only meaningful after the parser has read all of it.
 */
function hashingWhileRead(file: SourceFile): { file: SourceFile; digest(): string } {
  const hash = createHash("sha256");
  let reads = 0;
  /** Set when the first pass went to a reader that hashes for us (chunksHashedBy): its digest, once delivered. */
  let delegated: { hex: string | null } | null = null;
  // Only the first full pass feeds the hash (a parser that reads twice must not hash the content twice).
  const wrapped: SourceFile = file.chunks
    ? {
        name: file.name,
        size: file.size,
        ...(file.path === undefined ? {} : { path: file.path }),
        head: () => file.head(),
        text: (maxBytes?: number) => file.text(maxBytes),
        chunks: () => hashed(file.chunks!()),
        lines: () => splitLines(hashed(file.chunks!())),
        chunksHashedBy() {
          const feed = reads++ === 0;
          const handed = { hex: null as string | null };
          if (feed) delegated = handed;
          return {
            chunks: file.chunks!(),
            digest: (hex: string) => {
              handed.hex = hex;
            },
          };
        },
      }
    : {
        name: file.name,
        size: file.size,
        head: () => file.head(),
        text: (maxBytes?: number) => file.text(maxBytes),
        async *lines() {
          const feed = reads++ === 0;
          for await (const line of file.lines()) {
            if (feed) hash.update(line).update("\n");
            yield line;
          }
        },
      };
  async function* hashed(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    const feed = reads++ === 0;
    for await (const chunk of chunks) {
      if (feed) hash.update(chunk);
      yield chunk;
    }
  }
  const digest = () => {
    if (delegated === null) return hash.digest("hex");
    if (delegated.hex === null) throw new Error("the content hash was not delivered by the reader that took it");
    return delegated.hex;
  };
  return { file: wrapped, digest };
}

function cancelled(signal?: AbortSignal): boolean {
  return signal?.aborted ?? false;
}

export async function ingest(prisma: Db, request: IngestRequest): Promise<IngestResult> {
  const started = Date.now();
  // Messages and names go into the run record too: made storable like any value (a NUL in an uploaded file's name,
  // a parser's error quoting the bad line).
  const storableText = (text: string) => storable(text, LIMITS.short, new ValueTally());
  const fileName = storable(request.file.name || "upload", LIMITS.key, new ValueTally());
  const options = { ...(request.options?.api ? { api: storable(request.options.api, LIMITS.key, new ValueTally()) } : {}) };
  const warnings: IngestResult["warnings"] = [];
  const lineErrors: LineError[] = [];
  let errorCount = 0;

  // The content hash (dedupe) is filled in once known: before parsing for documents, while parsing for streamed logs.
  let contentHash = "";
  const run = await prisma.ingestRun.create({
    data: {
      channel: request.channel,
      fileName,
      contentHash,
      sizeBytes: BigInt(request.file.size ?? 0),
      status: "running",
      options: { ...options, ...(request.options?.format ? { format: storableText(request.options.format) } : {}) },
      actorType: request.actor.type,
      actorId: request.actor.id ?? null,
      owner: runOwner(),
    },
    select: { id: true },
  });
  // A server's other processes see this run alive until it ends (or interrupted once the heartbeat stops: runs.ts).
  const heartbeat = startHeartbeat(prisma, run.id);

  let parser: AnyParser | null = null;
  const finish = async (
    status: IngestStatus,
    message: string | null,
    counts: Record<string, number> = {},
  ): Promise<IngestResult> => {
    heartbeat.stop();
    const durationMs = Date.now() - started;
    const reason = message === null ? null : storableText(message);
    await prisma.ingestRun.update({
      where: { id: run.id },
      data: {
        status,
        family: parser?.family ?? null,
        format: parser?.id ?? null,
        counts: counts as Prisma.InputJsonValue,
        warnings: warnings as unknown as Prisma.InputJsonValue,
        lineErrors: lineErrors as unknown as Prisma.InputJsonValue,
        errorCount,
        error: reason,
        contentHash,
        durationMs,
        finishedAt: new Date(),
      },
    });
    return {
      runId: run.id,
      status,
      fileName,
      family: parser?.family ?? null,
      format: parser?.id ?? null,
      counts,
      warnings,
      lineErrors,
      errorCount,
      message: reason,
      durationMs,
    };
  };

  try {
    // 1. Detect, in UTF-8 (a UTF-16 file with a byte order mark is decoded as it is read).
    const decoded = await decodedSource(request.file);
    const head = await decoded.head();
    if (request.options?.format) {
      parser = parserById(request.options.format) ?? null;
      if (!parser) return await finish("failed", `unknown format "${request.options.format}"`);
    } else {
      parser = detectParser(head, fileName);
      if (!parser) {
        return await finish("failed", head.trim() ? undetectedMessage(head, fileName) : "the file is empty");
      }
    }

    // 2. Identical content of the same format already ingested: a no-op that says so. Streamed logs are hashed while
    // they are read (step 4), and a duplicate found then rolls the transaction back: one read instead of two.
    const runOptions = JSON.stringify({ ...options, ...(request.options?.format ? { format: storableText(request.options.format) } : {}) });
    const formatId = parser.id;
    const findDuplicate = async (db: Tx | Db, hash: string): Promise<string | null> => {
      const previous = await db.ingestRun.findFirst({
        where: { contentHash: hash, status: "succeeded", format: formatId, id: { not: run.id } },
        orderBy: { startedAt: "desc" },
        select: { id: true, fileName: true, startedAt: true, options: true },
      });
      if (!previous || JSON.stringify(previous.options ?? {}) !== runOptions) return null;
      return `identical content was already ingested from ${previous.fileName} at ${previous.startedAt.toISOString()}; nothing changed`;
    };
    /**
     * The duplicate check that counts, inside the transaction: identical content of the same format stored at the
     * same moment by another process (two CLIs on one PostgreSQL) takes this lock too, so one transaction waits for
     * the other to end and then finds its run, which is marked succeeded inside that transaction (below).
     */
    const claimContent = async (tx: Tx, hash: string) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended(${`postern-ingest:${formatId}:${hash}`}, 0))`;
      const duplicate = await findDuplicate(tx, hash);
      if (duplicate) throw new DuplicateError(duplicate);
    };
    const persist = PERSISTERS[parser.family];
    let file = decoded;
    let streamedDigest: (() => string) | null = null;
    if (persist?.mode === "stream") {
      const hashing = hashingWhileRead(decoded);
      file = hashing.file;
      streamedDigest = hashing.digest;
    } else {
      contentHash = await hashContent(decoded);
      const duplicate = await findDuplicate(prisma, contentHash);
      if (duplicate) return await finish("duplicate", duplicate);
    }

    if (!persist) {
      return await finish(
        "failed",
        `${parser.label} was recognised, but storing ${FAMILY_LABEL[parser.family]} is not available in this version of Postern`,
      );
    }

    // 3. Parse (pure) and 4. persist in one transaction: all of the file or nothing.
    const ctx: ParseContext = {
      options: request.specLint === false ? { ...options, specLint: false } : options,
      warn: (message, line) => {
        if (warnings.length < MAX_WARNINGS) warnings.push({ message: storableText(message), ...(line === undefined ? {} : { line }) });
      },
      lineError: (line, message) => {
        errorCount += 1;
        if (lineErrors.length < MAX_LINE_ERRORS) lineErrors.push({ line, message: storableText(message) });
      },
      countLineErrors: (count) => {
        errorCount += count;
      },
      ...(request.signal ? { signal: request.signal } : {}),
    };
    const noRecords = `no ${FAMILY_LABEL[parser.family]} records found in the file`;
    const onProgress = request.onProgress;
    const source: PersistSource = {
      runId: run.id,
      format: parser.id,
      fileName,
      now: request.now ?? new Date(),
      options,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(onProgress ? { progress: (records: number) => onProgress({ records }) } : {}),
      warn: (message, line) => ctx.warn(message, line),
      input: { file, format: parser.id, label: parser.label, ctx },
    };
    // Values are made storable (server/ingest/sanitize.ts) at this boundary: every record of a batch family or a
    // vault audit; gateway logs where the aggregator keeps a string (the hot path checks keys, not requests).
    const values = new ValueTally();
    const seen = new WeakSet<object>();
    const reportValues = async () => {
      // Records of documents carry no line numbers: the lines are found in the file, read again only in this case.
      if (values.cleaned > 0 && values.cleanedLines.length === 0) values.cleanedLines.push(...(await suspectLines(file)));
      for (const w of values.warnings()) ctx.warn(w.message, w.line);
    };
    let parsed = parser.parse(file, ctx);
    let batch: unknown[] | null = null;
    if (persist.mode === "batch") {
      batch = [];
      for await (const record of parsed) {
        sanitiseRecord(record, values, seen);
        batch.push(record);
        if (cancelled(request.signal)) return await finish("cancelled", "cancelled before anything was written");
      }
      if (batch.length === 0) return await finish("failed", `${noRecords}; nothing was written`);
      await reportValues();
    } else if (parser.family !== "traffic") {
      parsed = sanitisedStream(parsed, values);
    }
    const format = parser.id;
    const family = parser.family;
    const outcome = await prisma.$transaction(
      async (tx) => {
        let result: { counts: object; apiIds: string[]; records: number };
        if (persist.mode === "batch" && batch) {
          await claimContent(tx, contentHash);
          result = { ...(await persist.write(tx, batch, source)), records: batch.length };
        } else if (persist.mode === "stream") {
          result = await persist.write(tx, parsed, source);
          if (result.records === 0) throw new ParseError(noRecords);
          if (streamedDigest && !cancelled(request.signal)) {
            contentHash = streamedDigest();
            await claimContent(tx, contentHash);
          }
        } else {
          throw new Error("unreachable");
        }
        if (cancelled(request.signal)) throw new CancelledError();
        const counts = { records: result.records, ...(result.counts as Record<string, number>), apisTouched: result.apiIds.length };
        // Stored: the run says so in the same commit (a concurrent identical ingest finds it; a process killed
        // before finish() leaves a succeeded run, not a running one).
        await tx.ingestRun.update({
          where: { id: run.id },
          data: { status: "succeeded", family, format, contentHash, counts: counts as Prisma.InputJsonValue },
          select: { id: true },
        });
        return { ...result, counts };
      },
      { maxWait: 60_000, timeout: 6 * 3600_000 },
    );
    if (persist.mode === "stream") await reportValues();
    const counts = outcome.counts;
    // 5. Recompute correlation and risk for the touched Apis, outside the ingest transaction: the file is stored
    // whatever happens here; a failure becomes a warning (`postern correlate` recomputes everything).
    try {
      if (request.correlate !== false) await correlate(prisma, { apiIds: outcome.apiIds });
    } catch (error) {
      console.error(`ingest ${run.id}: correlation failed:`, error instanceof Error ? error.message : error);
      if (warnings.length < MAX_WARNINGS) warnings.push({ message: "stored, but recomputing findings and risk failed; run `postern correlate`" });
    }
    await recordAudit(prisma, {
      actor: { type: request.actor.type, id: request.actor.id ?? null },
      action: "ingest",
      target: { type: "ingest_run", id: run.id },
      origin: "ingest",
      details: { fileName, format, channel: request.channel, counts },
    });
    return await finish("succeeded", null, counts);
  } catch (error) {
    // Cancelled: our own marker, or whatever a parser threw because the signal was aborted mid-read.
    if (error instanceof CancelledError || request.signal?.aborted) return finish("cancelled", "cancelled; nothing was written");
    if (error instanceof DuplicateError) return finish("duplicate", error.message);
    if (error instanceof ParseError) {
      return finish("failed", error.line ? `${error.message} (line ${error.line}); nothing was written` : `${error.message}; nothing was written`);
    }
    // Unexpected: keep the detail out of the run record (it may hold SQL or data); log it server-side.
    console.error(`ingest ${run.id} failed:`, error instanceof Error ? error.message : error);
    return finish("failed", "internal error while storing the file; nothing was written");
  }
}

/** A streamed family's records, each made storable (sanitiseRecord) as it passes. */
async function* sanitisedStream(records: AsyncIterable<unknown>, values: ValueTally): AsyncIterable<unknown> {
  const seen = new WeakSet<object>();
  for await (const record of records) {
    sanitiseRecord(record, values, seen);
    yield record;
  }
}

class CancelledError extends Error {}
class DuplicateError extends Error {}
