import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { reset } from "@/server/correlate/test-fixtures";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { TEST_DATABASES } from "@/server/test/databases";
import type { Actor } from "@/server/auth/roles";
import { apiChangelog, weeklyChanges } from "./changelog";

const system = { type: "system" as const };

interface SpecOptions {
  /** Security scheme of GET /accounts/{id}. */
  scheme?: "bearer" | "keyQuery" | "oauth" | "none";
  /** Extra response properties of GET /accounts/{id}. */
  extraFields?: Record<string, { type: string }>;
  /** Include DELETE /accounts/{id}. */
  withDelete?: boolean;
  description?: string;
  idType?: string;
  owner?: string;
}

/** A small OpenAPI 3 spec of a "ledger" Api whose parts a test varies from one version to the next. */
function spec(o: SpecOptions = {}): string {
  const security = o.scheme === "none" ? [] : [{ [o.scheme ?? "bearer"]: [] }];
  return JSON.stringify({
    openapi: "3.0.3",
    info: { title: "Ledger", version: "1.0.0", description: o.description ?? "Accounts." },
    ...(o.owner ? { "x-owner": o.owner } : {}),
    servers: [{ url: "https://ledger.example.com/v1" }],
    paths: {
      "/accounts/{id}": {
        get: {
          security,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: o.idType ?? "integer" } }],
          responses: {
            "200": {
              description: "ok",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { id: { type: "integer" }, nickname: { type: "string" }, ...o.extraFields } },
                },
              },
            },
          },
        },
        ...(o.withDelete === false ? {} : { delete: { security: [{ bearer: [] }], responses: { "204": { description: "gone" } } } }),
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        keyQuery: { type: "apiKey", in: "query", name: "key" },
        oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "https://id.example.com/token", scopes: {} } } },
      },
    },
  });
}

describe.each(TEST_DATABASES)("Api versions and change rules on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await reset(db.prisma);
    await db.prisma.ingestRun.deleteMany();
  });

  const day = (n: number) => new Date(Date.UTC(2026, 10, n, 12));
  async function load(text: string, n: number, name = "ledger.json") {
    const result = await ingest(db.prisma, { file: bufferSource(text, name), channel: "cli", actor: system, specLint: false, now: day(n) });
    expect(result.status).toBe("succeeded");
    return result;
  }
  const versions = () => db.prisma.apiSourceVersion.findMany({ orderBy: { createdAt: "asc" } });
  const findings = (ruleId: string) => db.prisma.finding.findMany({ where: { ruleId }, orderBy: { firstSeenAt: "asc" } });

  it("keeps a version per change of a source; an unchanged re-ingest adds none; another file is another source", async () => {
    await load(spec(), 1);
    // Same content as far as versions go (only the description differs): no new version.
    await load(spec({ description: "Accounts and balances." }), 2);
    expect(await versions()).toHaveLength(1);
    const [first] = await versions();
    expect(first).toMatchObject({ format: "openapi", fileName: "ledger.json", changeCount: 0, changes: [] });

    await load(spec({ withDelete: false, idType: "string" }), 3);
    const all = await versions();
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ changeCount: 2, breaking: 2, createdAt: day(3) });
    expect((all[1]!.changes as { kind: string }[]).map((c) => c.kind)).toEqual(["endpoint-removed", "parameter-type-changed"]);

    // The same Api described by another file starts that file's own history.
    await load(spec({ description: "A copy." }), 4, "ledger-copy.json");
    expect((await versions()).map((v) => [v.fileName, v.changeCount])).toEqual([
      ["ledger.json", 0],
      ["ledger.json", 2],
      ["ledger-copy.json", 0],
    ]);
  });

  it("auth-weakened: bearer → API key in query fires high/API2 with before, after, source and time; restoring resolves it", async () => {
    await load(spec(), 1);
    expect(await findings("auth-weakened")).toHaveLength(0);
    await load(spec({ scheme: "keyQuery" }), 2);
    const [found, ...rest] = await findings("auth-weakened");
    expect(rest).toHaveLength(0);
    const endpoint = await db.prisma.endpoint.findFirstOrThrow({ where: { method: "GET", path: "/accounts/{id}" } });
    expect(found).toMatchObject({ severity: "high", owaspCategory: "API2", endpointId: endpoint.id, status: "open" });
    expect(found?.evidence).toMatchObject({
      method: "GET",
      path: "/accounts/{id}",
      before: "bearer token",
      after: "API key in query",
      source: { format: "openapi", fileName: "ledger.json", changedAt: day(2).toISOString() },
    });

    // An unrelated later change leaves it open: the weakening is still the source's latest word on that endpoint.
    await load(spec({ scheme: "keyQuery", withDelete: false }), 3);
    expect((await findings("auth-weakened")).map((f) => f.status)).toEqual(["open"]);

    // Back to a strong scheme: resolved.
    await load(spec({ scheme: "oauth", withDelete: false }), 4);
    expect((await findings("auth-weakened")).map((f) => f.status)).not.toContain("open");
  });

  it("auth-weakened: dropping the requirement fires; a stronger scheme does not", async () => {
    await load(spec({ scheme: "keyQuery" }), 1);
    await load(spec({ scheme: "oauth" }), 2);
    expect(await findings("auth-weakened")).toHaveLength(0);
    await load(spec({ scheme: "none" }), 3);
    const found = await findings("auth-weakened");
    expect(found).toHaveLength(1);
    expect(found[0]?.evidence).toMatchObject({ before: "OAuth 2", after: "public (no authentication)" });
  });

  it("sensitive-data-added: a new PII field fires medium/API3; a non-sensitive field does not", async () => {
    await load(spec(), 1);
    await load(spec({ extraFields: { colour: { type: "string" } } }), 2);
    expect(await findings("sensitive-data-added")).toHaveLength(0);
    await load(spec({ extraFields: { colour: { type: "string" }, email: { type: "string" }, iban: { type: "string" } } }), 3);
    const found = await findings("sensitive-data-added");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: "medium", owaspCategory: "API3", status: "open" });
    expect(found[0]?.evidence).toMatchObject({
      method: "GET",
      path: "/accounts/{id}",
      dataClasses: ["financial", "pii"],
      fields: ["email (pii)", "iban (financial)"],
      source: { format: "openapi", fileName: "ledger.json", changedAt: day(3).toISOString() },
    });
    // The fields removed again: resolved.
    await load(spec({ extraFields: { colour: { type: "string" } }, description: "v4" }), 4);
    expect((await findings("sensitive-data-added")).map((f) => f.status)).not.toContain("open");
  });

  it("the first version of a source is no change: a spec that starts weak and sensitive fires neither change rule", async () => {
    await load(spec({ scheme: "none", extraFields: { email: { type: "string" } } }), 1);
    expect(await findings("auth-weakened")).toHaveLength(0);
    expect(await findings("sensitive-data-added")).toHaveLength(0);
  });

  it("changelog and the week's changes: scoped like the Api, newest version first, breaking changes flagged", async () => {
    await load(spec({ owner: "ledger-team" }), 1);
    await load(spec({ owner: "ledger-team", scheme: "keyQuery", withDelete: false, extraFields: { email: { type: "string" } } }), 5);
    const team = await db.prisma.team.findUniqueOrThrow({ where: { slug: "ledger-team" } });
    const security: Actor = { type: "user", userId: "u1", email: "s@example.com", role: "security", teamIds: [] };
    const owner: Actor = { type: "user", userId: "u2", email: "d@example.com", role: "developer", teamIds: [team.id] };
    const stranger: Actor = { type: "user", userId: "u3", email: "x@example.com", role: "developer", teamIds: ["tm_other"] };

    const log = await apiChangelog(db.prisma, security, "ledger");
    expect(log.versions.map((v) => [v.createdAt, v.first, v.changeCount, v.breaking])).toEqual([
      [day(5).toISOString(), false, 3, 1],
      [day(1).toISOString(), true, 0, 0],
    ]);
    expect(log.versions[0]?.changes).toContainEqual({ kind: "endpoint-removed", breaking: true, method: "DELETE", path: "/accounts/{id}" });
    expect((await apiChangelog(db.prisma, owner, "ledger")).versions).toHaveLength(2);
    await expect(apiChangelog(db.prisma, stranger, "ledger")).rejects.toMatchObject({ code: "NOT_FOUND" });

    const week = await weeklyChanges(db.prisma, security, day(10));
    expect(week.totals).toEqual({ newEndpoints: 0, authWeakened: 1, sensitiveAdded: 1, breaking: 1 });
    expect(week.changedApis).toEqual([{ slug: "ledger", name: "Ledger", newEndpoints: 0, authWeakened: 1, sensitiveAdded: 1, breaking: 1, versions: 1 }]);
    // First seen on day 1: more than a week before day 10, so not new; the change of day 5 is still in the week.
    expect(week.newApis.total).toBe(0);
    expect((await weeklyChanges(db.prisma, security, day(3))).newApis.apis.map((a) => a.slug)).toEqual(["ledger"]);
    expect((await weeklyChanges(db.prisma, security, day(13))).changedApis).toEqual([]);
    expect((await weeklyChanges(db.prisma, stranger, day(10))).totals).toEqual({ newEndpoints: 0, authWeakened: 0, sensitiveAdded: 0, breaking: 0 });
  });
});
