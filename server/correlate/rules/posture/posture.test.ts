import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { evaluate, makeApi, makeTeam, reset } from "../../test-fixtures";
import { cleartextTransport } from "./cleartext-transport";
import { isAuthenticationEndpoint, isLocalHost } from "./common";
import type { SpecLintSummary } from "@/server/domain/records";
import { documentationGaps } from "./documentation-gaps";
import { noAuthDeclared } from "./no-auth-declared";
import { ownerlessApi } from "./ownerless-api";
import { sensitiveDataExposure } from "./sensitive-data-exposure";
import { weakAuth } from "./weak-auth";

describe("posture predicates", () => {
  it("local hosts and authentication endpoints", () => {
    for (const h of ["localhost", "localhost:8080", "127.0.0.1", "api.localhost", "[::1]"]) expect(isLocalHost(h), h).toBe(true);
    for (const h of ["api.example.com", "10.0.0.5", "internal.svc"]) expect(isLocalHost(h), h).toBe(false);
    expect(isAuthenticationEndpoint({ path: "/identity/api/auth/login", tags: [] })).toBe(true);
    expect(isAuthenticationEndpoint({ path: "/oauth/token", tags: [] })).toBe(true);
    expect(isAuthenticationEndpoint({ path: "/users/{id}", tags: ["Auth"] })).toBe(true);
    expect(isAuthenticationEndpoint({ path: "/users/{id}", tags: [] })).toBe(false);
  });
});

describe.each(TEST_DATABASES)("posture rules on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await reset(db.prisma);
  });

  it("ownerless-api: no team → medium finding naming the contact; owned and traffic-only Apis are not flagged", async () => {
    const team = await makeTeam(db.prisma, "payments");
    await makeApi(db.prisma, "owned", { ownerTeamId: team });
    const lone = await makeApi(db.prisma, "lone", { contact: { email: "dev@example.com" }, sourceFormats: ["openapi"] });
    await makeApi(db.prisma, "shadow", { discoveredFromTraffic: true });
    const found = await evaluate(db.prisma, ownerlessApi);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ apiId: lone.id, severity: "medium", owaspCategory: "API9", evidence: { contact: "dev@example.com" } });
    expect(found[0]?.description).toMatch(/not an owner/);
  });

  it("no-auth-declared: undeclared operations only (public and required are not flagged)", async () => {
    const api = await makeApi(db.prisma, "a", {}, [
      { path: "/open", securityMode: "undeclared" },
      { path: "/public", securityMode: "public" },
      { path: "/secure", securityMode: "required" },
    ]);
    const found = await evaluate(db.prisma, noAuthDeclared);
    expect(found.map((f) => [f.endpointId, f.severity, f.owaspCategory])).toEqual([[api.endpointIds[0], "medium", "API2"]]);
  });

  it("weak-auth: Basic, query-string keys and auth over plain HTTP to a non-local host", async () => {
    const a = await makeApi(db.prisma, "a", {}, [
      { path: "/basic", schemes: [{ name: "b", kind: "basic" }] },
      { path: "/query", schemes: [{ name: "k", kind: "apiKey", in: "query" }] },
      { path: "/header", schemes: [{ name: "k", kind: "apiKey", in: "header" }] },
      { path: "/either", schemes: [{ name: "jwt", kind: "bearer" }, { name: "b", kind: "basic" }] },
      { path: "/none", securityMode: "undeclared" },
    ]);
    const plain = await makeApi(db.prisma, "plain", { baseUrl: "http://plain.example.com/v1", host: "plain.example.com" }, [{ path: "/x" }]);
    await makeApi(db.prisma, "local", { baseUrl: "http://localhost:8080", host: "localhost:8080" }, [{ path: "/x" }]);
    const found = await evaluate(db.prisma, weakAuth);
    const byEndpoint = new Map(found.map((f) => [f.endpointId, f]));
    expect(found).toHaveLength(4);
    expect(byEndpoint.get(a.endpointIds[0])?.evidence).toMatchObject({ reasons: ["HTTP Basic"] });
    expect(byEndpoint.get(a.endpointIds[1])?.evidence).toMatchObject({ reasons: ["API key in the query string"] });
    expect(byEndpoint.has(a.endpointIds[2]!)).toBe(false);
    expect(byEndpoint.has(a.endpointIds[3]!)).toBe(true);
    expect(byEndpoint.has(a.endpointIds[4]!)).toBe(false);
    expect(byEndpoint.get(plain.endpointIds[0])?.evidence).toMatchObject({ reasons: ["credentials sent over plain HTTP"], baseUrl: "http://plain.example.com/v1" });
  });

  it("cleartext-transport: http:// server URL or plain-HTTP traffic within the window, non-local hosts only", async () => {
    const asOf = new Date("2024-06-30T00:00:00Z");
    const spec = await makeApi(db.prisma, "spec", { baseUrl: "http://spec.example.com", host: "spec.example.com" });
    await makeApi(db.prisma, "tls", {});
    await makeApi(db.prisma, "loop", { baseUrl: "http://127.0.0.1:3000", host: "127.0.0.1:3000" });
    const traffic = await makeApi(db.prisma, "traffic", {});
    const old = await makeApi(db.prisma, "old", {});
    const rollup = (apiId: string, hourStart: Date, plainHttp: number, host = "traffic.example.com") =>
      db.prisma.trafficEndpointHour.create({
        data: { scopeKey: apiId, apiId, host, method: "GET", pathTemplate: "/x", hourStart, requests: plainHttp + 1, plainHttp, ingestRunId: "r" },
      });
    await rollup(traffic.id, new Date("2024-06-20T10:00:00Z"), 3);
    await rollup(traffic.id, new Date("2024-06-21T10:00:00Z"), 0);
    await rollup(old.id, new Date("2024-04-01T10:00:00Z"), 5, "old.example.com"); // outside the 30-day window
    const found = await evaluate(db.prisma, cleartextTransport, { asOf });
    expect(found.map((f) => f.apiId).sort()).toEqual([spec.id, traffic.id].sort());
    expect(found.find((f) => f.apiId === traffic.id)).toMatchObject({ severity: "high", owaspCategory: "API8", evidence: { plainHttpRequests: 3, hosts: ["traffic.example.com"] } });
    expect(found.find((f) => f.apiId === spec.id)?.evidence).toEqual({ serverUrl: "http://spec.example.com" });
    // At the window's edge: an hour that overlaps the 30 days back from asOf still counts.
    expect(await evaluate(db.prisma, cleartextTransport, { asOf: new Date("2024-05-01T10:59:59Z"), apiIds: [old.id] })).toHaveLength(1);
    expect(await evaluate(db.prisma, cleartextTransport, { asOf: new Date("2024-05-01T11:00:00Z"), apiIds: [old.id] })).toHaveLength(0);
  });

  it("sensitive-data-exposure: PII/financial/credentials with weak or no auth; credentials from a login endpoint are expected", async () => {
    const api = await makeApi(db.prisma, "a", {}, [
      { path: "/users/{id}", securityMode: "public", fields: [{ path: "email", dataClass: "pii" }] },
      { path: "/cards", securityMode: "required", fields: [{ path: "pan", dataClass: "financial" }] },
      { path: "/login", method: "POST", securityMode: "public", fields: [{ path: "accessToken", dataClass: "credentials" }] },
      { path: "/keys", securityMode: "undeclared", fields: [{ path: "apiKey", dataClass: "credentials" }] },
      { path: "/basic", schemes: [{ name: "b", kind: "basic" }], fields: [{ path: "iban", dataClass: "financial" }] },
      { path: "/health", securityMode: "public", fields: [{ path: "diagnosis", dataClass: "health" }] },
    ]);
    const found = await evaluate(db.prisma, sensitiveDataExposure);
    const ids = found.map((f) => f.endpointId);
    expect(ids.sort()).toEqual([api.endpointIds[0], api.endpointIds[3], api.endpointIds[4]].sort());
    expect(found.find((f) => f.endpointId === api.endpointIds[0])).toMatchObject({ severity: "high", owaspCategory: "API3", evidence: { dataClasses: ["pii"], fields: ["email (pii)"] } });
  });

  it("documentation-gaps: one low roll-up per Api with counts and coverage; a complete Api is not flagged", async () => {
    const team = await makeTeam(db.prisma, "t");
    await makeApi(db.prisma, "complete", { ownerTeamId: team }, [{ path: "/a" }]);
    const gappy = await makeApi(db.prisma, "gappy", { version: null }, [
      { path: "/a", summary: null, hasSuccessSchema: false, observed: true },
      { path: "/b", securityMode: "undeclared", hasExamples: false },
      { path: "/c", observed: true },
      { path: "/shadow", documented: false, observed: true },
    ]);
    const found = await evaluate(db.prisma, documentationGaps);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      apiId: gappy.id,
      severity: "low",
      owaspCategory: "API9",
      evidence: {
        apiGaps: ["no owner or contact", "no version"],
        endpointGapCounts: { "no summary or description": 1, "no 2xx response schema": 1, "no security statement": 1, "no examples": 1 },
        endpointsWithGaps: 2,
        documentedEndpoints: 3,
        gapRatio: 0.667,
        docsCoverage: 66.7,
        endpoints: ["GET /a: no summary or description, no 2xx response schema", "GET /b: no security statement, no examples"],
      },
    });
  });

  it("documentation-gaps: failing OWASP Spectral rules are an Api-level gap, with the lint summary as evidence", async () => {
    const team = await makeTeam(db.prisma, "t");
    const lint = (status: SpecLintSummary["status"], rules: SpecLintSummary["rules"]): SpecLintSummary => ({
      tool: "spectral",
      rulesets: ["spectral:oas", "owasp:2023"],
      status,
      ...(status === "ok" ? {} : { reason: "over the 3000 ms lint budget; results ignored" }),
      durationMs: 12,
      counts: { error: rules.filter((r) => r.severity === "error").reduce((n, r) => n + r.count, 0), warn: rules.filter((r) => r.severity === "warn").reduce((n, r) => n + r.count, 0), info: 0, hint: 0 },
      total: rules.reduce((n, r) => n + r.count, 0),
      failingRules: rules.length,
      failingOwaspRules: rules.filter((r) => r.rule.startsWith("owasp:")).length,
      rules,
      examples: rules.map((r) => ({ rule: r.rule, severity: r.severity, path: "/paths/~1a/get/responses/200", message: "m" })),
    });
    const failing = lint("ok", [
      { rule: "owasp:api4:2023-rate-limit", severity: "error", count: 3 },
      { rule: "owasp:api8:2023-define-error-responses-401", severity: "warn", count: 2 },
      { rule: "operation-description", severity: "warn", count: 1 },
    ]);
    const linted = await makeApi(db.prisma, "linted", { ownerTeamId: team, specLint: failing as unknown as object }, [{ path: "/a" }]);
    // Only non-OWASP rules failing, or a lint that did not finish: no gap.
    await makeApi(db.prisma, "style-only", { ownerTeamId: team, specLint: lint("ok", [{ rule: "info-contact", severity: "warn", count: 1 }]) as unknown as object }, [{ path: "/a" }]);
    await makeApi(db.prisma, "timed-out", { ownerTeamId: team, specLint: lint("timeout", []) as unknown as object }, [{ path: "/a" }]);
    const found = await evaluate(db.prisma, documentationGaps);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      apiId: linted.id,
      severity: "low",
      owaspCategory: "API9",
      evidence: {
        apiGaps: ["2 OWASP Spectral rules failing"],
        endpointsWithGaps: 0,
        gapRatio: 0,
        specLint: { status: "ok", counts: { error: 3, warn: 3 }, failingRules: 3, failingOwaspRules: 2, rules: failing.rules },
      },
    });
    expect(found[0]?.description).toBe("2 OWASP Spectral rules failing.");
  });
});
