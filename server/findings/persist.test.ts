import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import { exportRecords } from "@/server/cli/export";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { SAMPLES_DIR, sample } from "@/server/ingest/test-utils";
import { TEST_DATABASES } from "@/server/test/databases";
import { findingFingerprint, normaliseTarget, scopeKey } from "./fingerprint";
import { NOT_SEEN_IN_RESCAN } from "./persist";
import { assignFindingApi, getFinding, listFindings, openFindingsBySeverity, summarizeFindings } from "./service";
import { isOverdue, slaDueAt } from "./sla";

const system = { type: "system" as const };

/** An inventory the ZAP petstore scan maps onto (its host and /v2 base path), owned by team-pets. */
export const PETSTORE_ZAP_INVENTORY = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Petstore demo target", version: "1.0.0" },
  "x-owner": "team-pets",
  "x-repository": "https://github.com/acme/petstore",
  servers: [{ url: "http://swagger-petstore.demo-targets.svc/v2" }],
  paths: {
    "/pet": { post: { responses: { "200": { description: "ok" } } }, put: { responses: { "200": { description: "ok" } } } },
    "/pet/findByStatus": { get: { responses: { "200": { description: "ok" } } } },
    "/pet/findByTags": { get: { responses: { "200": { description: "ok" } } } },
    "/pet/{petId}": {
      get: { responses: { "200": { description: "ok" } } },
      post: { responses: { "200": { description: "ok" } } },
      delete: { responses: { "200": { description: "ok" } } },
    },
    "/pet/{petId}/uploadImage": { post: { responses: { "200": { description: "ok" } } } },
    "/store/inventory": { get: { responses: { "200": { description: "ok" } } } },
    "/store/order": { post: { responses: { "200": { description: "ok" } } } },
    "/store/order/{orderId}": { get: { responses: { "200": { description: "ok" } } }, delete: { responses: { "200": { description: "ok" } } } },
    "/user": { post: { responses: { "200": { description: "ok" } } } },
    "/user/login": { get: { responses: { "200": { description: "ok" } } } },
    "/user/logout": { get: { responses: { "200": { description: "ok" } } } },
    "/user/{username}": {
      get: { responses: { "200": { description: "ok" } } },
      put: { responses: { "200": { description: "ok" } } },
      delete: { responses: { "200": { description: "ok" } } },
    },
  },
});

const OTHER_INVENTORY = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "Orders", version: "2.0.0" },
  "x-owner": "team-orders",
  servers: [{ url: "https://orders.example.com/api" }],
  paths: {
    "/orders": { get: { responses: { "200": { description: "ok" } } } },
    "/orders/{id}": { get: { responses: { "200": { description: "ok" } } } },
    "/orders/export": { get: { responses: { "200": { description: "ok" } } } },
  },
});

interface Alert {
  id: string;
  name: string;
  risk: 0 | 1 | 2 | 3;
  cwe?: number;
  uris: [string, string][];
}

let generation = 0;
function zapReport(site: string, alerts: Alert[]): string {
  generation += 1;
  return JSON.stringify({
    "@programName": "ZAP",
    "@version": "2.16.1",
    "@generated": `generation ${generation}`,
    site: [
      {
        "@name": site,
        alerts: alerts.map((a) => ({
          pluginid: a.id,
          alertRef: a.id,
          alert: a.name,
          name: a.name,
          riskcode: String(a.risk),
          confidence: "2",
          cweid: String(a.cwe ?? -1),
          desc: `<p>${a.name}</p>`,
          solution: "<p>Fix it.</p>",
          instances: a.uris.map(([method, uri]) => ({ uri, method, evidence: `seen at ${uri}` })),
          count: String(a.uris.length),
        })),
      },
    ],
  });
}

const A: Alert = { id: "40018", name: "SQL Injection", risk: 3, cwe: 89, uris: [["GET", "https://orders.example.com/api/orders/1"], ["GET", "https://orders.example.com/api/orders/2"]] };
const B: Alert = { id: "10021", name: "X-Content-Type-Options Header Missing", risk: 1, cwe: 693, uris: [["GET", "https://orders.example.com/api/orders"]] };
const C: Alert = { id: "10038", name: "Content Security Policy Header Not Set", risk: 2, cwe: 693, uris: [["GET", "https://orders.example.com/api/orders/export"]] };
const D: Alert = { id: "90022", name: "Application Error Disclosure", risk: 2, cwe: 200, uris: [["GET", "https://orders.example.com/api/orders/7"]] };

const admin: Actor = { type: "user", userId: "u-admin", email: "admin@postern.local", role: "admin", teamIds: [] };
const executive: Actor = { type: "user", userId: "u-exec", email: "exec@postern.local", role: "executive", teamIds: [] };

describe.each(TEST_DATABASES)("scan findings on $name", (kind) => {
  let db: Database;
  const run = async (content: string, name: string) => ingest(db.prisma, { file: bufferSource(content, name), channel: "cli", actor: system, correlate: false });
  const statuses = async (where: object = {}) =>
    Object.fromEntries(
      (await db.prisma.finding.findMany({ where, select: { ruleId: true, status: true, resolution: true, regression: true } })).map((f) => [
        f.ruleId,
        { status: f.status, resolution: f.resolution, regression: f.regression },
      ]),
    );

  beforeAll(async () => {
    db = await kind.open();
    for (const [content, name] of [
      [PETSTORE_ZAP_INVENTORY, "petstore-zap-target.json"],
      [OTHER_INVENTORY, "orders.json"],
    ] as const) {
      const result = await run(content, name);
      expect(result.status, result.message ?? "").toBe("succeeded");
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it("ingests every real scan sample; web findings map by URL, the rest stay visible as unmapped", async () => {
    const files = readdirSync(path.join(SAMPLES_DIR, "scan-results")).sort();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const results: Record<string, Record<string, number>> = {};
    for (const file of files) {
      const result = await ingest(db.prisma, { file: await sample(`scan-results/${file}`), channel: "cli", actor: system, correlate: false });
      expect(result.status, `${file}: ${result.message}`).toBe("succeeded");
      expect(result.family).toBe("scan");
      results[file] = result.counts;
      // Nothing of a first import is updated, reopened or resolved; every distinct finding is created or merged.
      expect(result.counts.findingsCreated, file).toBeGreaterThan(0);
      expect(result.counts.findingsCreated, file).toBeLessThanOrEqual(result.counts.records ?? 0);
      expect(result.counts.findingsResolved, file).toBe(0);
    }
    // CodeQL: 72 results at distinct file:line → 72 findings, none mappable (the report names no repository).
    expect(results["codeql-2.5.4.sarif"]).toMatchObject({ records: 72, findingsCreated: 72, findingsUnmapped: 72 });
    const codeql = await db.prisma.finding.groupBy({ by: ["severity"], where: { tool: "codeql" }, _count: { _all: true } });
    expect(Object.fromEntries(codeql.map((r) => [r.severity, r._count._all]))).toEqual({ low: 57, high: 11, medium: 4 });
    const sqli = await db.prisma.finding.findFirstOrThrow({ where: { tool: "codeql", ruleId: "py/sql-injection" } });
    expect(sqli).toMatchObject({ cwe: 89, owaspCategory: "API8", severity: "high", apiId: null, status: "open", kind: "scan" });
    expect(sqli.location).toMatchObject({ file: "bad/libuser.py", line: 12 });
    expect(sqli.slaDueAt?.getTime()).toBe(slaDueAt("high", sqli.firstSeenAt)?.getTime());

    // ZAP petstore: under /v2 → the petstore Api, concrete ids collapse onto templates; root paths stay unmapped.
    const petstore = await db.prisma.api.findFirstOrThrow({ where: { identity: "swagger-petstore.demo-targets.svc/v2" }, include: { ownerTeam: true } });
    const zap = results["zap-petstore-api-scan.json"]!;
    expect(zap.findingsUnmapped).toBeGreaterThan(0);
    expect(zap.findingsCreated).toBeGreaterThan(zap.findingsUnmapped!);
    expect(zap.apisTouched).toBe(1);
    const onPet = await db.prisma.finding.findMany({ where: { apiId: petstore.id, endpoint: { path: "/pet/{petId}", method: "GET" } } });
    expect(onPet.length).toBeGreaterThan(0);
    expect(onPet.every((f) => f.teamId === petstore.ownerTeamId && f.tool === "zap")).toBe(true);
    const xcto = await db.prisma.finding.findFirstOrThrow({ where: { apiId: petstore.id, ruleId: "10021", endpoint: { path: "/store/order/{orderId}" } } });
    expect(xcto).toMatchObject({ severity: "low", cwe: 16, owaspCategory: "API8" });
    const unmappedZap = await db.prisma.finding.findMany({ where: { tool: "zap", apiId: null, scopeKey: "zap|target:swagger-petstore.demo-targets.svc" } });
    expect(unmappedZap.length).toBe(zap.findingsUnmapped);
    expect(unmappedZap.map((f) => (f.location as { path?: string }).path)).toContain("swagger-petstore.demo-targets.svc/.htaccess");

    // Every finding has a created event; nothing else touched the events yet.
    const [findings, created] = await Promise.all([db.prisma.finding.count(), db.prisma.findingEvent.count({ where: { type: "created" } })]);
    expect(created).toBe(findings);
    expect(await db.prisma.finding.count({ where: { apiId: null } })).toBe(Object.values(results).reduce((n, c) => n + (c.findingsUnmapped ?? 0), 0));
  });

  it("re-ingesting identical content is a no-op", async () => {
    const before = await db.prisma.finding.findMany({ orderBy: { id: "asc" }, select: { id: true, updatedAt: true } });
    const again = await ingest(db.prisma, { file: await sample("scan-results/zap-petstore-api-scan.json"), channel: "cli", actor: system, correlate: false });
    expect(again.status).toBe("duplicate");
    expect(await db.prisma.finding.findMany({ orderBy: { id: "asc" }, select: { id: true, updatedAt: true } })).toEqual(before);
  });

  it("rescan: absent → resolved 'not seen in rescan', new → created, back → reopened as regression; other scopes untouched", async () => {
    const site = "https://orders.example.com";
    const others = async () =>
      db.prisma.finding.findMany({ where: { NOT: { scopeKey: { startsWith: "zap|api:" } } }, orderBy: { id: "asc" }, select: { id: true, status: true, updatedAt: true } });
    const petstoreZap = async () =>
      db.prisma.finding.findMany({ where: { api: { identity: "swagger-petstore.demo-targets.svc/v2" } }, orderBy: { id: "asc" }, select: { id: true, status: true, updatedAt: true } });
    const othersBefore = await others();
    const petBefore = await petstoreZap();

    const first = await run(zapReport(site, [A, B, C]), "orders-zap.json");
    expect(first.counts).toMatchObject({ records: 4, findingsCreated: 3, findingsUpdated: 0, findingsResolved: 0, findingsUnmapped: 0, apisTouched: 1 });
    // Two instances of A on /orders/{id}: one finding with two occurrences.
    const a = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "40018", api: { slug: "orders" } }, include: { endpoint: true, api: true } });
    expect(a).toMatchObject({ occurrences: 2, severity: "high", cwe: 89, owaspCategory: "API8" });
    expect(a.endpoint).toMatchObject({ method: "GET", path: "/orders/{id}" });
    expect(a.api?.slug).toBe("orders");
    // Literal segments beat params: /orders/export is its own endpoint, not /orders/{id}.
    const c = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "10038", api: { slug: "orders" } }, include: { endpoint: true } });
    expect(c.endpoint?.path).toBe("/orders/export");

    const second = await run(zapReport(site, [A, B, D]), "orders-zap.json");
    expect(second.counts).toMatchObject({ findingsCreated: 1, findingsUpdated: 2, findingsResolved: 1, findingsReopened: 0 });
    expect(await statuses({ api: { slug: "orders" } })).toEqual({
      "40018": { status: "open", resolution: null, regression: false },
      "10021": { status: "open", resolution: null, regression: false },
      "10038": { status: "resolved", resolution: NOT_SEEN_IN_RESCAN, regression: false },
      "90022": { status: "open", resolution: null, regression: false },
    });
    const resolvedC = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "10038", api: { slug: "orders" } }, include: { events: { orderBy: { createdAt: "asc" } } } });
    expect(resolvedC.resolvedAt).not.toBeNull();
    expect(resolvedC.events.map((e) => [e.type, e.fromValue, e.toValue])).toEqual([
      ["created", null, "open"],
      ["status", "open", "resolved"],
    ]);

    const third = await run(zapReport(site, [A, B, C, D]), "orders-zap.json");
    expect(third.counts).toMatchObject({ findingsCreated: 0, findingsUpdated: 3, findingsReopened: 1, findingsResolved: 0 });
    const back = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "10038", api: { slug: "orders" } }, include: { events: { orderBy: { createdAt: "asc" } } } });
    expect(back).toMatchObject({ status: "open", regression: true, resolution: null, resolvedAt: null });
    expect(back.events.at(-1)).toMatchObject({ type: "status", fromValue: "resolved", toValue: "open" });

    // Findings of other scopes (other tools, other Apis, unmapped targets) were never touched.
    expect(await others()).toEqual(othersBefore);
    expect(await petstoreZap()).toEqual(petBefore);
  });

  it("never reopens or resolves what a person closed as false positive", async () => {
    const site = "https://orders.example.com";
    const b = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "10021", api: { slug: "orders" } } });
    await db.prisma.finding.update({ where: { id: b.id }, data: { status: "false_positive", resolution: "header set by CDN" } });
    const without = await run(zapReport(site, [A, C, D]), "orders-zap.json");
    expect(without.counts).toMatchObject({ findingsResolved: 0, findingsReopened: 0, findingsUpdated: 3 });
    const withB = await run(zapReport(site, [A, B, C, D]), "orders-zap.json");
    expect(withB.counts).toMatchObject({ findingsResolved: 0, findingsReopened: 0, findingsUpdated: 4 });
    const after = await db.prisma.finding.findUniqueOrThrow({ where: { id: b.id } });
    expect(after).toMatchObject({ status: "false_positive", resolution: "header set by CDN", regression: false });
    expect(after.lastSeenAt.getTime()).toBeGreaterThan(b.lastSeenAt.getTime());
  });

  it("maps code findings by the Api's repository (normalised) and scopes them per tool + Api", async () => {
    const sarif = JSON.stringify({
      version: "2.1.0",
      runs: [
        {
          tool: { driver: { name: "Semgrep", version: "1.0", rules: [{ id: "hardcoded-secret", shortDescription: { text: "Hardcoded secret" }, properties: { tags: ["CWE-798"] } }] } },
          versionControlProvenance: [{ repositoryUri: "git@github.com:Acme/Petstore.git" }],
          results: [
            { ruleId: "hardcoded-secret", level: "error", message: { text: "secret" }, locations: [{ physicalLocation: { artifactLocation: { uri: "src/app.js" }, region: { startLine: 3 } } }] },
            { ruleId: "hardcoded-secret", level: "error", message: { text: "secret" }, locations: [{ physicalLocation: { artifactLocation: { uri: "src/db.js" }, region: { startLine: 9 } } }] },
          ],
        },
      ],
    });
    const result = await run(sarif, "semgrep.sarif");
    expect(result.status, result.message ?? "").toBe("succeeded");
    expect(result.counts).toMatchObject({ findingsCreated: 2, findingsUnmapped: 0, apisTouched: 1 });
    const found = await db.prisma.finding.findMany({ where: { tool: "semgrep" }, include: { api: true } });
    expect(found.map((f) => f.api?.identity)).toEqual(["swagger-petstore.demo-targets.svc/v2", "swagger-petstore.demo-targets.svc/v2"]);
    expect(found[0]).toMatchObject({ cwe: 798, owaspCategory: "API2", severity: "high" });
    expect(found[0]?.scopeKey).toBe(scopeKey("Semgrep", found[0]!.apiId, null));
  });

  it("lists with server-side filters, facets and paging; enforces object-level access", async () => {
    const petstore = await db.prisma.api.findFirstOrThrow({ where: { identity: "swagger-petstore.demo-targets.svc/v2" } });
    const orders = await db.prisma.api.findFirstOrThrow({ where: { slug: "orders" } });
    const all = await listFindings(db.prisma, admin, { pageSize: 200 });
    const total = await db.prisma.finding.count();
    expect(all.total).toBe(total);
    // Severity sort pages through buckets: most severe first, no row twice across pages.
    const severities = all.rows.map((r) => r.severity);
    const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 } as Record<string, number>;
    expect(severities.every((s, i) => i === 0 || rank[severities[i - 1]!]! >= rank[s]!)).toBe(true);
    const ids = new Set<string>();
    for (let page = 1; page <= Math.ceil(total / 37); page++) {
      for (const row of (await listFindings(db.prisma, admin, { pageSize: 37, page })).rows) ids.add(row.id);
    }
    expect(ids.size).toBe(total);
    expect(all.facets.severity.high).toBeGreaterThan(0);
    expect(all.facets.tool.codeql).toBe(72);

    const petLow = await listFindings(db.prisma, admin, { api: petstore.slug, severity: "low" });
    expect(petLow.total).toBeGreaterThan(0);
    expect(petLow.rows.every((r) => r.api?.slug === petstore.slug && r.severity === "low")).toBe(true);
    // The severity facet ignores the severity filter itself, so the other choices stay visible.
    expect(Object.keys(petLow.facets.severity).length).toBeGreaterThan(1);
    const unmapped = await listFindings(db.prisma, admin, { unmapped: true, tool: "codeql", cwe: 89 });
    expect(unmapped.rows.map((r) => r.where)).toEqual(expect.arrayContaining(["bad/libuser.py:12"]));
    const owasp = await listFindings(db.prisma, admin, { owasp: "API2" });
    expect(owasp.rows.every((r) => r.owaspCategory === "API2")).toBe(true);
    const bySla = await listFindings(db.prisma, admin, { sort: "slaDueAt", dir: "asc", status: "active" });
    expect(bySla.rows[0]?.slaDueAt).not.toBeNull();
    const overdue = await listFindings(db.prisma, admin, { overdue: true }, new Date(Date.now() + 8 * 86_400_000));
    expect(overdue.total).toBe(await db.prisma.finding.count({ where: { severity: "critical", status: { in: ["open", "triaged", "in_progress"] } } }));
    expect(overdue.rows.every((r) => r.overdue)).toBe(true);

    // Developers: only their teams' Apis, never unmapped.
    const ordersDev: Actor = { type: "user", userId: "u-dev", email: "dev@postern.local", role: "developer", teamIds: [orders.ownerTeamId!] };
    const mine = await listFindings(db.prisma, ordersDev, { pageSize: 200 });
    expect(mine.total).toBe(await db.prisma.finding.count({ where: { apiId: orders.id } }));
    expect(mine.rows.every((r) => r.api?.slug === "orders")).toBe(true);
    expect((await listFindings(db.prisma, ordersDev, { unmapped: true })).total).toBe(0);
    const petFinding = await db.prisma.finding.findFirstOrThrow({ where: { apiId: petstore.id } });
    await expect(getFinding(db.prisma, ordersDev, petFinding.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const unmappedOne = await db.prisma.finding.findFirstOrThrow({ where: { apiId: null } });
    await expect(getFinding(db.prisma, ordersDev, unmappedOne.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const ownFinding = await db.prisma.finding.findFirstOrThrow({ where: { apiId: orders.id, ruleId: "10038" } });
    const detail = await getFinding(db.prisma, ordersDev, ownFinding.id);
    expect(detail.history.map((h) => h.type)).toEqual(["created", "status", "status"]);
    expect(detail.evidence?.detail ?? detail.evidence?.snippet ?? detail.evidence?.request ?? "").not.toBe(undefined);

    // Executives: counts yes, rows and detail no.
    await expect(getFinding(db.prisma, executive, ownFinding.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(listFindings(db.prisma, executive, {})).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await summarizeFindings(db.prisma, executive, {})).total).toBe(total);
    expect(await openFindingsBySeverity(db.prisma, executive, "orders")).toMatchObject({ high: 1, medium: 2 });
    expect(await openFindingsBySeverity(db.prisma, ordersDev, petstore.slug)).toBeNull();
  });

  it("lets admin/security map an unmapped finding to an Api, with history and audit", async () => {
    const orders = await db.prisma.api.findFirstOrThrow({ where: { slug: "orders" } });
    const target = await db.prisma.finding.findFirstOrThrow({ where: { apiId: null, tool: "nuclei" } });
    const dev: Actor = { type: "user", userId: "u-dev", email: "dev@postern.local", role: "developer", teamIds: [orders.ownerTeamId!] };
    await expect(assignFindingApi(db.prisma, dev, { id: target.id, api: "orders" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(assignFindingApi(db.prisma, admin, { id: target.id, api: "no-such-api" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await assignFindingApi(db.prisma, admin, { id: target.id, api: "orders" })).toMatchObject({ changed: true });
    const after = await db.prisma.finding.findUniqueOrThrow({ where: { id: target.id } });
    expect(after).toMatchObject({ apiId: orders.id, teamId: orders.ownerTeamId });
    expect((await getFinding(db.prisma, dev, target.id)).history.at(-1)).toMatchObject({ type: "api_assigned", toValue: "orders" });
    expect(await db.prisma.auditLog.count({ where: { action: "finding.assign_api", targetId: target.id } })).toBe(1);
  });

  describe("clean reports and the tool's triage", () => {
    const BILLING_INVENTORY = JSON.stringify({
      openapi: "3.0.3",
      info: { title: "Billing", version: "1.0.0" },
      "x-owner": "team-billing",
      "x-repository": "https://github.com/acme/billing",
      servers: [{ url: "https://billing.example.com/v1" }],
      paths: { "/invoices": { get: { responses: { "200": { description: "ok" } } } }, "/invoices/{id}": { get: { responses: { "200": { description: "ok" } } } } },
    });
    const zapXml = (site: string, alerts: { id: string; name: string; uri: string }[]) => `<?xml version="1.0"?>
<OWASPZAPReport version="2.9.0" generated="generation ${++generation}">
<site name="${site}" host="${new URL(site).host}" port="443" ssl="true"><alerts>${alerts
      .map(
        (a) => `<alertitem><pluginid>${a.id}</pluginid><alert>${a.name}</alert><riskcode>2</riskcode><confidence>2</confidence>
<instances><instance><uri>${a.uri}</uri><method>GET</method></instance></instances></alertitem>`,
      )
      .join("")}</alerts></site>
</OWASPZAPReport>`;
    const sarifLog = (tool: string, repository: string | undefined, results: unknown[]) =>
      JSON.stringify({
        version: "2.1.0",
        runs: [{ tool: { driver: { name: tool, rules: [{ id: "B105", shortDescription: { text: "Hardcoded password" } }] } }, ...(repository ? { versionControlProvenance: [{ repositoryUri: repository }] } : {}), results }],
      });
    const at = (uri: string, line: number) => [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: line } } }];
    const ingestAs = (content: string, name: string, format?: string) =>
      ingest(db.prisma, { file: bufferSource(content, name), channel: "cli", actor: system, correlate: false, ...(format ? { options: { format } } : {}) });
    const billingFindings = async (tool: string) =>
      (await db.prisma.finding.findMany({ where: { tool, api: { slug: "billing" } }, orderBy: { ruleId: "asc" } })).map((f) => [f.ruleId, f.status, f.resolution]);

    beforeAll(async () => {
      expect((await ingestAs(BILLING_INVENTORY, "billing.json")).status).toBe("succeeded");
    });

    it("an empty ZAP 2.9 XML report of a known site is a clean rescan: it succeeds and resolves the site's open findings", async () => {
      const site = "https://billing.example.com";
      const first = await ingestAs(
        zapXml(site, [
          { id: "10021", name: "X-Content-Type-Options Header Missing", uri: `${site}/v1/invoices` },
          { id: "10038", name: "Content Security Policy Header Not Set", uri: `${site}/v1/invoices/7` },
        ]),
        "billing-zap.xml",
      );
      expect(first.status, first.message ?? "").toBe("succeeded");
      expect(first.counts).toMatchObject({ records: 2, findingsCreated: 2, findingsResolved: 0 });
      const others = await db.prisma.finding.findMany({ where: { NOT: { api: { slug: "billing" } } }, orderBy: { id: "asc" }, select: { id: true, status: true, updatedAt: true } });

      const clean = await ingestAs(zapXml(site, []), "billing-zap.xml");
      expect(clean.status, clean.message ?? "").toBe("succeeded");
      expect(clean.counts).toMatchObject({ records: 0, findingsCreated: 0, findingsResolved: 2, apisTouched: 1 });
      expect(clean.warnings.map((w) => w.message)).toContain(`the report lists no findings: a clean scan of ZAP ${site}`);
      expect(await billingFindings("zap")).toEqual([
        ["10021", "resolved", NOT_SEEN_IN_RESCAN],
        ["10038", "resolved", NOT_SEEN_IN_RESCAN],
      ]);
      // Nothing of other scopes was touched.
      expect(await db.prisma.finding.findMany({ where: { NOT: { api: { slug: "billing" } } }, orderBy: { id: "asc" }, select: { id: true, status: true, updatedAt: true } })).toEqual(others);
    });

    it("a SARIF run of a known repository without results resolves that tool's findings there; one without target resolves nothing", async () => {
      const repo = "https://github.com/acme/billing";
      const first = await ingestAs(
        sarifLog("Bandit", repo, [
          { ruleId: "B105", message: { text: "pw" }, locations: at("billing/settings.py", 3) },
          { ruleId: "B105", message: { text: "pw" }, locations: at("billing/jobs.py", 9) },
        ]),
        "bandit.sarif",
      );
      expect(first.counts).toMatchObject({ findingsCreated: 2, findingsUnmapped: 0 });
      const targetless = await ingestAs(sarifLog("Bandit", undefined, []), "bandit-targetless.sarif");
      expect(targetless.status, targetless.message ?? "").toBe("succeeded");
      expect(targetless.counts).toMatchObject({ records: 0, findingsResolved: 0 });
      expect(targetless.warnings.map((w) => w.message).join("\n")).toMatch(/names no target, so no earlier finding could be resolved/);
      const clean = await ingestAs(sarifLog("Bandit", repo, []), "bandit.sarif");
      expect(clean.status, clean.message ?? "").toBe("succeeded");
      expect(clean.counts).toMatchObject({ records: 0, findingsResolved: 2 });
      expect((await billingFindings("bandit")).map((f) => f[1])).toEqual(["resolved", "resolved"]);
    });

    it("empty Nuclei and StackHawk reports succeed; a 0-byte file is still rejected", async () => {
      const nuclei = await ingestAs("[]", "nuclei.json");
      expect(nuclei.status, nuclei.message ?? "").toBe("succeeded");
      expect(nuclei.format).toBe("nuclei");
      expect(nuclei.counts).toMatchObject({ records: 0, findingsCreated: 0, findingsResolved: 0 });
      const blank = await ingestAs("\n", "nuclei.jsonl", "nuclei");
      expect(blank.status, blank.message ?? "").toBe("succeeded");
      const stackhawk = await ingestAs(JSON.stringify({ service: "StackHawk", scanCompleted: { scan: { application: "Billing", env: "Prod" }, findings: [] } }), "hawk.json");
      expect(stackhawk.status, stackhawk.message ?? "").toBe("succeeded");
      for (const format of ["nuclei", "sarif", "zap-xml", "stackhawk"]) {
        const empty = await ingestAs("", "empty.out", format);
        expect(empty.status, format).toBe("failed");
      }
      expect((await ingestAs("", "empty.out")).message).toBe("the file is empty");
    });

    it("stores the tool's triage (SARIF suppressions, StackHawk triage) on findings, as the latest report states it, and decides by it", async () => {
      const repo = "https://github.com/acme/billing";
      const suppressed = [
        { ruleId: "B105", message: { text: "pw" }, locations: at("billing/a.py", 1), suppressions: [{ kind: "external", status: "accepted", justification: "test fixture" }] },
        { ruleId: "B105", message: { text: "pw" }, locations: at("billing/b.py", 2), suppressions: [{ kind: "inSource", status: "underReview" }] },
      ];
      const first = await ingestAs(sarifLog("Gosec", repo, suppressed), "gosec.sarif");
      expect(first.status, first.message ?? "").toBe("succeeded");
      expect(first.counts).toMatchObject({ findingsCreated: 2 });
      const triage = async () =>
        (await db.prisma.finding.findMany({ where: { tool: "gosec" }, orderBy: { fingerprint: "asc" } })).map((f) => [(f.location as { file: string }).file, f.status, f.toolTriage]).sort();
      // A suppression in force is a false positive by the tool; one under review decides nothing.
      expect(await triage()).toEqual([
        ["billing/a.py", "false_positive", { state: "suppressed", kind: "external", justification: "test fixture" }],
        ["billing/b.py", "open", { state: "under_review", kind: "inSource" }],
      ]);
      // The suppression is lifted in the next report: the triage goes with it, and the tool reopens what it closed.
      const lifted = suppressed.map((r) => ({ ...r, suppressions: [] }));
      expect((await ingestAs(sarifLog("Gosec", repo, lifted), "gosec.sarif")).counts).toMatchObject({ findingsUpdated: 2 });
      expect(await triage()).toEqual([
        ["billing/a.py", "open", null],
        ["billing/b.py", "open", null],
      ]);

      const hawk = await ingestAs(
        JSON.stringify({
          service: "StackHawk",
          scanCompleted: {
            scan: { application: "Billing", env: "Prod", hawkscanVersion: "3.0.0" },
            findings: [
              {
                pluginId: "40018",
                pluginName: "SQL Injection",
                severity: "High",
                host: "https://billing.example.com",
                paths: [
                  { path: "/v1/invoices", method: "GET", status: "FALSE_POSITIVE" },
                  { path: "/v1/invoices/3", method: "GET", status: "RISK_ACCEPTED" },
                ],
              },
            ],
          },
        }),
        "hawk-billing.json",
      );
      expect(hawk.status, hawk.message ?? "").toBe("succeeded");
      const byPath = Object.fromEntries(
        (await db.prisma.finding.findMany({ where: { tool: "stackhawk", api: { slug: "billing" } }, include: { endpoint: true } })).map((f) => [f.endpoint?.path, [f.status, f.toolTriage]]),
      );
      expect(byPath).toEqual({ "/invoices": ["false_positive", { state: "false_positive" }], "/invoices/{id}": ["risk_accepted", { state: "risk_accepted" }] });
      const exported = [];
      for await (const row of exportRecords(db.prisma, "findings")) if (row.tool === "stackhawk" && row.api?.name === "Billing") exported.push(row.toolTriage);
      expect(exported.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([{ state: "false_positive" }, { state: "risk_accepted" }]);
    });

    it("keeps SARIF results at one place apart when the tool tells them apart (different fingerprints)", async () => {
      const place = at("billing/keys.py", 4);
      const result = await ingestAs(
        sarifLog("Trufflehog", "https://github.com/acme/billing", [
          { ruleId: "B105", message: { text: "Generic API key" }, locations: place },
          { ruleId: "B105", message: { text: "Stripe key" }, locations: place },
          { ruleId: "B105", message: { text: "Generic API key" }, locations: place },
        ]),
        "trufflehog.sarif",
      );
      expect(result.counts).toMatchObject({ records: 2, findingsCreated: 2 });
      const found = await db.prisma.finding.findMany({ where: { tool: "trufflehog" }, orderBy: { occurrences: "desc" } });
      expect(found.map((f) => [f.description, f.occurrences])).toEqual([
        ["Generic API key", 2],
        ["Stripe key", 1],
      ]);
    });
  });
});

describe("fingerprint and SLA helpers", () => {
  it("normalises repository and scan targets", () => {
    expect(normaliseTarget("https://GitHub.com/Acme/Repo.git/")).toBe("github.com/acme/repo");
    expect(normaliseTarget("git@github.com:acme/repo.git")).toBe("github.com/acme/repo");
    expect(normaliseTarget("https://user:pw@github.com/acme/repo")).toBe("github.com/acme/repo");
    expect(normaliseTarget("http://host:80/")).toBe("host");
    expect(normaliseTarget("  ")).toBeNull();
  });

  it("keys the title only for rule ids that tools reuse", () => {
    const base = { tool: "ZAP", apiId: "a1", target: null, method: "GET", path: "/x" };
    expect(findingFingerprint({ ...base, ruleId: "10021", title: "one" })).toBe(findingFingerprint({ ...base, ruleId: "10021", title: "two" }));
    expect(findingFingerprint({ ...base, ruleId: "100000", title: "one" })).not.toBe(findingFingerprint({ ...base, ruleId: "100000", title: "two" }));
    expect(findingFingerprint({ ...base, ruleId: "10021", title: "t" })).toBe(findingFingerprint({ ...base, tool: "zap", ruleId: "10021", title: "t" }));
    expect(findingFingerprint({ ...base, ruleId: "10021", title: "t", parameter: "q" })).not.toBe(findingFingerprint({ ...base, ruleId: "10021", title: "t" }));
  });

  it("computes SLA due dates and overdue", () => {
    const t = new Date("2025-01-01T00:00:00Z");
    expect(slaDueAt("critical", t)?.toISOString()).toBe("2025-01-08T00:00:00.000Z");
    expect(slaDueAt("high", t)?.toISOString()).toBe("2025-01-31T00:00:00.000Z");
    expect(slaDueAt("medium", t)?.toISOString()).toBe("2025-04-01T00:00:00.000Z");
    expect(slaDueAt("low", t)?.toISOString()).toBe("2025-05-01T00:00:00.000Z");
    expect(slaDueAt("info", t)).toBeNull();
    expect(isOverdue({ status: "open", slaDueAt: "2025-01-08T00:00:00Z" }, new Date("2025-01-09"))).toBe(true);
    expect(isOverdue({ status: "resolved", slaDueAt: "2025-01-08T00:00:00Z" }, new Date("2025-01-09"))).toBe(false);
  });
});
