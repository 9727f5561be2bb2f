/**
 * Every input format Postern reads. Adding a format = a parser folder, its tests, and one line in its family's
 * index. Ids must be unique: the registry refuses duplicates at load time.
 */
import type { Family, Parser } from "./contract";
import { inventoryParsers } from "./parsers/inventory";
import { scanParsers } from "./parsers/scan";
import { trafficParsers } from "./parsers/traffic";
import { vaultParsers } from "./parsers/vault";

export type AnyParser = Parser<Family, unknown>;

export const PARSERS: readonly AnyParser[] = [
  ...inventoryParsers,
  ...scanParsers,
  ...trafficParsers,
  ...vaultParsers,
] as AnyParser[];

const byId = new Map<string, AnyParser>();
for (const parser of PARSERS) {
  if (byId.has(parser.id)) throw new Error(`duplicate parser id ${parser.id}`);
  byId.set(parser.id, parser);
}

export function parserById(id: string): AnyParser | undefined {
  return byId.get(id);
}

export const FORMAT_IDS = PARSERS.map((p) => p.id);

/** Minimum confidence for auto-detection; below it the file is "not a known format". */
const DETECTION_THRESHOLD = 0.5;

/** How many complete non-blank lines of the head the line formats are tried on when nothing was detected. */
export const NEAR_MISS_LINES = 20;

/**
 * Why no parser claimed `head`, as the ingest's failure message. When a line format (a parser with a line reader)
 * reads some of the first NEAR_MISS_LINES lines, the message names that format and its first line it cannot read,
 * so the user sees a variant of a known format rather than a foreign file; else, when a document format found some
 * of its markers (a score above 0 but below the threshold), it names that one. `head` must not be blank.
 */
export function undetectedMessage(head: string, fileName: string): string {
  const lines: { no: number; text: string }[] = [];
  let start = 0;
  let no = 0;
  while (lines.length < NEAR_MISS_LINES && start < head.length) {
    const nl = head.indexOf("\n", start);
    if (nl === -1 && head.length >= 60 * 1024) break; // the head was cut: its last line is probably partial
    let text = head.slice(start, nl === -1 ? head.length : nl);
    start = nl === -1 ? head.length : nl + 1;
    no++;
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() !== "") lines.push({ no, text });
  }
  let best: { parser: AnyParser; read: number; firstBad?: { no: number; reason: string } } | undefined;
  for (const parser of PARSERS) {
    if (!parser.lines) continue;
    let read = 0;
    let firstBad: { no: number; reason: string } | undefined;
    for (const line of lines) {
      let result: unknown;
      try {
        result = parser.lines.handle(line.text);
      } catch (error) {
        result = error instanceof Error ? error.message : "unreadable";
      }
      if (typeof result === "string") firstBad ??= { no: line.no, reason: result };
      else read++;
    }
    if (read > 0 && (best === undefined || read > best.read)) best = { parser, read, ...(firstBad ? { firstBad } : {}) };
  }
  if (best) {
    const { parser, read, firstBad } = best;
    const bad = firstBad ? `; line ${firstBad.no} does not (${firstBad.reason})` : "";
    return (
      `not a format Postern reads with confidence: ${read} of its first ${lines.length} lines read as ${parser.label} (${parser.id})${bad}. ` +
      `A variant of that format? --format ${parser.id} reads the lines it can and reports the others`
    );
  }
  let closest: { parser: AnyParser; score: number } | undefined;
  for (const parser of PARSERS) {
    let score = 0;
    try {
      score = parser.detect(head, fileName);
    } catch {
      score = 0;
    }
    if (score > 0 && (closest === undefined || score > closest.score)) closest = { parser, score };
  }
  if (closest) {
    return `not a format Postern reads with confidence: it is closest to ${closest.parser.label} (${closest.parser.id}), but not enough to be sure; --format ${closest.parser.id} reads it as that and says what does not fit`;
  }
  return "not a format Postern reads (no parser recognised its content)";
}

/** The parser whose format the content is, or null. Ties go to the first registered. */
export function detectParser(head: string, fileName: string): AnyParser | null {
  let best: AnyParser | null = null;
  let bestScore = DETECTION_THRESHOLD;
  for (const parser of PARSERS) {
    let score = 0;
    try {
      score = parser.detect(head, fileName);
    } catch {
      score = 0;
    }
    if (score > bestScore) {
      best = parser;
      bestScore = score;
    }
  }
  return best;
}
