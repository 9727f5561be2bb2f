import { describe, expect, it } from "vitest";
import { ParseError, type InventoryApi } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { ownerName, parser } from "./parser";

/** Parameters' name and place (their required/type are checked where a test is about them). */
const nameAndIn = (p: { name: string; in: string }) => ({ name: p.name, in: p.in });

const API_SAMPLE = "api-inventory/backstage-petstore-api.yaml";
const COMPONENT_SAMPLE = "api-inventory/backstage-petstore-component.yaml";

function byCatalogName(records: InventoryApi[], name: string): InventoryApi {
  const found = records.find((r) => r.catalogName === name);
  if (!found) throw new Error(`no record ${name}; have ${records.map((r) => r.catalogName).join(", ")}`);
  return found;
}

describe("backstage parser: real samples (backstage/backstage catalog-model examples)", () => {
  it("kind: API petstore → catalog fields plus the endpoints of its inline OpenAPI definition", async () => {
    const { records, warnings, lineErrors } = await parseAll(parser, await sample(API_SAMPLE));
    expect(records).toHaveLength(1);
    const api = records[0];
    expect(api).toMatchObject({
      name: "petstore",
      catalogName: "petstore",
      owner: "team-c",
      lifecycle: "experimental",
      type: "openapi",
      description: "The petstore API",
      baseUrls: ["http://petstore.swagger.io/v1"],
      version: "1.0.0",
      describesEndpoints: true,
    });
    expect(api?.repository).toBeUndefined();
    expect(api?.secrets).toBeUndefined();
    expect(api?.exposure).toBeUndefined();
    expect(api?.providesApis).toBeUndefined();
    expect(api?.endpoints.map((e) => `${e.method} ${e.path} ${e.operationId}`)).toEqual([
      "GET /pets listPets",
      "POST /pets createPets",
      "GET /pets/{petId} showPetById",
    ]);
    expect(api?.endpoints[0]?.parameters.map(nameAndIn)).toEqual([{ name: "limit", in: "query" }]);
    expect(api?.endpoints.every((e) => e.security.mode === "undeclared")).toBe(true);
    expect(warnings).toEqual([]);
    expect(lineErrors).toEqual([]);
  });

  it("kind: Component petstore → one link record per provided API, owned by the component's team", async () => {
    const { records, warnings } = await parseAll(parser, await sample(COMPONENT_SAMPLE));
    expect(records.map((r) => r.catalogName)).toEqual(["petstore", "streetlights", "playback-order"]);
    for (const r of records) {
      expect(r).toEqual({
        name: r.catalogName,
        catalogName: r.catalogName,
        baseUrls: [],
        owner: "sre",
        providesApis: ["component:default/petstore"],
        describesEndpoints: false,
        endpoints: [],
      });
    }
    // The component's lifecycle (production) is its own, not the APIs'.
    expect(records.some((r) => r.lifecycle !== undefined)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it("API and Component in one file: the component fills nothing the API entity states; the others get links", async () => {
    const text = `${await (await sample(API_SAMPLE)).text()}\n---\n${await (await sample(COMPONENT_SAMPLE)).text()}`;
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => r.catalogName)).toEqual(["petstore", "streetlights", "playback-order"]);
    const petstore = byCatalogName(records, "petstore");
    expect(petstore.owner).toBe("team-c");
    expect(petstore.providesApis).toBeUndefined();
    expect(petstore.endpoints).toHaveLength(3);
    expect(byCatalogName(records, "streetlights").owner).toBe("sre");
  });
});

const CATALOG = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-pay
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: payments-api
  title: Payments API
  annotations:
    backstage.io/source-location: url:https://github.com/acme/payments/tree/main/
    postern.io/secrets: "secret/data/payments-api/db, arn:aws:secretsmanager:eu-west-1:1:secret:pay ,"
    postern.io/exposure: public
spec:
  type: openapi
  lifecycle: development
  owner: group:default/team-pay
  definition: |
    swagger: "2.0"
    info:
      title: Payments
      version: "2.3"
    host: pay.example.com
    basePath: /v2
    schemes: [https]
    securityDefinitions:
      key:
        type: apiKey
        in: header
        name: X-Key
    security:
      - key: []
    paths:
      /charges/{id}:
        get:
          summary: Get a charge
          parameters:
            - name: id
              in: path
              required: true
              type: string
          responses:
            "200":
              description: ok
              schema:
                type: object
                properties:
                  card_number:
                    type: string
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: events
spec:
  type: asyncapi
  lifecycle: weird
  owner: user:default/jane
  definition: |
    asyncapi: 2.6.0
    info: { title: Events, version: "1" }
    channels: {}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: remote
  namespace: billing
  annotations:
    github.com/project-slug: acme/remote
    postern.io/exposure: galactic
spec:
  type: openapi
  lifecycle: production
  owner: group:billing/finance
  definition:
    $text: https://example.com/remote.yaml
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-service
  annotations:
    github.com/project-slug: acme/payments-service
    postern.io/secrets: secret/data/payments-service/key
spec:
  type: service
  lifecycle: production
  owner: team-x
  providesApis: [payments-api, "api:default/ledger", "api:finance/fx"]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  title: nameless
spec:
  type: openapi
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: broken
spec:
  type: openapi
  owner: team-b
  lifecycle: deprecated
  definition: |
    openapi: 3.0.0
    info: { title: Broken, version: "1" }
    paths:
      /x: [ BROKEN
---
`;

describe("backstage parser: crafted catalog", () => {
  it("emits API entities in order, then component links; other kinds are ignored", async () => {
    const { records } = await parseAll(parser, textSource(CATALOG, "catalog-info.yaml"));
    expect(records.map((r) => r.catalogName)).toEqual(["payments-api", "events", "billing/remote", "broken", "ledger", "finance/fx"]);
  });

  it("maps catalog fields, annotations and an inline Swagger 2.0 definition", async () => {
    const { records } = await parseAll(parser, textSource(CATALOG));
    const payments = byCatalogName(records, "payments-api");
    expect(payments).toMatchObject({
      name: "Payments API",
      owner: "team-pay",
      lifecycle: "experimental",
      exposure: "internet",
      type: "openapi",
      repository: "https://github.com/acme/payments/tree/main/",
      baseUrls: ["https://pay.example.com/v2"],
      version: "2.3",
      describesEndpoints: true,
    });
    // Its own secrets, then the providing component's.
    expect(payments.secrets).toEqual([
      "secret/data/payments-api/db",
      "arn:aws:secretsmanager:eu-west-1:1:secret:pay",
      "secret/data/payments-service/key",
    ]);
    expect(payments.endpoints).toHaveLength(1);
    expect(payments.endpoints[0]).toMatchObject({
      method: "GET",
      path: "/charges/{id}",
      summary: "Get a charge",
      security: { mode: "required", schemes: [{ kind: "apiKey", in: "header" }] },
      responseFields: [{ path: "card_number", dataClass: "financial" }],
    });
  });

  it("non-OpenAPI definitions and $text references give no endpoints; odd values warn", async () => {
    const { records, warnings } = await parseAll(parser, textSource(CATALOG));
    const events = byCatalogName(records, "events");
    expect(events).toMatchObject({ type: "asyncapi", owner: "user:jane", describesEndpoints: false, endpoints: [] });
    expect(events.lifecycle).toBeUndefined();
    const remote = byCatalogName(records, "billing/remote");
    expect(remote).toMatchObject({
      name: "remote",
      owner: "billing/finance",
      lifecycle: "production",
      repository: "https://github.com/acme/remote",
      describesEndpoints: false,
      baseUrls: [],
    });
    expect(remote.exposure).toBeUndefined();
    const messages = warnings.map((w) => w.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('lifecycle "weird"'),
        expect.stringContaining("$text https://example.com/remote.yaml is not fetched"),
        expect.stringContaining('postern.io/exposure "galactic"'),
      ]),
    );
    expect(messages.some((m) => m.includes("API events: inline definition is not"))).toBe(false);
  });

  it("an unreadable inline definition is a warning at its line in the file, the entity still counts", async () => {
    const { records, warnings } = await parseAll(parser, textSource(CATALOG));
    const broken = byCatalogName(records, "broken");
    expect(broken).toMatchObject({ owner: "team-b", lifecycle: "deprecated", describesEndpoints: false, endpoints: [] });
    const warning = warnings.find((w) => w.message.startsWith("API broken: inline definition could not be read"));
    expect(warning).toBeDefined();
    const brokenLine = CATALOG.split("\n").findIndex((l) => l.includes("BROKEN")) + 1;
    expect(warning?.line).toBeGreaterThanOrEqual(brokenLine);
    expect(warning?.line).toBeLessThanOrEqual(brokenLine + 1);
  });

  it("an entity without metadata.name is a line error at its document", async () => {
    const { lineErrors } = await parseAll(parser, textSource(CATALOG));
    const line = CATALOG.split("\n").findIndex((l) => l === "  title: nameless") - 2;
    expect(lineErrors).toEqual([{ line, message: expect.stringContaining("without metadata.name") }]);
  });

  it("component links for APIs not in the file carry the component's owner, repository and secrets", async () => {
    const { records } = await parseAll(parser, textSource(CATALOG));
    expect(byCatalogName(records, "ledger")).toEqual({
      name: "ledger",
      catalogName: "ledger",
      baseUrls: [],
      owner: "team-x",
      repository: "https://github.com/acme/payments-service",
      secrets: ["secret/data/payments-service/key"],
      providesApis: ["component:default/payments-service"],
      describesEndpoints: false,
      endpoints: [],
    });
    expect(byCatalogName(records, "finance/fx").owner).toBe("team-x");
    // payments-api is in the file with its own owner: the component does not replace it.
    expect(byCatalogName(records, "payments-api").owner).toBe("team-pay");
    expect(byCatalogName(records, "payments-api").providesApis).toBeUndefined();
  });

  it("keeps an API whose definition is gRPC or GraphQL and warns that its operations are not read", async () => {
    const catalog = `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ledger-grpc
spec:
  type: grpc
  lifecycle: production
  owner: team-ledger
  definition: |
    syntax = "proto3";
    package ledger.v1;
    service Ledger {
      rpc GetEntry (GetEntryRequest) returns (Entry);
    }
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: catalog-graphql
spec:
  type: graphql
  owner: team-catalog
  definition: |
    type Query {
      product(id: ID!): Product
    }
`;
    const { records, warnings } = await parseAll(parser, textSource(catalog, "catalog-info.yaml"));
    expect(records).toEqual([
      { name: "ledger-grpc", catalogName: "ledger-grpc", baseUrls: [], owner: "team-ledger", lifecycle: "production", type: "grpc", describesEndpoints: false, endpoints: [] },
      { name: "catalog-graphql", catalogName: "catalog-graphql", baseUrls: [], owner: "team-catalog", type: "graphql", describesEndpoints: false, endpoints: [] },
    ]);
    expect(warnings).toEqual([
      { message: "API ledger-grpc: grpc definition not read (Postern reads OpenAPI 3 and Swagger 2 definitions); the Api is kept without its operations", line: 1 },
      { message: "API catalog-graphql: graphql definition not read (Postern reads OpenAPI 3 and Swagger 2 definitions); the Api is kept without its operations", line: 16 },
    ]);
  });

  it("reads entities written as JSON", async () => {
    const json = JSON.stringify({ apiVersion: "backstage.io/v1alpha1", kind: "API", metadata: { name: "j" }, spec: { owner: "t", type: "graphql" } });
    const { records } = await parseAll(parser, textSource(json));
    expect(records).toEqual([{ name: "j", catalogName: "j", baseUrls: [], owner: "t", type: "graphql", describesEndpoints: false, endpoints: [] }]);
  });

  it("a file of only Groups/Users is valid and yields nothing", async () => {
    const { records } = await parseAll(parser, textSource("apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jane\n"));
    expect(records).toEqual([]);
  });
});

describe("ownerName", () => {
  it.each([
    ["team-c", "team-c"],
    ["group:team-c", "team-c"],
    ["group:default/team-c", "team-c"],
    ["Group:ops/team-x", "ops/team-x"],
    ["user:default/jane", "user:jane"],
  ])("%s → %s", (ref, owner) => expect(ownerName(ref)).toBe(owner));
});

describe("backstage parser: detection", () => {
  it("recognises backstage.io apiVersion in YAML and JSON", async () => {
    expect(parser.detect(await (await sample(API_SAMPLE)).head(), "")).toBeGreaterThan(0.9);
    expect(parser.detect(await (await sample(COMPONENT_SAMPLE)).head(), "")).toBeGreaterThan(0.9);
    expect(parser.detect('{"apiVersion": "backstage.io/v1alpha1", "kind": "API"}', "")).toBeGreaterThan(0.5);
  });

  it.each([
    "api-inventory/swagger-petstore-v3-openapi.yaml",
    "api-inventory/kong-deck-auth-plugins.kong.yaml",
    "api-inventory/crAPI.postman_collection.json",
    "scan-results/codeql-2.5.4.sarif",
    "scan-results/zap-2.16.1-with-req-resp.xml",
    "gateway-logs/envoy-istio-json-access.log",
    "vault-audit/cloudtrail-kms-Decrypt-by-secretsmanager.json",
  ])("returns 0 for %s", async (path) => {
    const file = await sample(path);
    expect(parser.detect(await file.head(), file.name)).toBe(0);
  });

  it("returns 0 for a Kubernetes manifest", () => {
    expect(parser.detect("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n", "deploy.yaml")).toBe(0);
  });
});

describe("backstage parser: bad input", () => {
  const reject = async (content: string) => {
    const error = await parseAll(parser, textSource(content)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  };

  it("rejects truncated YAML with the line of the error", async () => {
    const error = await reject("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: x\nspec: { owner: [team\n");
    expect(error.line).toBeGreaterThanOrEqual(5);
  });

  it("rejects a YAML alias bomb", async () => {
    const bomb = [
      "apiVersion: backstage.io/v1alpha1",
      "kind: API",
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "metadata: { name: [*d,*d,*d,*d,*d,*d,*d,*d,*d] }",
    ].join("\n");
    const error = await reject(bomb);
    expect(error.message).toMatch(/alias/);
  });

  it("rejects YAML without any Backstage entity (an OpenAPI document, a Kong config, a Kubernetes manifest)", async () => {
    const openapi = await reject(await (await sample("api-inventory/swagger-petstore-v3-openapi.yaml")).text());
    expect(openapi.message).toContain("Not a Backstage catalog file");
    await reject(await (await sample("api-inventory/kong-deck-auth-plugins.kong.yaml")).text());
    await reject("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n");
    await reject("");
  });

  it("rejects pathologically deep nesting", async () => {
    await reject(`apiVersion: backstage.io/v1alpha1\nkind: API\nspec: ${"[".repeat(20000)}${"]".repeat(20000)}\n`);
  });
});

describe("backstage parser: regression (fuzz)", () => {
  it("regression (fuzz): a lifecycle named like an Object.prototype member is unknown, not a prototype", async () => {
    const yaml = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: odd\nspec:\n  type: grpc\n  lifecycle: __proto__\n  owner: team-a\n";
    const { records, warnings } = await parseAll(parser, textSource(yaml, "catalog-info.yaml"));
    expect(records.map((r) => [r.catalogName, r.lifecycle])).toEqual([["odd", undefined]]);
    expect(warnings).toEqual([expect.objectContaining({ message: expect.stringContaining('lifecycle "__proto__" is not one Postern knows') })]);
  });
});
