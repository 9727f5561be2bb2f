/**
 * A guard run before the `yaml` library sees a file: flow collections (`[`, `{`) nested deeper than MAX_YAML_DEPTH
 * are refused with a ParseError. The library's time grows steeply with such nesting (about 7 µs per byte measured by
 * the fuzz suite: a 16 MB file of brackets would hold the ingest queue for minutes), and no real spec or catalog
 * nests anywhere near this deep. One linear pass; quoted scalars and comments are skipped.
 */
import { ParseError } from "../../contract";

export const MAX_YAML_DEPTH = 200;

export function assertYamlDepth(text: string, what: string): void {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 91 || c === 123) {
      // [ {
      if (++depth > MAX_YAML_DEPTH) throw new ParseError(`${what}: collections nested deeper than ${MAX_YAML_DEPTH} levels (line ${line})`, line);
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    } else if (c === 34 || c === 39) {
      // A quoted scalar: skip to its closing quote ('' and \" escapes), never past the end of its line for '"'.
      const quote = c;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 10) line++;
        if (quote === 34 && d === 92) i++;
        else if (d === quote) {
          if (quote === 39 && text.charCodeAt(i + 1) === 39) i++;
          else break;
        }
      }
    } else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
      // # comment to the end of the line
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10) i++;
    }
  }
}
