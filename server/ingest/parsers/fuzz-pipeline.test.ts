/**
 * Fuzzing every registered parser through the ingest pipeline (issue 12, with fuzz.test.ts): hostile files derived
 * from the real samples (fuzz-inputs.ts) are ingested with the parser's format forced, on a database that already
 * holds data of every format. Properties:
 * - a file the parser rejects (ParseError) is a failed run that says nothing was written;
 * - a run that does not succeed (failed, duplicate) changes no row of any table but its own ingest run: every table
 *   is fingerprinted (row count and a hash of its rows) before and after.
 * Fixed seed and bounded runs in CI; FUZZ_RUNS=N for more (as in fuzz.test.ts).
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { ParseError, type ParseContext } from "../contract";
import { ingest } from "../pipeline";
import { PARSERS } from "../registry";
import { bufferSource, decodedSource } from "../source";
import { deepArb, encodingArb, type FuzzCase, type Limits, mutatedArb, randomBytesArb, samplesByParser, truncatedArb } from "./fuzz-inputs";

const LONG = process.env.FUZZ_RUNS !== undefined;
const RUNS = LONG ? Math.max(1, Math.ceil(Number(process.env.FUZZ_RUNS) / 4)) : 6;
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_212);
const LIMITS: Limits = { hugeString: 100_000, depth: 10_000, lineCopies: 1_000 };
const system = { type: "system" as const };
const samples = samplesByParser();

function seedFor(...parts: string[]): number {
  return createHash("sha256").update(`${SEED}:pipeline:${parts.join(":")}`).digest().readInt32BE(0);
}

type Db = Database["prisma"];

/** Per table: its row count and a hash of its rows. */
async function fingerprint(prisma: Db): Promise<Map<string, string>> {
  const tables = await prisma.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`;
  const query = tables
    .map(({ name }) => {
      const id = `"${name.replace(/"/g, '""')}"`;
      const literal = `'${name.replace(/'/g, "''")}'`;
      return `SELECT ${literal} AS name, count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS print FROM ${id} t`;
    })
    .join(" UNION ALL ");
  const rows = await prisma.$queryRawUnsafe<{ name: string; print: string }[]>(query);
  return new Map(rows.map((r) => [r.name, r.print]));
}

/** Whether the parser alone rejects the file with a ParseError, read as the pipeline reads it (UTF-16 decoded). */
async function rejectedByParser(parserId: string, input: FuzzCase): Promise<boolean> {
  const parser = PARSERS.find((p) => p.id === parserId);
  if (!parser) throw new Error(`no parser ${parserId}`);
  const ctx: ParseContext = { options: { specLint: false }, warn: () => undefined, lineError: () => undefined };
  try {
    for await (const record of parser.parse(await decodedSource(bufferSource(input.bytes, input.name)), ctx)) void record;
    return false;
  } catch (error) {
    if (error instanceof ParseError) return true;
    throw error;
  }
}

describe.each(TEST_DATABASES)("fuzz through the ingest pipeline on $name", (kind) => {
  let db: Database;
  const notes: string[] = [];

  beforeAll(async () => {
    db = await kind.open();
    // Data of every format first, so that a failed run has rows it could wrongly change.
    for (const list of samples.values()) {
      const sample = list[0];
      if (!sample) continue;
      await ingest(db.prisma, { file: bufferSource(sample.bytes, sample.name), channel: "cli", actor: system, correlate: false, specLint: false });
    }
  });
  afterAll(async () => {
    if (notes.length > 0) console.warn(`fuzz (pipeline on ${kind.name}): runs that failed although the parser accepted the file:\n  ${notes.join("\n  ")}`);
    await db?.close();
  });

  for (const parser of PARSERS) {
    it(`${parser.id}: a rejected file is a failed run, and a run that does not succeed writes nothing`, async () => {
      const own = samples.get(parser.id) ?? [];
      expect(own.length, `no sample of ${parser.id}`).toBeGreaterThan(0);
      let rejected = 0;
      let before = await fingerprint(db.prisma);
      await fc.assert(
        fc.asyncProperty(fc.oneof({ arbitrary: randomBytesArb(own), weight: 2 }, truncatedArb(own), mutatedArb(own, LIMITS), encodingArb(own), deepArb(own, LIMITS)), async (input) => {
          const parserRejects = await rejectedByParser(parser.id, input);
          if (parserRejects) rejected++;
          const result = await ingest(db.prisma, {
            file: bufferSource(input.bytes, input.name),
            channel: "cli",
            actor: system,
            options: { format: parser.id },
            correlate: false,
            specLint: false,
          });
          const after = await fingerprint(db.prisma);
          const run = await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: result.runId }, select: { status: true } });
          expect(run.status, input.label).toBe(result.status);
          if (parserRejects) {
            expect(result.status, `${input.label}: ${result.message}`).toBe("failed");
            expect(result.message, input.label).toMatch(/nothing was written/);
          } else if (result.status === "failed" && !/^no .* records found in the file/.test(result.message ?? "")) {
            notes.push(`${parser.id}: ${input.label}: ${result.message}`);
          }
          if (result.status !== "succeeded") {
            const changed = [...after].filter(([table, print]) => table !== "ingest_run" && before.get(table) !== print).map(([table]) => table);
            expect(changed, `${input.label}: ${result.status} (${result.message}) changed tables`).toEqual([]);
          }
          before = after;
        }),
        { seed: seedFor(parser.id), numRuns: RUNS, endOnFailure: true },
      );
      expect(rejected, "cases the parser rejected").toBeGreaterThan(0);
    }, 300_000);
  }
});
