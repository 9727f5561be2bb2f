import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ParseError, type InventoryApi, type InventoryEndpoint } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser as swagger2 } from "../swagger2/parser";
import { MAX_YAML_BYTES } from "./extract";
import { parser } from "./parser";

/** Parameters' name and place (their required/type are checked where a test is about them). */
const nameAndIn = (p: { name: string; in: string }) => ({ name: p.name, in: p.in });

async function parseOne(content: string, name = "spec.yaml") {
  const outcome = await parseAll(parser, textSource(content, name));
  expect(outcome.records).toHaveLength(1);
  const api = outcome.records[0] as InventoryApi;
  return { api, warnings: outcome.warnings.map((w) => w.message) };
}

function op(api: InventoryApi, method: string, path: string): InventoryEndpoint {
  const found = api.endpoints.find((e) => e.method === method && e.path === path);
  if (!found) throw new Error(`no ${method} ${path} in ${api.endpoints.map((e) => `${e.method} ${e.path}`).join(", ")}`);
  return found;
}

async function rejection(content: string): Promise<ParseError> {
  const error = await parseAll(parser, textSource(content)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParseError);
  return error as ParseError;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("openapi detect", () => {
  it("claims OpenAPI 3.x JSON and YAML (3.0 and 3.1)", () => {
    expect(parser.detect('{\n  "openapi": "3.0.1",\n  "info": {}', "x.json")).toBe(0.95);
    expect(parser.detect("openapi: 3.1.0\ninfo:\n  title: x\n", "x.yaml")).toBe(0.95);
    expect(parser.detect("# comment\nopenapi: '3.0.3'\n", "")).toBe(0.95);
  });

  it.each([
    "api-inventory/crAPI.postman_collection.json",
    "api-inventory/kong-deck-auth-plugins.kong.yaml",
    "api-inventory/backstage-petstore-api.yaml", // embeds an indented `openapi: "3.0.0"` definition
    "api-inventory/swagger2-petstore.json",
    "scan-results/codeql-2.5.4.sarif",
    "scan-results/42crunch-api-audit.json",
    "scan-results/zap-petstore-api-scan.json",
  ])("returns 0 for %s", async (file) => {
    const head = await (await sample(file)).head();
    expect(parser.detect(head, file)).toBe(0);
  });

  it("ignores an escaped openapi marker inside a JSON string, and Swagger 2", () => {
    expect(parser.detect('{"item":[{"body":{"raw":"{\\"openapi\\": \\"3.0.0\\"}"}}]}', "")).toBe(0);
    expect(parser.detect('{"swagger": "2.0"}', "")).toBe(0);
    expect(parser.detect("openapi: 2.0\n", "")).toBe(0);
  });

  it("claims the real samples", async () => {
    for (const file of ["crapi-openapi-spec.json", "swagger-petstore-v3-openapi.yaml"]) {
      const head = await (await sample(`api-inventory/${file}`)).head();
      expect(parser.detect(head, file)).toBe(0.95);
    }
  });
});

describe("openapi parse: crAPI sample", () => {
  it("attaches the Spectral/OWASP lint of the spec (skipped with specLint: false)", async () => {
    const outcome = await parseAll(parser, await sample("api-inventory/crapi-openapi-spec.json"));
    const lint = (outcome.records[0] as InventoryApi).specLint;
    expect(lint).toMatchObject({ tool: "spectral", status: "ok" });
    expect(lint?.rules.map((r) => r.rule)).toEqual(expect.arrayContaining(["owasp:api4:2023-rate-limit", "owasp:api8:2023-no-server-http"]));
    const off = await parseAll(parser, await sample("api-inventory/crapi-openapi-spec.json"), { specLint: false });
    expect((off.records[0] as InventoryApi).specLint).toBeUndefined();
    // Linting does not change what is extracted.
    expect({ ...(outcome.records[0] as InventoryApi), specLint: undefined }).toEqual({ ...(off.records[0] as InventoryApi), specLint: undefined });
  });

  it("reads the Api, its 44 operations and their security", async () => {
    const outcome = await parseAll(parser, await sample("api-inventory/crapi-openapi-spec.json"));
    expect(outcome.warnings).toEqual([]);
    expect(outcome.records).toHaveLength(1);
    const api = outcome.records[0] as InventoryApi;
    expect(api.name).toBe("OWASP crAPI API");
    expect(api.version).toBe("1-oas3");
    expect(api.baseUrls).toEqual(["http://localhost:8888"]);
    expect(api.describesEndpoints).toBe(true);
    expect(api.owner).toBeUndefined();
    expect(api.contact).toBeUndefined();
    expect(api.endpoints).toHaveLength(44);

    // signup-like operations with `security: []` are explicitly public
    for (const [method, path] of [
      ["POST", "/identity/api/auth/signup"],
      ["POST", "/identity/api/auth/login"],
      ["POST", "/workshop/api/mechanic/signup"],
      ["GET", "/workshop/api/mechanic/receive_report"],
    ] as const) {
      expect(op(api, method, path).security).toEqual({ mode: "public" });
    }
    // `security: [{}]` (auth optional) is public too
    expect(op(api, "GET", "/workshop/api/shop/return_qr_code").security).toEqual({ mode: "public" });
    expect(api.endpoints.filter((e) => e.security.mode === "public")).toHaveLength(10);

    const reset = op(api, "POST", "/identity/api/v2/user/reset-password");
    expect(reset.operationId).toBe("reset_password");
    expect(reset.security).toEqual({ mode: "required", schemes: [{ name: "bearerAuth", kind: "bearer" }] });
    expect(reset.parameters.map(nameAndIn)).toEqual([{ name: "body", in: "body" }]);

    const video = op(api, "GET", "/identity/api/v2/user/videos/{video_id}");
    expect(video.parameters.map(nameAndIn)).toEqual([{ name: "video_id", in: "path" }]);
    expect(video.hasSuccessSchema).toBe(true);
    expect(video.responseFields).toContainEqual({ path: "user.email", dataClass: "pii" });

    const login = op(api, "POST", "/identity/api/auth/login");
    expect(login.tags).toEqual(["Identity / Auth"]);
    expect(login.hasDescription).toBe(true);
    expect(login.responseFields).toEqual([{ path: "token", dataClass: "credentials" }]);

    const orders = op(api, "GET", "/workshop/api/shop/orders/all");
    expect(orders.parameters.map(nameAndIn)).toEqual([
      { name: "limit", in: "query" },
      { name: "offset", in: "query" },
    ]);
    expect(orders.responseFields).toContainEqual({ path: "orders[].user.email", dataClass: "pii" });
    expect(op(api, "GET", "/identity/api/v2/vehicle/{vehicleId}/location").responseFields).toContainEqual({
      path: "fullName",
      dataClass: "pii",
    });
  });
});

describe("openapi parse: swagger-petstore v3 sample", () => {
  it("resolves oauth2 and apiKey schemes per operation", async () => {
    const outcome = await parseAll(parser, await sample("api-inventory/swagger-petstore-v3-openapi.yaml"));
    const api = outcome.records[0] as InventoryApi;
    expect(api.name).toBe("Swagger Petstore - OpenAPI 3.0");
    expect(api.version).toBe("1.0.27-SNAPSHOT");
    // This copy of the spec declares an absolute server URL (older copies used the relative "/api/v3").
    expect(api.baseUrls).toEqual(["https://petstore3.swagger.io/api/v3"]);
    expect(api.contact).toEqual({ email: "apiteam@swagger.io" });
    expect(api.owner).toBeUndefined();
    expect(api.endpoints).toHaveLength(19);

    expect(op(api, "GET", "/pet/{petId}").security).toEqual({
      mode: "required",
      schemes: [
        { name: "api_key", kind: "apiKey", in: "header" },
        { name: "petstore_auth", kind: "oauth2" },
      ],
    });
    expect(op(api, "PUT", "/pet").security).toEqual({
      mode: "required",
      schemes: [{ name: "petstore_auth", kind: "oauth2" }],
    });
    expect(op(api, "GET", "/store/inventory").security).toEqual({
      mode: "required",
      schemes: [{ name: "api_key", kind: "apiKey", in: "header" }],
    });
    expect(op(api, "POST", "/store/order").security).toEqual({ mode: "undeclared" });

    const getUser = op(api, "GET", "/user/{username}");
    expect(getUser.responseFields).toEqual([
      { path: "firstName", dataClass: "pii" },
      { path: "lastName", dataClass: "pii" },
      { path: "email", dataClass: "pii" },
      { path: "password", dataClass: "credentials" },
      { path: "phone", dataClass: "pii" },
    ]);
    // A pet's name (and its category/tag names) is not personal data.
    expect(op(api, "GET", "/pet/{petId}").responseFields).toEqual([]);
    expect(op(api, "DELETE", "/pet/{petId}").hasSuccessSchema).toBe(false);
    expect(op(api, "GET", "/user/login").parameters.map(nameAndIn)).toEqual([
      { name: "username", in: "query" },
      { name: "password", in: "query" },
    ]);
    expect(op(api, "POST", "/pet/{petId}/uploadImage").parameters.map(nameAndIn)).toEqual([
      { name: "petId", in: "path" },
      { name: "additionalMetadata", in: "query" },
      { name: "body", in: "body" },
    ]);
  });
});

const FEATURES = `
openapi: 3.1.0
info:
  title: Payments
  version: 2.3.0
  description: Moves money.
  contact: { name: Jane, email: jane@example.com }
  x-owner: team-payments
  x-lifecycle: beta
x-repository: https://github.com/acme/payments
servers:
  - url: "{scheme}://{env}.payments.example.com/v2/"
    variables:
      scheme: { default: https }
      env: { default: api, enum: [api, sandbox] }
  - url: /relative/v2
security:
  - bearer: []
paths:
  /accounts/{accountId}:
    parameters:
      - { name: accountId, in: path, required: true, schema: { type: string } }
      - { $ref: "#/components/parameters/Trace" }
    get:
      operationId: getAccount
      summary: An account
      tags: [accounts]
      parameters:
        - { name: X-Trace, in: header, description: overrides the path-level one }
        - { name: expand, in: query }
      responses:
        "2XX":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Account" }
              example: { id: 1 }
    delete:
      deprecated: true
      security: []
      responses:
        "204": { description: gone }
        default:
          description: error
          content: { application/json: { schema: { type: object, properties: { message: { type: string } } } } }
  /sessions:
    post:
      description: Log in.
      security:
        - {}
        - basic: []
      requestBody: { $ref: "#/components/requestBodies/Login" }
      responses:
        "201": { $ref: "#/components/responses/Session" }
  /keys:
    get:
      security:
        - key: []
          mtls: []
        - oidc: []
        - nowhere: []
      responses:
        "404": { description: none }
components:
  parameters:
    Trace: { name: X-Trace, in: header }
  requestBodies:
    Login:
      content:
        application/json:
          schema: { type: object, properties: { username: { type: string }, password: { type: string } } }
  responses:
    Session:
      description: created
      content:
        application/json:
          schema: { type: object, properties: { accessToken: { type: string }, token_type: { type: string } } }
  schemas:
    Account:
      type: object
      properties:
        iban: { type: string }
        holder: { $ref: "#/components/schemas/Customer" }
    Customer:
      type: object
      properties:
        name: { type: string }
        dateOfBirth: { type: string, format: date }
  securitySchemes:
    bearer: { type: http, scheme: bearer, bearerFormat: JWT }
    basic: { type: http, scheme: basic }
    key: { type: apiKey, name: key, in: query }
    mtls: { type: mutualTLS }
    oidc: { type: openIdConnect, openIdConnectUrl: https://id.example.com/.well-known/openid-configuration }
`;

describe("openapi parse: semantics", () => {
  it("reads Api attributes: servers with variables, x-owner, x-lifecycle, x-repository, contact ≠ owner", async () => {
    const { api, warnings } = await parseOne(FEATURES);
    expect(api.name).toBe("Payments");
    expect(api.version).toBe("2.3.0");
    expect(api.description).toBe("Moves money.");
    expect(api.baseUrls).toEqual(["https://api.payments.example.com/v2", "/relative/v2"]);
    expect(api.owner).toBe("team-payments");
    expect(api.contact).toEqual({ name: "Jane", email: "jane@example.com" });
    expect(api.lifecycle).toBe("experimental");
    expect(api.repository).toBe("https://github.com/acme/payments");
    expect(api.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      "GET /accounts/{accountId}",
      "DELETE /accounts/{accountId}",
      "POST /sessions",
      "GET /keys",
    ]);
    expect(warnings).toEqual(['security requirement names undefined scheme "nowhere"']);
  });

  it("merges path and operation parameters, reads 2XX schemas, examples and fields", async () => {
    const { api } = await parseOne(FEATURES);
    const get = op(api, "GET", "/accounts/{accountId}");
    expect(get.operationId).toBe("getAccount");
    expect(get.summary).toBe("An account");
    expect(get.tags).toEqual(["accounts"]);
    expect(get.parameters.map(nameAndIn)).toEqual([
      { name: "accountId", in: "path" },
      { name: "X-Trace", in: "header" },
      { name: "expand", in: "query" },
    ]);
    // Required and type where the spec states them (path parameters are required even unstated).
    expect(get.parameters).toEqual([
      { name: "accountId", in: "path", required: true, type: "string" },
      { name: "X-Trace", in: "header" },
      { name: "expand", in: "query" },
    ]);
    // Every response property path, classified or not (versions compare them).
    expect(get.responseShape).toEqual(["iban", "holder", "holder.name", "holder.dateOfBirth"]);
    expect(get.security).toEqual({ mode: "required", schemes: [{ name: "bearer", kind: "bearer" }] });
    expect(get.hasSuccessSchema).toBe(true);
    expect(get.hasExamples).toBe(true);
    expect(get.responseFields).toEqual([
      { path: "iban", dataClass: "financial" },
      { path: "holder.name", dataClass: "pii" },
      { path: "holder.dateOfBirth", dataClass: "pii" },
    ]);
  });

  it("security: [] is public; {} among alternatives is public; no 2xx schema is undocumented", async () => {
    const { api } = await parseOne(FEATURES);
    const del = op(api, "DELETE", "/accounts/{accountId}");
    expect(del.security).toEqual({ mode: "public" });
    expect(del.deprecated).toBe(true);
    expect(del.hasDescription).toBe(false);
    expect(del.hasSuccessSchema).toBe(false);
    expect(del.responseFields).toEqual([]);
    expect(del.operationId).toBeUndefined();

    const login = op(api, "POST", "/sessions");
    expect(login.security).toEqual({ mode: "public" });
    expect(login.hasDescription).toBe(true);
    expect(login.hasExamples).toBe(false);
    expect(login.parameters).toEqual([{ name: "body", in: "body", type: "object" }]);
    expect(login.responseShape).toEqual(["accessToken", "token_type"]);
    expect(login.responseFields).toEqual([{ path: "accessToken", dataClass: "credentials" }]);
  });

  it("flattens alternative and combined requirements into schemes, skipping undefined ones", async () => {
    const { api } = await parseOne(FEATURES);
    expect(op(api, "GET", "/keys").security).toEqual({
      mode: "required",
      schemes: [
        { name: "key", kind: "apiKey", in: "query" },
        { name: "mtls", kind: "mutualTLS" },
        { name: "oidc", kind: "openIdConnect" },
      ],
    });
    expect(op(api, "GET", "/keys").hasSuccessSchema).toBe(false);
  });

  it("is undeclared without operation or global security; a relative server stays relative", async () => {
    const { api } = await parseOne(
      `openapi: 3.0.3\ninfo: { title: T, version: "1" }\nservers: [{ url: /api/v3 }]\npaths:\n  /a:\n    get:\n      responses: { "200": { description: ok } }\n`,
    );
    expect(api.baseUrls).toEqual(["/api/v3"]);
    expect(op(api, "GET", "/a").security).toEqual({ mode: "undeclared" });
    expect(api.lifecycle).toBeUndefined();
  });

  it("warns on an unknown x-lifecycle and leaves it unset", async () => {
    const { api, warnings } = await parseOne(
      `openapi: 3.0.3\ninfo: { title: T, version: "1", x-lifecycle: zombie-ish }\npaths: {}\n`,
    );
    expect(api.lifecycle).toBeUndefined();
    expect(warnings).toEqual(['unknown x-lifecycle "zombie-ish" ignored']);
  });

  it("regression (fuzz): an x-lifecycle or x-exposure named like an Object.prototype member is unknown, not a prototype", async () => {
    const { api, warnings } = await parseOne(`openapi: 3.0.3\ninfo: { title: T, version: "1", x-lifecycle: __proto__, x-exposure: constructor }\npaths: {}\n`);
    expect(api.lifecycle).toBeUndefined();
    expect(api.exposure).toBeUndefined();
    expect(warnings).toEqual(['unknown x-lifecycle "__proto__" ignored', 'unknown x-exposure "constructor" ignored']);
  });
});

describe("openapi parse: hostile and broken input", () => {
  it("rejects truncated JSON with the last line", async () => {
    const full = await (await sample("api-inventory/crapi-openapi-spec.json")).text();
    const truncated = full.slice(0, Math.floor(full.length / 2));
    const error = await rejection(truncated);
    expect(error.message).toMatch(/truncated/);
    expect(error.line).toBe(truncated.split("\n").length);
  });

  it("reports the line of a JSON syntax error", async () => {
    const error = await rejection('{\n  "openapi": "3.0.0",\n  "info": {,}\n}');
    expect(error.message).toMatch(/invalid JSON/);
    expect(error.line).toBe(3);
  });

  it("rejects truncated YAML with a line number", async () => {
    const full = await (await sample("api-inventory/swagger-petstore-v3-openapi.yaml")).text();
    const cut = full.indexOf('"write:pets": modify') + 5; // inside a quoted key
    const error = await rejection(full.slice(0, cut));
    expect(error.message).toMatch(/invalid YAML/);
    expect(error.line).toBeGreaterThanOrEqual(full.slice(0, cut).split("\n").length);
  });

  it("refuses a YAML alias bomb quickly", async () => {
    const bomb = [
      "openapi: 3.0.0",
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
      "paths: {}",
    ].join("\n");
    const error = await rejection(bomb);
    expect(error.message).toMatch(/alias/);
  });

  it("refuses a YAML spec above the YAML size limit before parsing it", async () => {
    const huge = `openapi: 3.0.0\n# ${"x".repeat(MAX_YAML_BYTES)}\n`;
    const error = await rejection(huge);
    expect(error.message).toMatch(/larger than the 16 MiB YAML limit; convert it to JSON/);
  });

  it("rejects what is not an OpenAPI document", async () => {
    const postman = await (await sample("api-inventory/crAPI.postman_collection.json")).text();
    expect((await rejection(postman)).message).toMatch(/not an OpenAPI 3\.x document/);
    expect((await rejection("[1, 2, 3]")).message).toMatch(/not an OpenAPI 3\.x document/);
    expect((await rejection("just: some\nyaml: here\n")).message).toMatch(/not an OpenAPI 3\.x document/);
    expect((await rejection("")).message).toMatch(/empty/);
    const swagger = await (await sample("api-inventory/swagger2-petstore.json")).text();
    expect((await rejection(swagger)).message).toMatch(/this is Swagger 2\.0/);
  });

  it("parses a spec with circular $refs and classifies the cycle once", async () => {
    const spec = {
      openapi: "3.0.3",
      info: { title: "Org", version: "1" },
      paths: {
        "/people/{id}": {
          get: {
            responses: {
              "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Person" } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          Person: {
            type: "object",
            properties: {
              email: { type: "string" },
              manager: { $ref: "#/components/schemas/Person" },
              reports: { type: "array", items: { $ref: "#/components/schemas/Person" } },
              team: { $ref: "#/components/schemas/Team" },
            },
          },
          Team: { type: "object", properties: { lead: { $ref: "#/components/schemas/Person" }, name: { type: "string" } } },
        },
      },
    };
    const { api } = await parseOne(JSON.stringify(spec), "org.json");
    const get = op(api, "GET", "/people/{id}");
    expect(get.hasSuccessSchema).toBe(true);
    expect(get.responseFields).toEqual([{ path: "email", dataClass: "pii" }]);
  });

  it("does not fetch external $refs (file or http) and says so", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const dir = mkdtempSync(path.join(tmpdir(), "postern-ext-"));
    const external = path.join(dir, "user.json");
    writeFileSync(external, JSON.stringify({ User: { type: "object", properties: { email: { type: "string" } } } }));
    const spec = {
      openapi: "3.0.3",
      info: { title: "Ext", version: "1" },
      paths: {
        "/local": {
          get: {
            responses: {
              "200": {
                description: "ok",
                content: { "application/json": { schema: { type: "object", properties: { ssn: { type: "string" } } } } },
              },
            },
          },
        },
        "/file": {
          get: {
            responses: {
              "200": { description: "ok", content: { "application/json": { schema: { $ref: `${external}#/User` } } } },
            },
          },
        },
        "/http": {
          get: {
            responses: {
              "200": {
                description: "ok",
                content: { "application/json": { schema: { $ref: "http://10.255.255.1/schemas.json#/User" } } },
              },
            },
          },
        },
      },
    };
    const { api, warnings } = await parseOne(JSON.stringify(spec), "ext.json");
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^2 external \$ref\(s\) not fetched/);
    expect(op(api, "GET", "/local").responseFields).toEqual([{ path: "ssn", dataClass: "pii" }]);
    expect(op(api, "GET", "/file").responseFields).toEqual([]);
    expect(op(api, "GET", "/http").responseFields).toEqual([]);
  });

  it("falls back to local $ref resolution when swagger-parser refuses an odd but parseable spec", async () => {
    const spec = [
      "openapi: 3.0.9", // a version swagger-parser does not list
      "info: { title: Odd, version: 7 }", // a numeric version swagger-parser refuses
      "paths:",
      "  /me:",
      "    get:",
      "      responses:",
      '        "200": { $ref: "#/components/responses/Me" }',
      "  /broken:",
      "    get:",
      "      responses:",
      '        "200": { $ref: "#/components/responses/Nope" }',
      "components:",
      "  responses:",
      "    Me:",
      "      description: me",
      "      content:",
      "        application/json:",
      '          schema: { $ref: "#/components/schemas/Profile" }',
      "  schemas:",
      "    Profile: { type: object, properties: { name: { type: string }, api_key: { type: string } } }",
    ].join("\n");
    const { api, warnings } = await parseOne(spec);
    expect(api.version).toBe("7");
    expect(warnings[0]).toMatch(/^\$ref resolution fell back to local references only/);
    expect(warnings).toContain('$ref "#/components/responses/Nope" points to nothing in this document; ignored');
    expect(op(api, "GET", "/me").responseFields).toEqual([
      { path: "name", dataClass: "pii" },
      { path: "api_key", dataClass: "credentials" },
    ]);
    expect(op(api, "GET", "/broken").hasSuccessSchema).toBe(false);
  });
});

/** A synthetic spec of `paths` paths × 2 operations sharing component schemas through $refs. */
function largeSpec(paths: number): string {
  const spec = {
    openapi: "3.0.3",
    info: { title: "Large", version: "1" },
    servers: [{ url: "https://large.example.com" }],
    paths: {} as Record<string, unknown>,
    components: {
      schemas: {
        Customer: {
          type: "object",
          properties: {
            id: { type: "string" },
            email: { type: "string" },
            address: { $ref: "#/components/schemas/Address" },
            friends: { type: "array", items: { $ref: "#/components/schemas/Customer" } },
          },
        },
        Address: { type: "object", properties: { street: { type: "string" }, postcode: { type: "string" } } },
      },
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    },
    security: [{ bearer: [] }],
  };
  for (let i = 0; i < paths; i++) {
    spec.paths[`/resource${i}/{id}`] = {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      get: {
        operationId: `get${i}`,
        summary: `Get resource ${i} with a reasonably long summary to add some weight to the document`,
        description: "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
        tags: [`group${i % 50}`],
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Customer" }, example: { id: "1" } } },
          },
          "404": { description: "not found" },
        },
      },
      put: {
        operationId: `put${i}`,
        requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Customer" } } } },
        responses: { "204": { description: "updated" } },
      },
    };
  }
  return JSON.stringify(spec, null, 2);
}

describe("openapi parse: size", () => {
  it("parses a ~6 MB spec (8,000 operations)", async () => {
    const text = largeSpec(4000);
    expect(text.length).toBeGreaterThan(5e6);
    const { api } = await parseOne(text, "large.json");
    expect(api.endpoints).toHaveLength(8000);
    expect(op(api, "GET", "/resource3999/{id}").responseFields).toEqual([
      { path: "email", dataClass: "pii" },
      { path: "address", dataClass: "pii" },
      { path: "address.street", dataClass: "pii" },
      { path: "address.postcode", dataClass: "pii" },
    ]);
  });
});

describe("swagger2 parser refuses OpenAPI 3", () => {
  it("rejects an OpenAPI 3 document with a clear message", async () => {
    const error = await parseAll(swagger2, await sample("api-inventory/crapi-openapi-spec.json")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ParseError);
    expect((error as Error).message).toMatch(/not a Swagger 2\.0 document: this is OpenAPI 3\.x/);
  });
});

describe("openapi parse: nesting the YAML library is slow on", () => {
  it("regression (fuzz): refuses flow collections nested deeper than the limit before parsing, naming the line", async () => {
    const deep = `openapi: 3.0.3\ninfo: {title: Deep, version: "1"}\npaths: {}\nx-deep: ${"[".repeat(100_000)}\n`;
    await expect(parseAll(parser, textSource(deep, "deep.yaml"))).rejects.toThrow(/nested deeper than 200 levels \(line 4\)/);
  });

  it("counts no brackets inside quoted scalars or comments", async () => {
    const spec = [
      "openapi: 3.0.3",
      `info: {title: "Quoted ${"[".repeat(500)}", version: '1 ${"{".repeat(500)}'}`,
      `# a comment ${"[".repeat(500)}`,
      "servers: [{url: 'https://q.example.com'}]",
      "paths: {}",
    ].join("\n");
    const { records } = await parseAll(parser, textSource(spec, "quoted.yaml"));
    expect(records[0]?.name).toMatch(/^Quoted \[+/);
  });
});
