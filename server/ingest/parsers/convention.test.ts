/**
 * The parser convention, checked over the registry (in the spirit of DefectDojo's unittests/test_parsers.py): every
 * registered format lives in `parsers/<family>/<format id>/` with its `parser.ts` and `parser.test.ts`, the test file
 * has a malformed-input test, at least one real sample in fixtures/samples is detected as that format, every sample
 * has its provenance in SOURCES.md, and each parser rejects bytes that are not its format with a ParseError (never
 * another exception, never records). Registering a format without these fails the suite.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ParseError } from "../contract";
import { detectParser, PARSERS } from "../registry";
import { parseAll, SAMPLES_DIR, textSource } from "../test-utils";

const PARSERS_DIR = import.meta.dirname;
/** Test titles that count as a malformed-input test. */
const MALFORMED_TITLE = /\b(it|test)\(\s*(["'`])[^"'`]*(malformed|rejects|reject|not an? [\w .-]*(file|format|log|report)|bad lines?|foreign)/i;

const samples = readdirSync(SAMPLES_DIR)
  .filter((dir) => statSync(path.join(SAMPLES_DIR, dir)).isDirectory())
  .flatMap((dir) => readdirSync(path.join(SAMPLES_DIR, dir)).map((file) => `${dir}/${file}`));
const detected = new Map<string, string[]>();
for (const sample of samples) {
  const file = path.join(SAMPLES_DIR, sample);
  const id = detectParser(readFileSync(file, "utf8").slice(0, 64 * 1024), path.basename(file))?.id ?? "(none)";
  detected.set(id, [...(detected.get(id) ?? []), sample]);
}

describe("parser convention", () => {
  it("the registry is not empty and ids are unique", () => {
    expect(PARSERS.length).toBeGreaterThanOrEqual(21);
    expect(new Set(PARSERS.map((p) => p.id)).size).toBe(PARSERS.length);
  });

  it("every sample is recognised as some registered format", () => {
    expect(detected.get("(none)") ?? []).toEqual([]);
  });

  it("every sample has its provenance in SOURCES.md", () => {
    const sources = readFileSync(path.join(SAMPLES_DIR, "SOURCES.md"), "utf8");
    const missing = samples.filter((s) => !sources.includes(`| ${path.basename(s)} |`));
    expect(missing).toEqual([]);
    expect(existsSync(path.join(SAMPLES_DIR, "NOTICE"))).toBe(true);
  });

  for (const parser of PARSERS) {
    describe(parser.id, () => {
      const folder = path.join(PARSERS_DIR, parser.family, parser.id);

      it(`lives in parsers/${parser.family}/${parser.id}/ with parser.ts and parser.test.ts`, () => {
        expect(existsSync(path.join(folder, "parser.ts"))).toBe(true);
        expect(existsSync(path.join(folder, "parser.test.ts"))).toBe(true);
      });

      it("its test file has a malformed-input test", () => {
        const tests = readFileSync(path.join(folder, "parser.test.ts"), "utf8");
        expect(MALFORMED_TITLE.test(tests)).toBe(true);
      });

      it("has a real sample in fixtures/samples detected as this format", () => {
        expect(detected.get(parser.id) ?? []).not.toEqual([]);
      });

      it("rejects bytes that are not its format with a ParseError and no records", async () => {
        const foreign = textSource("\u0001\u0002 %PDF-1.7 \u00ff\n<<not this>> format {\n[[[\n", "foreign.bin");
        await expect(parseAll(parser as Parameters<typeof parseAll>[0], foreign)).rejects.toBeInstanceOf(ParseError);
      });
    });
  }
});
