import { describe, expect, it } from "vitest";
import { ParseError, type InventoryApi, type InventoryEndpoint } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

/** Parameters' name and place (their required/type are checked where a test is about them). */
const nameAndIn = (p: { name: string; in: string }) => ({ name: p.name, in: p.in });

function op(api: InventoryApi, method: string, path: string): InventoryEndpoint {
  const found = api.endpoints.find((e) => e.method === method && e.path === path);
  if (!found) throw new Error(`no ${method} ${path}`);
  return found;
}

async function parseOne(content: string) {
  const outcome = await parseAll(parser, textSource(content, "spec.yaml"));
  expect(outcome.records).toHaveLength(1);
  return { api: outcome.records[0] as InventoryApi, warnings: outcome.warnings.map((w) => w.message) };
}

describe("swagger2 detect", () => {
  it("claims Swagger 2.0 JSON and YAML only", async () => {
    const head = await (await sample("api-inventory/swagger2-petstore.json")).head();
    expect(parser.detect(head, "petstore.json")).toBe(0.95);
    expect(parser.detect('swagger: "2.0"\ninfo: {}\n', "")).toBe(0.95);
    expect(parser.detect("swagger: 2.0\n", "")).toBe(0.95);
    expect(parser.detect('{"openapi": "3.0.0"}', "")).toBe(0);
    expect(parser.detect('{"swagger": "1.2"}', "")).toBe(0);
    const postman = await (await sample("api-inventory/crAPI.postman_collection.json")).head();
    expect(parser.detect(postman, "crAPI.postman_collection.json")).toBe(0);
  });
});

describe("swagger2 parse: OAI petstore sample", () => {
  it("builds the base URL from schemes, host and basePath and reads 3 operations", async () => {
    const outcome = await parseAll(parser, await sample("api-inventory/swagger2-petstore.json"));
    expect(outcome.warnings).toEqual([]);
    const api = outcome.records[0] as InventoryApi;
    expect(api.name).toBe("Swagger Petstore");
    expect(api.version).toBe("1.0.0");
    expect(api.baseUrls).toEqual(["http://petstore.swagger.io/v1"]);
    expect(api.specLint).toMatchObject({ tool: "spectral", status: "ok" });
    expect(api.specLint?.rules.map((r) => r.rule)).toContain("owasp:api8:2023-no-scheme-http");
    expect(api.endpoints.map((e) => `${e.method} ${e.path} ${e.operationId}`)).toEqual([
      "GET /pets listPets",
      "POST /pets createPets",
      "GET /pets/{petId} showPetById",
    ]);
    const list = op(api, "GET", "/pets");
    expect(list.parameters.map(nameAndIn)).toEqual([{ name: "limit", in: "query" }]);
    expect(list.tags).toEqual(["pets"]);
    expect(list.security).toEqual({ mode: "undeclared" });
    expect(list.hasSuccessSchema).toBe(true);
    expect(op(api, "POST", "/pets").hasSuccessSchema).toBe(false); // 201 without a schema
    expect(op(api, "GET", "/pets/{petId}").parameters.map(nameAndIn)).toEqual([{ name: "petId", in: "path" }]);
  });
});

const SPEC = `
swagger: "2.0"
info:
  title: Legacy
  version: "0.9"
  contact: { email: ops@example.com }
x-owner: { team: legacy-team }
basePath: /legacy/
schemes: [http, https]
securityDefinitions:
  basicAuth: { type: basic }
  queryKey: { type: apiKey, name: api_key, in: query }
  oauth: { type: oauth2, flow: implicit, authorizationUrl: "https://id.example.com/auth", scopes: {} }
security:
  - basicAuth: []
paths:
  /customers:
    post:
      parameters:
        - { name: customer, in: body, schema: { $ref: "#/definitions/Customer" } }
        - { name: avatar, in: formData, type: file }
      responses:
        "200":
          description: ok
          schema: { $ref: "#/definitions/Customer" }
          examples: { application/json: { email: a@b.c } }
      security:
        - queryKey: []
        - oauth: []
  /customers/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, type: string }]
      responses:
        "200": { description: ok, schema: { type: array, items: { $ref: "#/definitions/Customer" } } }
definitions:
  Customer:
    type: object
    properties:
      name: { type: string }
      cardNumber: { type: string }
      card: { type: object, properties: { number: { type: string }, cvv: { type: string } } }
`;

describe("swagger2 parse: semantics", () => {
  it("uses a relative basePath without host; owner from x-owner object, not contact", async () => {
    const { api, warnings } = await parseOne(SPEC);
    expect(warnings).toEqual([]);
    expect(api.baseUrls).toEqual(["/legacy"]);
    expect(api.owner).toBe("legacy-team");
    expect(api.contact).toEqual({ email: "ops@example.com" });
  });

  it("one base URL per scheme when a host is given", async () => {
    const { api } = await parseOne(SPEC.replace("basePath: /legacy/", "host: legacy.example.com:8443\nbasePath: /legacy/"));
    expect(api.baseUrls).toEqual(["http://legacy.example.com:8443/legacy", "https://legacy.example.com:8443/legacy"]);
    const noSchemes = await parseOne(SPEC.replace("schemes: [http, https]", "host: legacy.example.com"));
    expect(noSchemes.api.baseUrls).toEqual(["https://legacy.example.com/legacy"]);
  });

  it("maps securityDefinitions and the body / formData parameters", async () => {
    const { api } = await parseOne(SPEC);
    const post = op(api, "POST", "/customers");
    expect(post.security).toEqual({
      mode: "required",
      schemes: [
        { name: "queryKey", kind: "apiKey", in: "query" },
        { name: "oauth", kind: "oauth2" },
      ],
    });
    expect(post.parameters.map(nameAndIn)).toEqual([
      { name: "body", in: "body" },
      { name: "avatar", in: "body" },
    ]);
    // Swagger 2 types: a body parameter's from its schema, the others' from `type`; a path parameter is required.
    expect(post.parameters.map((p) => p.type)).toEqual(["object", "file"]);
    expect(op(api, "GET", "/customers/{id}").parameters).toEqual([{ name: "id", in: "path", required: true, type: "string" }]);
    expect(post.hasExamples).toBe(true);
    // Customer is a person: its bare `name` is PII (via the definition name); card.number is financial.
    expect(post.responseFields).toEqual([
      { path: "name", dataClass: "pii" },
      { path: "cardNumber", dataClass: "financial" },
      { path: "card.number", dataClass: "financial" },
      { path: "card.cvv", dataClass: "financial" },
    ]);

    const get = op(api, "GET", "/customers/{id}");
    expect(get.security).toEqual({ mode: "required", schemes: [{ name: "basicAuth", kind: "basic" }] });
    expect(get.hasExamples).toBe(false);
    expect(get.responseFields.map((f) => f.path)).toEqual(["[].name", "[].cardNumber", "[].card.number", "[].card.cvv"]);
  });

  it("rejects truncated JSON", async () => {
    const full = await (await sample("api-inventory/swagger2-petstore.json")).text();
    const error = await parseAll(parser, textSource(full.slice(0, 1500))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/truncated/);
  });
});
