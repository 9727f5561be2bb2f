/**
 * Helpers shared by the scanner-result parsers: bounded text, HTML stripping, CWE/CVE/URL extraction, safe JSON and
 * XML reading, and grouping of identical findings into one with occurrences.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { ParseError, type ParseContext, type ScanFinding, type SourceFile } from "../../contract";
import { evidenceExcerpt, redact } from "../../redact";

export const MAX_TITLE_CHARS = 300;
export const MAX_TEXT_CHARS = 8000;
export const MAX_EVIDENCE_CHARS = 4000;
export const MAX_REFERENCES = 20;

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** A non-empty trimmed string from a string or number, else undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === "string") {
    const t = value.trim();
    return t === "" ? undefined : t;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

export function int(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A one-line bounded title. */
export function title(text: string): string {
  return truncate(text.replace(/\s+/g, " ").trim(), MAX_TITLE_CHARS);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/** Decodes the predefined XML/HTML entities and numeric character references; leaves any other `&name;` as is. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    const name = body.toLowerCase();
    return Object.hasOwn(NAMED_ENTITIES, name) ? (NAMED_ENTITIES[name] as string) : m;
  });
}

/** HTML (ZAP desc/solution, Burp backgrounds) as plain text: tags removed, block ends as newlines, bounded. */
export function htmlToText(html: unknown, max = MAX_TEXT_CHARS): string | undefined {
  const raw = str(html);
  if (!raw) return undefined;
  // Bound the work on huge inputs before any regex runs.
  const input = raw.length > max * 4 ? raw.slice(0, max * 4) : raw;
  const text = decodeEntities(
    input
      .replace(/<(script|style)\b[^<>]*>[\s\S]*?<\/\1\s*>/gi, "")
      .replace(/<\s*(br|\/p|\/li|\/div|\/h[1-6]|\/tr|\/ul|\/ol)\b[^<>]*>/gi, "\n")
      .replace(/<\s*li\b[^<>]*>/gi, "- ")
      .replace(/<[^<>]*>/g, ""),
  )
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v\r]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return text === "" ? undefined : truncate(text, max);
}

/** Plain text, trimmed and bounded (no HTML handling). */
export function plainText(value: unknown, max = MAX_TEXT_CHARS): string | undefined {
  const s = str(value);
  return s === undefined ? undefined : truncate(s, max);
}

/**
 * A CWE number from the many ways tools write one: 79, "79", "CWE-79", "cwe-079", "external/cwe/cwe-79",
 * "CWE-327: Use of a Broken…". -1, 0 and non-CWE strings give undefined.
 */
export function parseCwe(value: unknown, allowBareNumber = true): number | undefined {
  if (typeof value === "number") return allowBareNumber && Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const t = value.trim();
  const m = /^-?\d+$/.test(t) ? (allowBareNumber ? [t, t] : null) : /(?:^|[\s/:(])cwe[-_: ]?0*(\d{1,5})\b/i.exec(t);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The first CWE in a list of candidates (tags, classification arrays…); bare numbers only count when allowed. */
export function firstCwe(values: Iterable<unknown>, allowBareNumber = false): number | undefined {
  for (const v of values) {
    const cwe = parseCwe(v, allowBareNumber);
    if (cwe !== undefined) return cwe;
  }
  return undefined;
}

const CVE_RE = /\bCVE-\d{4}-\d{4,}\b/i;

export function parseCve(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = CVE_RE.exec(value);
  return m ? m[0].toUpperCase() : undefined;
}

const URL_RE = /https?:\/\/[^\s<>"'`)\]]+/g;

/** Distinct http(s) URLs found in free text or HTML (references sections), at most MAX_REFERENCES. */
export function extractUrls(...texts: unknown[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const item of asArray(text)) {
      if (typeof item !== "string") continue;
      for (const m of decodeEntities(item).matchAll(URL_RE)) {
        const url = m[0].replace(/[.,;:]+$/, "");
        if (seen.size < MAX_REFERENCES) seen.add(url);
      }
    }
  }
  return [...seen];
}

/** A URL without its query string and fragment (query values can carry credentials and vary per request). */
export function urlWithoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** Joins a base ("https://host") and a path ("/a/b") without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  if (path === "") return base;
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/**
 * A redacted, bounded evidence excerpt. The input is cut to `max` + REDACT_MARGIN characters before redaction: the
 * redaction patterns are costly on very long inputs, and the margin keeps a credential that straddles the visible
 * limit whole, so it is still recognised and redacted.
 */
export function excerpt(text: unknown, max = MAX_EVIDENCE_CHARS): string | undefined {
  const s = typeof text === "string" ? text.trim() : undefined;
  if (!s) return undefined;
  if (s.length <= max + REDACT_MARGIN) return evidenceExcerpt(s, max);
  const cut = evidenceExcerpt(s.slice(0, max + REDACT_MARGIN), max) ?? "";
  const visible = cut.replace(/\n… \[truncated \d+ chars\]$/, "");
  return `${visible}\n… [truncated ${s.length - visible.length} chars]`;
}

const REDACT_MARGIN = 1000;

/** Evidence object without undefined members, or undefined when empty. */
export function evidence(parts: ScanFinding["evidence"]): ScanFinding["evidence"] | undefined {
  if (!parts) return undefined;
  const out: NonNullable<ScanFinding["evidence"]> = {};
  for (const key of ["request", "response", "snippet", "detail"] as const) {
    const v = parts[key];
    if (v !== undefined && v !== "") out[key] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Removes undefined optional members so that records compare and serialise cleanly. */
export function clean(finding: ScanFinding): ScanFinding {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(finding)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as unknown as ScanFinding;
}

export { redact };

/** Collects findings, merging those with the same key into one with summed occurrences. Keeps insertion order. */
export class FindingGroups {
  private readonly groups = new Map<string, ScanFinding>();

  add(key: string, make: () => ScanFinding, occurrences = 1): ScanFinding {
    const existing = this.groups.get(key);
    if (existing) {
      existing.occurrences += occurrences;
      return existing;
    }
    const finding = make();
    finding.occurrences = occurrences;
    this.groups.set(key, finding);
    return finding;
  }

  get size(): number {
    return this.groups.size;
  }

  values(): ScanFinding[] {
    return [...this.groups.values()].map(clean);
  }
}

export function key(...parts: (string | number | undefined)[]): string {
  return parts.map((p) => (p === undefined ? "" : String(p))).join("\u0000");
}

export function checkAborted(ctx: ParseContext): void {
  if (ctx.signal?.aborted) throw new ParseError("ingest cancelled");
}

/** The whole file parsed as JSON; truncated or invalid JSON is a ParseError naming the format. */
export async function readJson(file: SourceFile, label: string): Promise<unknown> {
  const text = await file.text();
  if (text.trim() === "") throw new ParseError(`${file.name || "input"} is empty, not a ${label} report`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ParseError(`${file.name || "input"} is not valid JSON (${label}): ${truncate(message, 200)}`);
  }
}

function xmlParser(arrays: ReadonlySet<string>): XMLParser {
  return new XMLParser({
    // Entities are never expanded: no DTD-defined entities (billion laughs stays literal), and external (SYSTEM/PUBLIC)
    // entities make the parser throw before anything is read. Predefined entities are decoded by decodeEntities().
    processEntities: false,
    htmlEntities: false,
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (name) => arrays.has(name),
  });
}

/**
 * Parses an XML report safely. Malformed or truncated XML, and any external entity declaration, is a ParseError.
 * `arrays` names the elements that are always lists (so a single child still comes back as an array).
 */
export async function readXml(file: SourceFile, label: string, arrays: readonly string[]): Promise<JsonObject> {
  const text = await file.text();
  if (text.trim() === "") throw new ParseError(`${file.name || "input"} is empty, not a ${label} report`);
  if (/<!ENTITY\s+(?:%\s*)?[^\s>]+\s+(?:SYSTEM|PUBLIC)\b/i.test(text)) {
    throw new ParseError(`${file.name || "input"} declares an external XML entity, which is never resolved: rejected`);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const e = valid.err;
    // The validator quotes the offending tag or attribute, which can be the rest of the file: bounded.
    throw new ParseError(`${file.name || "input"} is not well-formed XML (${label}): ${truncate(e.msg, 200)}`, e.line);
  }
  try {
    const doc: unknown = xmlParser(new Set(arrays)).parse(text);
    if (!isObject(doc)) throw new Error("no document element");
    return doc;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ParseError(`${file.name || "input"} could not be parsed as XML (${label}): ${truncate(message, 200)}`);
  }
}

/** Text content of a parsed XML node: strings as is (predefined entities decoded), `#text` of elements with attributes. */
export function xmlText(node: unknown): string | undefined {
  if (typeof node === "string") return str(decodeEntities(node));
  if (typeof node === "number") return String(node);
  if (isObject(node)) return xmlText(node["#text"]);
  if (Array.isArray(node)) return xmlText(node[0]);
  return undefined;
}

/** An attribute (`@name`) of a parsed XML element, entities decoded. */
export function xmlAttr(node: unknown, name: string): string | undefined {
  return isObject(node) ? xmlText(node[`@${name}`]) : undefined;
}

/** Heuristic helpers for detect(). */
export function looksLikeJson(head: string): boolean {
  return /^\s*[[{]/.test(head);
}

export function looksLikeXml(head: string): boolean {
  return /^\s*</.test(head);
}
