/**
 * Inputs for the parser fuzz suite (fuzz.test.ts, fuzz-pipeline.test.ts): the real samples of fixtures/samples,
 * grouped by the format they are detected as, and fast-check arbitraries that derive hostile files from them —
 * random bytes, truncations, mutations (of the parsed structure for JSON/YAML documents and JSON lines, of the text
 * for XML and line formats), deep nesting, huge numbers and strings, wrong encodings.
 *
 * Every arbitrary yields a FuzzCase: the bytes of one file and a short label saying how it was made (what fast-check
 * prints as the counterexample). Choices are drawn by fast-check (integers, picks), so a run is reproducible from
 * its seed. Sizes are bounded so that a parser linear in its input finishes each case in well under a second.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { parseAllDocuments, stringify as yamlStringify } from "yaml";
import { HEAD_BYTES } from "../contract";
import { detectParser } from "../registry";
import { SAMPLES_DIR } from "../test-utils";

// ---------------------------------------------------------------------------------------------------------------
// Samples

/** A JSON value embedded in a line after an optional prefix (JSON lines, syslog header + JSON). */
interface JsonLine {
  index: number;
  prefix: string;
  value: unknown;
}

export interface Sample {
  /** Relative to fixtures/samples, e.g. "scan-results/codeql-2.5.4.sarif". */
  path: string;
  name: string;
  bytes: Buffer;
  text: string;
  lines: string[];
  /** The whole file as data when it is one JSON document or a stream of YAML documents (objects or arrays). */
  doc?: { syntax: "json" | "yaml"; values: unknown[] };
  /** Lines that hold a JSON object or array (after an optional prefix). */
  jsonLines: JsonLine[];
  xml: boolean;
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** A sample from its bytes; `relative` names it (its path under fixtures/samples). */
export function sampleOf(relative: string, bytes: Buffer): Sample {
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  const lines = text.split("\n");
  const sample: Sample = { path: relative, name: path.basename(relative), bytes, text, lines, jsonLines: [], xml: /^\s*</.test(text) };
  const trimmed = text.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (isContainer(value)) sample.doc = { syntax: "json", values: [value] };
    } catch {
      // not one JSON document (JSON lines, concatenated objects)
    }
  } else if (!sample.xml) {
    try {
      const docs = parseAllDocuments(text);
      if (Array.isArray(docs) && docs.length > 0 && docs.every((d) => d.errors.length === 0)) {
        const values = docs.map((d) => d.toJS() as unknown);
        if (values.every(isContainer)) sample.doc = { syntax: "yaml", values };
      }
    } catch {
      // not YAML
    }
  }
  if (!sample.doc) {
    lines.forEach((line, index) => {
      const start = line.search(/[[{]/);
      if (start === -1) return;
      try {
        const value: unknown = JSON.parse(line.slice(start));
        if (isContainer(value)) sample.jsonLines.push({ index, prefix: line.slice(0, start), value });
      } catch {
        // a line that is not (prefix +) JSON
      }
    });
  }
  return sample;
}

/** Every sample of fixtures/samples, by the id of the parser that detects it (as the convention test maps them). */
export function samplesByParser(): Map<string, Sample[]> {
  const byParser = new Map<string, Sample[]>();
  for (const dir of readdirSync(SAMPLES_DIR)) {
    if (!statSync(path.join(SAMPLES_DIR, dir)).isDirectory()) continue;
    for (const file of readdirSync(path.join(SAMPLES_DIR, dir))) {
      const relative = `${dir}/${file}`;
      const sample = sampleOf(relative, readFileSync(path.join(SAMPLES_DIR, relative)));
      const id = detectParser(sample.text.slice(0, HEAD_BYTES), sample.name)?.id;
      if (id === undefined) continue;
      byParser.set(id, [...(byParser.get(id) ?? []), sample]);
    }
  }
  return byParser;
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

export class FuzzCase {
  constructor(
    /** How the file was made, e.g. "truncated at 1234 of nuclei-example-com.jsonl". */
    readonly label: string,
    readonly bytes: Uint8Array,
    /** File name given to the parser (the sample's, or "fuzz.bin"). */
    readonly name: string,
  ) {}

  [fc.toStringMethod](): string {
    const preview = Buffer.from(this.bytes.subarray(0, 120)).toString("latin1");
    return `FuzzCase(${this.label}; ${this.bytes.length} bytes; starts ${JSON.stringify(preview)})`;
  }
}

const utf8 = (text: string) => Buffer.from(text, "utf8");

/** A deterministic generator seeded from a fast-check integer (for choices inside one mutation). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Limits for the size of what is generated: CI keeps them small, a long local run (FUZZ_RUNS) may go bigger. */
export interface Limits {
  /** Longest generated string. */
  hugeString: number;
  /** Deepest generated nesting. */
  depth: number;
  /** Most copies of a line. */
  lineCopies: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

const HUGE_NUMBERS = [
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "9007199254740993",
  "-9007199254740993",
  "1.7976931348623157e308",
  "123456789012345678901234567890123456789012345678901234567890",
  `1${"0".repeat(400)}`,
  `0.${"0".repeat(400)}1`,
  "4294967296",
  "2147483648",
  "-2147483649",
  "1E+308",
];

/** Characters a string can be built from: quoting, escapes, markup, separators, non-ASCII. */
const STRING_UNITS = ["a", " ", "%", "\\", '"', "'", "<", ">", "&", "&amp;", "/", "\n", "\r\n", "\t", "{", "}", "[", "$", "é", "😀", ".", ",", "-", "0", "9", ":", "=", "a ", "http://x/", "CWE-", "&#x", "${", "\u0000", "\u2028", "\ufeff", "%s"];

const SPECIAL_STRINGS = [
  "",
  " ",
  "-",
  "0",
  "null",
  "undefined",
  "NaN",
  "true",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "\u0000",
  "\ud800",
  "\udc00x\ud800",
  "😀",
  "\ufeff",
  "\u2028",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "%00%ff",
  "%",
  "\\",
  "http://",
  "https://[::1",
  "//",
  "/{",
  "{a}{b}",
  "CWE-",
  "CVE-",
  "2020-02-30T25:61:61Z",
  "0000-00-00",
  "99999-12-31T00:00:00Z",
  "10/Oct/2000:13:55:36 -0700x",
];

function hugeString(random: () => number, limits: Limits): string {
  const sizes = [1_000, 10_000, 100_000, limits.hugeString].filter((n) => n <= limits.hugeString);
  const size = pick(random, sizes);
  const unit = pick(random, STRING_UNITS);
  const other = random() < 0.3 ? pick(random, STRING_UNITS) : "";
  return (unit + other).repeat(Math.ceil(size / (unit.length + other.length))).slice(0, size);
}

function hugeNumberText(random: () => number): string {
  return pick(random, HUGE_NUMBERS);
}

function deepJson(random: () => number, depth: number): string {
  switch (Math.floor(random() * 4)) {
    case 0:
      return `${"[".repeat(depth)}${"]".repeat(depth)}`;
    case 1:
      return `${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`;
    case 2:
      return `${'[{"a":'.repeat(depth)}1${"}]".repeat(depth)}`;
    default:
      // unbalanced: opened and never closed
      return "[".repeat(depth);
  }
}

function nestingDepth(random: () => number, limits: Limits): number {
  return pick(random, [100, 1_000, limits.depth].filter((d) => d <= limits.depth));
}

// ---------------------------------------------------------------------------------------------------------------
// Structure mutations (JSON/YAML documents, JSON lines)

/** Raw text substituted for a placeholder string after serialisation (numbers and nesting that JSON values cannot carry). */
class RawTexts {
  private readonly texts: string[] = [];
  placeholder(raw: string): string {
    this.texts.push(raw);
    return `FUZZRAW${this.texts.length - 1}XRAWFUZZ`;
  }
  apply(text: string): string {
    if (this.texts.length === 0) return text;
    return text.replace(/"?FUZZRAW(\d+)XRAWFUZZ"?/g, (_m, n: string) => this.texts[Number(n)] ?? "");
  }
}

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** A slot of the tree: a random walk from the root that stops at each level below the first with probability 1/4. */
function randomSlot(root: unknown, random: () => number): Slot | undefined {
  let slot: Slot | undefined;
  let node = root;
  for (let depth = 0; ; depth++) {
    if (!isContainer(node)) return slot;
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0) return slot;
    const key = pick(random, keys);
    slot = { parent: node as Record<string, unknown>, key };
    node = (node as Record<string | number, unknown>)[key];
    if (depth > 0 && random() < 1 / 4) return slot;
  }
}

const TYPE_SWAPS: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -1,
  () => 1.5,
  () => 1e308,
  () => "",
  () => "x",
  () => [],
  () => ({}),
  () => [null],
  () => ({ "": null }),
  () => [[], {}],
  () => ({ $ref: "#" }),
  () => ({ $ref: "#/" }),
  () => ({ $ref: "#/paths" }),
  () => ({ $ref: "http://127.0.0.1:1/x.json" }),
  () => ({ length: -1 }),
  () => JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
];

const RENAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "", " ", "$ref", "length", "0", "\ud800"];

const STRUCTURE_OPS = ["delete", "swap", "rename", "duplicate", "copy", "huge", "special", "surrogate"] as const;

function get(slot: Slot): unknown {
  return (slot.parent as Record<string | number, unknown>)[slot.key];
}

function set(slot: Slot, value: unknown): void {
  if (slot.key === "__proto__" && !Array.isArray(slot.parent)) {
    Object.defineProperty(slot.parent, "__proto__", { value, enumerable: true, configurable: true, writable: true });
  } else (slot.parent as Record<string | number, unknown>)[slot.key] = value;
}

function remove(slot: Slot): void {
  if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
  else delete slot.parent[slot.key as string];
}

/** Applies one structure mutation; returns its description. */
function mutateStructure(root: unknown, random: () => number, raw: RawTexts, limits: Limits, op?: (typeof STRUCTURE_OPS)[number]): string {
  const slot = randomSlot(root, random);
  if (!slot) return "nothing to mutate";
  const kind = op ?? pick(random, STRUCTURE_OPS);
  const where = String(slot.key).slice(0, 40);
  switch (kind) {
    case "delete":
      remove(slot);
      return `removed ${where}`;
    case "swap":
      set(slot, pick(random, TYPE_SWAPS)());
      return `swapped the type of ${where}`;
    case "rename": {
      if (Array.isArray(slot.parent)) {
        set(slot, { [pick(random, RENAMES)]: get(slot) });
        return `wrapped ${where}`;
      }
      const value = get(slot);
      remove(slot);
      const name = pick(random, RENAMES);
      set({ parent: slot.parent, key: name }, value);
      return `renamed ${where} to ${JSON.stringify(name)}`;
    }
    case "duplicate": {
      const value = get(slot);
      if (Array.isArray(slot.parent)) {
        const copies = Math.min(1 + Math.floor(random() * 200), limits.lineCopies);
        slot.parent.splice(slot.key as number, 0, ...Array.from({ length: copies }, () => value));
        return `duplicated element ${where} ${copies} times`;
      }
      set(slot, [value, value]);
      return `doubled ${where}`;
    }
    case "copy": {
      // A subtree of the document elsewhere (also makes shared references, i.e. repeated content).
      const other = randomSlot(root, random);
      if (!other) return "nothing to copy";
      set(slot, structuredClone(get(other)));
      return `replaced ${where} by a copy of ${String(other.key).slice(0, 40)}`;
    }
    case "huge":
      if (random() < 0.5) {
        set(slot, raw.placeholder(hugeNumberText(random)));
        return `huge number at ${where}`;
      }
      set(slot, hugeString(random, limits));
      return `huge string at ${where}`;
    case "special":
      set(slot, pick(random, SPECIAL_STRINGS));
      return `special string at ${where}`;
    case "surrogate":
      set(slot, pick(random, ["\ud800", "a\udfff", "\udc00\ud800", `${"\ud83d".repeat(50)}`]));
      return `lone surrogate at ${where}`;
  }
}

/** The values in their syntax; a removed document (undefined) is empty text. */
function serialise(syntax: "json" | "yaml", values: unknown[], pretty: boolean): string {
  if (syntax === "json") return values[0] === undefined ? "" : JSON.stringify(values[0], null, pretty ? 2 : undefined);
  return values.map((v) => (v === undefined ? "" : yamlStringify(v, { aliasDuplicateObjects: false, lineWidth: 0 }))).join("---\n");
}

function serialiseLine(line: JsonLine, value: unknown): string {
  return value === undefined ? line.prefix : `${line.prefix}${JSON.stringify(value)}`;
}

type StructureEdit = (root: unknown, random: () => number, raw: RawTexts) => string;

/**
 * A structure edit applied to the sample's document, or to one (or a few) of its JSON lines, re-serialised in the
 * sample's syntax; null when the sample has no structure.
 */
function editStructure(sample: Sample, seed: number, edit: StructureEdit): { text: string; label: string } | null {
  const random = rng(seed);
  const raw = new RawTexts();
  if (sample.doc) {
    const values = structuredClone(sample.doc.values);
    const which = Math.floor(random() * values.length);
    const holder = { root: values[which] };
    const label = edit(holder, random, raw);
    values[which] = holder.root;
    return { text: raw.apply(serialise(sample.doc.syntax, values, random() < 0.7)), label: `${label} in ${sample.name}` };
  }
  if (sample.jsonLines.length > 0) {
    const lines = [...sample.lines];
    const labels: string[] = [];
    const count = 1 + Math.floor(random() * 3);
    for (let i = 0; i < count; i++) {
      const line = pick(random, sample.jsonLines);
      const holder = { root: structuredClone(line.value) };
      labels.push(`${edit(holder, random, raw)} on line ${line.index + 1}`);
      lines[line.index] = serialiseLine(line, holder.root);
    }
    return { text: raw.apply(lines.join("\n")), label: `${labels.join(", ")} of ${sample.name}` };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Text mutations (XML, YAML, CSV, log lines — and JSON as text)

const INSERTS = ['"', "'", "\\", "\n", "\r", "\r\n", "[", "]", "{", "}", "<", ">", "</", "<!--", "]]>", "&", "&#0;", "&#xD800;", ":", ",", ";", "\t", "\u0000", "\u2028", "😀", "\ufeff", "%", "${", "- ", "? ", "*a", "&a ", "!!binary ", "|", "#", "\\x", "\\u", "\\ud800"];

const TEXT_OPS = ["delete-line", "duplicate-line", "swap-lines", "delete-token", "replace-token", "insert", "delete-range", "xml-element", "xml-attributes", "xml-text"] as const;

const TOKEN = /"(?:[^"\\\n]|\\.)*"|\[[^\]\n]*\]|<[^<>\n]*>|[^\s,;"<>[\]{}]+/g;

function tokens(line: string): { start: number; end: number }[] {
  return [...line.matchAll(TOKEN)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

function replaceToken(line: string, random: () => number, make: (token: string) => string): string {
  const all = tokens(line);
  if (all.length === 0) return line + make("");
  const t = pick(random, all);
  return line.slice(0, t.start) + make(line.slice(t.start, t.end)) + line.slice(t.end);
}

function randomLineIndex(lines: string[], random: () => number): number {
  const nonBlank = lines.map((l, i) => (l.trim() === "" ? -1 : i)).filter((i) => i >= 0);
  return nonBlank.length === 0 ? 0 : pick(random, nonBlank);
}

/** Applies one text mutation to `lines` in place; returns its description. */
function mutateText(lines: string[], random: () => number, limits: Limits, xml: boolean): string {
  const ops = xml ? TEXT_OPS : TEXT_OPS.filter((op) => !op.startsWith("xml-"));
  const op = pick(random, ops);
  const i = randomLineIndex(lines, random);
  const line = lines[i] ?? "";
  switch (op) {
    case "delete-line":
      lines.splice(i, 1);
      return `deleted line ${i + 1}`;
    case "duplicate-line": {
      const copies = Math.min(1 + Math.floor(random() * (random() < 0.2 ? 5000 : 3)), limits.lineCopies);
      lines.splice(i, 0, ...Array.from({ length: copies }, () => line));
      return `line ${i + 1} repeated ${copies} times`;
    }
    case "swap-lines": {
      const j = randomLineIndex(lines, random);
      lines[i] = lines[j] ?? "";
      lines[j] = line;
      return `swapped lines ${i + 1} and ${j + 1}`;
    }
    case "delete-token":
      lines[i] = replaceToken(line, random, () => "");
      return `removed a field of line ${i + 1}`;
    case "replace-token": {
      const r = random();
      lines[i] = replaceToken(line, random, (token) => {
        if (r < 0.25) return hugeNumberText(random);
        if (r < 0.4) return hugeString(random, limits);
        if (r < 0.7) return pick(random, SPECIAL_STRINGS);
        if (token.startsWith('"')) return random() < 0.5 ? "0" : "null";
        return /^\d+$/.test(token) ? `"${token}"` : pick(random, ["-", "0", "-1", "true", "[]", "{}", '""']);
      });
      return `replaced a field of line ${i + 1}`;
    }
    case "insert": {
      const at = Math.floor(random() * (line.length + 1));
      const what = pick(random, INSERTS);
      lines[i] = line.slice(0, at) + what + line.slice(at);
      return `inserted ${JSON.stringify(what)} in line ${i + 1}`;
    }
    case "delete-range": {
      const a = Math.floor(random() * (line.length + 1));
      const b = Math.min(line.length, a + Math.floor(random() * 200));
      lines[i] = line.slice(0, a) + line.slice(b);
      return `cut ${b - a} chars of line ${i + 1}`;
    }
    case "xml-element":
    case "xml-attributes":
    case "xml-text": {
      const text = lines.join("\n");
      const edited = mutateXml(text, random, limits, op);
      lines.splice(0, lines.length, ...edited.text.split("\n"));
      return edited.label;
    }
  }
}

const OPEN_TAG = /<([A-Za-z_][\w.:-]*)(\s[^<>]*)?>/g;

function mutateXml(text: string, random: () => number, limits: Limits, op: "xml-element" | "xml-attributes" | "xml-text"): { text: string; label: string } {
  const opens = [...text.matchAll(OPEN_TAG)].filter((m) => !m[0].endsWith("/>"));
  if (opens.length === 0) return { text, label: "no XML element" };
  const open = pick(random, opens);
  const name = open[1] as string;
  const start = open.index;
  const contentStart = start + open[0].length;
  const close = text.indexOf(`</${name}>`, contentStart);
  switch (op) {
    case "xml-element": {
      if (close === -1) return { text: text.slice(0, start) + text.slice(contentStart), label: `removed <${name}> tag` };
      const end = close + name.length + 3;
      const element = text.slice(start, end);
      const r = random();
      if (r < 0.4) return { text: text.slice(0, start) + text.slice(end), label: `removed <${name}>` };
      if (r < 0.7) {
        const copies = Math.min(2 + Math.floor(random() * 300), limits.lineCopies);
        return { text: text.slice(0, end) + element.repeat(copies) + text.slice(end), label: `<${name}> repeated ${copies} times` };
      }
      return { text: text.slice(0, contentStart) + text.slice(close), label: `emptied <${name}>` };
    }
    case "xml-attributes": {
      const attributes = open[2] ?? "";
      if (attributes === "" || random() < 0.3) {
        const extra = ` a="${pick(random, ["", "&amp;", "1e400", "&#0;", "\u0000"])}" b='x'`;
        return { text: `${text.slice(0, contentStart - 1)}${extra}${text.slice(contentStart - 1)}`, label: `attributes added to <${name}>` };
      }
      return { text: `${text.slice(0, start)}<${name}>${text.slice(contentStart)}`, label: `attributes of <${name}> removed` };
    }
    case "xml-text": {
      const r = random();
      const value =
        r < 0.3 ? hugeNumberText(random) : r < 0.5 ? hugeString(random, limits).replace(/[<&]/g, "x") : r < 0.8 ? pick(random, SPECIAL_STRINGS).replace(/[<&]/g, "") : pick(random, ["<![CDATA[x]]>", "<![CDATA[<a>]]>", "&lt;b&gt;", "&#x1F600;", "&#1114112;", "&#xD800;", "&unknown;", "<x/>", "<x></x>"]);
      const end = close === -1 ? contentStart : close;
      return { text: text.slice(0, contentStart) + value + text.slice(end), label: `content of <${name}> replaced` };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

function sampleIndex(samples: readonly Sample[]) {
  return fc.integer({ min: 0, max: samples.length - 1 });
}

/** Random bytes: pure noise, or the start of a sample followed by noise (past the first checks of a parser). */
export function randomBytesArb(samples: readonly Sample[]): fc.Arbitrary<FuzzCase> {
  const noise = fc.uint8Array({ maxLength: 4096 }).map((bytes) => new FuzzCase("random bytes", bytes, "fuzz.bin"));
  const textNoise = fc.string({ unit: "binary", maxLength: 2048 }).map((s) => new FuzzCase("random text", utf8(s), "fuzz.txt"));
  const prefixed = fc.tuple(sampleIndex(samples), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 2048 })).map(([i, at, bytes]) => {
    const sample = samples[i] as Sample;
    const cut = at % (Math.min(sample.bytes.length, 8192) + 1);
    return new FuzzCase(`the first ${cut} bytes of ${sample.name} then random bytes`, Buffer.concat([sample.bytes.subarray(0, cut), bytes]), sample.name);
  });
  const repeated = fc.tuple(sampleIndex(samples), fc.nat(), repeatedUnitArb(256 * 1024)).map(([i, at, text]) => {
    const sample = samples[i] as Sample;
    const cut = at % (Math.min(sample.bytes.length, 2048) + 1);
    return new FuzzCase(`the first ${cut} bytes of ${sample.name} then a run of one repeated unit`, Buffer.concat([sample.bytes.subarray(0, cut), utf8(text)]), sample.name);
  });
  return fc.oneof(noise, textNoise, prefixed, repeated);
}

/** A sample cut at any byte position (including inside a UTF-8 character). */
export function truncatedArb(samples: readonly Sample[]): fc.Arbitrary<FuzzCase> {
  return fc.tuple(sampleIndex(samples), fc.nat()).map(([i, at]) => {
    const sample = samples[i] as Sample;
    const cut = at % sample.bytes.length;
    return new FuzzCase(`${sample.name} truncated at byte ${cut} of ${sample.bytes.length}`, sample.bytes.subarray(0, cut), sample.name);
  });
}

/** Byte-level damage: bits flipped, bytes inserted or removed. */
function byteMutation(sample: Sample, seed: number): FuzzCase {
  const random = rng(seed);
  const bytes = Buffer.from(sample.bytes);
  const count = 1 + Math.floor(random() * 8);
  for (let k = 0; k < count; k++) {
    const at = Math.floor(random() * bytes.length);
    bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
  }
  return new FuzzCase(`${count} bit(s) flipped in ${sample.name}`, bytes, sample.name);
}

function textMutation(sample: Sample, seed: number, limits: Limits): FuzzCase {
  const random = rng(seed);
  const lines = [...sample.lines];
  const count = 1 + Math.floor(random() * 4);
  const labels: string[] = [];
  for (let k = 0; k < count; k++) labels.push(mutateText(lines, random, limits, sample.xml));
  return new FuzzCase(`${labels.join(", ")} of ${sample.name}`, utf8(lines.join("\n")), sample.name);
}

function structureMutation(sample: Sample, seed: number, limits: Limits): FuzzCase | null {
  const edited = editStructure(sample, seed, (holder, random, raw) => {
    const count = 1 + Math.floor(random() * 4);
    const labels: string[] = [];
    for (let k = 0; k < count; k++) labels.push(mutateStructure(holder, random, raw, limits));
    return labels.join(", ");
  });
  return edited && new FuzzCase(edited.label, utf8(edited.text), sample.name);
}

/** Names of Object.prototype members: a lookup table indexed by such a value finds a function or a prototype. */
const PROTOTYPE_WORDS = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "__defineGetter__", "prototype"];

/** Many values (structure) or words (text) of a sample replaced by PROTOTYPE_WORDS. */
export function prototypeWordsArb(samples: readonly Sample[]): fc.Arbitrary<FuzzCase> {
  return fc.tuple(sampleIndex(samples), seedArb).map(([i, seed]) => prototypeWords(samples[i] as Sample, seed));
}

function prototypeWords(sample: Sample, seed: number): FuzzCase {
  const random = rng(seed);
  const share = pick(random, [0.1, 0.5, 1]);
  const word = () => pick(random, PROTOTYPE_WORDS);
  const edited = editStructure(sample, seed, (holder) => {
    const stack: unknown[] = [holder];
    while (stack.length > 0) {
      const node = stack.pop();
      if (!isContainer(node)) continue;
      for (const key of Object.keys(node)) {
        const value = (node as Record<string, unknown>)[key];
        if (typeof value === "string" && random() < share) (node as Record<string, unknown>)[key] = word();
        else stack.push(value);
      }
    }
    return `${share * 100}% of the string values replaced by Object.prototype member names`;
  });
  if (edited) return new FuzzCase(edited.label, utf8(edited.text), sample.name);
  const text = sample.text.replace(/(?<=[\s,;"'=:[(<>/])[A-Za-z][\w.-]*/g, (m) => (random() < share ? word() : m));
  return new FuzzCase(`${share * 100}% of the words of ${sample.name} replaced by Object.prototype member names`, utf8(text), sample.name);
}

/** Mutated samples: the parsed structure (JSON/YAML documents, JSON lines), the text, or the bytes. */
export function mutatedArb(samples: readonly Sample[], limits: Limits): fc.Arbitrary<FuzzCase> {
  return fc.tuple(sampleIndex(samples), fc.integer({ min: 0, max: 9 }), seedArb).map(([i, how, seed]) => {
    const sample = samples[i] as Sample;
    if (how < 5) {
      const structured = structureMutation(sample, seed, limits);
      if (structured) return structured;
    }
    return how < 9 ? textMutation(sample, seed, limits) : byteMutation(sample, seed);
  });
}

function deepXml(random: () => number, depth: number): string {
  const name = pick(random, ["a", "site", "issue", "alertitem", "x:y"]);
  const close = random() < 0.8;
  return `${`<${name}>`.repeat(depth)}${close ? `</${name}>`.repeat(depth) : ""}`;
}

function deepYamlBlock(depth: number): string {
  let out = "";
  for (let d = 0; d < depth; d++) out += `${" ".repeat(d)}a:\n`;
  return `${out}${" ".repeat(depth)}b: 1\n`;
}

/** Deep nesting inside a sample (a node of its structure, an XML element, a line) or as the whole file. */
export function deepArb(samples: readonly Sample[], limits: Limits): fc.Arbitrary<FuzzCase> {
  return fc.tuple(sampleIndex(samples), fc.integer({ min: 0, max: 9 }), seedArb).map(([i, how, seed]) => {
    const sample = samples[i] as Sample;
    const random = rng(seed);
    const depth = nestingDepth(random, limits);
    if (how < 5 && (sample.doc || sample.jsonLines.length > 0)) {
      const edited = editStructure(sample, seed, (holder, r, raw) => {
        const slot = randomSlot(holder, r);
        if (!slot) return "no node";
        set(slot, raw.placeholder(deepJson(r, depth)));
        return `nesting ${depth} deep at ${String(slot.key).slice(0, 40)}`;
      });
      if (edited) return new FuzzCase(edited.label, utf8(edited.text), sample.name);
    }
    if (how < 7 && sample.xml) {
      const opens = [...sample.text.matchAll(OPEN_TAG)];
      const open = opens.length > 0 ? pick(random, opens) : undefined;
      const at = open ? open.index + open[0].length : 0;
      return new FuzzCase(`XML nested ${depth} deep in ${sample.name}`, utf8(sample.text.slice(0, at) + deepXml(random, depth) + sample.text.slice(at)), sample.name);
    }
    if (how < 8) {
      const lines = [...sample.lines];
      const li = randomLineIndex(lines, random);
      const line = lines[li] ?? "";
      const at = Math.floor(random() * (line.length + 1));
      const nest = pick(random, [deepJson(random, depth), "(".repeat(depth), '"['.repeat(depth), "{{".repeat(depth)]);
      lines[li] = line.slice(0, at) + nest + line.slice(at);
      return new FuzzCase(`nesting ${depth} deep inside line ${li + 1} of ${sample.name}`, utf8(lines.join("\n")), sample.name);
    }
    const whole = pick(random, [deepJson(random, depth), deepXml(random, depth), `<?xml version="1.0"?>${deepXml(random, depth)}`, deepYamlBlock(Math.min(depth, 500)), `${"- ".repeat(depth)}x\n`]);
    return new FuzzCase(`a file that is nesting ${depth} deep`, utf8(whole), sample.name);
  });
}

/** Huge numbers and huge strings in place of values (structure) or fields (text), and very long lines. */
export function hugeArb(samples: readonly Sample[], limits: Limits): fc.Arbitrary<FuzzCase> {
  return fc.tuple(sampleIndex(samples), fc.integer({ min: 0, max: 9 }), seedArb).map(([i, how, seed]) => {
    const sample = samples[i] as Sample;
    if (how < 5) {
      const edited = editStructure(sample, seed, (holder, random, raw) => {
        const count = 1 + Math.floor(random() * 3);
        const labels: string[] = [];
        for (let k = 0; k < count; k++) labels.push(mutateStructure(holder, random, raw, limits, "huge"));
        return labels.join(", ");
      });
      if (edited) return new FuzzCase(edited.label, utf8(edited.text), sample.name);
    }
    const random = rng(seed);
    const lines = [...sample.lines];
    const li = randomLineIndex(lines, random);
    const line = lines[li] ?? "";
    if (how < 8) {
      // Numbers in the text become huge ones; or a field becomes a huge string.
      if (random() < 0.5 && /\d/.test(line)) {
        lines[li] = line.replace(/\d+(\.\d+)?/g, () => (random() < 0.5 ? hugeNumberText(random) : "0"));
        return new FuzzCase(`huge numbers in line ${li + 1} of ${sample.name}`, utf8(lines.join("\n")), sample.name);
      }
      lines[li] = replaceToken(line, random, () => hugeString(random, limits));
      return new FuzzCase(`huge field in line ${li + 1} of ${sample.name}`, utf8(lines.join("\n")), sample.name);
    }
    // A very long line of one repeated unit appended, or one line without any newline.
    const long = hugeString(random, limits).replace(/\n/g, " ");
    if (how === 8) lines.splice(li, 0, long);
    else lines[li] = line + long;
    return new FuzzCase(`a ${long.length}-char line in ${sample.name}`, utf8(lines.join("\n")), sample.name);
  });
}

const INVALID_UTF8: readonly number[][] = [[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xc3]];

function insertBytes(bytes: Uint8Array, random: () => number, count: number, what: () => number[]): Buffer {
  const positions = Array.from({ length: count }, () => Math.floor(random() * (bytes.length + 1))).sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const at of positions) {
    parts.push(Buffer.from(bytes.subarray(from, at)), Buffer.from(what()));
    from = at;
  }
  parts.push(Buffer.from(bytes.subarray(from)));
  return Buffer.concat(parts);
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  for (let i = 0; i + 1 < le.length; i += 2) {
    const b = le[i] as number;
    le[i] = le[i + 1] as number;
    le[i + 1] = b;
  }
  return le;
}

/** Wrong encodings: UTF-16/32, Latin-1 bytes, NUL bytes, invalid UTF-8, lone surrogates, odd line ends. */
export function encodingArb(samples: readonly Sample[]): fc.Arbitrary<FuzzCase> {
  return fc.tuple(sampleIndex(samples), fc.integer({ min: 0, max: 12 }), seedArb).map(([i, how, seed]) => {
    const sample = samples[i] as Sample;
    const random = rng(seed);
    const text = sample.text;
    const name = sample.name;
    switch (how) {
      case 0:
        return new FuzzCase(`${name} as UTF-16LE with BOM`, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]), name);
      case 1:
        return new FuzzCase(`${name} as UTF-16BE with BOM`, Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)]), name);
      case 2:
        return new FuzzCase(`${name} as UTF-16LE without BOM`, Buffer.from(text, "utf16le"), name);
      case 3: {
        const le32 = Buffer.alloc(Math.min(text.length, 200_000) * 4);
        for (let k = 0; k < le32.length / 4; k++) le32.writeUInt32LE(text.charCodeAt(k), k * 4);
        return new FuzzCase(`${name} as UTF-32LE`, Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), le32]), name);
      }
      case 4: {
        // Latin-1: accented letters written as single bytes (invalid UTF-8), in values of the file.
        const latin = text.replace(/[aeiou]/g, (c) => (random() < 0.05 ? ({ a: "à", e: "é", i: "ï", o: "ô", u: "ü" } as Record<string, string>)[c] ?? c : c));
        return new FuzzCase(`${name} with Latin-1 bytes`, Buffer.from(latin.replace(/[\u0100-\uffff]/g, "?"), "latin1"), name);
      }
      case 5: {
        const count = 1 + Math.floor(random() * 10);
        return new FuzzCase(`${count} NUL byte(s) in ${name}`, insertBytes(sample.bytes, random, count, () => [0]), name);
      }
      case 6: {
        // NUL between every byte (what a UTF-16 file read as UTF-8 looks like, but of the UTF-8 bytes).
        const out = Buffer.alloc(Math.min(sample.bytes.length, 200_000) * 2);
        for (let k = 0; k < out.length / 2; k++) out[k * 2] = sample.bytes[k] as number;
        return new FuzzCase(`${name} with NUL after every byte`, out, name);
      }
      case 7: {
        const count = 1 + Math.floor(random() * 10);
        return new FuzzCase(`${count} invalid UTF-8 sequence(s) in ${name}`, insertBytes(sample.bytes, random, count, () => pick(random, INVALID_UTF8)), name);
      }
      case 8: {
        // Lone surrogates as escapes (JSON, YAML double quotes) and as CESU-8 bytes.
        const structured = editStructure(sample, seed, (holder, r, raw) => mutateStructure(holder, r, raw, { hugeString: 0, depth: 0, lineCopies: 1 }, "surrogate"));
        if (structured) return new FuzzCase(structured.label, utf8(structured.text), name);
        const escaped = text.replace(/[a-z]{3}/g, (m) => (random() < 0.02 ? `\\ud800${m}` : m));
        return new FuzzCase(`lone surrogate escapes in ${name}`, utf8(escaped), name);
      }
      case 9:
        return new FuzzCase(`${name} with a double BOM`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), sample.bytes]), name);
      case 10:
        return new FuzzCase(`${name} with CR line ends`, utf8(text.replace(/\r?\n/g, "\r")), name);
      case 11:
        return new FuzzCase(`${name} with CRLF line ends`, utf8(text.replace(/\r?\n/g, "\r\n")), name);
      default:
        return new FuzzCase(`${name} with U+2028/U+0085 line ends`, utf8(text.replace(/\r?\n/g, () => (random() < 0.5 ? "\u2028" : "\u0085"))), name);
    }
  });
}

/** Text made of one short unit repeated: where a backtracking regular expression takes quadratic time or worse. */
export function repeatedUnitArb(maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(fc.constantFrom(...STRING_UNITS, "{\"a\":", "[", "<a>", "a:", "- ", "  ", "\t", "0.", "1e", "::", "%2", "\\u", "=\"", "\"\\"), fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 3 }));
  return fc.tuple(fc.string({ unit: "binary-ascii", maxLength: 40 }), unit, fc.integer({ min: 1, max: maxLength }), fc.string({ unit: "binary-ascii", maxLength: 3 })).map(
    ([before, u, size, after]) => before + u.repeat(Math.ceil(size / u.length)).slice(0, size) + after,
  );
}

/** Heads for detect(): arbitrary text, runs of one repeated unit, and the start of mutated samples. */
export function headArb(samples: readonly Sample[], limits: Limits): fc.Arbitrary<{ head: string; name: string }> {
  const names = fc.constantFrom("", "x", "a.json", "a.yaml", "a.xml", "a.log", "a.csv", "a.sarif", "a.jsonl", ...samples.map((s) => s.name));
  const text = fc.tuple(fc.oneof(fc.string({ unit: "binary", maxLength: 4096 }), repeatedUnitArb(HEAD_BYTES)), names).map(([head, name]) => ({ head, name }));
  const derived = fc.tuple(fc.oneof(mutatedArb(samples, limits), truncatedArb(samples), encodingArb(samples), deepArb(samples, limits)), names).map(([c, name]) => ({
    head: Buffer.from(c.bytes.subarray(0, HEAD_BYTES)).toString("utf8"),
    name,
  }));
  return fc.oneof(text, derived);
}

// ---------------------------------------------------------------------------------------------------------------
// Hang watchdog

const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const state = new Int32Array(workerData.state);
const input = new Uint8Array(workerData.input);
const label = new Uint8Array(workerData.label);
let last = 0;
let since = Date.now();
setInterval(() => {
  const run = Atomics.load(state, 0);
  if (run !== last || Atomics.load(state, 1) === 0) {
    last = run;
    since = Date.now();
    return;
  }
  if (Date.now() - since < workerData.hangMs) return;
  const size = Atomics.load(state, 2);
  const kept = Math.min(size, input.length);
  const what = Buffer.from(label.subarray(0, Atomics.load(state, 3))).toString("utf8");
  fs.mkdirSync(workerData.dir, { recursive: true });
  const file = require("node:path").join(workerData.dir, "hang-" + process.pid + "-" + run + ".bin");
  fs.writeFileSync(file, input.subarray(0, kept));
  fs.writeSync(2, "\\nfuzz watchdog: a case has run for more than " + workerData.hangMs + " ms without returning (a hang):\\n  " + what + "\\n  input (" + kept + " of " + size + " bytes) written to " + file + "\\n");
  process.kill(process.pid, "SIGKILL");
}, 250);
`;

/**
 * Kills the test process when one case runs for longer than `hangMs` without returning to the event loop (a
 * synchronous infinite loop, which neither fast-check's timeout nor vitest's can interrupt), after writing the case's
 * label to stderr and its bytes to a file. A worker thread polls a shared run counter; it costs the cases nothing.
 */
export class HangWatchdog {
  private readonly state = new Int32Array(new SharedArrayBuffer(16));
  private readonly input: Uint8Array;
  private readonly label = new Uint8Array(new SharedArrayBuffer(4096));
  private worker: Worker | undefined;

  constructor(
    private readonly hangMs: number,
    private readonly dir: string,
    maxInput = 16 * 1024 * 1024,
  ) {
    this.input = new Uint8Array(new SharedArrayBuffer(maxInput));
  }

  start(): void {
    this.worker = new Worker(WATCHDOG, {
      eval: true,
      workerData: { state: this.state.buffer, input: this.input.buffer, label: this.label.buffer, hangMs: this.hangMs, dir: this.dir },
    });
    this.worker.unref();
  }

  enter(what: string, bytes: Uint8Array): void {
    this.input.set(bytes.subarray(0, this.input.length));
    const label = Buffer.from(what, "utf8").subarray(0, this.label.length);
    this.label.set(label);
    Atomics.store(this.state, 2, bytes.length);
    Atomics.store(this.state, 3, label.length);
    Atomics.add(this.state, 0, 1);
    Atomics.store(this.state, 1, 1);
  }

  leave(): void {
    Atomics.store(this.state, 1, 0);
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}
