/**
 * The server's side of the CLI beside a running server (remote.ts): POST /api/internal/cli runs a `postern` command
 * line in the server process, on the server's open database, and streams its stdout, stderr and exit code back as
 * NDJSON lines (RunEvent).
 *
 * Who may call it: only a process on this machine that can read <POSTERN_HOME>/server.json (mode 0600), i.e. the
 * user the server runs as. The route answers 404 unless the process was started by scripts/serve.mjs, which
 * registers the key it wrote there (CLI_SERVER_KEY) and sets the peer header from the socket on every request
 * (a client-sent one is dropped); it answers 403 to any peer but loopback, also to a request a local reverse proxy
 * relays for someone else, and 401 without the key (compared in constant time). The key is never logged.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { CliIO, OutStream } from "./commands/shared";
import type { RunEvent } from "./remote";

/** Where scripts/serve.mjs registers the key of this start (globalThis[CLI_SERVER_KEY] = { secret }). */
export const CLI_SERVER_KEY = Symbol.for("postern.cli-server");
/** Set by scripts/serve.mjs to the socket's remote address; whatever a client sends under this name is dropped. */
export const PEER_HEADER = "x-postern-peer";

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_ARGS = 10_000;

const runRequest = z.strictObject({
  id: z.string().regex(/^[\w-]{16,64}$/),
  argv: z.array(z.string().max(64 * 1024)).min(1).max(MAX_ARGS),
  cwd: z.string().min(1).max(4096).refine((p) => p.startsWith("/"), "cwd must be an absolute path"),
  stdin: z.string().max(MAX_BODY_BYTES).optional(),
  answers: z.array(z.string().max(4096)).max(10).optional(),
  stdoutTTY: z.boolean(),
  stderrTTY: z.boolean(),
  debug: z.boolean(),
});
const cancelRequest = z.strictObject({ cancel: z.string().regex(/^[\w-]{16,64}$/) });

export interface CliHandlerOptions {
  /** The key of this start; default: the one scripts/serve.mjs registered (none: the route does not exist). */
  secret?: string | null;
  /** The database commands run on; default: the server's (getDatabase()). */
  database?: CliIO["database"];
}

// Commands running for a CLI, by request id, so that the CLI's Ctrl-C (a cancel request) can stop them.
const globalForCli = globalThis as unknown as { posternCliRuns?: Map<string, AbortController> };
function running(): Map<string, AbortController> {
  globalForCli.posternCliRuns ??= new Map();
  return globalForCli.posternCliRuns;
}

export function isLoopback(address: string | null | undefined): boolean {
  if (!address) return false;
  const ip = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return ip === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/**
 * The addresses a request says it was forwarded for (X-Forwarded-For, X-Real-IP, Forwarded). A CLI sends none, and
 * Next.js sets X-Forwarded-For to the socket's address when it is absent; a reverse proxy on this machine adds the
 * client's. So a request relayed from elsewhere by a local proxy names a remote address here and is refused too.
 */
function forwardedFor(headers: Headers): string[] {
  const addresses: string[] = [];
  for (const name of ["x-forwarded-for", "x-real-ip"]) {
    for (const part of (headers.get(name) ?? "").split(",")) if (part.trim()) addresses.push(part.trim());
  }
  for (const match of (headers.get("forwarded") ?? "").matchAll(/for=("?)\[?([^;,"\]]*)\]?(?::\d+)?\1/gi)) addresses.push(match[2] ?? "");
  return addresses;
}

function registeredSecret(): string | null {
  const registration = (globalThis as Record<symbol, { secret?: unknown } | undefined>)[CLI_SERVER_KEY];
  return typeof registration?.secret === "string" && registration.secret.length >= 32 ? registration.secret : null;
}

function sameKey(given: string, secret: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

const refuse = (status: number, error: string) => Response.json({ error }, { status, headers: { "cache-control": "no-store" } });

async function readLimited(request: Request): Promise<string | null> {
  if (!request.body) return "";
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return null;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString("utf8");
}

async function serverDatabase(): Promise<{ prisma: Db; describe: string }> {
  const [{ getDatabase }, { describeTarget }] = await Promise.all([import("@/server/db/client"), import("@/server/db/config")]);
  const db = await getDatabase();
  return { prisma: db.prisma, describe: describeTarget(db.target) };
}

/** POST /api/internal/cli. */
export async function handleCliRequest(request: Request, options: CliHandlerOptions = {}): Promise<Response> {
  const secret = options.secret === undefined ? registeredSecret() : options.secret;
  if (!secret) return refuse(404, "not found");
  if (!isLoopback(request.headers.get(PEER_HEADER)) || !forwardedFor(request.headers).every(isLoopback)) {
    return refuse(403, "only a CLI on this machine may run commands here");
  }
  const authorization = request.headers.get("authorization") ?? "";
  const given = authorization.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : "";
  if (!given || !sameKey(given, secret)) return refuse(401, "the key does not match this server's");

  const text = await readLimited(request);
  if (text === null) return refuse(413, "request too large");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse(400, "the body is not JSON");
  }
  const cancel = cancelRequest.safeParse(json);
  if (cancel.success) {
    const controller = running().get(cancel.data.cancel);
    controller?.abort();
    return controller ? new Response(null, { status: 204 }) : refuse(404, "no such command running");
  }
  const parsed = runRequest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(400, `invalid request: ${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "bad shape"}`);
  }
  return runCommand(parsed.data, request.signal, options.database ?? serverDatabase);
}

function runCommand(body: z.infer<typeof runRequest>, requestSignal: AbortSignal, database: NonNullable<CliIO["database"]>): Response {
  if (running().has(body.id)) return refuse(409, "a command with this id is running");
  const controller = new AbortController();
  const onRequestAbort = () => controller.abort();
  requestSignal.addEventListener("abort", onRequestAbort, { once: true });
  running().set(body.id, controller);

  const encoder = new TextEncoder();
  let stream!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let drained: (() => void)[] = [];
  const release = () => {
    const waiting = drained;
    drained = [];
    for (const resolve of waiting) resolve();
  };
  const send = (event: RunEvent): boolean => {
    if (!open) return true;
    try {
      stream.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
    } catch {
      open = false;
      return true;
    }
    return (stream.desiredSize ?? 1) > 0;
  };
  const out = (key: "o" | "e", isTTY: boolean): OutStream => ({
    // Bytes (a PDF) travel base64-encoded, so binary output is the same through the server as run locally.
    write: (chunk: string | Uint8Array) =>
      key === "e"
        ? send({ e: typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8") })
        : send(typeof chunk === "string" ? { o: chunk } : { b: Buffer.from(chunk).toString("base64") }),
    once: (_event: "drain", listener: () => void) => {
      if (!open) listener();
      else drained.push(listener);
    },
    isTTY,
  });

  const answers = body.answers ? [...body.answers] : null;
  const io: CliIO = {
    stdout: out("o", body.stdoutTTY),
    stderr: out("e", body.stderrTTY),
    ...(body.stdin === undefined ? {} : { stdin: [Buffer.from(body.stdin, "utf8")] }),
    env: { POSTERN_DEBUG: body.debug ? "1" : undefined },
    signal: controller.signal,
    cwd: body.cwd,
    ...(answers ? { prompt: async () => answers.shift() ?? "" } : {}),
    database,
  };

  const body$ = new ReadableStream<Uint8Array>(
    {
      start(c) {
        stream = c;
      },
      pull() {
        release();
      },
      cancel() {
        // The CLI went away (closed connection): stop the command.
        open = false;
        controller.abort();
        release();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 256 * 1024 }),
  );

  void (async () => {
    let code = 1;
    try {
      const { run } = await import("./main");
      code = await run(body.argv, io);
    } catch (error) {
      // run() never throws; should it ever, say so in one line like the CLI does.
      send({ e: `postern: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n` });
    } finally {
      running().delete(body.id);
      requestSignal.removeEventListener("abort", onRequestAbort);
      send({ exit: code });
      if (open) {
        open = false;
        try {
          stream.close();
        } catch {
          // already cancelled
        }
      }
      release();
    }
  })();

  return new Response(body$, { status: 200, headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
}
