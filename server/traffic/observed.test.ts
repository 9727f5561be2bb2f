/**
 * Shadow records (DESIGN.md "Shadow records"): a generated Kong log with an unknown host and undocumented paths
 * becomes a shadow Api and observed-only endpoints, whose findings point at them and export with them; its draft
 * spec validates with swagger-parser and re-ingests through the OpenAPI parser; an inventory documenting them later
 * merges the records (same Api id, rollups rebased) and resolves the shadow findings through the lifecycle.
 */
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import { exportApis, exportFindings } from "@/server/cli/export";
import type { Database } from "@/server/db/client";
import { isPublicAddress } from "@/server/domain/network";
import type { InventoryApi } from "@/server/domain/records";
import { parser as openapiParser } from "@/server/ingest/parsers/inventory/openapi/parser";
import { parseAll, textSource } from "@/server/ingest/test-utils";
import { TEST_DATABASES } from "@/server/test/databases";
import { draftPath, draftSpec } from "./draft-spec";
import { ingestInventory, ingestText, kongLog, type GenEvent } from "./test-helpers";

const HOUR = 3_600_000;
const security: Actor = { type: "user", userId: "u-sec", email: "sec@example.com", role: "security", teamIds: [] };
const developer: Actor = { type: "user", userId: "u-dev", email: "dev@example.com", role: "developer", teamIds: ["no-team"] };

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("public addresses", () => {
  it("tells public client addresses (documentation ranges stand for them) from private and local ones", () => {
    for (const ip of ["8.8.8.8", "81.2.69.160", "2a00:1450:4001:80b::200e", "[2606:4700::1111]", "::ffff:8.8.4.4", "198.51.100.7", "203.0.113.9:4711", "2001:db8::7"]) {
      expect(isPublicAddress(ip), ip).toBe(true);
    }
    for (const ip of ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "100.64.0.1", "169.254.1.1", "::1", "fd00::1", "fe80::1", "ff02::1", "alice", "999.1.1.1", "10.0.0.1:80"]) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    expect(isPublicAddress("172.15.0.1")).toBe(true);
  });

  it("numbers repeated inferred parameters so a draft's path parameters are unique", () => {
    expect(draftPath("/users/{id}/orders/{id}")).toEqual({ path: "/users/{id}/orders/{id2}", params: ["id", "id2"] });
    expect(draftPath("/")).toEqual({ path: "/", params: [] });
  });
});

describe.each(TEST_DATABASES)("shadow records on $name", (kind) => {
  let db: Database;
  const now = Date.now();
  const t0 = now - 2 * 24 * HOUR;
  beforeAll(async () => {
    db = await kind.open();
    await ingestInventory(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
  });

  const shadowLog = (): GenEvent[] => [
    // A host no inventory knows: public clients, a principal on some requests.
    ...Array.from({ length: 6 }, (_, i): GenEvent => ({ time: t0 + i * 60_000, host: "reports.example.org", path: `/v1/reports/${100 + i}`, ip: "81.2.69.160", consumer: "svc-batch" })),
    { time: t0, host: "reports.example.org", path: "/v1/reports/7/rows/99", ip: "81.2.69.161" },
    { time: t0, host: "reports.example.org", method: "POST", path: "/v1/reports", status: 201, ip: "81.2.69.160", consumer: "svc-batch" },
    { time: t0, host: "reports.example.org", path: "/v1/exports/5", status: 401, ip: "81.2.69.162" },
    { time: t0, host: "reports.example.org", path: "/v1/missing", status: 404, ip: "81.2.69.162" },
    // A host only private clients reach.
    { time: t0, host: "batch.corp.example", path: "/jobs/1", ip: "10.2.3.4" },
    // An undocumented path under a documented Api.
    { time: t0, host: "shop.example.com", path: "/v1/internal/flags/3", ip: "81.2.69.160" },
    { time: t0, host: "shop.example.com", path: "/v1/orders", ip: "81.2.69.160" },
  ];

  it("records a shadow Api and observed-only endpoints; their findings point at them and export with them", async () => {
    const r = await ingestText(db.prisma, kongLog(shadowLog()), "shadow.jsonl");
    expect(r.message).toBeNull();
    expect(r.counts).toMatchObject({ shadowApisRecorded: 2 });

    const reports = await db.prisma.api.findFirstOrThrow({ where: { host: "reports.example.org" } });
    expect(reports).toMatchObject({
      slug: "reports-example-org",
      discoveredFromTraffic: true,
      ownerTeamId: null,
      lifecycle: null,
      exposure: "internet",
      baseUrl: "https://reports.example.org",
      sourceFormats: [],
    });
    expect((await db.prisma.api.findFirstOrThrow({ where: { host: "batch.corp.example" } })).exposure).toBeNull();
    // The rollups moved to it.
    expect(await db.prisma.trafficEndpointHour.count({ where: { scopeKey: "host:reports.example.org" } })).toBe(0);
    expect(await db.prisma.trafficEndpointHour.count({ where: { apiId: reports.id, scopeKey: reports.id } })).toBeGreaterThan(0);
    // Served templates became observed-only endpoints (not the 404-only one).
    const endpoints = await db.prisma.endpoint.findMany({ where: { apiId: reports.id }, orderBy: [{ path: "asc" }, { method: "asc" }], select: { method: true, path: true, documented: true, observed: true } });
    expect(endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(["GET /v1/exports/{id}", "POST /v1/reports", "GET /v1/reports/{id}", "GET /v1/reports/{id}/rows/{id}"]);
    expect(endpoints.every((e) => !e.documented && e.observed)).toBe(true);
    expect(reports.observedEndpoints).toBe(4);

    const shop = await db.prisma.api.findUniqueOrThrow({ where: { slug: "shop-api" } });
    const shadowApi = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "shadow-api", apiId: reports.id } });
    expect(shadowApi.status).toBe("open");
    const shadowEndpoint = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "shadow-endpoint", apiId: shop.id }, include: { endpoint: true } });
    expect(shadowEndpoint.endpoint).toMatchObject({ method: "GET", path: "/internal/flags/{id}", documented: false, observed: true });

    const apis = await collect(exportApis(db.prisma));
    expect(apis.find((a) => a.slug === "reports-example-org")).toMatchObject({ sources: ["traffic"], observedOnly: true, owner: null, lifecycle: null, exposure: "internet" });
    expect(apis.find((a) => a.slug === "shop-api")).toMatchObject({ observedOnly: false });
    const findings = await collect(exportFindings(db.prisma));
    expect(findings.find((f) => f.id === shadowApi.id)).toMatchObject({ api: { name: "reports.example.org", baseUrl: "https://reports.example.org" } });
    expect(findings.find((f) => f.id === shadowEndpoint.id)).toMatchObject({ endpoint: { method: "GET", path: "/internal/flags/{id}" }, api: { name: shop.name } });

    // A second log to the host is attributed to the recorded Api (no second shadow Api).
    const again = await ingestText(db.prisma, kongLog([{ time: t0 + HOUR, host: "reports.example.org", path: "/v1/reports/555", ip: "81.2.69.160" }]), "shadow-2.jsonl");
    expect(again.counts).toMatchObject({ shadowApisRecorded: 0, unknownHostEvents: 0 });
    expect(await db.prisma.api.count({ where: { host: "reports.example.org" } })).toBe(1);
  });

  it("drafts an OpenAPI 3.1 spec from traffic that validates and re-ingests into the same endpoints", async () => {
    const draft = await draftSpec(db.prisma, security, "reports-example-org");
    const doc = draft.document as { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, Record<string, unknown>>>; components?: unknown };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "https://reports.example.org" }]);
    expect(Object.keys(doc.paths).sort()).toEqual(["/v1/exports/{id}", "/v1/reports", "/v1/reports/{id}", "/v1/reports/{id}/rows/{id2}"]);
    const list = doc.paths["/v1/reports/{id}"]!.get!;
    expect(list.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
    expect(Object.keys(list.responses as object)).toEqual(["2XX"]);
    // Every 2xx carried a principal: the operation requires the observed bearer scheme; some anonymous 2xx (the second
    // log's request): optional; anonymous only: undeclared.
    expect(doc.paths["/v1/reports"]!.post!.security).toEqual([{ observedPrincipal: [] }]);
    expect(list.security).toEqual([{}, { observedPrincipal: [] }]);
    expect(doc.paths["/v1/reports/{id}/rows/{id2}"]!.get!.security).toBeUndefined();
    expect(Object.keys(doc.paths["/v1/exports/{id}"]!.get!.responses as object)).toEqual(["401"]);
    expect(doc.components).toMatchObject({ securitySchemes: { observedPrincipal: { type: "http", scheme: "bearer" } } });

    // Valid for the parser Postern itself uses.
    await expect(SwaggerParser.validate(structuredClone(draft.document) as never)).resolves.toBeTruthy();
    const outcome = await parseAll(openapiParser, textSource(JSON.stringify(draft.document), draft.fileName));
    const api = outcome.records[0] as InventoryApi;
    expect(api.baseUrls).toEqual(["https://reports.example.org"]);
    expect(api.endpoints.map((e) => `${e.method} ${e.path}`).sort()).toEqual(
      ["GET /v1/exports/{id}", "POST /v1/reports", "GET /v1/reports/{id}", "GET /v1/reports/{id}/rows/{id2}"].sort(),
    );

    // For a documented Api: only its undocumented paths.
    const shop = await draftSpec(db.prisma, security, "shop-api");
    expect(Object.keys((shop.document as { paths: object }).paths)).toEqual(["/internal/flags/{id}"]);
    // Scoped like the Api: a developer of another team gets "not found".
    await expect(draftSpec(db.prisma, developer, "reports-example-org")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("merges into the inventory that documents it later: same Api, rollups rebased, shadow findings resolved", async () => {
    const before = await db.prisma.api.findFirstOrThrow({ where: { host: "reports.example.org" } });
    const shadowApi = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "shadow-api", apiId: before.id } });
    const shop = await db.prisma.api.findUniqueOrThrow({ where: { slug: "shop-api" } });
    const shadowEndpoint = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "shadow-endpoint", apiId: shop.id } });
    const spec = {
      openapi: "3.0.3",
      info: { title: "Reports API", version: "1.0", "x-owner": "reporting" },
      servers: [{ url: "https://reports.example.org/v1" }],
      paths: {
        "/reports/{reportId}": { get: { parameters: [{ name: "reportId", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } } },
        "/reports": { post: { responses: { "201": { description: "ok" } } } },
      },
    };
    const r = await ingestText(db.prisma, JSON.stringify(spec), "reports.json");
    expect(r.message).toBeNull();
    const after = await db.prisma.api.findUniqueOrThrow({ where: { id: before.id }, include: { ownerTeam: true } });
    expect(after).toMatchObject({ slug: "reports-api", name: "Reports API", basePath: "/v1", identity: "reports.example.org/v1", discoveredFromTraffic: false, sourceFormats: ["openapi"] });
    expect(after.aliases).toContain("reports-example-org");
    expect(after.ownerTeam?.slug).toBe("reporting");
    expect(await db.prisma.api.count({ where: { host: "reports.example.org" } })).toBe(1);
    // Rollups kept, templates now relative to the base path.
    const templates = await db.prisma.trafficEndpointHour.findMany({ where: { apiId: before.id }, distinct: ["pathTemplate"], select: { pathTemplate: true } });
    expect(templates.map((t) => t.pathTemplate).sort()).toEqual(["/exports/{id}", "/missing", "/reports", "/reports/{id}", "/reports/{id}/rows/{id}"]);
    // Observed records merged into the documented ones: "/reports/{id}" into "/reports/{reportId}".
    const endpoints = await db.prisma.endpoint.findMany({ where: { apiId: before.id }, orderBy: [{ path: "asc" }, { method: "asc" }], select: { method: true, path: true, documented: true, observed: true } });
    expect(endpoints).toEqual([
      { method: "GET", path: "/exports/{id}", documented: false, observed: true },
      { method: "POST", path: "/reports", documented: true, observed: true },
      { method: "GET", path: "/reports/{id}/rows/{id}", documented: false, observed: true },
      { method: "GET", path: "/reports/{reportId}", documented: true, observed: true },
    ]);
    // The shadow-api finding resolved through the lifecycle, its history saying why.
    const resolved = await db.prisma.finding.findUniqueOrThrow({ where: { id: shadowApi.id }, include: { events: true } });
    expect(resolved).toMatchObject({ status: "resolved", resolution: "no_longer_applies" });
    expect(resolved.events.find((e) => e.toValue === "resolved")?.comment).toBe("documented by openapi (reports.json)");
    // The rest of its traffic is now shadow endpoints of the documented Api.
    const open = await db.prisma.finding.findMany({ where: { ruleId: "shadow-endpoint", apiId: before.id, status: "open" }, include: { endpoint: true } });
    expect(open.map((f) => f.endpoint?.path).sort()).toEqual(["/exports/{id}", "/reports/{id}/rows/{id}"]);
    // The draft of the documented Api holds only those.
    const draft = await draftSpec(db.prisma, security, "reports-api");
    expect(Object.keys((draft.document as { paths: object }).paths).sort()).toEqual(["/exports/{id}", "/reports/{id}/rows/{id2}"]);

    // Documenting the shop's shadow endpoint resolves its finding too.
    expect(shadowEndpoint.status).toBe("open");
    const shopSpec = {
      openapi: "3.0.3",
      info: { title: "Shop API", version: "1" },
      servers: [{ url: "https://shop.example.com/v1" }],
      paths: { "/internal/flags/{flag}": { get: { parameters: [{ name: "flag", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } } } },
    };
    expect((await ingestText(db.prisma, JSON.stringify(shopSpec), "shop-flags.json")).message).toBeNull();
    const documented = await db.prisma.finding.findUniqueOrThrow({ where: { id: shadowEndpoint.id }, include: { events: true, endpoint: true } });
    expect(documented).toMatchObject({ status: "resolved", endpoint: { path: "/internal/flags/{flag}", documented: true, observed: true } });
    expect(documented.events.find((e) => e.toValue === "resolved")?.comment).toBe("documented by openapi (shop-flags.json)");
    expect(await db.prisma.endpoint.count({ where: { apiId: shop.id, path: "/internal/flags/{id}" } })).toBe(0);
  });
});
