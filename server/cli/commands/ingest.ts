import { stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { SourceFile } from "@/server/ingest/contract";
import type { IngestResult } from "@/server/ingest/pipeline";
import { splitLines } from "@/server/ingest/source";
import { type CliIO, type Command, EXIT, HELP, line, type OutStream, parseOrThrow, UsageError, withDatabase, write } from "./shared";

const HELP_TEXT = `Usage: postern ingest FILE… [--format ID] [--api NAME] [--json]

Runs each file through the ingest pipeline (detect → parse → validate → store) and prints one line per file:
  <file>: <status> <format> <counts>
followed by warnings and the first line-level errors with their line numbers. Re-ingesting identical content is a
no-op reported as "duplicate". Exit code 1 when any file failed.

Options:
  --format ID   skip detection and read every file as this format (see "postern ingest --formats")
  --api NAME    attribute the files to this Api (logs that carry no host, e.g. NGINX combined)
  --json        print the ingest results as a JSON array instead
  --formats     list the format ids and exit
  -h, --help    show this help`;

const SHOWN_LINE_ERRORS = 10;
const SHOWN_WARNINGS = 10;
const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;

/** A result for a file that never reached the pipeline (missing, unreadable). */
type CliIngestResult = Omit<IngestResult, "runId"> & { runId: string | null };

function notRead(fileName: string, message: string): CliIngestResult {
  return { runId: null, status: "failed", fileName, family: null, format: null, counts: {}, warnings: [], lineErrors: [], errorCount: 0, message, durationMs: 0 };
}

function countsSummary(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
}

async function report(out: OutStream, file: string, result: CliIngestResult): Promise<void> {
  const parts = [`${file}: ${result.status}`, result.format ?? "-"];
  if (result.status === "succeeded") parts.push(countsSummary(result.counts));
  let head = parts.filter(Boolean).join(" ");
  if (result.message) head += ` (${result.message})`;
  await line(out, head);
  for (const warning of result.warnings.slice(0, SHOWN_WARNINGS)) {
    await line(out, warning.line === undefined ? `  warning: ${warning.message}` : `  line ${warning.line}: warning: ${warning.message}`);
  }
  if (result.warnings.length > SHOWN_WARNINGS) await line(out, `  … ${result.warnings.length - SHOWN_WARNINGS} more warnings`);
  for (const error of result.lineErrors.slice(0, SHOWN_LINE_ERRORS)) await line(out, `  line ${error.line}: ${error.message}`);
  const hidden = result.errorCount - Math.min(result.lineErrors.length, SHOWN_LINE_ERRORS);
  if (hidden > 0) await line(out, `  … ${hidden} more line errors (${result.errorCount} in total, not ingested)`);
}

/** Reports bytes read per second on a TTY while a large file is read (hashing and parsing each read it once). */
function withProgress(source: SourceFile, label: string, err: OutStream): SourceFile {
  const total = source.size ?? 0;
  const meter = () => {
    const started = Date.now();
    let bytes = 0;
    let lines = 0;
    let lastShown = started;
    return {
      add(byteCount: number, lineCount: number) {
        bytes += byteCount;
        lines += lineCount;
        const now = Date.now();
        if (now - lastShown < 1000) return;
        lastShown = now;
        const seconds = (now - started) / 1000;
        const percent = total ? Math.min(100, (bytes / total) * 100) : 0;
        err.write(
          `\r${label}: ${percent.toFixed(0)}% · ${lines.toLocaleString("en")} lines · ${Math.round(lines / seconds).toLocaleString("en")} lines/s · ${(bytes / 1e6 / seconds).toFixed(1)} MB/s   `,
        );
      },
      done() {
        if (lastShown !== started) err.write("\r\x1b[K");
      },
    };
  };
  async function* meteredChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    const m = meter();
    try {
      for await (const chunk of chunks) {
        let newlines = 0;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
        m.add(chunk.byteLength, newlines);
        yield chunk;
      }
    } finally {
      m.done();
    }
  }
  const base = {
    name: source.name,
    size: source.size,
    ...(source.path === undefined ? {} : { path: source.path }),
    head: () => source.head(),
    text: (maxBytes?: number) => source.text(maxBytes),
  };
  if (source.chunks) {
    const chunks = source.chunks.bind(source);
    return { ...base, chunks: () => meteredChunks(chunks()), lines: () => splitLines(meteredChunks(chunks())) };
  }
  return {
    ...base,
    async *lines() {
      const m = meter();
      try {
        for await (const text of source.lines()) {
          m.add(text.length + 1, 1); // close enough for progress (exact for ASCII logs)
          yield text;
        }
      } finally {
        m.done();
      }
    },
  };
}

async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...HELP, format: { type: "string" }, api: { type: "string" }, json: { type: "boolean" }, formats: { type: "boolean" } },
    }),
  );
  if (values.help) {
    await line(io.stdout, HELP_TEXT);
    return EXIT.ok;
  }
  const [{ FORMAT_IDS }, { ingest }, { fileSource }] = await Promise.all([
    import("@/server/ingest/registry"),
    import("@/server/ingest/pipeline"),
    import("@/server/ingest/source"),
  ]);
  if (values.formats) {
    await line(io.stdout, FORMAT_IDS.join("\n"));
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError("ingest needs at least one FILE (see postern ingest --help)");
  if (values.format !== undefined && !FORMAT_IDS.includes(values.format)) {
    throw new UsageError(`unknown format "${values.format}" (known: ${FORMAT_IDS.join(", ")})`);
  }
  const api = values.api?.trim();
  if (values.api !== undefined && !api) throw new UsageError("--api needs a name");

  return withDatabase(io, async (prisma) => {
    const results: CliIngestResult[] = [];
    const ingestOne = async (file: string): Promise<CliIngestResult> => {
      let source: SourceFile;
      // Relative to the caller's directory, also when the server runs the command for a CLI elsewhere.
      const resolved = path.resolve(io.cwd ?? process.cwd(), file);
      try {
        const info = await stat(resolved);
        if (!info.isFile()) return notRead(file, "not a regular file");
        source = await fileSource(resolved, path.basename(file));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return notRead(file, code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : "cannot read the file");
      }
      if (io.stderr.isTTY && (source.size ?? 0) > PROGRESS_MIN_BYTES) source = withProgress(source, file, io.stderr);
      return ingest(prisma, {
        file: source,
        channel: "cli",
        actor: { type: "system" },
        options: { ...(values.format ? { format: values.format } : {}), ...(api ? { api } : {}) },
        ...(io.signal ? { signal: io.signal } : {}),
        // Several files: correlate once at the end rather than after each file.
        correlate: positionals.length === 1,
      });
    };
    for (const file of positionals) {
      const result = await ingestOne(file);
      results.push(result);
      if (!values.json) await report(io.stdout, file, result);
      if (io.signal?.aborted) break;
    }
    if (positionals.length > 1 && !io.signal?.aborted && results.some((r) => r.status === "succeeded")) {
      const { correlate } = await import("@/server/correlate/engine");
      await correlate(prisma, {});
    }
    if (values.json) await write(io.stdout, `${JSON.stringify(results, null, 2)}\n`);
    if (io.signal?.aborted) return EXIT.interrupted;
    return results.some((r) => r.status === "failed" || r.status === "cancelled") ? EXIT.failure : EXIT.ok;
  });
}

export const command: Command = { name: "ingest", summary: "ingest inventories, scan results, gateway logs and vault audits", help: HELP_TEXT, run };
