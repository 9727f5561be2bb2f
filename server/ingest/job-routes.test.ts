// The job route handlers called with real Requests: the UI's (session cookie) and the REST API's (bearer token).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as uiJob } from "@/app/api/ingest/jobs/[id]/route";
import { POST as uiCancel } from "@/app/api/ingest/jobs/[id]/cancel/route";
import { POST as uiUpload } from "@/app/api/ingest/route";
import { GET as apiJob } from "@/app/api/v1/ingest/jobs/[id]/route";
import { POST as apiCancel } from "@/app/api/v1/ingest/jobs/[id]/cancel/route";
import { POST as apiIngest } from "@/app/api/v1/ingest/route";
import { getAuth } from "@/server/auth/auth";
import { createApiToken } from "@/server/auth/tokens";
import { type Db, getDatabase, getPrisma } from "@/server/db/client";
import { createUser } from "@/server/people/service";
import type { IngestJobView } from "./jobs";
import { SAMPLES_DIR } from "./test-utils";

const BASE = "http://localhost:3000";
const params = (id: string) => ({ params: Promise.resolve({ id }) });

async function until(check: () => Promise<IngestJobView>): Promise<IngestJobView> {
  for (;;) {
    const job = await check();
    if (job.finishedAt) return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("ingest job routes", () => {
  let prisma: Db;
  let adminToken: string;
  let otherToken: string;
  let developerToken: string;
  let cookie: string;
  let otherCookie: string;

  async function signIn(email: string, password: string): Promise<string> {
    const auth = await getAuth();
    const response = await auth.handler(
      new Request(`${BASE}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE },
        body: JSON.stringify({ email, password }),
      }),
    );
    expect(response.status).toBe(200);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="));
    expect(setCookie).toBeDefined();
    return setCookie!.split(";")[0]!;
  }

  beforeAll(async () => {
    process.env.DATABASE_URL = "pglite:memory";
    process.env.POSTERN_URL = BASE;
    process.env.BETTER_AUTH_SECRET = "test-secret-for-the-job-routes-0123456789";
    prisma = await getPrisma();
    const admin = await createUser(prisma, { email: "admin@example.com", role: "admin", password: "admin-password-123" });
    const security = await createUser(prisma, { email: "sec@example.com", role: "security", password: "security-password-123" });
    const developer = await createUser(prisma, { email: "dev@example.com", role: "developer", password: "developer-password-123" });
    adminToken = (await createApiToken(prisma, { userId: admin.id, name: "ci", scopes: ["ingest"], expiresInDays: 1 })).token;
    otherToken = (await createApiToken(prisma, { userId: admin.id, name: "other", scopes: ["ingest"], expiresInDays: 1 })).token;
    developerToken = (await createApiToken(prisma, { userId: developer.id, name: "dev", scopes: ["ingest"], expiresInDays: 1 })).token;
    cookie = await signIn("admin@example.com", "admin-password-123");
    otherCookie = await signIn(security.email, "security-password-123");
  });
  afterAll(async () => {
    await (await getDatabase()).close();
  });

  const sample = (file: string) => readFile(path.join(SAMPLES_DIR, file));
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it("POST /api/v1/ingest?async=true answers 202 at once; the job is read and cancelled with the same token only", async () => {
    const started = await apiIngest(
      new Request(`${BASE}/api/v1/ingest?async=true&filename=petstore.json`, { method: "POST", headers: bearer(adminToken), body: await sample("api-inventory/swagger2-petstore.json") }),
    );
    expect(started.status).toBe(202);
    const body = (await started.json()) as { jobId: string; statusUrl: string; cancelUrl: string };
    expect(body.statusUrl).toBe(`/api/v1/ingest/jobs/${body.jobId}`);
    expect(body.cancelUrl).toBe(`${body.statusUrl}/cancel`);
    expect(JSON.stringify(body)).not.toMatch(/tmp|postern-ingest/);

    const read = (headers: HeadersInit) => apiJob(new Request(`${BASE}${body.statusUrl}`, { headers }), params(body.jobId));
    expect((await read(bearer(otherToken))).status).toBe(404);
    expect((await read({})).status).toBe(401);
    expect((await apiCancel(new Request(`${BASE}${body.cancelUrl}`, { method: "POST", headers: bearer(otherToken) }), params(body.jobId))).status).toBe(404);
    // A session cookie is not the token that started it either.
    expect((await uiJob(new Request(`${BASE}/api/ingest/jobs/${body.jobId}`, { headers: { cookie } }), params(body.jobId))).status).toBe(404);

    const job = await until(async () => {
      const response = await read(bearer(adminToken));
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      return (await response.json()) as IngestJobView;
    });
    expect(job.status).toBe("succeeded");
    expect(job.files[0]).toMatchObject({ name: "petstore.json", status: "succeeded", result: { format: "swagger2", status: "succeeded" } });
    const run = await prisma.ingestRun.findUniqueOrThrow({ where: { id: job.files[0]!.result!.runId } });
    expect(run).toMatchObject({ channel: "api", status: "succeeded" });

    // Cancelling a finished job changes nothing.
    const cancel = await apiCancel(new Request(`${BASE}${body.cancelUrl}`, { method: "POST", headers: bearer(adminToken) }), params(body.jobId));
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as IngestJobView).status).toBe("succeeded");
  });

  it("POST /api/v1/ingest stays synchronous by default, and checks the token owner's role", async () => {
    const sync = await apiIngest(
      new Request(`${BASE}/api/v1/ingest?filename=zap.json`, { method: "POST", headers: bearer(adminToken), body: await sample("scan-results/zap-petstore-api-scan.json") }),
    );
    expect(sync.status).toBe(200);
    expect(((await sync.json()) as { runs: { status: string; format: string }[] }).runs[0]).toMatchObject({ status: "succeeded", format: "zap-json" });

    const developer = await apiIngest(new Request(`${BASE}/api/v1/ingest?async=true`, { method: "POST", headers: bearer(developerToken), body: "x" }));
    expect(developer.status).toBe(403);
    const badMode = await apiIngest(new Request(`${BASE}/api/v1/ingest?async=yes`, { method: "POST", headers: bearer(adminToken), body: "x" }));
    expect(badMode.status).toBe(400);
    const anonymous = await apiIngest(new Request(`${BASE}/api/v1/ingest?async=true`, { method: "POST", body: "x" }));
    expect(anonymous.status).toBe(401);
  });

  it("the UI upload starts a job for the session; other sessions and cross-origin cancels are refused", async () => {
    const upload = (headers: Record<string, string>) => {
      const form = new FormData();
      form.append("file", new Blob(["hello\nworld\n"]), "notes.txt");
      return uiUpload(new Request(`${BASE}/api/ingest`, { method: "POST", headers, body: form }));
    };
    expect((await upload({ cookie })).status).toBe(403); // no Origin
    expect((await upload({ origin: BASE })).status).toBe(401);
    const started = await upload({ cookie, origin: BASE });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    expect(jobId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const read = (headers: HeadersInit) => uiJob(new Request(`${BASE}/api/ingest/jobs/${jobId}`, { headers }), params(jobId));
    expect((await read({ cookie: otherCookie })).status).toBe(404);
    expect((await read({})).status).toBe(401);
    expect((await read(bearer(adminToken))).status).toBe(401);
    expect((await uiJob(new Request(`${BASE}/api/ingest/jobs/not-an-id`, { headers: { cookie } }), params("not-an-id"))).status).toBe(400);
    const cancel = (headers: Record<string, string>) => uiCancel(new Request(`${BASE}/api/ingest/jobs/${jobId}/cancel`, { method: "POST", headers }), params(jobId));
    expect((await cancel({ cookie, origin: "https://evil.example" })).status).toBe(403);
    expect((await cancel({ cookie: otherCookie, origin: BASE })).status).toBe(404);

    const job = await until(async () => (await (await read({ cookie })).json()) as IngestJobView);
    expect(job.status).toBe("failed");
    expect(job.files[0]).toMatchObject({ name: "notes.txt", status: "failed" });
    expect(job.files[0]!.result?.message).toMatch(/not a format Postern reads/);
    const run = await prisma.ingestRun.findUniqueOrThrow({ where: { id: job.files[0]!.result!.runId } });
    expect(run).toMatchObject({ channel: "ui", status: "failed" });
    expect((await cancel({ cookie, origin: BASE })).status).toBe(200);
  });
});
