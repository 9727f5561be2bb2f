/**
 * Fuzzing every registered parser (issue 12). For each parser of the registry — a new one is fuzzed as soon as it
 * is registered — files derived from its real samples (fuzz-inputs.ts): random bytes, truncations, mutations, deep
 * nesting, huge numbers and strings, wrong encodings. Properties:
 * - `parse` yields records or throws the typed ParseError, never another exception (TypeError, RangeError…);
 * - `detect` never throws and returns a number in [0, 1];
 * - the work is bounded by the input: the records, warnings and line errors of a file are at most proportional to
 *   its size (counted while they come, so an endless stream fails instead of hanging), and the source is read a
 *   bounded number of times;
 * - records are plain data with the fields their family's contract requires (finite numbers, known vocabularies,
 *   never a function or a prototype found by a lookup with a key such as "constructor").
 * A case that does not return is reported by fast-check's per-run timeout (asynchronous stalls, and synchronous work
 * that ends late) or, when it never returns, by a watchdog thread that writes the case and kills the run: hang
 * guards, not timing assertions.
 * Fixed seed and bounded runs in CI; `FUZZ_RUNS=N` (cases per property) for a longer local run, with bigger inputs;
 * `FUZZ_SEED` to vary the seed; `FUZZ_SHRINK=1` to shrink a counterexample. A failing case is written to
 * $TMPDIR/postern-fuzz/ to be replayed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type Family, isScannedScope, ParseError, type ParseContext, type SourceFile } from "../contract";
import { type AnyParser, PARSERS } from "../registry";
import { bufferSource } from "../source";
import {
  deepArb,
  encodingArb,
  type FuzzCase,
  HangWatchdog,
  headArb,
  hugeArb,
  type Limits,
  mutatedArb,
  prototypeWordsArb,
  randomBytesArb,
  type Sample,
  sampleOf,
  samplesByParser,
  truncatedArb,
} from "./fuzz-inputs";

const LONG = process.env.FUZZ_RUNS !== undefined;
/** Cases per property and parser (there are 7 properties of files per parser, and one of detect() heads). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const DETECT_RUNS = LONG ? RUNS * 4 : 60;
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_212);
const SHRINK = process.env.FUZZ_SHRINK === "1";
/** A case still running after this long is a hang (fast-check's timeout; the watchdog waits twice as long). */
const HANG_MS = Number(process.env.FUZZ_HANG_MS ?? (LONG ? 60_000 : 20_000));
const LIMITS: Limits = LONG ? { hugeString: 1_000_000, depth: 100_000, lineCopies: 20_000 } : { hugeString: 200_000, depth: 10_000, lineCopies: 2_000 };
const FAILURES_DIR = path.join(tmpdir(), "postern-fuzz");

const samples = samplesByParser();
const watchdog = new HangWatchdog(HANG_MS * 2, FAILURES_DIR);
const casesRun = new Map<string, number>();

beforeAll(() => watchdog.start());
afterAll(async () => {
  await watchdog.stop();
  if (LONG) console.warn([...casesRun].map(([id, n]) => `fuzz: ${id}: ${n} cases (seed ${SEED})`).join("\n"));
});

/** A fixed seed per parser and property, so that adding a parser or a property does not change the others' cases. */
function seedFor(...parts: string[]): number {
  return createHash("sha256").update(`${SEED}:${parts.join(":")}`).digest().readInt32BE(0);
}

class Unbounded extends Error {}

/** Longest message of a ParseError (why a file was rejected). */
const MAX_REASON_CHARS = 2000;

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${typeof error}: ${String(error)}`;
  const frame = error.stack?.split("\n").find((l) => l.includes("/server/"))?.trim();
  return `${error.name}: ${error.message.slice(0, 300)}${frame ? ` (${frame})` : ""}`;
}

/** A source that counts how often its content is read. */
function counted(file: SourceFile, reads: { n: number }): SourceFile {
  const count = <T>(read: () => T): T => {
    reads.n++;
    return read();
  };
  return {
    name: file.name,
    size: file.size,
    head: () => count(() => file.head()),
    text: (maxBytes?: number) => count(() => file.text(maxBytes)),
    lines: () => count(() => file.lines()),
    ...(file.chunks ? { chunks: () => count(() => file.chunks!()) } : {}),
  };
}

/**
 * What is wrong with a record, or undefined: it must be plain data (strings, finite numbers, booleans, arrays, plain
 * objects: what the persisters store, never a function or a prototype picked up by a lookup with a key such as
 * "constructor") and hold the fields its family's contract requires, with their types and vocabularies.
 */
function recordProblem(family: Family, record: unknown): string | undefined {
  const stack: [unknown, string][] = [[record, "record"]];
  let visited = 0;
  while (stack.length > 0 && visited++ < 200_000) {
    const [node, where] = stack.pop() as [unknown, string];
    switch (typeof node) {
      case "string":
      case "boolean":
      case "undefined":
        continue;
      case "number":
        if (!Number.isFinite(node)) return `${where} = ${node}`;
        continue;
      case "object": {
        if (node === null) continue;
        const proto = Object.getPrototypeOf(node) as unknown;
        if (!Array.isArray(node) && proto !== Object.prototype && proto !== null) return `${where} is not plain data (${Object.prototype.toString.call(node)})`;
        for (const [k, v] of Object.entries(node)) stack.push([v, `${where}.${k}`]);
        continue;
      }
      default:
        return `${where} is a ${typeof node}`;
    }
  }
  const r = record as Record<string, unknown>;
  const isString = (v: unknown) => typeof v === "string";
  const oneOf = (v: unknown, set: readonly string[], optional = false) => (optional && v === undefined) || (typeof v === "string" && set.includes(v));
  const integer = (v: unknown, optional = false) => (optional && v === undefined) || Number.isInteger(v);
  const checks: Record<Family, [string, boolean][]> = {
    inventory: [
      ["name", isString(r.name) && (r.name as string).trim() !== ""],
      ["baseUrls", Array.isArray(r.baseUrls) && r.baseUrls.every(isString)],
      ["describesEndpoints", typeof r.describesEndpoints === "boolean"],
      ["lifecycle", oneOf(r.lifecycle, ["production", "experimental", "deprecated", "retired"], true)],
      ["exposure", oneOf(r.exposure, ["internet", "partner", "internal"], true)],
      [
        "endpoints",
        Array.isArray(r.endpoints) &&
          r.endpoints.every((e: Record<string, unknown>) => oneOf(e.method, ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]) && isString(e.path) && (e.path as string).startsWith("/")),
      ],
    ],
    scan: [
      ["tool.name", isString((r.tool as Record<string, unknown> | undefined)?.name)],
      ["ruleId", isString(r.ruleId)],
      ["title", isString(r.title)],
      ["severity", oneOf(r.severity, ["critical", "high", "medium", "low", "info"])],
      ["occurrences", integer(r.occurrences) && (r.occurrences as number) >= 1],
      ["cwe", integer(r.cwe, true)],
      ["line", integer(r.line, true)],
    ],
    traffic: [
      ["time", typeof r.time === "number"],
      ["method", isString(r.method)],
      ["path", isString(r.path)],
      ["status", integer(r.status)],
    ],
    vault: [
      ["time", typeof r.time === "number"],
      ["source", isString(r.source)],
      ["secret", isString(r.secret)],
      ["operation", oneOf(r.operation, ["read", "write", "rotate", "delete", "list", "login", "other"])],
      ["action", isString(r.action)],
      ["denied", typeof r.denied === "boolean"],
    ],
  };
  const scope: [string, boolean][] = [
    ["tool.name", isString((r.tool as Record<string, unknown> | undefined)?.name)],
    ["target", r.target === undefined || isString(r.target)],
  ];
  const wrong = (family === "scan" && isScannedScope(record) ? scope : checks[family]).filter(([, ok]) => !ok).map(([field]) => field);
  if (wrong.length > 0) return `${wrong.join(", ")} not as the contract says: ${JSON.stringify(record).slice(0, 300)}`;
  return undefined;
}

class BadRecord extends Error {}

/** Parses one case with the property's checks; throws an Error describing what went wrong. */
async function check(parser: AnyParser, input: FuzzCase, specLint: boolean): Promise<void> {
  const reads = { n: 0 };
  const file = counted(bufferSource(input.bytes, input.name), reads);
  const head = await file.head();
  let score: unknown;
  try {
    score = parser.detect(head, input.name);
  } catch (error) {
    throw new Error(`detect threw ${describeError(error)}`);
  }
  if (typeof score !== "number" || !(score >= 0 && score <= 1)) throw new Error(`detect returned ${String(score)}`);

  // Output proportional to the input: at most one record, warning or line error per byte (plus a few).
  const bound = input.bytes.length + 200;
  let emitted = 0;
  const emit = () => {
    if (++emitted > bound) throw new Unbounded(`more than ${bound} records, warnings and line errors from ${input.bytes.length} bytes`);
  };
  const ctx: ParseContext = { options: { specLint }, warn: emit, lineError: emit, countLineErrors: () => undefined };
  try {
    for await (const record of parser.parse(file, ctx)) {
      emit();
      const bad = recordProblem(parser.family, record);
      if (bad !== undefined) throw new BadRecord(`a record is not valid: ${bad}`);
    }
  } catch (error) {
    if (error instanceof ParseError) {
      // The reason a file was rejected is shown and stored with the run: it may quote the file, but briefly.
      if (error.message.length > MAX_REASON_CHARS) throw new Error(`a ParseError message of ${error.message.length} chars: ${error.message.slice(0, 200)}…`);
      return;
    }
    if (error instanceof Unbounded) throw error;
    if (error instanceof BadRecord) throw error;
    throw new Error(`parse threw ${describeError(error)} instead of a ParseError`);
  }
  if (reads.n > 4) throw new Error(`the source was read ${reads.n} times`);
}

/** Yields to the event loop's timers phase: a case that blocked synchronously for longer than HANG_MS times out. */
const passTimers = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

function dump(parser: AnyParser, property: string, input: FuzzCase): string {
  mkdirSync(FAILURES_DIR, { recursive: true });
  const file = path.join(FAILURES_DIR, `${parser.id}-${property.replace(/\W+/g, "-")}-${createHash("sha256").update(input.bytes).digest("hex").slice(0, 12)}.bin`);
  writeFileSync(file, input.bytes);
  return file;
}

/** `lintEvery`: every how many cases the spec lint (Spectral, ~0.1-0.4 s a spec) runs; off otherwise. */
async function assertCases(parser: AnyParser, property: string, arb: fc.Arbitrary<FuzzCase>, lintEvery = 0): Promise<void> {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      watchdog.enter(`${parser.id} / ${property}: ${input.label}`, input.bytes);
      // Fires with fast-check's timeout: the case is written out for replay. The event loop ran, so this is no
      // synchronous hang: the watchdog stands down (fast-check reports the case).
      const slow = setTimeout(() => {
        watchdog.leave();
        console.error(`fuzz: ${parser.id}: a case ran for more than ${HANG_MS} ms; input: ${dump(parser, property, input)}`);
      }, HANG_MS);
      try {
        await check(parser, input, lintEvery > 0 && n++ % lintEvery === 0);
      } catch (error) {
        clearTimeout(slow);
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${parser.id}: ${message}\n  case: ${input.label}\n  input: ${dump(parser, property, input)}`);
      } finally {
        watchdog.leave();
      }
      casesRun.set(parser.id, (casesRun.get(parser.id) ?? 0) + 1);
      await passTimers();
      clearTimeout(slow);
    }),
    { seed: seedFor(parser.id, property), numRuns: RUNS, endOnFailure: !SHRINK, plugins: [fc.timeout(HANG_MS)] },
  );
}

/** Enough time for the runs of one property on a loaded 2-core machine. */
const TEST_TIMEOUT = Math.max(120_000, RUNS * 3_000);

const FALLBACK = sampleOf("(no sample)/fallback.txt", Buffer.from("x\n"));

describe.each(PARSERS.map((parser) => ({ id: parser.id, parser })))("fuzz $id", ({ parser }) => {
  const own: Sample[] = samples.get(parser.id) ?? [FALLBACK];

  it("detect() never throws and scores in [0, 1] on arbitrary heads", () => {
    fc.assert(
      fc.property(headArb(own, LIMITS), ({ head, name }) => {
        const score = parser.detect(head, name);
        return typeof score === "number" && score >= 0 && score <= 1;
      }),
      { seed: seedFor(parser.id, "detect"), numRuns: DETECT_RUNS, endOnFailure: !SHRINK },
    );
    casesRun.set(parser.id, (casesRun.get(parser.id) ?? 0) + DETECT_RUNS);
  });

  const properties: [string, () => fc.Arbitrary<FuzzCase>, number?][] = [
    ["random bytes", () => randomBytesArb(own)],
    ["truncated samples", () => truncatedArb(own)],
    ["mutated samples", () => mutatedArb(own, LIMITS), 4],
    ["Object.prototype names as values", () => prototypeWordsArb(own)],
    ["deep nesting", () => deepArb(own, LIMITS)],
    ["huge numbers and strings", () => hugeArb(own, LIMITS)],
    ["wrong encodings", () => encodingArb(own)],
  ];
  for (const [property, arb, lintEvery] of properties) {
    it(`${property}: records or a ParseError, bounded work`, () => assertCases(parser, property, arb(), lintEvery), TEST_TIMEOUT);
  }
});
