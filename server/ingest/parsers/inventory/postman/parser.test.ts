import { describe, expect, it } from "vitest";
import { ParseError, type InventoryApi, type InventoryEndpoint } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { MAX_FOLDER_DEPTH, parser } from "./parser";

const CRAPI = "api-inventory/crAPI.postman_collection.json";

function endpoint(a: InventoryApi | undefined, method: string, path: string): InventoryEndpoint {
  const found = a?.endpoints.find((e) => e.method === method && e.path === path);
  if (!found) throw new Error(`no ${method} ${path} in ${a?.name}: ${a?.endpoints.map((e) => `${e.method} ${e.path}`).join(", ")}`);
  return found;
}

describe("postman parser: crAPI collection (v2.1 in an API export envelope)", () => {
  it("splits the requests by host variable: {{url}} (36 endpoints) and {{url_mail}} (1)", async () => {
    const { records, warnings } = await parseAll(parser, await sample(CRAPI));
    expect(records.map((r) => r.name)).toEqual(["crAPI Accepted ({{url}})", "crAPI Accepted ({{url_mail}})"]);
    // Neither variable has a value in the collection's variable[]: no base URL is invented.
    expect(records.map((r) => r.baseUrls)).toEqual([[], []]);
    expect(records.map((r) => r.endpoints.length)).toEqual([36, 1]);
    expect(records[0]?.description).toBe("crAPI Training Scripts");
    expect(records[0]?.describesEndpoints).toBe(true);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringContaining("{{url}}, {{url_mail}} have no value")]);
  });

  it("turns {{var}} path segments into {var} parameters and keeps literal segments", async () => {
    const { records } = await parseAll(parser, await sample(CRAPI));
    const main = records[0];
    const location = endpoint(main, "GET", "/identity/api/v2/vehicle/{vehicle_id}/location");
    expect(location.parameters).toEqual([{ name: "vehicle_id", in: "path" }]);
    expect(location.summary).toBe("Get vehicle location");
    expect(location.hasDescription).toBe(false);
    expect(location.tags).toEqual([]);
    expect(endpoint(main, "GET", "/.well-known/jwks.json").summary).toBe("Get Public Key");
  });

  it("noauth requests are public, bearer requests require a bearer token", async () => {
    const { records } = await parseAll(parser, await sample(CRAPI));
    const main = records[0];
    expect(endpoint(main, "POST", "/identity/api/auth/signup").security).toEqual({ mode: "public" });
    expect(endpoint(main, "POST", "/identity/api/auth/login").security).toEqual({ mode: "public" });
    expect(endpoint(main, "GET", "/identity/api/v2/user/dashboard").security).toEqual({
      mode: "required",
      schemes: [{ name: "bearer", kind: "bearer" }],
    });
    // Helper bearer auth plus a hand-set Authorization header: still one bearer scheme.
    expect(endpoint(main, "POST", "/community/api/v2/coupon/validate-coupon").security).toEqual({
      mode: "required",
      schemes: [{ name: "bearer", kind: "bearer" }],
    });
    const required = main?.endpoints.filter((e) => e.security.mode === "required").length;
    const pub = main?.endpoints.filter((e) => e.security.mode === "public").length;
    expect([required, pub]).toEqual([30, 6]);
  });

  it("merges repeated requests: the mail search saved with auth null and with noauth is one public endpoint", async () => {
    const { records } = await parseAll(parser, await sample(CRAPI));
    const search = endpoint(records[1], "GET", "/api/v2/search");
    expect(search.security).toEqual({ mode: "public" });
    expect(search.parameters).toEqual([
      { name: "kind", in: "query" },
      { name: "query", in: "query" },
      { name: "limit", in: "query" },
    ]);
  });

  it("reads query parameters and body fields", async () => {
    const { records } = await parseAll(parser, await sample(CRAPI));
    const main = records[0];
    expect(endpoint(main, "GET", "/workshop/api/shop/orders/all").parameters).toEqual([
      { name: "limit", in: "query" },
      { name: "offset", in: "query" },
    ]);
    expect(endpoint(main, "POST", "/identity/api/auth/login").parameters).toEqual([
      { name: "email", in: "body" },
      { name: "password", in: "body" },
    ]);
    // crAPI saved no responses.
    expect(main?.endpoints.some((e) => e.hasExamples || e.hasSuccessSchema)).toBe(false);
  });
});

const V20 = {
  info: {
    _postman_id: "0b6a",
    name: "Shop",
    description: { content: "Shop API", type: "text/plain" },
    version: { major: 2, minor: 1, patch: 0 },
    schema: "https://schema.getpostman.com/json/collection/v2.0.0/collection.json",
  },
  variable: [
    { key: "baseUrl", value: "https://api.shop.example/v2" },
    { key: "host", value: "{{baseUrl}}" },
    { key: "userId", value: "42" },
  ],
  auth: { type: "apikey", apikey: { key: "api_key", value: "{{key}}", in: "query" } },
  item: [
    {
      name: "Users",
      item: [
        {
          name: "Get user",
          description: "Returns one user",
          request: {
            method: "get",
            url: {
              raw: "{{host}}/users/:userId?expand=orders&debug=1",
              host: ["{{host}}"],
              path: ["users", { type: "string", value: ":userId" }],
              query: [{ key: "expand", value: "orders" }, { key: "debug", value: "1", disabled: true }],
              variable: [{ key: "userId", value: "42" }],
            },
          },
          response: [
            {
              name: "ok",
              code: 200,
              body: JSON.stringify({ id: 42, email: "a@b.c", card: { number: "4111" }, orders: [{ card_number: "x", total: 3 }] }),
            },
            { name: "missing", code: 404, body: '{"error": "not found"}' },
          ],
        },
        {
          name: "Public",
          auth: { type: "noauth" },
          item: [
            {
              name: "Nested",
              item: [
                { name: "Health", request: { method: "GET", url: "{{host}}/health" } },
                {
                  name: "Legacy login",
                  request: {
                    method: "POST",
                    url: "{{host}}/login",
                    header: [{ key: "Authorization", value: "Basic dXNlcjpwYXNz" }],
                    body: { mode: "urlencoded", urlencoded: [{ key: "user" }, { key: "pass" }, { key: "x", disabled: true }] },
                  },
                  response: [{ name: "error only", code: 500, body: "boom" }],
                },
              ],
            },
          ],
        },
        {
          name: "Inherit explicitly",
          request: { method: "DELETE", auth: { type: "inherit" }, url: "{{host}}/users/{{userId}}" },
        },
      ],
    },
    {
      name: "Partner call",
      request: {
        method: "POST",
        auth: { type: "bearer", bearer: { token: "{{t}}" } },
        url: { protocol: "https", host: ["partner", "example", "com"], port: "8443", path: "hooks/{{hookId}}" },
        header: [{ key: "X-API-Key", value: "k" }],
      },
    },
    { name: "Odd method", request: { method: "PROPFIND", url: "{{host}}/dav" } },
  ],
};

describe("postman parser: crafted v2.0 collection (no envelope)", () => {
  it("one Api per distinct host, named after info.name and the host; base URLs from resolved variables", async () => {
    const { records, warnings } = await parseAll(parser, textSource(JSON.stringify(V20)));
    expect(records.map((r) => [r.name, r.baseUrls])).toEqual([
      ["Shop (api.shop.example)", ["https://api.shop.example/v2"]],
      ["Shop (partner.example.com:8443)", ["https://partner.example.com:8443"]],
    ]);
    expect(records[0]?.version).toBe("2.1.0");
    expect(records[0]?.description).toBe("Shop API");
    expect(warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([expect.stringContaining("PROPFIND"), "1 Postman request(s) skipped"]),
    );
  });

  it("builds path templates relative to the base path; :param and {{var}} segments are params, never substituted", async () => {
    const { records } = await parseAll(parser, textSource(JSON.stringify(V20)));
    const shop = records[0];
    expect(shop?.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      "GET /users/{userId}",
      "GET /health",
      "POST /login",
      "DELETE /users/{userId}",
    ]);
    const get = endpoint(shop, "GET", "/users/{userId}");
    expect(get.parameters).toEqual([
      { name: "userId", in: "path" },
      { name: "expand", in: "query" },
    ]);
    expect(get.summary).toBe("Get user");
    expect(get.hasDescription).toBe(true);
    expect(get.tags).toEqual(["Users"]);
    expect(endpoint(shop, "GET", "/health").tags).toEqual(["Users", "Public", "Nested"]);
    expect(endpoint(shop, "POST", "/login").parameters).toEqual([
      { name: "user", in: "body" },
      { name: "pass", in: "body" },
    ]);
    expect(endpoint(records[1], "POST", "/hooks/{hookId}").parameters).toEqual([{ name: "hookId", in: "path" }]);
  });

  it("resolves auth through folders and the collection; Authorization/X-API-Key headers count", async () => {
    const { records } = await parseAll(parser, textSource(JSON.stringify(V20)));
    const shop = records[0];
    const collectionKey = { mode: "required", schemes: [{ name: "apikey", kind: "apiKey", in: "query" }] };
    expect(endpoint(shop, "GET", "/users/{userId}").security).toEqual(collectionKey);
    expect(endpoint(shop, "DELETE", "/users/{userId}").security).toEqual(collectionKey);
    // Folder "Public" says noauth, inherited by its nested folder.
    expect(endpoint(shop, "GET", "/health").security).toEqual({ mode: "public" });
    // …but a request sending Basic credentials by hand is authenticated.
    expect(endpoint(shop, "POST", "/login").security).toEqual({
      mode: "required",
      schemes: [{ name: "Authorization", kind: "basic" }],
    });
    expect(endpoint(records[1], "POST", "/hooks/{hookId}").security).toEqual({
      mode: "required",
      schemes: [
        { name: "bearer", kind: "bearer" },
        { name: "X-API-Key", kind: "apiKey", in: "header" },
      ],
    });
  });

  it("saved responses: examples, 2xx success and classified fields of the 2xx JSON body", async () => {
    const { records } = await parseAll(parser, textSource(JSON.stringify(V20)));
    const get = endpoint(records[0], "GET", "/users/{userId}");
    expect(get.hasExamples).toBe(true);
    expect(get.hasSuccessSchema).toBe(true);
    expect(get.responseFields).toEqual([
      { path: "email", dataClass: "pii" },
      { path: "card.number", dataClass: "financial" },
      { path: "orders[].card_number", dataClass: "financial" },
    ]);
    const login = endpoint(records[0], "POST", "/login");
    expect(login.hasExamples).toBe(true); // a 500 example
    expect(login.hasSuccessSchema).toBe(false);
    expect(login.responseFields).toEqual([]);
    expect(endpoint(records[0], "GET", "/health").hasExamples).toBe(false);
  });

  it("a request without auth anywhere is undeclared; a literal host without scheme stays scheme-less", async () => {
    const collection = {
      info: { name: "Bare", schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
      item: [{ name: "x", request: { method: "GET", url: { raw: "api.bare.example/items?limit=1", host: ["api", "bare", "example"], path: ["items"] } } }],
    };
    const { records } = await parseAll(parser, textSource(JSON.stringify({ collection })));
    expect(records).toHaveLength(1);
    expect(records[0]?.name).toBe("Bare");
    expect(records[0]?.baseUrls).toEqual(["api.bare.example"]);
    expect(records[0]?.endpoints[0]).toMatchObject({ method: "GET", path: "/items", security: { mode: "undeclared" } });
    expect(records[0]?.endpoints[0]?.parameters).toEqual([{ name: "limit", in: "query" }]);
  });
});

describe("postman parser: detection", () => {
  it("recognises the v2 schema URL and _postman_id", async () => {
    expect(parser.detect(await (await sample(CRAPI)).head(), "x.json")).toBeGreaterThan(0.9);
    expect(parser.detect('{"info": {"_postman_id": "1", "name": "n"}, "item": []}', "")).toBeGreaterThan(0.5);
  });

  it.each([
    "api-inventory/crapi-openapi-spec.json",
    "api-inventory/swagger2-petstore.json",
    "api-inventory/kong-deck-auth-plugins.kong.yaml",
    "api-inventory/backstage-petstore-api.yaml",
    "scan-results/zap-petstore-api-scan.json",
    "scan-results/njsscan-0.2.3.sarif",
    "scan-results/stackhawk-many-vul.json",
    "gateway-logs/kong-file-log-3.8-docs-example.jsonl",
    "vault-audit/hashicorp-vault-audit-file.log",
  ])("returns 0 for %s", async (path) => {
    const file = await sample(path);
    expect(parser.detect(await file.head(), file.name)).toBe(0);
  });
});

describe("postman parser: bad input", () => {
  const reject = async (content: string) => {
    const error = await parseAll(parser, textSource(content)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  };

  it("rejects truncated JSON with the last line", async () => {
    const text = await (await sample(CRAPI)).text();
    const cut = text.slice(0, 5000);
    const error = await reject(cut);
    expect(error.message).toMatch(/truncated/);
    expect(error.line).toBe(cut.split("\n").length);
  });

  it("rejects malformed JSON with the line of the error", async () => {
    const error = await reject('{\n  "info": {"name": "x"},\n  "item": [ oops ]\n}');
    expect(error.line).toBe(3);
  });

  it("rejects YAML (including a YAML alias bomb): a collection is JSON", async () => {
    await reject('a: &a ["x","x"]\nb: [*a,*a,*a]\ninfo: {schema: "https://schema.getpostman.com/json/collection/v2.1.0/"}\n');
  });

  it("rejects other formats: an OpenAPI document, a JSON array, a v1 collection", async () => {
    const openapi = await reject(await (await sample("api-inventory/crapi-openapi-spec.json")).text());
    expect(openapi.message).toContain("Not a Postman collection");
    await reject("[1, 2]");
    const v1 = await reject(JSON.stringify({ id: "1", name: "old", order: [], requests: [] }));
    expect(v1.message).toContain("v1");
    await reject(JSON.stringify({ info: { name: "x", schema: "https://schema.getpostman.com/json/collection/v1.0.0/" }, item: [] }));
  });

  it("rejects folders nested deeper than the limit, accepts the limit", async () => {
    const nest = (levels: number): unknown => {
      let item: unknown = { name: "leaf", request: { method: "GET", url: "https://a.example/x" } };
      for (let i = 0; i < levels; i++) item = { name: `f${i}`, item: [item] };
      return { info: { name: "deep", schema: "https://schema.getpostman.com/json/collection/v2.1.0/" }, item: [item] };
    };
    const ok = await parseAll(parser, textSource(JSON.stringify(nest(MAX_FOLDER_DEPTH))));
    expect(ok.records[0]?.endpoints).toHaveLength(1);
    const error = await reject(JSON.stringify(nest(MAX_FOLDER_DEPTH + 1)));
    expect(error.message).toContain("nested");
  });

  it("survives a deeply nested example body (classification is depth-bounded)", async () => {
    const body = `${'{"a":'.repeat(5000)}{"email": "x"}${"}".repeat(5000)}`;
    const collection = {
      info: { name: "d", schema: "https://schema.getpostman.com/json/collection/v2.1.0/" },
      item: [{ name: "x", request: { method: "GET", url: "https://d.example/x" }, response: [{ code: 200, body }] }],
    };
    const { records } = await parseAll(parser, textSource(JSON.stringify(collection)));
    expect(records[0]?.endpoints[0]?.hasSuccessSchema).toBe(true);
    expect(records[0]?.endpoints[0]?.responseFields).toEqual([]);
  });
});
