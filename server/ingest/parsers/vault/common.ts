/**
 * Helpers shared by the vault-audit parsers (HashiCorp Vault, CloudTrail, CyberArk): JSON shape guards, RFC 3339
 * times, HMAC scrubbing and the "first records are all bad → not this format" gate.
 */
import { ParseError } from "../../contract";
import { redact } from "../../redact";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string field, else undefined. Numbers are accepted and stringified (ids sometimes are numbers). */
export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value.length > 0 ? value : undefined;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

export function obj(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

const HMAC = /hmac-sha256:[0-9a-fA-F]*/g;

/** True when a value is (or contains) a Vault HMAC. Such values are never copied into an event. */
export function hasHmac(value: string): boolean {
  return value.includes("hmac-sha256:");
}

/** A plain (non-HMAC) string field, else undefined. */
export function plain(value: unknown): string | undefined {
  const s = str(value);
  return s === undefined || hasHmac(s) ? undefined : s;
}

/**
 * A value of the input quoted in a line error, bounded: a string as JSON (cut to `maxChars`), a number or boolean as
 * is, anything else by its kind. JSON.stringify of the value itself could be megabytes long, and throws a RangeError
 * on a value nested 100,000 deep.
 */
export function quoteValue(value: unknown, maxChars = 100): string {
  if (typeof value === "string") {
    if (value.length <= maxChars) return JSON.stringify(value);
    // Not between the two halves of a surrogate pair.
    const end = /[\uD800-\uDBFF]/.test(value.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return JSON.stringify(`${value.slice(0, end)}…`);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined || value === null) return "null";
  return Array.isArray(value) ? "(an array)" : "(an object)";
}

/** Error text made safe to keep: credentials redacted, HMACs replaced, whitespace collapsed, length capped. */
export function safeErrorText(text: string | undefined, maxChars = 1000): string | undefined {
  if (!text) return undefined;
  const clean = redact(text.replace(HMAC, "[hmac]"))
    .replace(/\s+/g, " ")
    .trim();
  if (!clean) return undefined;
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/**
 * RFC 3339 / ISO 8601 date-time (any number of fractional digits, truncated to milliseconds) → epoch ms.
 * A time without a zone is taken as UTC. Returns undefined for anything else (including impossible dates).
 */
export function parseRfc3339(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = RFC3339.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, "0")) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  const check = new Date(utc);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;
  const offset = sign ? (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000 : 0;
  return utc - offset;
}

/** How many records decide whether a file is of the claimed format at all. */
export const FORMAT_PROBE_RECORDS = 20;

/**
 * Counts good and bad records. When the first FORMAT_PROBE_RECORDS records (or all of them, in a shorter file) are
 * bad, the file is not this format: ParseError, nothing is written. Later bad records are only line errors.
 */
export class RecordGate {
  private seen = 0;
  private bad = 0;

  constructor(private readonly formatName: string) {}

  good(): void {
    this.seen++;
  }

  /** Records a bad record; throws once the probe window is all bad. */
  fail(line: number, message: string, lineError: (line: number, message: string) => void): void {
    this.seen++;
    this.bad++;
    lineError(line, message);
    if (this.seen === FORMAT_PROBE_RECORDS && this.bad === this.seen) {
      throw new ParseError(
        `not ${this.formatName}: the first ${FORMAT_PROBE_RECORDS} records are all invalid (line ${line}: ${message})`,
        line,
      );
    }
  }

  /** Call at the end of the file. */
  finish(): void {
    if (this.seen === 0) throw new ParseError(`not ${this.formatName}: the file holds no records`);
    if (this.seen < FORMAT_PROBE_RECORDS && this.bad === this.seen) {
      throw new ParseError(`not ${this.formatName}: none of its ${this.seen} record(s) is valid`);
    }
  }

  get records(): number {
    return this.seen;
  }
}

/** Cancellation check, cheap enough to call per record. */
export function checkAbort(signal: AbortSignal | undefined, counter: number): void {
  if (signal && counter % 1000 === 0 && signal.aborted) throw new ParseError("ingest cancelled");
}
