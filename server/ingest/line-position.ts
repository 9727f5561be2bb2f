/**
 * Where the reader of a line-oriented file is: the line of the record it handed out last. Gateway-log readers
 * (parsers/traffic/common.ts runLines, with or without the parse worker) keep it up to date, one store per line, so that
 * whoever consumes a record can say which line it came from when something about it is worth a warning (values that
 * had to be cleaned: server/traffic/aggregate.ts), without every record carrying its line number.
 */
import type { ParseContext } from "./contract";

export interface ReadPosition {
  /** 1-based line of the record last yielded; 0 before the first. */
  line: number;
}

const positions = new WeakMap<ParseContext, ReadPosition>();

/** The position of the reader that parses with `ctx` (created at 0 on first use). */
export function readPosition(ctx: ParseContext): ReadPosition {
  let position = positions.get(ctx);
  if (position === undefined) {
    position = { line: 0 };
    positions.set(ctx, position);
  }
  return position;
}
