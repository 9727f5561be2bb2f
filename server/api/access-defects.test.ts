/**
 * Defects found by an access-control probe (issue "People, ownership and access"), each pinned by a test that
 * failed before its fix: findings follow their Api's current owner; secrets never name another team's Api; tRPC
 * batches and bodies are bounded; API answers are never cached.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as trpcPost, GET as trpcGet } from "@/app/api/trpc/[trpc]/route";
import type { Actor } from "@/server/auth/roles";
import { type Database, getDatabase } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { createUser, ensureTeam } from "@/server/people/service";
import { TEST_DATABASES } from "@/server/test/databases";
import { MAX_BATCH, MAX_BODY_BYTES } from "./limits";
import { createCaller } from "./root";

const spec = (title: string, owner: string) =>
  JSON.stringify({
    openapi: "3.0.3",
    info: { title, version: "1", "x-owner": owner },
    servers: [{ url: `https://${title.toLowerCase().replace(/\W+/g, "-")}.example.com/v1` }],
    paths: { "/things/{id}": { get: { summary: "Get", responses: { "200": { description: "ok" } } } } },
  });

describe.each(TEST_DATABASES)("access defects on $name", (kind) => {
  let db: Database;
  let devA: Actor;
  let devB: Actor;

  beforeAll(async () => {
    db = await kind.open();
    const a = await ensureTeam(db.prisma, "team-a");
    const b = await ensureTeam(db.prisma, "team-b");
    const ua = await createUser(db.prisma, { email: "a@example.com", role: "developer", password: "a-long-password-1", teams: ["team-a"] });
    const ub = await createUser(db.prisma, { email: "b@example.com", role: "developer", password: "a-long-password-2", teams: ["team-b"] });
    devA = { type: "user", userId: ua.id, email: ua.email, role: "developer", teamIds: [a.id] };
    devB = { type: "user", userId: ub.id, email: ub.email, role: "developer", teamIds: [b.id] };
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a finding follows its Api to the new owner: the old team loses it, the new team gains it", async () => {
    const first = await ingest(db.prisma, { file: bufferSource(spec("Moving API", "team-a"), "v1.json"), channel: "cli", actor: { type: "system" } });
    expect(first.status).toBe("succeeded");
    const api = await db.prisma.api.findUniqueOrThrow({ where: { slug: "moving-api" } });
    const now = new Date();
    const finding = await db.prisma.finding.create({
      data: {
        kind: "scan", ruleId: "r1", tool: "zap", title: "Leaky", severity: "high", fingerprint: "defect-1",
        apiId: api.id, teamId: api.ownerTeamId, firstSeenAt: now, lastSeenAt: now, evidence: { detail: "secret evidence" },
      },
    });
    expect((await createCaller({ prisma: db.prisma, actor: devA }).findings.get({ id: finding.id })).id).toBe(finding.id);

    // A catalog (CSV inventory) re-ingest moves the Api to team B.
    const csv = "name,base_url,owner\nmoving-api,https://moving-api.example.com/v1,team-b\n";
    const moved = await ingest(db.prisma, { file: bufferSource(csv, "catalog.csv"), channel: "cli", actor: { type: "system" } });
    expect(moved.status).toBe("succeeded");
    expect((await db.prisma.api.findUniqueOrThrow({ where: { slug: "moving-api" }, select: { ownerTeamId: true } })).ownerTeamId).toBe(devB.teamIds[0]);
    const callerA = createCaller({ prisma: db.prisma, actor: devA });
    const callerB = createCaller({ prisma: db.prisma, actor: devB });
    await expect(callerA.findings.get({ id: finding.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await callerA.findings.list({})).rows.map((r) => r.id)).not.toContain(finding.id);
    expect((await callerB.findings.get({ id: finding.id })).id).toBe(finding.id);
    expect((await callerB.findings.list({})).rows.map((r) => r.id)).toContain(finding.id);
  });

  it("secrets.list never names another team's Api, even when a secret is linked to both", async () => {
    for (const [title, owner] of [["Shared One", "team-a"], ["Shared Two", "team-b"]] as const) {
      const result = await ingest(db.prisma, { file: bufferSource(spec(title, owner), `${owner}-shared.json`), channel: "cli", actor: { type: "system" } });
      expect(result.status).toBe("succeeded");
    }
    const apis = await db.prisma.api.findMany({ where: { slug: { in: ["shared-one", "shared-two"] } } });
    const now = new Date();
    const secret = await db.prisma.secret.create({ data: { source: "vault", ref: "secret/data/shared/db", displayName: "shared db", firstSeenAt: now, lastEventAt: now } });
    await db.prisma.secretApiLink.createMany({ data: apis.map((a) => ({ secretId: secret.id, apiId: a.id, via: "explicit" })) });

    const list = await createCaller({ prisma: db.prisma, actor: devA }).secrets.list({});
    const row = list.rows.find((r) => r.ref === "secret/data/shared/db");
    expect(row?.apis.map((a) => a.slug)).toEqual(["shared-one"]);
    expect(JSON.stringify(list)).not.toContain("shared-two");
    expect(JSON.stringify(list)).not.toContain("Shared Two");
  });
});

describe("the tRPC endpoint's bounds and headers", () => {
  beforeAll(() => {
    process.env.DATABASE_URL = "pglite:memory";
    process.env.POSTERN_URL = "http://localhost:3000";
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-trpc-route-0123456789";
  });
  afterAll(async () => {
    await (await getDatabase()).close();
  });

  const url = (paths: string[], input?: unknown) =>
    `http://localhost:3000/api/trpc/${paths.join(",")}?batch=1${input === undefined ? "" : `&input=${encodeURIComponent(JSON.stringify(input))}`}`;

  it(`refuses a batch of more than ${MAX_BATCH} calls before running any`, async () => {
    const many = Array.from({ length: MAX_BATCH + 1 }, () => "ingest.formats");
    const response = await trpcGet(new Request(url(many, {})));
    expect(response.status).toBe(400);
    const ok = await trpcGet(new Request(url(many.slice(0, MAX_BATCH), {})));
    expect(ok.status).toBe(401); // within the cap: now it is about who asks (signed out)
  });

  it("refuses a body larger than the bound, with or without a Content-Length", async () => {
    const body = JSON.stringify({ 0: { json: { name: "x".repeat(MAX_BODY_BYTES) } } });
    const declared = await trpcPost(new Request(url(["tokens.create"]), { method: "POST", body, headers: { "content-type": "application/json" } }));
    expect(declared.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const chunked = await trpcPost(new Request(url(["tokens.create"]), { method: "POST", body: stream, duplex: "half" } as RequestInit));
    expect(chunked.status).toBe(413);
  });

  it("answers with Cache-Control: no-store, errors included", async () => {
    const response = await trpcGet(new Request(url(["me.get"], {})));
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});
