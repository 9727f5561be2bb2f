/**
 * Who "the client" of a sign-in is (issue 13), through the real better-auth route (app/api/auth) behind an HTTP
 * server that does what scripts/serve.mjs does (markPeer with the key of this start), reached from different
 * loopback addresses (127.0.0.2, 127.0.0.3 …: Linux routes all of 127/8 to lo). Without POSTERN_CLIENT_IP_HEADER
 * the socket's peer address is the client, for better-auth's sign-in rate limit and for Postern's lockouts; a
 * client-sent X-Forwarded-For or x-postern-peer moves nobody into another bucket; without serve.mjs's key the peer
 * header is not trusted at all (one shared bucket, as before).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as authPost } from "@/app/api/auth/[...all]/route";
import { POST as ingestPost } from "@/app/api/v1/ingest/route";
import { markPeer, PEER_HEADER, PEER_KEY_HEADER, registerPeerKey } from "@/scripts/serve-support.mjs";
import { type Database, getDatabase } from "@/server/db/client";
import { createUser } from "@/server/people/service";
import { CLIENT_HEADER, clientAddress, PEER_REGISTRATION } from "./client";
import { LOCKOUT_THRESHOLD } from "./lockout";
import { createApiToken } from "./tokens";

const BASE = "http://localhost:3000";
const SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Pipeline API", version: "1" },
  servers: [{ url: "https://pipeline.example.com/v1" }],
  paths: { "/ping": { get: { responses: { "200": { description: "ok" } } } } },
});

type Handler = (request: Request) => Promise<Response>;

/** Node's HTTP server in front of a route handler, as scripts/serve.mjs is in front of Next.js. */
async function serve(handler: Handler, key: string | null) {
  const server = http.createServer((req, res) => {
    if (key) markPeer(req, key);
    const request = new Request(`${BASE}${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
      body: req.method === "GET" ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>),
      duplex: "half",
    } as RequestInit);
    void (async () => {
      const response = await handler(request);
      const headers = new Headers(response.headers);
      headers.delete("content-encoding");
      res.writeHead(response.status, Object.fromEntries(headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => res.destroy(error as Error));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** One HTTP request from a given local (loopback) address. */
function request(port: number, from: string, path: string, body: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path, method: "POST", localAddress: from, agent: false, headers: { "content-type": "application/json", origin: BASE, ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

const signIn = (port: number, from: string, email: string, password: string, headers?: Record<string, string>) =>
  request(port, from, "/api/auth/sign-in/email", JSON.stringify({ email, password }), headers);

describe("sign-in clients are the peer address", () => {
  let db: Database;
  let key: string;
  beforeAll(async () => {
    process.env.DATABASE_URL = "pglite:memory";
    process.env.POSTERN_URL = BASE;
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-auth-route-0123456789";
    delete process.env.POSTERN_CLIENT_IP_HEADER;
    db = await getDatabase();
    key = registerPeerKey();
  });
  afterEach(() => {
    delete process.env.POSTERN_CLIENT_IP_HEADER;
  });
  afterAll(async () => {
    delete (globalThis as Record<symbol, unknown>)[PEER_REGISTRATION];
    await db?.close();
  });

  it("an attacker's wrong passwords from one address lock out and rate-limit only that address: the person signs in from theirs, and their CI token still ingests", async () => {
    await createUser(db.prisma, { email: "target@example.com", role: "security", password: "target-password-12" });
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "target@example.com" } });
    const ci = await createApiToken(db.prisma, { userId: user.id, name: "pipeline", scopes: ["ingest"], expiresInDays: 30 });
    const server = await serve(authPost, key);
    try {
      const statuses: number[] = [];
      // 35 attempts, each with a different forged X-Forwarded-For: none of them leaves the socket's bucket.
      for (let i = 0; i < 35; i++) {
        statuses.push((await signIn(server.port, "127.0.0.2", "target@example.com", `wrong-password-${i}`, { "x-forwarded-for": `10.9.8.${i}` })).status);
      }
      expect(statuses.slice(0, LOCKOUT_THRESHOLD)).toEqual(Array(LOCKOUT_THRESHOLD).fill(401));
      expect(statuses[LOCKOUT_THRESHOLD]).toBe(403); // locked, for 127.0.0.2
      expect(statuses.slice(30)).toEqual(Array(5).fill(429)); // 30 sign-ins a minute per client
      expect((await signIn(server.port, "127.0.0.2", "target@example.com", "target-password-12")).status).toBe(429);

      // The person, from another address: neither limited nor locked.
      const own = await signIn(server.port, "127.0.0.3", "target@example.com", "target-password-12");
      expect(own.status, own.body).toBe(200);
      const lockouts = await db.prisma.signInLockout.findMany({ where: { userId: user.id } });
      expect(lockouts.map((l) => l.client)).toEqual(["127.0.0.2"]);
      expect(lockouts[0]?.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
      // The session records the peer, not a forged header.
      expect((await db.prisma.session.findFirstOrThrow({ where: { userId: user.id } })).ipAddress).toBe("127.0.0.3");

      // The pipeline's token ingests while its owner is locked out from 127.0.0.2.
      const ingest = await ingestPost(
        new Request(`${BASE}/api/v1/ingest?filename=pipeline.json`, { method: "POST", headers: { authorization: `Bearer ${ci.token}` }, body: SPEC }),
      );
      expect(ingest.status, await ingest.clone().text()).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("a client-sent x-postern-peer, x-postern-peer-key or x-postern-client is replaced: an attacker cannot pick its bucket", async () => {
    await createUser(db.prisma, { email: "spoofed@example.com", role: "developer", password: "spoofed-password-1" });
    const server = await serve(authPost, key);
    try {
      for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
        const forged = { [PEER_HEADER]: `10.0.0.${i}`, [PEER_KEY_HEADER]: "guessed", [CLIENT_HEADER]: `10.0.1.${i}` };
        expect((await signIn(server.port, "127.0.0.4", "spoofed@example.com", `wrong-password-${i}`, forged)).status).toBe(401);
      }
      expect((await signIn(server.port, "127.0.0.4", "spoofed@example.com", "spoofed-password-1", { [PEER_HEADER]: "10.0.0.99" })).status).toBe(403);
      const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "spoofed@example.com" } });
      expect((await db.prisma.signInLockout.findMany({ where: { userId: user.id } })).map((l) => l.client)).toEqual(["127.0.0.4"]);
    } finally {
      await server.close();
    }
  });

  it("without serve.mjs's key (next dev, a handler called directly), the peer header is not trusted", () => {
    const forged = new Headers({ [PEER_HEADER]: "10.0.0.1", [PEER_KEY_HEADER]: "not-the-key" });
    expect(clientAddress(forged)).toBeNull();
    expect(clientAddress(new Headers({ [PEER_HEADER]: "10.0.0.1" }))).toBeNull();
    expect(clientAddress(new Headers({ [PEER_HEADER]: "10.0.0.1", [PEER_KEY_HEADER]: key }))).toBe("10.0.0.1");
    expect(clientAddress(new Headers({ [PEER_HEADER]: "::ffff:10.0.0.1", [PEER_KEY_HEADER]: key }))).toBe("10.0.0.1");
    expect(clientAddress(new Headers({ [PEER_HEADER]: "not an address", [PEER_KEY_HEADER]: key }))).toBeNull();
    const registration = (globalThis as Record<symbol, unknown>)[PEER_REGISTRATION];
    delete (globalThis as Record<symbol, unknown>)[PEER_REGISTRATION];
    try {
      expect(clientAddress(new Headers({ [PEER_HEADER]: "10.0.0.1", [PEER_KEY_HEADER]: key }))).toBeNull();
    } finally {
      (globalThis as Record<symbol, unknown>)[PEER_REGISTRATION] = registration;
    }
  });

  it("with POSTERN_CLIENT_IP_HEADER, the client is what the operator's proxy put in that header (a single address), not the peer", async () => {
    process.env.POSTERN_CLIENT_IP_HEADER = "x-real-ip";
    expect(clientAddress(new Headers({ "x-real-ip": "198.51.100.4", [PEER_HEADER]: "127.0.0.1", [PEER_KEY_HEADER]: key }))).toBe("198.51.100.4");
    expect(clientAddress(new Headers({ "x-real-ip": "198.51.100.4, 10.0.0.1" }))).toBeNull();
    expect(clientAddress(new Headers({ [PEER_HEADER]: "127.0.0.1", [PEER_KEY_HEADER]: key }))).toBeNull();

    await createUser(db.prisma, { email: "proxied@example.com", role: "developer", password: "proxied-password-1" });
    const server = await serve(authPost, key);
    try {
      for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
        expect((await signIn(server.port, "127.0.0.5", "proxied@example.com", `wrong-${i}-password`, { "x-real-ip": "198.51.100.4" })).status).toBe(401);
      }
      expect((await signIn(server.port, "127.0.0.5", "proxied@example.com", "proxied-password-1", { "x-real-ip": "198.51.100.4" })).status).toBe(403);
      // Same peer (the proxy), another client behind it.
      expect((await signIn(server.port, "127.0.0.5", "proxied@example.com", "proxied-password-1", { "x-real-ip": "198.51.100.5" })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
