/**
 * The CLI bundle (scripts/cli-bundle.mjs) must never run stale: it is used only while every source file that went
 * into it is unchanged, and rebuilt otherwise. Tested on a small project of its own, then on the real bin.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, ensureBundle, freshBundle } from "@/scripts/cli-bundle.mjs";

const REPO = path.resolve(import.meta.dirname, "../..");

describe("the CLI bundle", () => {
  let root: string;
  let outRoot: string;
  const options = () => ({ outRoot, entry: "src/main.ts" });
  const answer = async (entry: string) => ((await import(`${pathToFileURL(entry).href}?${Date.now()}`)) as { answer: () => Promise<string> }).answer();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), "postern-bundle-"));
    outRoot = path.join(root, "out");
    await mkdir(path.join(root, "src", "lib"), { recursive: true });
    await writeFile(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { paths: { "@/*": ["./*"] } } }));
    await writeFile(path.join(root, "src", "main.ts"), 'import { word } from "@/src/lib/word";\nexport async function answer(): Promise<string> {\n  return `${word} ${(await import("./later")).later}`;\n}\n');
    await writeFile(path.join(root, "src", "lib", "word.ts"), 'export const word: string = "first";\n');
    await writeFile(path.join(root, "src", "later.ts"), 'export const later = "loaded on demand";\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("is built from the TypeScript sources, with path aliases and chunks loaded on demand", async () => {
    expect(freshBundle(root, options())).toBeNull();
    const entry = await buildBundle(root, options());
    expect(freshBundle(root, options())).toBe(entry);
    expect(await answer(entry)).toBe("first loaded on demand");
    const manifest = JSON.parse(readFileSync(path.join(outRoot, "manifest.json"), "utf8")) as { inputs: Record<string, unknown> };
    expect(Object.keys(manifest.inputs).sort()).toEqual(["src/later.ts", "src/lib/word.ts", "src/main.ts", "tsconfig.json"]);
  });

  it("stays fresh when only a file's time changes, and is stale as soon as its content does", async () => {
    const entry = freshBundle(root, options());
    expect(entry).not.toBeNull();
    const word = path.join(root, "src", "lib", "word.ts");
    const later = new Date(Date.now() + 60_000);
    await utimes(word, later, later); // a checkout rewrites files as they were
    expect(freshBundle(root, options())).toBe(entry);

    await writeFile(word, 'export const word: string = "secnd";\n'); // same size, other bytes
    expect(freshBundle(root, options())).toBeNull();
    const rebuilt = await ensureBundle(root, options());
    expect(rebuilt).not.toBe(entry);
    expect(await answer(rebuilt!)).toBe("secnd loaded on demand");
  });

  it("is stale when a source file or the tsconfig changes or goes away", async () => {
    expect(freshBundle(root, options())).not.toBeNull();
    await writeFile(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { paths: { "@/*": ["./*"] }, strict: true } }));
    expect(freshBundle(root, options())).toBeNull();
    await ensureBundle(root, options());
    await rm(path.join(root, "src", "later.ts"));
    expect(freshBundle(root, options())).toBeNull();
    // It cannot be built now (later.ts is missing): the CLI falls back to tsx, which reports the error itself.
    expect(await ensureBundle(root, options())).toBeNull();
  });
});

describe("bin/postern.mjs", () => {
  const run = promisify(execFile);
  const bin = path.join(REPO, "bin/postern.mjs");

  it("runs the CLI from its bundle, from any directory, and through tsx when asked", async () => {
    for (const env of [{}, { POSTERN_CLI_TSX: "1" }]) {
      const { stdout } = await run(process.execPath, [bin, "--help"], { cwd: tmpdir(), env: { ...process.env, ...env } });
      expect(stdout).toMatch(/^Usage: postern <command>/);
      const failed = await run(process.execPath, [bin, "nope"], { cwd: tmpdir(), env: { ...process.env, ...env } }).catch((e: { code: number; stderr: string }) => e);
      expect(failed).toMatchObject({ code: 2, stderr: 'postern: unknown command "nope" (see postern --help)\n' });
    }
    expect(freshBundle(REPO)).not.toBeNull();
    expect(existsSync(path.join(REPO, "generated", "cli", "manifest.json"))).toBe(true);
  });
});
