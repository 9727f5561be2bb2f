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
