import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiExport, EndpointExport } from "./export";
import { type CliIO, run } from "./main";

const REPO = path.resolve(import.meta.dirname, "../..");
const SAMPLES = path.resolve(REPO, "fixtures/samples/api-inventory");

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

/** Runs the CLI in-process against `databaseUrl` and returns exit code and output. */
async function cli(argv: string[], databaseUrl = "pglite:memory", stdin?: string) {
  const out = collector();
  const err = collector();
  const io: CliIO = {
    stdout: out.stream,
    stderr: err.stream,
    env: { DATABASE_URL: databaseUrl },
    ...(stdin === undefined ? {} : { stdin: [Buffer.from(stdin)] }),
  };
  const code = await run(argv, io);
  return { code, stdout: out.text, stderr: err.text };
}

describe("postern CLI without a database", () => {
  it("prints help and exits 0", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: postern <command>/);
    for (const name of ["ingest", "export", "correlate", "user", "team", "token", "migrate"]) expect(top.stdout).toContain(name);
    for (const argv of [["ingest", "--help"], ["export", "-h"], ["correlate", "--help"], ["user", "create", "--help"], ["token", "create", "--help"], ["team", "create", "--help"], ["migrate", "--help"], ["help", "export"]]) {
      const result = await cli(argv);
      expect(result.code, argv.join(" ")).toBe(0);
      expect(result.stdout, argv.join(" ")).toMatch(/^Usage: postern /);
    }
  });

  it("fails with exit 2 and one line on stderr for bad usage", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /^postern: unknown command "frobnicate"/],
      [["correlate", "--as-of", "yesterday"], /^postern: --as-of "yesterday" is not an ISO 8601/],
      [["correlate", "--as-of", "2024-02-30"], /not a valid date/],
      [["export", "widgets"], /^postern: cannot export "widgets"/],
      [["export", "apis", "--format", "xml"], /unknown export format "xml"/],
      [["export", "apis", "--nope"], /^postern: unknown option '--nope'/],
      [["ingest"], /needs at least one FILE/],
      [["ingest", "x.json", "--format", "word-doc"], /unknown format "word-doc"/],
      [["user", "create", "--email", "a@b.c", "--role", "overlord"], /unknown role "overlord"/],
      [["token", "create", "--user", "a@b.c", "--scopes", "ingest,admin"], /unknown scope "admin"/],
      [["token", "create", "--user", "a@b.c", "--scopes", "read", "--days", "0"], /--days must be/],
      [["team", "create"], /needs a NAME/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toMatch(message);
      expect(result.stderr.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(result.stdout).toBe("");
    }
  });

  it("reports an embedded database held by a live process with exit 2", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "postern-cli-busy-"));
    try {
      await writeFile(path.join(dir, "db.lock"), String(process.ppid));
      const result = await cli(["migrate"], `pglite:${dir}/db`);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^postern: The embedded database .*db is in use by another Postern process \\(pid ${process.ppid}\\)`));
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("postern CLI against an embedded database", () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "postern-cli-"));
    url = `pglite:${dir}/db`;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("migrates a new database", async () => {
    const result = await cli(["migrate"], url);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Database ready \(embedded PostgreSQL at .*\): \d+ migrations? applied, latest \S+; \d+ applied just now\.\n$/);
    expect(existsSync(`${dir}/db.lock`)).toBe(false);
  });

  it("ingests the real inventory samples, reporting a missing file and exiting 1", async () => {
    const samples = (await readdir(SAMPLES)).sort().map((f) => path.join(SAMPLES, f));
    const missing = path.join(dir, "missing.yaml");
    const result = await cli(["ingest", ...samples, missing], url);
    expect(result.code).toBe(1);
    for (const file of samples) expect(result.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: succeeded \\S+ records=\\d+`, "m"));
    expect(result.stdout).toContain(`${missing}: failed - (no such file)`);
    expect(result.stdout).toMatch(/^ {2}warning: /m);
    expect(existsSync(`${dir}/db.lock`)).toBe(false);
  });

  it("says when content was already ingested, as JSON with --json", async () => {
    const file = path.join(SAMPLES, "swagger-petstore-v3-openapi.yaml");
    const result = await cli(["ingest", "--json", file], url);
    expect(result.code).toBe(0);
    const results = JSON.parse(result.stdout) as { status: string; format: string; fileName: string; message: string }[];
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "duplicate", format: "openapi", fileName: "swagger-petstore-v3-openapi.yaml" });
    expect(results[0]?.message).toMatch(/already ingested/);
  });

  it("exports Apis as JSON with stable field names", async () => {
    const result = await cli(["export", "apis"], url);
    expect(result.code).toBe(0);
    const apis = JSON.parse(result.stdout) as ApiExport[];
    for (const api of apis) {
      expect(Object.keys(api)).toEqual([
        "name", "slug", "baseUrl", "owner", "lifecycle", "exposure", "version", "auth", "dataClasses",
        "documentedEndpoints", "observedEndpoints", "sources", "observedOnly", "riskScore", "riskBand", "factors", "endpoints",
      ]);
      // The explainable risk score: every named factor with its points.
      expect(api.factors.map((f) => f.name)).toEqual(expect.arrayContaining(["exposure", "ownership"]));
      for (const factor of api.factors) expect(typeof factor.points).toBe("number");
      for (const endpoint of api.endpoints) {
        expect(Object.keys(endpoint)).toEqual(["method", "path", "summary", "deprecated", "security", "auth", "dataClasses", "documented", "observed"]);
        expect(["public", "undeclared", "required"]).toContain(endpoint.security);
      }
    }
    const bySlug = new Map(apis.map((a) => [a.slug, a]));
    // Swagger 2 petstore merged with its Backstage entities: owner from the catalog, endpoints from the spec.
    const petstore = bySlug.get("petstore");
    expect(petstore?.baseUrl).toBe("http://petstore.swagger.io/v1");
    expect(["team-c", "sre"]).toContain(petstore?.owner);
    expect(petstore?.sources).toEqual(expect.arrayContaining(["backstage", "swagger2"]));
    expect(petstore?.endpoints.map((e) => `${e.method} ${e.path}`)).toContain("GET /pets/{petId}");
    const petstore3 = bySlug.get("swagger-petstore-openapi-3-0");
    expect(petstore3?.auth).toEqual(expect.arrayContaining(["apiKey", "oauth2"]));
    expect(petstore3?.endpoints.length).toBeGreaterThan(10);
    // crAPI from its OpenAPI spec and from the Postman collection.
    const crapi = apis.filter((a) => a.slug.includes("crapi"));
    expect(crapi.some((a) => a.sources.includes("openapi") && a.auth.includes("bearer") && a.endpoints.length > 30)).toBe(true);
    expect(crapi.some((a) => a.sources.includes("postman"))).toBe(true);
    // Kong services with their routes and auth plugins.
    const kong = apis.filter((a) => a.sources.includes("kong-deck"));
    expect(kong.length).toBeGreaterThan(3);
    expect(kong.some((a) => a.endpoints.length > 0 && a.auth.includes("apiKey"))).toBe(true);

    const owner = petstore?.owner ?? "";
    const team = await cli(["export", "apis", "--team", owner], url);
    expect(team.code).toBe(0);
    const owned = JSON.parse(team.stdout) as ApiExport[];
    expect(owned.map((a) => a.slug)).toContain("petstore");
    expect(owned.every((a) => a.owner === owner)).toBe(true);
  });

  it("exports endpoints as CSV that a CSV parser reads back", async () => {
    const csv = await cli(["export", "endpoints", "--format", "csv"], url);
    expect(csv.code).toBe(0);
    const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(["api.name", "api.slug", "api.baseUrl", "method", "path", "summary", "deprecated", "security", "auth", "dataClasses", "documented", "observed"]);
    const json = await cli(["export", "endpoints"], url);
    const endpoints = JSON.parse(json.stdout) as EndpointExport[];
    expect(rows).toHaveLength(endpoints.length);
    expect(rows.map((r) => `${r["api.slug"]} ${r.method} ${r.path}`)).toEqual(endpoints.map((e) => `${e.api.slug} ${e.method} ${e.path}`));
    expect(rows.find((r) => r["api.slug"] === "petstore" && r.path === "/pets/{petId}")).toMatchObject({ method: "GET", documented: "true" });
  });

  it("pages exports in batches by id without losing or repeating rows", async () => {
    const { openDatabase } = await import("@/server/db/client");
    const { resolveDatabaseTarget } = await import("@/server/db/config");
    const { exportRecords, writeExport } = await import("./export");
    const db = await openDatabase(resolveDatabaseTarget(url));
    try {
      const all: string[] = [];
      for await (const e of exportRecords(db.prisma, "endpoints")) all.push(`${e.api.slug} ${e.method} ${e.path}`);
      const paged: string[] = [];
      for await (const e of exportRecords(db.prisma, "endpoints", { batchSize: 7 })) paged.push(`${e.api.slug} ${e.method} ${e.path}`);
      expect(all.length).toBe(await db.prisma.endpoint.count());
      expect(paged).toEqual(all);
      const chunks: string[] = [];
      const count = await writeExport(db.prisma, "apis", "json", (chunk) => void chunks.push(chunk), { batchSize: 4 });
      expect(count).toBe(await db.prisma.api.count());
      expect((JSON.parse(chunks.join("")) as unknown[]).length).toBe(count);
    } finally {
      await db.close();
    }
  });

  it("exports posture findings with stable fields and rejects an unknown team", async () => {
    const findings = await cli(["export", "findings"], url);
    expect(findings.code).toBe(0);
    const rows = JSON.parse(findings.stdout) as { ruleId: string; kind: string; severity: string; status: string; api: { name: string } | null }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.kind).toBe("posture");
      expect(["critical", "high", "medium", "low", "info"]).toContain(row.severity);
      expect(row.status).toBe("open");
    }
    // crAPI's signup is explicitly public (security: []), other operations have bearer auth: no no-auth-declared there,
    // but the inventory has ownerless Apis.
    expect(rows.some((r) => r.ruleId === "ownerless-api")).toBe(true);
    const unknown = await cli(["export", "findings", "--team", "nobody"], url);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('postern: no team with slug "nobody"\n');
  });

  it("evaluates the rules with correlate --as-of", async () => {
    const result = await cli(["correlate", "--as-of", "2024-05-01T12:00:00Z"], url);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Recomputed inventory aggregates for \d+ Apis as of 2024-05-01T12:00:00.000Z\./);
    expect(result.stdout).toMatch(/Evaluated \d+ rules: \d+ findings fire/);
    expect(result.stdout).toMatch(/^ {2}ownerless-api: \d+$/m);
  });

  it("creates teams, users and tokens, printing secrets once on stdout", async () => {
    const team = await cli(["team", "create", "Payments Platform"], url);
    expect(team).toMatchObject({ code: 0, stdout: "Created team payments-platform (Payments Platform).\n" });
    const again = await cli(["team", "create", "payments platform"], url);
    expect(again).toMatchObject({ code: 1, stderr: 'postern: a team with slug "payments-platform" already exists\n' });

    const user = await cli(["user", "create", "--email", "Dev@Example.com", "--role", "developer", "--team", "payments-platform", "--team", "sre"], url);
    expect(user.code).toBe(0);
    const password = user.stdout.trim();
    expect(password).toMatch(/^[\w-]{20,}$/);
    expect(user.stderr).toContain("Created user dev@example.com (developer) in payments-platform, sre.");
    expect(user.stderr).not.toContain(password);

    const stdinUser = await cli(["user", "create", "--email", "sec@example.com", "--role", "security", "--password-stdin"], url, "correct horse battery staple\n");
    expect(stdinUser).toMatchObject({ code: 0, stdout: "" });
    const duplicate = await cli(["user", "create", "--email", "sec@example.com", "--role", "security"], url);
    expect(duplicate).toMatchObject({ code: 1, stdout: "", stderr: "postern: a user with email sec@example.com already exists\n" });
    const short = await cli(["user", "create", "--email", "x@example.com", "--role", "admin", "--password-stdin"], url, "short\n");
    expect(short).toMatchObject({ code: 1, stderr: "postern: passwords need at least 12 characters\n" });

    const token = await cli(["token", "create", "--user", "dev@example.com", "--scopes", "ingest,read", "--name", "ci", "--days", "30"], url);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^pst_[\w-]{20,}\n$/);
    expect(token.stderr).toMatch(/Created token "ci" for dev@example.com \(scopes ingest, read; expires /);
    const nobody = await cli(["token", "create", "--user", "nobody@example.com", "--scopes", "read"], url);
    expect(nobody).toMatchObject({ code: 1, stderr: "postern: no user with email nobody@example.com\n" });

    // The records are there (and the plain token is not stored).
    const { openDatabase } = await import("@/server/db/client");
    const { resolveDatabaseTarget } = await import("@/server/db/config");
    const db = await openDatabase(resolveDatabaseTarget(url));
    try {
      const stored = await db.prisma.user.findUnique({ where: { email: "dev@example.com" }, include: { memberships: { include: { team: true } }, apiTokens: true } });
      expect(stored?.role).toBe("developer");
      expect(stored?.memberships.map((m) => m.team.slug).sort()).toEqual(["payments-platform", "sre"]);
      expect(stored?.apiTokens).toHaveLength(1);
      expect(stored?.apiTokens[0]?.scopes).toEqual(["ingest", "read"]);
      expect(stored?.apiTokens[0]?.hash).not.toBe(token.stdout.trim());
      const audit = await db.prisma.auditLog.findMany({ where: { action: { in: ["user.create", "team.create", "token.create"] } } });
      expect(audit.map((a) => a.action).sort()).toEqual(["team.create", "token.create", "user.create", "user.create"]);
      expect(JSON.stringify(audit)).not.toContain(token.stdout.trim());
    } finally {
      await db.close();
    }
  });
});
