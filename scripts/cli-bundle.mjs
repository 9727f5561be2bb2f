// The `postern` CLI as a bundle (esbuild, already installed for tsx), so that a command does not compile
// TypeScript on every call. bin/postern.mjs runs the bundle only when it is fresh: the manifest lists every source
// file that went into it with its size, mtime and SHA-256; a file whose size or mtime changed is hashed again, and
// any difference (or a missing file) rebuilds the bundle first (a few hundred ms). A build that fails leaves the CLI
// to tsx. So a stale bundle does not run, whether or not `npm start`/`npm test`/postinstall built it. (An edit that
// keeps a file's size and its mtime to the nanosecond would go unseen; editors, git and cp do not do that.)
//
// Layout: generated/cli/manifest.json names the current build, generated/cli/<id>/main.mjs and its chunks (one
// chunk per command, loaded on demand). Builds go to a new directory and the manifest is replaced atomically, so a
// CLI already running keeps its own files; builds older than a day are removed.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const MANIFEST_VERSION = 1;
const KEEP_OLD_BUILDS_MS = 24 * 3600_000;

/** @param {string} root @param {string} [outRoot] */
export function bundleLocation(root, outRoot = path.join(root, "generated", "cli")) {
  return { outRoot, manifest: path.join(outRoot, "manifest.json") };
}

function sha256(file) {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** What else decides the output: this builder, the tsconfig (path aliases), esbuild's version. */
function buildKey(root, version) {
  const builder = sha256(new URL(import.meta.url));
  return createHash("sha256").update(`${MANIFEST_VERSION}\n${builder}\n${sha256(path.join(root, "tsconfig.json"))}\n${version}`).digest("hex");
}

/** The version of the esbuild this script builds with (resolved as `import("esbuild")` resolves it). */
function esbuildVersion() {
  try {
    return createRequire(import.meta.url)("esbuild/package.json").version;
  } catch {
    return "none";
  }
}

/**
 * The bundle's entry file if the bundle matches the sources, else null. Reads the manifest and stats each input
 * (~130 files); hashes only files whose size or mtime changed.
 * @param {string} root
 * @param {{ outRoot?: string }} [options]
 */
export function freshBundle(root, options = {}) {
  const { outRoot, manifest: manifestFile } = bundleLocation(root, options.outRoot);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  } catch {
    return null;
  }
  if (manifest?.version !== MANIFEST_VERSION || typeof manifest.entry !== "string" || !manifest.inputs) return null;
  if (manifest.key !== buildKey(root, esbuildVersion())) return null;
  let touched = false;
  for (const [relative, recorded] of Object.entries(manifest.inputs)) {
    const file = path.join(root, relative);
    let info;
    try {
      info = statSync(file);
    } catch {
      return null;
    }
    if (info.size === recorded.size && info.mtimeMs === recorded.mtimeMs) continue;
    if (info.size !== recorded.size || sha256(file) !== recorded.sha256) return null;
    recorded.mtimeMs = info.mtimeMs; // same content, new mtime (a checkout): remember it, not to hash it again
    touched = true;
  }
  const entry = path.join(outRoot, manifest.entry);
  try {
    statSync(entry);
  } catch {
    return null;
  }
  if (touched) writeAtomically(manifestFile, JSON.stringify(manifest));
  return entry;
}

function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true }); // a read-only install: the check is only slower
  }
}

/**
 * Builds the bundle of `entry` (default server/cli/main.ts) and makes it current. Returns the entry file.
 * @param {string} root
 * @param {{ outRoot?: string; entry?: string }} [options]
 */
export async function buildBundle(root, options = {}) {
  const { outRoot, manifest: manifestFile } = bundleLocation(root, options.outRoot);
  const { build } = await import("esbuild");
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const outdir = path.join(outRoot, id);
  const started = Date.now();
  const result = await build({
    absWorkingDir: root,
    entryPoints: { main: options.entry ?? "server/cli/main.ts" },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies load from node_modules as they are; only the project's TypeScript is bundled.
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "silent",
    banner: { js: "// Built by scripts/cli-bundle.mjs from the TypeScript sources; do not edit." },
  });
  const inputs = {};
  for (const relative of Object.keys(result.metafile.inputs)) {
    const file = path.join(root, relative);
    const info = statSync(file);
    inputs[relative] = { size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(file) };
  }
  for (const extra of ["tsconfig.json"]) {
    const info = statSync(path.join(root, extra));
    inputs[extra] = { size: info.size, mtimeMs: info.mtimeMs, sha256: sha256(path.join(root, extra)) };
  }
  const manifest = {
    version: MANIFEST_VERSION,
    key: buildKey(root, esbuildVersion()),
    entry: path.join(id, "main.mjs"),
    builtAt: new Date().toISOString(),
    buildMs: Date.now() - started,
    inputs,
  };
  writeAtomically(manifestFile, JSON.stringify(manifest));
  pruneOldBuilds(outRoot, id);
  return path.join(outdir, "main.mjs");
}

function pruneOldBuilds(outRoot, keep) {
  const now = Date.now();
  for (const name of readdirSync(outRoot)) {
    if (name === keep || name.startsWith("manifest.json")) continue;
    const dir = path.join(outRoot, name);
    try {
      if (now - statSync(dir).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another CLI removed it
    }
  }
}

/**
 * The entry of a fresh bundle, built now if needed; null if it cannot be built (the caller then uses tsx).
 * @param {string} root
 * @param {{ outRoot?: string; entry?: string }} [options]
 */
export async function ensureBundle(root, options = {}) {
  const fresh = freshBundle(root, options);
  if (fresh) return fresh;
  try {
    mkdirSync(bundleLocation(root, options.outRoot).outRoot, { recursive: true });
    return await buildBundle(root, options);
  } catch (error) {
    if (process.env.POSTERN_DEBUG === "1") console.error(`postern: could not bundle the CLI (${error instanceof Error ? error.message : error}); using tsx`);
    return null;
  }
}

// `node scripts/cli-bundle.mjs` (postinstall): build it now. Never fails the install: without a bundle the CLI
// builds one on its first call, or runs through tsx.
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
  try {
    const entry = freshBundle(root) ?? (await buildBundle(root));
    console.log(`postern: CLI bundle ${path.relative(root, entry)}`);
  } catch (error) {
    console.warn(`postern: could not bundle the CLI now (${error instanceof Error ? error.message.split("\n")[0] : error}); it will run through tsx`);
  }
}
