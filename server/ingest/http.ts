/**
 * HTTP door into the pipeline (POST /api/v1/ingest and the UI upload): the body — raw or multipart — is streamed
 * to a temporary file with a size limit, then each file goes through the one pipeline.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline as streamPipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { z } from "zod";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { type IngestChannel, type IngestResult, ingest } from "./pipeline";
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
    writes.push(streamPipeline(stream, createWriteStream(file)));
  });
  parser.on("filesLimit", () => parser.destroy(new UploadError(413, `at most ${MAX_FILES} files per request`)));
  if (!request.body) throw new UploadError(400, "empty request body");
  await streamPipeline(Readable.fromWeb(request.body as WebReadableStream<Uint8Array>), parser);
  await Promise.all(writes);
  return files;
}

/** Spools the request, ingests each file, cleans up. */
export async function ingestHttpRequest(
  prisma: Db,
  request: Request,
  actor: Actor,
  channel: IngestChannel,
): Promise<IngestResult[]> {
  const url = new URL(request.url);
  const query = ingestQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) throw new UploadError(400, `invalid query: ${query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const dir = await mkdtemp(path.join(tmpdir(), "postern-ingest-"));
  try {
    const contentType = request.headers.get("content-type") ?? "";
    const spooled = contentType.startsWith("multipart/form-data")
      ? await spoolMultipart(request, dir)
      : request.body
        ? await spoolRaw(request.body, dir, safeName(query.data.filename, "upload"))
        : [];
    if (spooled.length === 0) throw new UploadError(400, "no file in the request");
    const results: IngestResult[] = [];
    for (const item of spooled) {
      const file = await fileSource(item.file, item.name);
      results.push(
        await ingest(prisma, {
          file,
          channel,
          actor: { type: actor.type, id: actor.tokenId ?? actor.userId },
          options: { ...(query.data.format ? { format: query.data.format } : {}), ...(query.data.api ? { api: query.data.api } : {}) },
          signal: request.signal,
        }),
      );
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function ingestResponse(results: IngestResult[]): Response {
  const anyFailed = results.some((r) => r.status === "failed" || r.status === "cancelled");
  return Response.json({ runs: results }, { status: anyFailed ? 422 : 200 });
}

export function errorResponse(error: unknown): Response {
  if (error instanceof UploadError) return Response.json({ error: error.message }, { status: error.status });
  console.error("ingest request failed:", error instanceof Error ? error.message : error);
  return Response.json({ error: "internal error" }, { status: 500 });
}
