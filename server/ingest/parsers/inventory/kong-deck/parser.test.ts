import { describe, expect, it } from "vitest";
import { ParseError, type AuthScheme, type InventoryApi } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { ANY_METHOD_TAG, ANY_METHODS, parser, regexToTemplate } from "./parser";

const SAMPLE = "api-inventory/kong-deck-auth-plugins.kong.yaml";

function api(records: InventoryApi[], name: string): InventoryApi {
  const found = records.find((r) => r.name === name);
  if (!found) throw new Error(`no Api named ${name}; have ${records.map((r) => r.name).join(", ")}`);
  return found;
}

function schemesOf(a: InventoryApi, method: string, path: string): AuthScheme[] {
  const ep = a.endpoints.find((e) => e.method === method && e.path === path);
  if (!ep) throw new Error(`no endpoint ${method} ${path} in ${a.name}`);
  if (ep.security.mode !== "required") throw new Error(`${method} ${path} is ${ep.security.mode}`);
  return [...ep.security.schemes].sort((x, y) => x.name.localeCompare(y.name));
}

// The global plugins of the sample: every one except key-auth (which s1 overrides, and which is global elsewhere).
const GLOBAL_AUTH: AuthScheme[] = [
  { name: "basic-auth", kind: "basic" },
  { name: "hmac-auth", kind: "apiKey", in: "header" },
  { name: "key-auth", kind: "apiKey", in: "query" },
  { name: "key-auth-enc", kind: "apiKey", in: "query" },
  { name: "ldap-auth", kind: "basic" },
  { name: "ldap-auth-advanced", kind: "basic" },
  { name: "oauth2", kind: "oauth2" },
  { name: "oauth2-introspection", kind: "oauth2" },
  { name: "openid-connect", kind: "openIdConnect" },
  { name: "vault-auth", kind: "apiKey", in: "query" },
];

describe("kong-deck parser: real sample (Kong/deck convert/testdata/11)", () => {
  it("emits one Api per service plus one for the service-less top-level routes", async () => {
    const { records } = await parseAll(parser, await sample(SAMPLE));
    expect(records.map((r) => r.name)).toEqual([
      "s1",
      "s2-https-no-tls-verify",
      "s3-http",
      "s4-tls",
      "s5-grpcs",
      "s6-wss",
      "s7-https-tls-verify-set",
      "Kong routes without a service",
    ]);
    // No route names a host: clients reach them on the gateway's address, which the config does not give.
    for (const r of records) expect(r.baseUrls).toEqual([]);
    for (const r of records) expect(r.owner).toBeUndefined();
    for (const r of records) expect(r.rateLimited).toBe(false);
  });

  it("s1: two routes without methods → five endpoints each, key-auth on the service plus the global auth plugins", async () => {
    const { records } = await parseAll(parser, await sample(SAMPLE));
    const s1 = api(records, "s1");
    expect(s1.describesEndpoints).toBe(true);
    expect(s1.endpoints.map((e) => `${e.method} ${e.path}`).sort()).toEqual(
      [...ANY_METHODS.map((m) => `${m} /test1`), ...ANY_METHODS.map((m) => `${m} /test2`)].sort(),
    );
    const get1 = s1.endpoints.find((e) => e.method === "GET" && e.path === "/test1");
    expect(get1?.operationId).toBe("r1-no-protocols");
    expect(get1?.tags).toEqual([ANY_METHOD_TAG]);
    expect(get1?.rateLimited).toBe(false);
    expect(get1?.hasSuccessSchema).toBe(false);
    expect(s1.endpoints.find((e) => e.path === "/test2")?.operationId).toBe("r1-with-protocols");
    // The service's key-auth (config {}) wins over the global key-auth: key_in_query defaults to true → query.
    expect(schemesOf(s1, "POST", "/test2")).toEqual(GLOBAL_AUTH);
  });

  it("s2: route r2 is protected only by the global plugins", async () => {
    const { records } = await parseAll(parser, await sample(SAMPLE));
    const s2 = api(records, "s2-https-no-tls-verify");
    expect(s2.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(ANY_METHODS.map((m) => `${m} /secure`));
    expect(schemesOf(s2, "DELETE", "/secure")).toEqual(GLOBAL_AUTH);
    expect(s2.endpoints[0]?.operationId).toBe("r2");
  });

  it("services without routes describe no endpoints", async () => {
    const { records } = await parseAll(parser, await sample(SAMPLE));
    for (const name of ["s3-http", "s4-tls", "s5-grpcs", "s6-wss", "s7-https-tls-verify-set"]) {
      const a = api(records, name);
      expect(a.describesEndpoints).toBe(false);
      expect(a.endpoints).toEqual([]);
    }
  });

  it("top-level routes: r3 adds its own basic-auth, r4 relies on the global plugins; no route is unauthenticated", async () => {
    const { records, warnings } = await parseAll(parser, await sample(SAMPLE));
    const orphans = api(records, "Kong routes without a service");
    expect(orphans.endpoints.map((e) => `${e.method} ${e.path}`).sort()).toEqual(
      [...ANY_METHODS.map((m) => `${m} /top-level`), ...ANY_METHODS.map((m) => `${m} /top-level-2`)].sort(),
    );
    expect(schemesOf(orphans, "GET", "/top-level")).toEqual(GLOBAL_AUTH);
    expect(schemesOf(orphans, "GET", "/top-level-2")).toEqual(GLOBAL_AUTH);
    // The global key-auth, basic-auth… cover every route of this file.
    const all = records.flatMap((r) => r.endpoints);
    expect(all.filter((e) => e.security.mode !== "required")).toEqual([]);
    expect(warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("global plugin key-auth more than once"),
        expect.stringContaining("r3-no-protocols, r4-with-protocols"),
        expect.stringContaining("5 Kong route(s) accept any HTTP method"),
      ]),
    );
  });
});

const REALISTIC = `
_format_version: "3.0"
services:
  - name: payments
    url: https://payments.internal:8443/v1
    tags: [owner:team-pay, tier-1]
    plugins:
      - name: jwt
    routes:
      - name: pay-health
        hosts: [api.example.com]
        paths: [/payments/health]
        methods: [GET]
      - name: pay-api
        hosts: [api.example.com, API.example.org]
        protocols: [https]
        methods: [get, POST]
        paths:
          - /payments
          - ~/payments/(?<paymentId>\\d+)$
          - ~/payments/[^/]+/refunds/(\\d+)
          - ~/payments/.*/debug
        tags: [payments, owner:someone-else]
  - name: legacy
    protocol: http
    host: legacy.internal
    port: 8080
    tags: ["owner=team-legacy"]
    plugins:
      - name: rate-limiting-advanced
        config: { limit: [100] }
      - name: basic-auth
        enabled: false
routes:
  - name: pay-admin
    service: { name: payments }
    hosts: [admin.example.com]
    protocols: [http]
    paths: [/admin]
    methods: [DELETE, CONNECT]
  - name: legacy-r
    service: legacy
    hosts: [legacy.example.com]
    protocols: [http]
    paths: [/old]
    methods: [GET]
  - name: stream
    service: legacy
    protocols: [tcp]
    destinations: [{ port: 9000 }]
plugins:
  - name: key-auth
    route: pay-admin
    config: { key_in_query: false }
  - name: rate-limiting
    route: pay-api
    config: { minute: 10 }
  - name: rate-limiting
    consumer: c1
    config: { minute: 1 }
consumers:
  - username: c1
`;

describe("kong-deck parser: crafted config", () => {
  it("base URLs are the route hosts with the most secure accepted scheme, not the upstream", async () => {
    const { records } = await parseAll(parser, textSource(REALISTIC, "kong.yaml"));
    expect(records.map((r) => r.name)).toEqual(["payments", "legacy"]);
    const payments = api(records, "payments");
    expect(payments.baseUrls).toEqual(["https://api.example.com", "https://api.example.org", "http://admin.example.com"]);
    expect(payments.owner).toBe("team-pay");
    const legacy = api(records, "legacy");
    expect(legacy.baseUrls).toEqual(["http://legacy.example.com"]);
    expect(legacy.owner).toBe("team-legacy");
  });

  it("expands methods, converts regex paths to templates and keeps unconvertible ones literally", async () => {
    const { records, warnings } = await parseAll(parser, textSource(REALISTIC));
    const payments = api(records, "payments");
    expect(payments.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      "GET /payments/health",
      "GET /payments",
      "POST /payments",
      "GET /payments/{paymentId}",
      "POST /payments/{paymentId}",
      "GET /payments/{param1}/refunds/{param2}",
      "POST /payments/{param1}/refunds/{param2}",
      "GET /payments/.*/debug",
      "POST /payments/.*/debug",
      "DELETE /admin",
    ]);
    const byId = payments.endpoints.find((e) => e.path === "/payments/{paymentId}");
    expect(byId?.parameters).toEqual([{ name: "paymentId", in: "path" }]);
    expect(byId?.tags).toEqual(["payments"]);
    expect(warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("regex path ~/payments/.*/debug cannot be expressed"),
        expect.stringContaining("method CONNECT"),
      ]),
    );
  });

  it("applies plugins by scope: service jwt everywhere, route key-auth on pay-admin only, header-only key", async () => {
    const { records } = await parseAll(parser, textSource(REALISTIC));
    const payments = api(records, "payments");
    expect(schemesOf(payments, "GET", "/payments")).toEqual([{ name: "jwt", kind: "bearer" }]);
    expect(schemesOf(payments, "DELETE", "/admin")).toEqual([
      { name: "jwt", kind: "bearer" },
      { name: "key-auth", kind: "apiKey", in: "header" },
    ]);
  });

  it("a route with no auth plugin at route, service or global level is undeclared (disabled plugins do not count)", async () => {
    const { records } = await parseAll(parser, textSource(REALISTIC));
    const legacy = api(records, "legacy");
    expect(legacy.endpoints).toHaveLength(1); // the tcp stream route has no HTTP endpoint
    expect(legacy.endpoints[0]).toMatchObject({ method: "GET", path: "/old", security: { mode: "undeclared" } });
  });

  it("rate limits: route-level on that route's endpoints, service-level on the Api; consumer-only ones ignored", async () => {
    const { records } = await parseAll(parser, textSource(REALISTIC));
    const payments = api(records, "payments");
    const limited = payments.endpoints.filter((e) => e.rateLimited).map((e) => `${e.method} ${e.path}`);
    expect(limited).toHaveLength(8);
    expect(limited).not.toContain("GET /payments/health");
    expect(limited).not.toContain("DELETE /admin");
    expect(payments.rateLimited).toBe(false);
    const legacy = api(records, "legacy");
    expect(legacy.rateLimited).toBe(true);
    expect(legacy.endpoints[0]?.rateLimited).toBe(true);
  });

  it("a more specific key-auth overrides the global one (key_in_query: false → header)", async () => {
    const config = `_format_version: "3.0"
plugins:
  - name: key-auth
services:
  - name: a
    routes:
      - name: r-global
        paths: [/g]
        methods: [GET]
      - name: r-own
        paths: [/o]
        methods: [GET]
        plugins:
          - name: key-auth
            config: { key_in_query: false, anonymous: guest }
`;
    const { records, warnings } = await parseAll(parser, textSource(config));
    const a = api(records, "a");
    expect(schemesOf(a, "GET", "/g")).toEqual([{ name: "key-auth", kind: "apiKey", in: "query" }]);
    expect(schemesOf(a, "GET", "/o")).toEqual([{ name: "key-auth", kind: "apiKey", in: "header" }]);
    expect(warnings.some((w) => w.message.includes("config.anonymous"))).toBe(true);
  });

  it("reads the JSON form and plugins referencing a service by id", async () => {
    const config = JSON.stringify({
      _format_version: "3.0",
      services: [{ id: "9f0c", name: "orders", routes: [{ name: "o", paths: ["/orders"], methods: ["GET"], hosts: ["shop.example.com"] }] }],
      plugins: [{ name: "openid-connect", service: "9f0c" }, { name: "rate-limiting", service: { name: "orders" } }],
    });
    const { records } = await parseAll(parser, textSource(config, "kong.json"));
    const orders = api(records, "orders");
    expect(orders.baseUrls).toEqual(["https://shop.example.com"]);
    expect(schemesOf(orders, "GET", "/orders")).toEqual([{ name: "openid-connect", kind: "openIdConnect" }]);
    expect(orders.rateLimited).toBe(true);
  });

  it("treats regex-looking paths of format 1.x/2.x as regexes", async () => {
    const config = `_format_version: "1.1"
services:
  - name: v1
    routes:
      - paths: ["/users/(?<id>[0-9]+)"]
        methods: [GET]
        hosts: [u.example.com]
`;
    const { records } = await parseAll(parser, textSource(config));
    expect(records[0]?.endpoints.map((e) => e.path)).toEqual(["/users/{id}"]);
  });
});

describe("regexToTemplate", () => {
  it.each([
    ["~/users/(?<id>\\d+)$", "/users/{id}"],
    ["~/files/[^/]+/meta", "/files/{param1}/meta"],
    ["~^/v1/items/([a-z0-9-]+)/?$", "/v1/items/{param1}"],
    ["~/orders/\\w+", "/orders/{param1}"],
    ["~/report\\.csv", "/report.csv"],
  ])("%s → %s", (regex, template) => {
    expect(regexToTemplate(regex)?.path).toBe(template);
  });

  it.each(["~/static/.*", "~/a(bc)?", "~/x/(?:a|b)", "~/id-(\\d+)", "~/(a/b)"])("%s cannot be a template", (regex) => {
    expect(regexToTemplate(regex)).toBeUndefined();
  });
});

describe("kong-deck parser: detection", () => {
  it("recognises decK YAML and JSON by _format_version", async () => {
    const head = await (await sample(SAMPLE)).head();
    expect(parser.detect(head, "whatever.txt")).toBeGreaterThan(0.9);
    expect(parser.detect('{\n  "_format_version": "3.0",\n  "services": []\n}', "")).toBeGreaterThan(0.9);
  });

  it.each([
    "api-inventory/swagger-petstore-v3-openapi.yaml",
    "api-inventory/crapi-openapi-spec.json",
    "api-inventory/crAPI.postman_collection.json",
    "api-inventory/backstage-petstore-api.yaml",
    "scan-results/codeql-2.5.4.sarif",
    "scan-results/zap-petstore-api-scan.json",
    "gateway-logs/kong-file-log-3.8-docs-example.jsonl",
    "gateway-logs/nginx-combined-beats-access.log",
  ])("returns 0 for %s", async (path) => {
    const file = await sample(path);
    expect(parser.detect(await file.head(), file.name)).toBe(0);
  });
});

describe("kong-deck parser: bad input", () => {
  const reject = async (content: string) => {
    const error = await parseAll(parser, textSource(content)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  };

  it("rejects truncated YAML with the line of the error", async () => {
    const error = await reject('_format_version: "3.0"\nservices:\n  - name: a\n    routes: [ { name: r, paths: [/x]\n');
    expect(error.line).toBeGreaterThanOrEqual(4);
  });

  it("rejects truncated JSON", async () => {
    await reject('{"_format_version": "3.0", "services": [{"name": "a", "routes": [');
  });

  it("rejects a YAML alias bomb", async () => {
    const bomb = [
      '_format_version: "3.0"',
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "services: [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    ].join("\n");
    const error = await reject(bomb);
    expect(error.message).toMatch(/alias/i);
  });

  it("rejects another format (an OpenAPI document) with a clear message", async () => {
    const error = await reject((await (await sample("api-inventory/swagger-petstore-v3-openapi.yaml")).text()));
    expect(error.message).toContain("_format_version");
  });

  it("rejects a scalar or list document", async () => {
    await reject("just a string\n");
    await reject("- _format_version: '3.0'\n");
  });

  it("rejects pathologically deep nesting", async () => {
    await reject(`_format_version: "3.0"\nservices: ${"[".repeat(20000)}${"]".repeat(20000)}\n`);
  });

  it("tolerates a config without services or routes (warns, no records)", async () => {
    const { records, warnings } = await parseAll(parser, textSource('_format_version: "3.0"\nconsumers: []\n'));
    expect(records).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
