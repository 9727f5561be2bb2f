/**
 * The parser contract. Every input format is one parser: it detects its format from the first bytes of a file and
 * turns the file into normalised records of its family. Parsers are pure: they never touch the database, the
 * network or the clock (times come from the input). The pipeline (server/ingest/pipeline.ts) is the only writer.
 */
import type { InventoryApi, ScanRecord, TrafficEvent, VaultEvent } from "@/server/domain/records";

export type Family = "inventory" | "scan" | "traffic" | "vault";

/** A file being ingested. Reading is lazy so that large logs can be streamed with bounded memory. */
export interface SourceFile {
  /** Original file name ("" when unknown, e.g. a raw HTTP body). Only a hint: detection is by content. */
  readonly name: string;
  /** Size in bytes when known up front, else null. */
  readonly size: number | null;
  /** Where the content is on disk, when it is a file: large gateway logs are then read in parallel byte ranges. */
  readonly path?: string;
  /** The first HEAD_BYTES of the content decoded as UTF-8 (BOM stripped). */
  head(): Promise<string>;
  /** The whole content as text. Throws ParseError when it is larger than `maxBytes`. */
  text(maxBytes?: number): Promise<string>;
  /** The content line by line (without line terminators), streamed. Line numbers start at 1. */
  lines(): AsyncIterable<string>;
  /**
   * The raw bytes, streamed, when the source can give them (files, buffers): lets large logs be split into line
   * batches for a parse worker and hashed without decoding. `lines()` must be the same content.
   */
  chunks?(): AsyncIterable<Uint8Array>;
  /**
   * The raw bytes for a reader that computes their SHA-256 itself (the parse worker, on its own thread) and hands the
   * hex digest back once it has read them all, so that the ingest does not hash them on its thread too. Offered by
   * sources that hash what is read (the pipeline's); `digest` must be called after the last chunk.
   */
  chunksHashedBy?(): { chunks: AsyncIterable<Uint8Array>; digest(hex: string): void };
}

export const HEAD_BYTES = 64 * 1024;
/** Default ceiling for formats that must be read whole (specs, JSON/XML reports). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface ParseContext {
  /**
   * Options given at ingest time. `api` attributes a whole file (e.g. an NGINX log without hosts) to one Api.
   * `specLint: false` skips the Spectral lint of OpenAPI/Swagger specs (~0.1-0.4 s per spec; for bulk loads).
   */
  readonly options: Readonly<{ api?: string; specLint?: boolean }>;
  /** A file-level note that does not stop the ingest (e.g. "external $ref not fetched"). */
  warn(message: string, line?: number): void;
  /** A record that could not be parsed: counted, the first 100 kept with their line numbers; the rest of the file ingests. */
  lineError(line: number, message: string): void;
  /** `count` more bad lines whose details were not kept (a reader that keeps only the first ones): counted only. */
  countLineErrors?(count: number): void;
  /** Set when the ingest was cancelled; long-running parsers check it between records. */
  readonly signal?: AbortSignal;
  /**
   * Per-record work a streaming persister hands to the parse worker, set before it iterates the records: a gateway
   * log parsed on a worker thread (parsers/traffic/parallel.ts) runs it there on each event, in file order, so that
   * it costs the ingest thread nothing. See EventStage.
   */
  eventStage?: EventStage;
}

/**
 * A module run in the parse worker: `module` (a file URL) exports `createEventStage(data)`, which returns the
 * function called with each parsed event; it may add properties to the event (plain data, copied to the ingest
 * thread with it). `data` must be structured-cloneable.
 */
export interface EventStage {
  module: string;
  data: unknown;
}

/** The whole file is rejected (not this format, truncated, too large, unsafe). Nothing is written. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "ParseError";
  }
}

export interface Parser<F extends Family = Family, R = RecordOf<F>> {
  /** Stable format id used by the CLI (`--format`), the API and ingest runs, e.g. "openapi", "zap-json". */
  readonly id: string;
  readonly family: F;
  /** Human label, e.g. "OWASP ZAP (JSON)". */
  readonly label: string;
  /**
   * How sure this parser is that `head` (the first 64 KiB) is its format: 0 = not mine, 1 = certain.
   * Content decides; the file name may only break ties (return e.g. 0.3 for a bare extension match).
   */
  detect(head: string, fileName: string): number;
  /** Normalised records of the file. Throws ParseError to reject the whole file. */
  parse(file: SourceFile, ctx: ParseContext): AsyncIterable<R>;
  /**
   * Line-oriented formats (gateway logs) declare how one line becomes events: the parse worker and the shard workers
   * (parsers/traffic/parallel.ts, server/traffic/shards.ts) read large files with it on other threads. A format
   * without it is always read by `parse` on the ingest thread.
   */
  readonly lines?: LineReader;
}

/** A well-formed line that carries no record (TCP proxy line, empty request line): counted, not an error. */
export class Skip {
  constructor(readonly reason: string) {}
}

/** What a line reader returns for one line: event(s), a Skip, or a string = the reason the line is bad. */
export type LineResult = TrafficEvent | TrafficEvent[] | Skip | string;

export interface LineReader {
  /** One line (without its terminator) → its result. Pure. */
  handle(line: string): LineResult;
  /**
   * Optional fast path over `text.slice(start, end)` without slicing it: answers exactly what `handle` would, or
   * undefined when unsure (then `handle` decides). Strings it returns may be slices of `text`.
   */
  scanRange?(text: string, start: number, end: number): LineResult | undefined;
}

export type RecordOf<F extends Family> = F extends "inventory"
  ? InventoryApi
  : F extends "scan"
    ? ScanRecord
    : F extends "traffic"
      ? TrafficEvent
      : F extends "vault"
        ? VaultEvent
        : never;

// The records (Apis, findings, traffic and vault events) are the domain's vocabulary: defined on the ground floor,
// re-exported here with the contract that produces them.
export * from "@/server/domain/records";
