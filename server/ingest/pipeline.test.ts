import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { shouldParseInWorker } from "./parsers/traffic/parallel";
import { hashContent, ingest } from "./pipeline";
import { bufferSource } from "./source";
import { sample } from "./test-utils";

const system = { type: "system" as const };

describe.each(TEST_DATABASES)("ingest pipeline on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("ingests every real inventory sample and merges sources describing one Api", async () => {
    const files = [
      "api-inventory/crapi-openapi-spec.json",
      "api-inventory/crAPI.postman_collection.json",
      "api-inventory/swagger-petstore-v3-openapi.yaml",
      "api-inventory/swagger2-petstore.json",
      "api-inventory/kong-deck-auth-plugins.kong.yaml",
      "api-inventory/backstage-petstore-api.yaml",
      "api-inventory/backstage-petstore-component.yaml",
    ];
    for (const file of files) {
      const result = await ingest(db.prisma, { file: await sample(file), channel: "cli", actor: system });
      expect(result.message, file).toBeNull();
      expect(result.status, file).toBe("succeeded");
      expect(result.counts.records, file).toBeGreaterThan(0);
    }
    const crapi = await db.prisma.api.findFirstOrThrow({
      where: { name: { contains: "crAPI", mode: "insensitive" }, sourceFormats: { has: "openapi" } },
      include: { endpoints: true },
    });
    expect(crapi.documentedEndpoints).toBe(crapi.endpoints.length);
    const signup = crapi.endpoints.find((e) => e.method === "POST" && e.path === "/identity/api/auth/signup");
    expect(signup?.securityMode).toBe("public");
    expect(crapi.authKinds).toContain("bearer");
    // The spec's Spectral/OWASP lint is stored on the Api.
    expect(crapi.specLint).toMatchObject({ tool: "spectral", status: "ok" });
    // Backstage: the API entity's owner wins over the Component that provides it (ingested afterwards).
    const petstore = await db.prisma.api.findFirstOrThrow({ where: { catalogName: "petstore" }, include: { ownerTeam: true } });
    expect(petstore).toMatchObject({ lifecycle: "experimental", identity: "petstore.swagger.io/v1" });
    expect(petstore.ownerTeam?.slug).toBe("team-c");
    // The inline definition describes the same host + base path as the Swagger 2.0 petstore: one Api, two sources.
    expect(petstore.sourceFormats).toEqual(["backstage", "swagger2"]);
    // The Swagger 2.0 spec's lint survives the Backstage records that carry none.
    expect(petstore.specLint).toMatchObject({ tool: "spectral", status: "ok" });
    // Kong decK services appear with their routes as endpoints.
    const kongApis = await db.prisma.api.findMany({ where: { sourceFormats: { has: "kong-deck" } } });
    expect(kongApis.length).toBeGreaterThan(0);
    const runs = await db.prisma.ingestRun.findMany({ where: { status: "succeeded" } });
    expect(runs).toHaveLength(files.length);
    const sources = await db.prisma.apiSource.count();
    expect(sources).toBeGreaterThanOrEqual(files.length);
  });

  it("treats identical content as a no-op that says so", async () => {
    const before = await db.prisma.endpoint.count();
    const again = await ingest(db.prisma, { file: await sample("api-inventory/swagger2-petstore.json"), channel: "cli", actor: system });
    expect(again.status).toBe("duplicate");
    expect(again.message).toMatch(/identical content was already ingested/);
    expect(await db.prisma.endpoint.count()).toBe(before);
  });

  // 50 lines are read on this thread; 60,000 (about 9 MB) by the parse worker, which then computes the hash itself.
  it.each([50, 60_000])("hashes a streamed log of %i lines while reading it: the same digest, and a re-ingest is a duplicate that writes nothing", async (count) => {
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify({ started_at: 1_740_000_000_000 + count + i * 1000, request: { method: "GET", uri: `/dup/${i}`, headers: { host: "dup.example.com" } }, response: { status: 200, size: 10 }, client_ip: "203.0.113.9" }),
    );
    const text = `${lines.join("\n")}\n`;
    expect(shouldParseInWorker(bufferSource(text), "kong-log")).toBe(count > 50);
    const first = await ingest(db.prisma, { file: bufferSource(text, "dup.jsonl"), channel: "cli", actor: system });
    expect(first).toMatchObject({ status: "succeeded", format: "kong-log" });
    const stored = await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: first.runId } });
    expect(stored.contentHash).toBe(await hashContent(bufferSource(text, "dup.jsonl")));
    const rows = await db.prisma.trafficEndpointHour.aggregate({ _sum: { requests: true } });
    const again = await ingest(db.prisma, { file: bufferSource(text, "dup-again.jsonl"), channel: "cli", actor: system });
    expect(again.status).toBe("duplicate");
    expect(again.message).toMatch(/already ingested from dup.jsonl/);
    expect(await db.prisma.trafficEndpointHour.aggregate({ _sum: { requests: true } })).toEqual(rows);
  });

  it("rejects unknown, truncated and empty files and writes nothing", async () => {
    const counts = async () => [await db.prisma.api.count(), await db.prisma.endpoint.count(), await db.prisma.team.count()];
    const before = await counts();
    const unknown = await ingest(db.prisma, { file: bufferSource("hello\nworld\n", "notes.txt"), channel: "cli", actor: system });
    expect(unknown).toMatchObject({ status: "failed", format: null });
    expect(unknown.message).toMatch(/not a format Postern reads/);
    const truncated = await ingest(db.prisma, {
      file: bufferSource('{"openapi": "3.0.1", "info": {"title": "Broken", "version": "1"}, "paths": {"/a": {"get": ', "broken.json"),
      channel: "cli",
      actor: system,
    });
    expect(truncated.status).toBe("failed");
    expect(truncated.message).toMatch(/nothing was written/);
    const empty = await ingest(db.prisma, { file: bufferSource("", "empty.json"), channel: "cli", actor: system });
    expect(empty).toMatchObject({ status: "failed", message: "the file is empty" });
    expect(await counts()).toEqual(before);
    const failedRuns = await db.prisma.ingestRun.count({ where: { status: "failed" } });
    expect(failedRuns).toBe(3);
  });

  it("records who ingested what in the audit log", async () => {
    const entries = await db.prisma.auditLog.findMany({ where: { action: "ingest" } });
    // One per stored file (the 7 inventory samples and the first of each gateway log); duplicates and failures write none.
    expect(entries.length).toBe(await db.prisma.ingestRun.count({ where: { status: "succeeded" } }));
    expect(entries.length).toBe(9);
    expect(entries[0]?.details).toMatchObject({ channel: "cli" });
  });
});
