/**
 * HTTP door into the pipeline (POST /api/v1/ingest and the UI upload): the body — raw or multipart — is streamed
 * to a temporary file with a size limit, then each file goes through the one pipeline, either while the request
 * waits or as a background job (jobs.ts) whose progress and cancel routes are at the end of this file.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline as streamPipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { getCookies, parseCookies } from "better-auth/cookies";
import busboy from "busboy";
import { z } from "zod";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError, httpStatus } from "@/server/domain/errors";
import { getAuth } from "@/server/auth/auth";
import { type IngestChannel, type IngestResult, ingest } from "./pipeline";
import { cancelIngestJob, credentialKey, getIngestJob, IngestJobRefused, startIngestJob } from "./jobs";
import { fileSource } from "./source";

export const MAX_UPLOAD_BYTES = Number(process.env.POSTERN_MAX_UPLOAD_BYTES ?? 4 * 1024 ** 3);
const MAX_FILES = 20;

export const ingestQuery = z.object({
  format: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
  api: z.string().trim().min(1).max(120).optional(),
  filename: z.string().trim().min(1).max(255).optional(),
});

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function safeName(name: string | undefined, fallback: string): string {
  const base = path.basename(name ?? "").replace(/[^\w.\- ]+/g, "_").slice(0, 200);
  return base || fallback;
}

function limiter(limit: number) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new UploadError(413, `upload larger than ${Math.round(limit / 1e6)} MB`));
      else callback(null, chunk);
    },
  });
}

async function spoolRaw(body: ReadableStream<Uint8Array>, dir: string, name: string) {
  const file = path.join(dir, "0");
  await streamPipeline(Readable.fromWeb(body as WebReadableStream<Uint8Array>), limiter(MAX_UPLOAD_BYTES), createWriteStream(file));
  return [{ file, name }];
}

async function spoolMultipart(request: Request, dir: string) {
  const files: { file: string; name: string }[] = [];
  const writes: Promise<void>[] = [];
  const parser = busboy({
    headers: { "content-type": request.headers.get("content-type") ?? "" },
    limits: { files: MAX_FILES, fileSize: MAX_UPLOAD_BYTES, fields: 10 },
  });
  parser.on("file", (_field, stream, info) => {
    const file = path.join(dir, String(files.length));
    files.push({ file, name: safeName(info.filename, `upload-${files.length + 1}`) });
    stream.on("limit", () => stream.destroy(new UploadError(413, `file larger than ${Math.round(MAX_UPLOAD_BYTES / 1e6)} MB`)));
    const write = streamPipeline(stream, createWriteStream(file));
    // When the form itself fails (e.g. the client aborts), Promise.all below is never reached: not unhandled.
    write.catch(() => undefined);
    writes.push(write);
  });
  parser.on("filesLimit", () => parser.destroy(new UploadError(413, `at most ${MAX_FILES} files per request`)));
  if (!request.body) throw new UploadError(400, "empty request body");
  await streamPipeline(Readable.fromWeb(request.body as WebReadableStream<Uint8Array>), parser);
  await Promise.all(writes);
  return files;
}

export interface SpooledUpload {
  /** Temporary directory holding the files; whoever ingests them removes it. */
  dir: string;
  files: { file: string; name: string }[];
  options: { format?: string; api?: string };
}

/** Streams the request's file(s) to a new temporary directory (removed again if spooling fails). */
export async function spoolHttpRequest(request: Request): Promise<SpooledUpload> {
  const url = new URL(request.url);
  const query = ingestQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) throw new UploadError(400, `invalid query: ${query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const dir = await mkdtemp(path.join(tmpdir(), "postern-ingest-"));
  try {
    const contentType = request.headers.get("content-type") ?? "";
    const files = contentType.startsWith("multipart/form-data")
      ? await spoolMultipart(request, dir)
      : request.body
        ? await spoolRaw(request.body, dir, safeName(query.data.filename, "upload"))
        : [];
    if (files.length === 0) throw new UploadError(400, "no file in the request");
    const options = { ...(query.data.format ? { format: query.data.format } : {}), ...(query.data.api ? { api: query.data.api } : {}) };
    return { dir, files, options };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Ingests spooled files one by one while the request waits, then removes them. */
export async function ingestSpooled(
  prisma: Db,
  spooled: SpooledUpload,
  actor: Actor,
  channel: IngestChannel,
  signal?: AbortSignal,
): Promise<IngestResult[]> {
  try {
    const results: IngestResult[] = [];
    for (const item of spooled.files) {
      results.push(
        await ingest(prisma, {
          file: await fileSource(item.file, item.name),
          channel,
          actor: { type: actor.type, id: actor.tokenId ?? actor.userId },
          options: spooled.options,
          ...(signal ? { signal } : {}),
        }),
      );
    }
    return results;
  } finally {
    await rm(spooled.dir, { recursive: true, force: true });
  }
}

/** Spools the request, ingests each file, cleans up. */
export async function ingestHttpRequest(prisma: Db, request: Request, actor: Actor, channel: IngestChannel): Promise<IngestResult[]> {
  return ingestSpooled(prisma, await spoolHttpRequest(request), actor, channel, request.signal);
}

/**
 * Spools the request and starts a background job for its files (server/ingest/jobs.ts); answers at once with the
 * job id. `credential` is what polling and cancelling must present again: the session cookie value or bearer token.
 */
export async function startHttpIngestJob(
  prisma: Db,
  request: Request,
  actor: Actor,
  channel: IngestChannel,
  credential: string,
): Promise<string> {
  const spooled = await spoolHttpRequest(request);
  try {
    return startIngestJob(prisma, {
      spooledDir: spooled.dir,
      files: spooled.files,
      channel,
      actor,
      options: spooled.options,
      ownerKey: credentialKey(credential),
    });
  } catch (error) {
    await rm(spooled.dir, { recursive: true, force: true });
    if (error instanceof IngestJobRefused) throw new UploadError(403, error.message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Job routes: no database on these paths (see jobs.ts), so credentials are compared by hash, not looked up.

/** Job ids are 16 random bytes in base64url. */
export const jobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

/** The UI's routes take cookies, so they refuse requests from other origins (SameSite=Lax lets top-level POSTs through). */
export function crossOriginRefusal(request: Request, what: string): Response | null {
  const origin = request.headers.get("origin");
  if (origin && origin === new URL(request.url).origin) return null;
  return Response.json({ error: `cross-origin ${what} refused` }, { status: 403 });
}

/** The raw better-auth session cookie value (under the name better-auth gives it, "__Secure-" prefix included). */
export async function sessionCredential(headers: Headers): Promise<string | null> {
  const name = getCookies((await getAuth()).options).sessionToken.name;
  return parseCookies(headers.get("cookie") ?? "").get(name) || null;
}

export function bearerCredential(headers: Headers): string | null {
  return /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1] ?? null;
}

const NO_STORE = { "Cache-Control": "no-store" };
const JOB_NOT_FOUND = "no such ingest job (it may have expired)";

/** GET a job's state or POST its cancel, for whoever presents the credential that started it; 404 for anyone else. */
export async function jobResponse(action: "get" | "cancel", params: Promise<{ id: string }>, credential: string | null): Promise<Response> {
  const id = jobIdSchema.safeParse((await params).id);
  if (!id.success) return Response.json({ error: "invalid job id" }, { status: 400, headers: NO_STORE });
  // No credential at all: 401 like every other route (a wrong one finds no job: 404, as for a job that never was).
  if (!credential) return Response.json({ error: "sign in or send the token that started the job" }, { status: 401, headers: NO_STORE });
  const key = credentialKey(credential);
  const job = action === "get" ? getIngestJob(id.data, key) : cancelIngestJob(id.data, key);
  if (!job) return Response.json({ error: JOB_NOT_FOUND }, { status: 404, headers: NO_STORE });
  return Response.json(job, { headers: NO_STORE });
}

export function ingestResponse(results: IngestResult[]): Response {
  const anyFailed = results.some((r) => r.status === "failed" || r.status === "cancelled");
  return Response.json({ runs: results }, { status: anyFailed ? 422 : 200 });
}

export function errorResponse(error: unknown): Response {
  if (error instanceof UploadError) return Response.json({ error: error.message }, { status: error.status });
  if (error instanceof DomainError) return Response.json({ error: error.message }, { status: httpStatus(error.code) });
  console.error("ingest request failed:", error instanceof Error ? error.message : error);
  return Response.json({ error: "internal error" }, { status: 500 });
}
