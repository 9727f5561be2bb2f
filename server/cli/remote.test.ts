/**
 * The CLI beside a running server: the route handler behind an in-process HTTP server that sets the peer header
 * as scripts/serve.mjs does, and the CLI's run() finding it through server.json. The same commands run both ways
 * (the CLI opening its own database, and the server running them) must print the same and exit the same.
 * e2e/server.spec.ts does it again with the real `npm start`.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { verifyPassword } from "better-auth/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markPeer, newSecret, PEER_HEADER, removeServerFile, writeServerFile, embeddedDataDir, serverFilePath as serveFilePath } from "@/scripts/serve-support.mjs";
import type { Database } from "@/server/db/client";
import { describeTarget, resolveDatabaseTarget } from "@/server/db/config";
import { TEST_DATABASES } from "@/server/test/databases";
import type { CliIO } from "./commands/shared";
import { run } from "./main";
import { findServer, serverFilePath } from "./remote";
import { type CliHandlerOptions, handleCliRequest, isLoopback, PEER_HEADER as HANDLER_PEER_HEADER } from "./remote-handler";

const REPO = path.resolve(import.meta.dirname, "../..");
const INVENTORY = path.join(REPO, "fixtures/samples/api-inventory");

/** An HTTP server on 127.0.0.1 in front of handleCliRequest, as scripts/serve.mjs is in front of Next.js. */
async function startServer(options: CliHandlerOptions & { peer?: string }) {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    markPeer(req);
    if (options.peer) req.headers[PEER_HEADER] = options.peer;
    const controller = new AbortController();
    res.once("close", () => controller.abort());
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: "half",
      signal: controller.signal,
    } as RequestInit);
    void (async () => {
      const response = await handleCliRequest(request, options);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      res.end();
    })().catch((error: unknown) => res.destroy(error as Error));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function collector() {
  let text = "";
  return {
    stream: {
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    get text() {
      return text;
    },
  };
}

interface CliCall {
  argv: string[];
  stdin?: string;
  answers?: string[];
  cwd?: string;
}

async function cli(env: Record<string, string>, call: CliCall, signal?: AbortSignal) {
  const out = collector();
  const err = collector();
  const answers = call.answers ? [...call.answers] : null;
  const io: CliIO = {
    stdout: out.stream,
    stderr: err.stream,
    env,
    cwd: call.cwd ?? REPO,
    ...(call.stdin === undefined ? {} : { stdin: [Buffer.from(call.stdin)] }),
    ...(answers ? { prompt: async () => answers.shift() ?? "" } : {}),
    ...(signal ? { signal } : {}),
  };
  const code = await run(call.argv, io);
  return { code, stdout: out.text, stderr: err.text };
}

/** What may differ between two databases: ids, times, durations, generated secrets, where the database is. */
function normalise(text: string): string {
  return text
    .replace(/\bc[a-z0-9]{24}\b/g, "<id>")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<uuid>")
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
    .replace(/"durationMs": \d+/g, '"durationMs": 0')
    .replace(/in \d+\.\d s\./g, "in N s.")
    .replace(/^pst_[\w-]+$/gm, "<token>")
    .replace(/expires \S+\)/g, "expires <date>)")
    .replace(/\((embedded PostgreSQL at \S+|in-memory PostgreSQL|PostgreSQL \S+)\)/g, "(<database>)")
    .replace(/; (\d+|none) applied just now\./, "; N applied just now.");
}

/** Every command, with relative paths from a directory that is not the server's, missing files and errors. */
const SCENARIO: CliCall[] = [
  { argv: ["migrate"] },
  { argv: ["ingest", "swagger-petstore-v3-openapi.yaml", "backstage-petstore-api.yaml", "nope.yaml"], cwd: INVENTORY },
  { argv: ["ingest", "--json", "swagger-petstore-v3-openapi.yaml"], cwd: INVENTORY },
  { argv: ["ingest", "--formats"] },
  { argv: ["export", "apis"] },
  { argv: ["export", "endpoints", "--format", "csv"] },
  { argv: ["export", "findings", "--format", "json"] },
  { argv: ["export", "findings", "--team", "nobody"] },
  { argv: ["export", "widgets"] },
  { argv: ["team", "create", "Payments Platform"] },
  { argv: ["team", "create", "payments platform"] },
  { argv: ["user", "create", "--email", "Sec@Example.com", "--role", "security", "--team", "payments-platform", "--password-stdin"], stdin: "correct horse battery staple\n" },
  { argv: ["user", "create", "--email", "sec@example.com", "--role", "security", "--password-stdin"], stdin: "another long password\n" },
  { argv: ["user", "passwd", "sec@example.com", "--password-stdin"], stdin: "a brand new password\n" },
  { argv: ["user", "passwd", "sec@example.com"] },
  { argv: ["user", "passwd", "sec@example.com"], answers: ["typed at the prompt", "typed differently"] },
  { argv: ["user", "passwd", "sec@example.com"], answers: ["typed at the prompt", "typed at the prompt"] },
  { argv: ["user", "passwd", "nobody@example.com", "--password-stdin"], stdin: "a brand new password\n" },
  { argv: ["user", "passwd", "sec@example.com", "--password-stdin"], stdin: "short\n" },
  { argv: ["user", "passwd", "--help"] },
  { argv: ["token", "create", "--user", "sec@example.com", "--scopes", "ingest,read", "--name", "ci"] },
  { argv: ["correlate", "--as-of", "2024-05-01T12:00:00Z"] },
  { argv: ["correlate", "--as-of", "yesterday"] },
];

async function runScenario(env: Record<string, string>) {
  const results = [];
  for (const call of SCENARIO) {
    const result = await cli(env, call);
    // Findings are exported in id order, and ids are random: compare them as a set of rows.
    const stdout = call.argv[1] === "findings" ? normalise(result.stdout).split("\n").map((l) => l.replace(/,$/, "")).sort().join("\n") : normalise(result.stdout);
    results.push({ argv: call.argv.join(" "), code: result.code, stdout, stderr: normalise(result.stderr) });
  }
  return results;
}

describe("the CLI beside a running server", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "postern-remote-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.each(TEST_DATABASES)("serving $name", (kind) => {
    let served: Database;
    let server: Awaited<ReturnType<typeof startServer>>;
    let home: string;
    let env: Record<string, string>;
    const secret = newSecret();

    beforeAll(async () => {
      served = await kind.open();
      server = await startServer({ secret, database: async () => ({ prisma: served.prisma, describe: describeTarget(served.target) }) });
      home = await mkdtemp(path.join(dir, "home-"));
      // The CLI names a data directory the test server "serves": were the command run locally, it would appear.
      const dataDir = path.join(home, "db");
      env = { DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: home };
      writeServerFile(path.join(home, "server.json"), { pid: process.pid, port: server.port, secret, dataDir });
    });
    afterAll(async () => {
      await server?.close();
      await served?.close();
    });

    it("runs every command on the server with the output, exit codes and effects of a local run", async () => {
      const local = await runScenario({ DATABASE_URL: `pglite:${path.join(dir, `local-${kind.name}`)}`, POSTERN_HOME: path.join(dir, "no-server") });
      const before = server.requests;
      const remote = await runScenario(env);
      expect(server.requests - before).toBe(SCENARIO.length);
      expect(existsSync(path.join(home, "db"))).toBe(false);
      for (const [i, result] of remote.entries()) expect(result, result.argv).toEqual(local[i]);

      // The scenario's expectations, so that "the same" is not "the same failure".
      const by = (argv: string) => remote.filter((r) => r.argv === argv);
      expect(remote[1]).toMatchObject({ code: 1 });
      expect(remote[1]?.stdout).toMatch(/^swagger-petstore-v3-openapi\.yaml: succeeded openapi records=\d+/m);
      expect(remote[1]?.stdout).toContain("nope.yaml: failed - (no such file)");
      expect(JSON.parse(remote[2]?.stdout ?? "")).toMatchObject([{ status: "duplicate", fileName: "swagger-petstore-v3-openapi.yaml" }]);
      expect(JSON.parse(by("export apis")[0]?.stdout ?? "").length).toBeGreaterThan(0);
      expect(by("export findings --team nobody")[0]).toMatchObject({ code: 1, stderr: 'postern: no team with slug "nobody"\n' });
      expect(by("export widgets")[0]?.code).toBe(2);
      expect(by("user passwd sec@example.com --password-stdin")[0]).toMatchObject({ code: 0, stdout: "", stderr: "Changed the password of sec@example.com; ended 0 sessions.\n" });
      expect(by("user passwd sec@example.com").map((r) => [r.code, r.stderr])).toEqual([
        [2, "postern: no terminal to ask for the password on: pipe it with --password-stdin\n"],
        [1, "postern: the two passwords differ; nothing changed\n"],
        [0, "Changed the password of sec@example.com; ended 0 sessions.\n"],
      ]);
      expect(by("user passwd nobody@example.com --password-stdin")[0]).toMatchObject({ code: 1, stderr: "postern: no user with email nobody@example.com\n" });
      expect(by("correlate --as-of yesterday")[0]?.code).toBe(2);

      // The effects are in the served database: the password typed at the prompt signs in.
      const account = await served.prisma.account.findFirstOrThrow({ where: { user: { email: "sec@example.com" }, providerId: "credential" } });
      expect(await verifyPassword({ hash: account.password ?? "", password: "typed at the prompt" })).toBe(true);
      const audit = await served.prisma.auditLog.findMany({ where: { action: "user.passwd" } });
      expect(audit).toHaveLength(2);
      expect(JSON.stringify(audit)).not.toContain("typed at the prompt");
    });

    it("ends the person's sessions and lifts a lockout when the password is set", async () => {
      const user = await served.prisma.user.findUniqueOrThrow({ where: { email: "sec@example.com" } });
      await served.prisma.signInLockout.create({ data: { userId: user.id, client: "203.0.113.5", failures: 5, lockedUntil: new Date(Date.now() + 60_000), lastFailureAt: new Date() } });
      for (const token of ["a", "b"]) {
        await served.prisma.session.create({ data: { id: `s-${token}-${kind.name}`, token: `t-${token}-${kind.name}`, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) } });
      }
      const result = await cli(env, { argv: ["user", "passwd", "SEC@example.com", "--password-stdin"], stdin: "yet another password\n" });
      expect(result).toMatchObject({ code: 0, stderr: "Changed the password of sec@example.com; ended 2 sessions.\n" });
      expect(await served.prisma.session.count({ where: { userId: user.id } })).toBe(0);
      expect(await served.prisma.signInLockout.count({ where: { userId: user.id } })).toBe(0);
    });

    it("stops a command when the CLI is interrupted, with the command's own message and exit code", async () => {
      const slow = await startServer({
        secret,
        database: async () => {
          await new Promise((resolve) => setTimeout(resolve, 500));
          return { prisma: served.prisma, describe: "served" };
        },
      });
      const slowHome = await mkdtemp(path.join(dir, "slow-"));
      const slowEnv = { DATABASE_URL: `pglite:${path.join(slowHome, "db")}`, POSTERN_HOME: slowHome };
      writeServerFile(path.join(slowHome, "server.json"), { pid: process.pid, port: slow.port, secret, dataDir: path.join(slowHome, "db") });
      try {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 100);
        const result = await cli(slowEnv, { argv: ["export", "apis"] }, controller.signal);
        expect(result).toMatchObject({ code: 130, stdout: "", stderr: "postern: export cancelled\n" });
        expect(slow.requests).toBe(2); // the command, then its cancel
      } finally {
        await slow.close();
      }
    });
  });

  describe("finding the server", () => {
    it("reads server.json from POSTERN_HOME, only for the embedded database on disk it serves", async () => {
      const home = await mkdtemp(path.join(dir, "find-"));
      const dataDir = path.join(home, "db");
      const entry = { pid: process.pid, port: 1, secret: newSecret(), dataDir };
      const file = path.join(home, "server.json");
      expect(serverFilePath({ POSTERN_HOME: home })).toBe(file);
      expect(serveFilePath({ POSTERN_HOME: home }, REPO)).toBe(file);
      writeServerFile(file, entry);
      expect(((await stat(file)).mode & 0o777).toString(8)).toBe("600");
      expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject(entry);

      expect(await findServer({ DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: home })).toEqual(entry);
      expect(await findServer({ DATABASE_URL: `pglite:${dataDir}-other`, POSTERN_HOME: home })).toBeNull();
      expect(await findServer({ DATABASE_URL: "pglite:memory", POSTERN_HOME: home })).toBeNull();
      expect(await findServer({ DATABASE_URL: "postgresql://postgres@127.0.0.1/postern", POSTERN_HOME: home })).toBeNull();
      expect(await findServer({ DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: path.join(home, "elsewhere") })).toBeNull();
      // The server resolves its data directory as the CLI does.
      for (const url of [undefined, "pglite:./.postern/db", "pglite:relative/db", `pglite:${dataDir}`, "pglite:memory", "postgresql://x@y/z"]) {
        const target = resolveDatabaseTarget(url);
        expect(embeddedDataDir(url, process.cwd()), url).toBe(target.kind === "pglite" ? target.dataDir : null);
      }

      // A server that is gone: dead pid.
      writeServerFile(file, { ...entry, pid: 2 ** 22 + 12345 });
      expect(await findServer({ DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: home })).toBeNull();
      // Removed only by the process that wrote it.
      removeServerFile(file, process.pid);
      expect(existsSync(file)).toBe(true);
      removeServerFile(file, 2 ** 22 + 12345);
      expect(existsSync(file)).toBe(false);
    });

    it("opens the database itself when nothing listens on the registered port", async () => {
      const home = await mkdtemp(path.join(dir, "refused-"));
      const dataDir = path.join(home, "db");
      const closed = await startServer({ secret: newSecret() });
      await closed.close();
      writeServerFile(path.join(home, "server.json"), { pid: process.pid, port: closed.port, secret: newSecret(), dataDir });
      const result = await cli({ DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: home }, { argv: ["migrate"] });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Database ready \(embedded PostgreSQL at .*\): \d+ migrations applied/);
      expect(existsSync(dataDir)).toBe(true);
    });

    it("says so in one line when the server refuses the key", async () => {
      const home = await mkdtemp(path.join(dir, "key-"));
      const dataDir = path.join(home, "db");
      const server = await startServer({ secret: newSecret() });
      try {
        writeServerFile(path.join(home, "server.json"), { pid: process.pid, port: server.port, secret: newSecret(), dataDir });
        const result = await cli({ DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: home }, { argv: ["migrate"] });
        expect(result).toMatchObject({ code: 1, stdout: "", stderr: `postern: the Postern server on port ${server.port} refused the command: the key does not match this server's\n` });
        expect(existsSync(dataDir)).toBe(false);
      } finally {
        await server.close();
      }
    });

    it("runs help and usage errors without asking the server", async () => {
      const home = await mkdtemp(path.join(dir, "help-"));
      const server = await startServer({ secret: newSecret() });
      try {
        writeServerFile(path.join(home, "server.json"), { pid: process.pid, port: server.port, secret: newSecret(), dataDir: path.join(home, "db") });
        const env = { DATABASE_URL: `pglite:${path.join(home, "db")}`, POSTERN_HOME: home };
        expect((await cli(env, { argv: ["--help"] })).code).toBe(0);
        expect((await cli(env, { argv: ["frobnicate"] })).code).toBe(2);
        expect(server.requests).toBe(0);
      } finally {
        await server.close();
      }
    });
  });

  describe("the route", () => {
    const secret = newSecret();
    const body = { id: "x".repeat(22), argv: ["--version"], cwd: "/", stdoutTTY: false, stderrTTY: false, debug: false };
    const post = (headers: Record<string, string>, payload: unknown = body, options: CliHandlerOptions = { secret }) =>
      handleCliRequest(
        new Request("http://127.0.0.1/api/internal/cli", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(payload) }),
        options,
      );
    const loopback = { [HANDLER_PEER_HEADER]: "127.0.0.1", authorization: `Bearer ${secret}` };

    it("runs a command for a loopback peer with the key, streaming its output and exit code", async () => {
      const response = await post(loopback);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
      const lines = (await response.text()).trim().split("\n").map((l) => JSON.parse(l) as unknown);
      expect(lines).toEqual([{ o: `${JSON.parse(await readFile(path.join(REPO, "package.json"), "utf8")).version}\n` }, { exit: 0 }]);
    });

    it("does not exist unless scripts/serve.mjs registered a key", async () => {
      expect((await post(loopback, body, {})).status).toBe(404);
      expect((await post(loopback, body, { secret: null })).status).toBe(404);
    });

    it("refuses other peers, other keys and malformed requests", async () => {
      for (const peer of ["10.0.0.7", "192.168.1.2", "::ffff:10.0.0.7", "2001:db8::1", ""]) {
        const response = await post({ ...loopback, [HANDLER_PEER_HEADER]: peer });
        expect(response.status, peer).toBe(403);
      }
      // Relayed by a reverse proxy on this machine for someone elsewhere (Next.js itself sets X-Forwarded-For to the
      // socket's address when there is none).
      for (const relayed of <Record<string, string>[]>[{ "x-forwarded-for": "10.0.0.7" }, { "x-forwarded-for": "127.0.0.1, 203.0.113.9" }, { "x-real-ip": "203.0.113.9" }, { forwarded: 'for="[2001:db8::1]:443";proto=https' }, { forwarded: "for=203.0.113.9" }]) {
        expect((await post({ ...loopback, ...relayed })).status, JSON.stringify(relayed)).toBe(403);
      }
      for (const local of <Record<string, string>[]>[{ "x-forwarded-for": "127.0.0.1" }, { "x-forwarded-for": "::ffff:127.0.0.1" }, { forwarded: 'for="[::1]"' }]) {
        const response = await post({ ...loopback, ...local });
        expect(response.status, JSON.stringify(local)).toBe(200);
        await response.text(); // the command ends, and its id is free again
      }
      expect((await post({ [HANDLER_PEER_HEADER]: "::1" })).status).toBe(401);
      expect((await post({ ...loopback, authorization: `Bearer ${newSecret()}` })).status).toBe(401);
      expect((await post({ ...loopback, authorization: `Bearer ${secret}x` })).status).toBe(401);
      expect((await post({ ...loopback, authorization: secret })).status).toBe(401);
      for (const bad of [{ ...body, argv: [] }, { ...body, cwd: "relative" }, { ...body, id: "short" }, { ...body, extra: 1 }, { argv: ["migrate"] }, "nope", [1]]) {
        const response = await post(loopback, bad);
        expect(response.status, JSON.stringify(bad)).toBe(400);
        expect(JSON.stringify(await response.json())).not.toContain(secret);
      }
      expect((await post(loopback, { cancel: "y".repeat(22) })).status).toBe(404);
      expect((await post(loopback, { ...body, stdin: "x".repeat(1024 * 1024 + 1) })).status).toBe(413);
    });

    it("knows loopback addresses", () => {
      for (const address of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(address), address).toBe(true);
      for (const address of ["10.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", "::", "1127.0.0.1", "127.0.0.1.evil", null, undefined]) expect(isLoopback(address), String(address)).toBe(false);
    });

    it("takes the peer from the socket, never from the client", async () => {
      expect(PEER_HEADER).toBe(HANDLER_PEER_HEADER);
      const req = { headers: { [PEER_HEADER]: "127.0.0.1", host: "x" }, rawHeaders: ["Host", "x", "X-Postern-Peer", "127.0.0.1"], socket: { remoteAddress: "10.1.2.3" } };
      markPeer(req as unknown as http.IncomingMessage);
      expect(req.headers[PEER_HEADER]).toBe("10.1.2.3");
      expect(req.rawHeaders).toEqual(["Host", "x", PEER_HEADER, "10.1.2.3"]);
    });
  });
});
