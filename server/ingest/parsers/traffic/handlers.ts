/**
 * The gateway-log line readers by parser id, for the parse worker (line-worker.ts) and the shard workers, which look
 * a reader up by the id the main thread sends. Each format declares its reader on its own parser object
 * (`Parser.lines`), so adding a line format is its folder and one line in ./index.ts, nothing here.
 */
import type { LineReader, LineResult } from "../../contract";
import { trafficParsers } from "./index";
import { isBlank } from "./common";

const READERS = new Map<string, LineReader>();
for (const parser of trafficParsers) if (parser.lines) READERS.set(parser.id, parser.lines);

/** Whether format `id` can be read line by line on another thread. */
export function hasLineReader(id: string): boolean {
  return READERS.has(id);
}

/**
 * The line reader of `id` over a range of a larger decoded text (`text.slice(start, end)` is the line): the
 * format's in-place scanner where it has one (Kong: kong-log/scan.ts, which answers exactly what the handler would,
 * or undefined to let it), else the handler on the sliced line. Blank lines give null (counted, not parsed).
 * Strings cut from the text are slices that keep the whole decoded window alive: whatever holds them for long must
 * copy them first (server/traffic/own-string.ts; the aggregator does).
 */
export function rangeHandler(id: string): ((text: string, start: number, end: number) => LineResult | null) | undefined {
  const reader = READERS.get(id);
  if (reader === undefined) return undefined;
  const { handle, scanRange } = reader;
  return (text, start, end) => {
    const first = start < end ? text.charCodeAt(start) : 0;
    if (first <= 32 && isBlank(text.slice(start, end))) return null;
    return scanRange?.(text, start, end) ?? handle(text.slice(start, end));
  };
}
