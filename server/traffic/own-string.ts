/**
 * A copy of `s` that keeps nothing else alive. Parsers cut fields out of large decoded texts, and V8 makes a cut of
 * 13 characters or more a slice that holds on to the whole text: a client key or host kept in a map for hours would
 * keep its line's 64 KB window of the log in memory (2,000 such keys: 128 MB). Flattening " " + s copies the
 * characters into a string of their own. For keys and held samples, not for every request.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}
