// Helpers for parser tests: real samples from fixtures/samples (provenance in its SOURCES.md) and a recording ParseContext.
import path from "node:path";
import { type Family, isScannedScope, type ParseContext, type Parser, type RecordOf, type ScannedScope, type SourceFile } from "./contract";
import { bufferSource, fileSource } from "./source";

export const SAMPLES_DIR = path.resolve(import.meta.dirname, "../../fixtures/samples");

/** A real sample, e.g. sample("scan-results/codeql-2.5.4.sarif"). */
export function sample(relativePath: string): Promise<SourceFile> {
  return fileSource(path.join(SAMPLES_DIR, relativePath));
}

export function textSource(content: string, name = ""): SourceFile {
  return bufferSource(content, name);
}

export interface ParseOutcome<R> {
  /** The records, without the scopes a scan report says it scanned (those are in `scopes`). */
  records: Exclude<R, ScannedScope>[];
  scopes: ScannedScope[];
  warnings: { message: string; line?: number }[];
  lineErrors: { line: number; message: string }[];
}

export async function parseAll<F extends Family>(
  parser: Parser<F, RecordOf<F>>,
  file: SourceFile,
  options: ParseContext["options"] = {},
): Promise<ParseOutcome<RecordOf<F>>> {
  const outcome: ParseOutcome<RecordOf<F>> = { records: [], scopes: [], warnings: [], lineErrors: [] };
  const ctx: ParseContext = {
    options,
    warn: (message, line) => outcome.warnings.push({ message, ...(line === undefined ? {} : { line }) }),
    lineError: (line, message) => outcome.lineErrors.push({ line, message }),
  };
  for await (const record of parser.parse(file, ctx)) {
    if (isScannedScope(record)) outcome.scopes.push(record);
    else outcome.records.push(record as Exclude<RecordOf<F>, ScannedScope>);
  }
  return outcome;
}
