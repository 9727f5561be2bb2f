/**
 * Background ingest jobs: large uploads are spooled to disk by the HTTP request, which then ends; a job runs the
 * spooled files through the one pipeline (`ingest()`), one job at a time, with its own AbortController.
 *
 * Progress and cancel never touch the database: on the embedded PGlite (one connection) every other query waits
 * while an ingest transaction runs, so the job state lives in this process's memory. A job is found again only with
 * the credential that started it (its SHA-256 is the owner key); anyone else is told it does not exist.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { can } from "@/server/auth/permissions";
import { type Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import type { SourceFile } from "./contract";
import { type IngestChannel, type IngestResult, type IngestStatus, ingest } from "./pipeline";
import { detectParser, parserById } from "./registry";
import { fileSource, splitLines } from "./source";

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";
export type JobFileStatus = "queued" | "running" | IngestStatus;
/**
 * hashing: a document's first full read (content hash, duplicate check); ingesting: parsing and storing (logs are
 * hashed on the way); finishing: read done, committing and recomputing risk.
 */
export type JobFilePhase = "queued" | "hashing" | "ingesting" | "finishing" | "done";

/** Finished jobs are kept this long for the UI and API clients to read their outcome. */
export const JOB_TTL_MS = 3600_000;
/** At most this many jobs are remembered; past it the oldest finished ones are dropped. */
export const MAX_JOBS = 200;

export interface StartIngestJob {
  /** Directory holding the spooled files; removed when the job ends, whatever the outcome. */
  spooledDir: string;
  files: { file: string; name: string }[];
  channel: IngestChannel;
  actor: Actor;
  options: { format?: string; api?: string };
  /** SHA-256 (hex) of the credential that started the job (see credentialKey). */
  ownerKey: string;
  /** Called on every progress update (tests use it to cancel at a known point). */
  onUpdate?: (job: IngestJobView) => void;
}

interface FileState {
  path: string;
  name: string;
  sizeBytes: number;
  status: JobFileStatus;
  phase: JobFilePhase;
  /** Bytes read in the current phase's pass over the file. */
  bytesRead: number;
  /** Lines read in the current phase's pass. */
  lines: number;
  records: number;
  startedAt: number | null;
  phaseStartedAt: number | null;
  finishedAt: number | null;
  result: IngestResult | null;
  error: string | null;
}

interface Job {
  id: string;
  ownerKey: Buffer;
  status: JobStatus;
  files: FileState[];
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  spooledDir: string;
  controller: AbortController;
  /** What the pipeline needs to know about who started the job (not the session or token). */
  ingestActor: { type: "user" | "token"; id: string };
  channel: IngestChannel;
  options: { format?: string; api?: string };
  onUpdate?: (job: IngestJobView) => void;
}

/** What the UI and API clients see: no paths, no owner key, no stack traces. */
export interface IngestJobView {
  id: string;
  status: JobStatus;
  /** Cancel was asked for; the running file is being rolled back. */
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  elapsedMs: number;
  files: {
    name: string;
    sizeBytes: number;
    status: JobFileStatus;
    phase: JobFilePhase;
    bytesRead: number;
    /** Percent of the current phase's pass over the file (0-100). */
    percent: number;
    lines: number;
    records: number;
    linesPerSecond: number;
    elapsedMs: number;
    result: IngestResult | null;
    error: string | null;
  }[];
}

interface Registry {
  jobs: Map<string, Job>;
  /** Jobs run one after another: on the embedded database concurrent ingests would only queue on its one connection. */
  tail: Promise<void>;
}

// One registry per process (Next.js evaluates each route's modules separately).
const globalForJobs = globalThis as unknown as { posternIngestJobs?: Registry };

function registry(): Registry {
  globalForJobs.posternIngestJobs ??= { jobs: new Map(), tail: Promise.resolve() };
  return globalForJobs.posternIngestJobs;
}

/** The owner key of a credential (session cookie value or bearer token): its SHA-256 in hex. */
export function credentialKey(credential: string): string {
  return createHash("sha256").update(credential).digest("hex");
}

export class IngestJobRefused extends Error {}

function prune(reg: Registry, now = Date.now()): void {
  for (const [id, job] of reg.jobs) {
    if (job.finishedAt !== null && now - job.finishedAt > JOB_TTL_MS) reg.jobs.delete(id);
  }
  if (reg.jobs.size <= MAX_JOBS) return;
  // Map iteration is in insertion order: the first finished jobs are the oldest.
  for (const [id, job] of reg.jobs) {
    if (reg.jobs.size <= MAX_JOBS) break;
    if (job.finishedAt !== null) reg.jobs.delete(id);
  }
}

function view(job: Job, now = Date.now()): IngestJobView {
  return {
    id: job.id,
    status: job.status,
    cancelRequested: job.controller.signal.aborted,
    createdAt: new Date(job.createdAt).toISOString(),
    startedAt: job.startedAt === null ? null : new Date(job.startedAt).toISOString(),
    finishedAt: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
    elapsedMs: job.startedAt === null ? 0 : (job.finishedAt ?? now) - job.startedAt,
    files: job.files.map((f) => {
      const phaseMs = f.phaseStartedAt === null ? 0 : (f.finishedAt ?? now) - f.phaseStartedAt;
      const readDone = f.phase === "ingesting" && f.sizeBytes > 0 && f.bytesRead >= f.sizeBytes;
      return {
        name: f.name,
        sizeBytes: f.sizeBytes,
        status: f.status,
        phase: readDone ? "finishing" : f.phase,
        bytesRead: f.bytesRead,
        percent: f.phase === "done" ? 100 : f.sizeBytes > 0 ? Math.min(100, Math.round((f.bytesRead / f.sizeBytes) * 1000) / 10) : 0,
        lines: f.lines,
        records: f.records,
        linesPerSecond: phaseMs > 0 ? Math.round((f.lines / phaseMs) * 1000) : 0,
        elapsedMs: f.startedAt === null ? 0 : (f.finishedAt ?? now) - f.startedAt,
        result: f.result,
        error: f.error,
      };
    }),
  };
}

function notify(job: Job): void {
  if (!job.onUpdate) return;
  try {
    job.onUpdate(view(job));
  } catch (error) {
    console.error(`ingest job ${job.id}: progress listener failed:`, error instanceof Error ? error.message : error);
  }
}

/**
 * A spooled file whose reads count bytes and lines into the job's state, so that the percent is that of the current
 * pass over the file. The pipeline hashes documents (inventories, scan reports) in a first full read and parses them
 * in a second; streamed logs are hashed while they are parsed, in one read. Reading stops as soon as the job is
 * cancelled, also while hashing (which does not look at the signal itself).
 */
async function trackedSource(job: Job, state: FileState): Promise<SourceFile> {
  const base = await fileSource(state.path, state.name);
  state.sizeBytes = base.size ?? 0;
  // Which kind of file it is only names the phases; detection proper is the pipeline's.
  const parser = job.options.format ? parserById(job.options.format) : detectParser(await base.head(), state.name);
  const hashedFirst = parser?.family === "inventory" || parser?.family === "scan";
  let passes = 0;
  const startPass = () => {
    passes += 1;
    state.phase = passes === 1 && hashedFirst ? "hashing" : "ingesting";
    state.phaseStartedAt = Date.now();
    state.bytesRead = 0;
    state.lines = 0;
    notify(job);
  };
  const signal = job.controller.signal;
  async function* chunks(): AsyncIterable<Uint8Array> {
    for await (const chunk of createReadStream(state.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      state.bytesRead += chunk.byteLength;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) state.lines += 1;
      notify(job);
      yield chunk;
    }
  }
  return {
    name: base.name,
    size: base.size,
    path: state.path,
    head: () => base.head(),
    async text(maxBytes) {
      startPass();
      signal.throwIfAborted();
      const text = await base.text(maxBytes);
      state.bytesRead = state.sizeBytes;
      return text;
    },
    lines() {
      startPass();
      return splitLines(chunks());
    },
    chunks() {
      startPass();
      return chunks();
    },
  };
}

const INTERNAL_ERROR = "internal error while ingesting the file; nothing was written";

async function runFile(prisma: Db, job: Job, state: FileState): Promise<void> {
  state.status = "running";
  state.startedAt = Date.now();
  notify(job);
  try {
    const file = await trackedSource(job, state);
    const result = await ingest(prisma, {
      file,
      channel: job.channel,
      actor: job.ingestActor,
      options: job.options,
      signal: job.controller.signal,
      onProgress: ({ records }) => {
        state.records = records;
        notify(job);
      },
    });
    state.result = result;
    state.status = result.status;
    if (typeof result.counts.records === "number") state.records = result.counts.records;
  } catch (error) {
    // Thrown out of the pipeline (it records most failures as a run): a cancel, or an I/O or database failure.
    if (job.controller.signal.aborted) {
      state.status = "cancelled";
      state.error = "cancelled; nothing was written";
    } else {
      console.error(`ingest job ${job.id} failed:`, error instanceof Error ? error.message : error);
      state.status = "failed";
      state.error = INTERNAL_ERROR;
    }
  } finally {
    state.phase = "done";
    state.finishedAt = Date.now();
    notify(job);
  }
}

async function runJob(prisma: Db, job: Job): Promise<void> {
  if (job.status !== "queued") return; // cancelled while waiting for its turn: already ended
  let outcome: JobStatus = "failed";
  try {
    job.status = "running";
    job.startedAt = Date.now();
    notify(job);
    for (const state of job.files) {
      if (job.controller.signal.aborted) break;
      await runFile(prisma, job, state);
    }
    const statuses = job.files.map((f) => f.status);
    outcome = job.controller.signal.aborted
      ? "cancelled"
      : statuses.some((s) => s === "failed" || s === "cancelled")
        ? "failed"
        : "succeeded";
  } catch (error) {
    console.error(`ingest job ${job.id} failed:`, error instanceof Error ? error.message : error);
  } finally {
    await endJob(job, outcome);
  }
}

/** Marks files that never ran, removes the spool directory, then stamps the outcome (so "finished" means cleaned up). */
async function endJob(job: Job, outcome: JobStatus): Promise<void> {
  for (const state of job.files) {
    if (state.status === "queued") {
      state.status = "cancelled";
      state.phase = "done";
      state.error = "cancelled before it started; nothing was written";
      state.finishedAt = Date.now();
    }
  }
  try {
    await rm(job.spooledDir, { recursive: true, force: true });
  } catch (error) {
    console.error(`ingest job ${job.id}: could not remove its spool directory:`, error instanceof Error ? error.message : error);
  }
  job.status = outcome;
  job.finishedAt = Date.now();
  notify(job);
}

/**
 * Starts a job for spooled files and returns its id at once; the files are ingested in the background, after any
 * job started earlier. The caller has authenticated `actor` through the database; its role is checked here again.
 */
export function startIngestJob(prisma: Db, input: StartIngestJob): string {
  if (!can(input.actor, "ingest:write")) throw new IngestJobRefused("requires role admin or security");
  if (input.files.length === 0) throw new IngestJobRefused("no file to ingest");
  if (!/^[0-9a-f]{64}$/.test(input.ownerKey)) throw new Error("ownerKey must be a SHA-256 in hex");
  const reg = registry();
  prune(reg);
  const job: Job = {
    id: randomBytes(16).toString("base64url"),
    ownerKey: Buffer.from(input.ownerKey, "hex"),
    status: "queued",
    files: input.files.map((f) => ({
      path: f.file,
      name: f.name,
      sizeBytes: 0,
      status: "queued",
      phase: "queued",
      bytesRead: 0,
      lines: 0,
      records: 0,
      startedAt: null,
      phaseStartedAt: null,
      finishedAt: null,
      result: null,
      error: null,
    })),
    createdAt: Date.now(),
    startedAt: null,
    finishedAt: null,
    spooledDir: input.spooledDir,
    controller: new AbortController(),
    ingestActor: { type: input.actor.type, id: input.actor.tokenId ?? input.actor.userId },
    channel: input.channel,
    options: input.options,
    ...(input.onUpdate ? { onUpdate: input.onUpdate } : {}),
  };
  reg.jobs.set(job.id, job);
  // runJob never rejects; the catch only keeps the chain alive should that ever change.
  reg.tail = reg.tail.then(() => runJob(prisma, job)).catch(() => undefined);
  return job.id;
}

function ownedJob(id: string, ownerKey: string): Job | null {
  const reg = registry();
  prune(reg);
  const job = reg.jobs.get(id);
  if (!job || !/^[0-9a-f]{64}$/.test(ownerKey)) return null;
  return timingSafeEqual(job.ownerKey, Buffer.from(ownerKey, "hex")) ? job : null;
}

/** The job's state, or null when it does not exist, has expired or belongs to another credential. */
export function getIngestJob(id: string, ownerKey: string): IngestJobView | null {
  const job = ownedJob(id, ownerKey);
  return job ? view(job) : null;
}

/**
 * Cancels a job: a queued one never runs; a running one stops reading and its current file rolls back (the pipeline
 * sees the aborted signal). Returns the state, or null like getIngestJob. Cancelling a finished job changes nothing.
 */
export function cancelIngestJob(id: string, ownerKey: string): IngestJobView | null {
  const job = ownedJob(id, ownerKey);
  if (!job) return null;
  cancelJob(job);
  return view(job);
}

function cancelJob(job: Job): void {
  if (job.status === "queued") {
    job.controller.abort();
    job.status = "cancelled";
    void endJob(job, "cancelled");
  } else if (job.status === "running") {
    job.controller.abort();
  }
}

/**
 * For the server's shutdown (server/lifecycle.ts): cancels every job that has not ended, whoever started it, as
 * cancelIngestJob does, and resolves once they all have ended (files rolled back, spool directories removed) with
 * their final states, whose results name the runs they recorded.
 */
export async function cancelAllIngestJobs(pollMs = 20): Promise<IngestJobView[]> {
  const active = [...registry().jobs.values()].filter((job) => job.finishedAt === null);
  for (const job of active) cancelJob(job);
  while (active.some((job) => job.finishedAt === null)) await new Promise((resolve) => setTimeout(resolve, pollMs));
  return active.map((job) => view(job));
}

/** Resolves when the job has ended (tests; the CLI could use it too). Null when unknown. */
export async function waitForIngestJob(id: string, ownerKey: string, pollMs = 20): Promise<IngestJobView | null> {
  for (;;) {
    const job = ownedJob(id, ownerKey);
    if (!job) return null;
    if (job.finishedAt !== null) return view(job);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
