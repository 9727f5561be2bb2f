import { describe, expect, it } from "vitest";
import {
  createBaseMatcher,
  createMatcher,
  inferTemplate,
  joinPath,
  matchBase,
  normaliseBasePath,
  normaliseHost,
  normalisePath,
  splitUrl,
} from "./path-matcher";

const T = (id: string, method: string, path: string) => ({ id, method, path });

describe("createMatcher", () => {
  const m = createMatcher([
    T("users-list", "GET", "/users"),
    T("user", "GET", "/users/{id}"),
    T("user-me", "GET", "/users/me"),
    T("user-put", "PUT", "/users/{userId}"),
    T("order", "GET", "/users/{uid}/orders/{oid}"),
    T("order-latest", "GET", "/users/{uid}/orders/latest"),
    T("lit-first", "GET", "/a/b/{x}"),
    T("param-first", "GET", "/a/{y}/c"),
    T("root", "GET", "/"),
    T("any-health", "ANY", "/health"),
    T("get-health", "GET", "/health"),
    T("star-ping", "*", "/ping"),
    T("report", "GET", "/reports/{name}.{format}"),
    T("file", "GET", "/files/{name}"),
    T("proxy", "ANY", "/proxy/{rest+}"),
  ]);

  it("prefers literal segments over params", () => {
    expect(m.match("GET", "/users/me")).toEqual({ id: "user-me", params: {} });
    expect(m.match("GET", "/users/42")).toEqual({ id: "user", params: { id: "42" } });
    expect(m.match("GET", "/users/7/orders/latest")).toEqual({ id: "order-latest", params: { uid: "7" } });
  });

  it("compares specificity left to right (a literal earlier wins over a literal later)", () => {
    expect(m.match("GET", "/a/b/c")?.id).toBe("lit-first");
    expect(m.match("GET", "/a/z/c")).toEqual({ id: "param-first", params: { y: "z" } });
  });

  it("backtracks when the literal branch has no template for the rest", () => {
    expect(m.match("GET", "/users/me/orders/9")).toEqual({ id: "order", params: { uid: "me", oid: "9" } });
  });

  it("extracts params with the names of the matched template and per method", () => {
    expect(m.match("PUT", "/users/99")).toEqual({ id: "user-put", params: { userId: "99" } });
    expect(m.match("DELETE", "/users/99")).toBeNull();
    expect(m.match("get", "/users/99")?.id).toBe("user");
  });

  it("ANY/* match any method but lose to an exact method on the same template", () => {
    expect(m.match("GET", "/health")?.id).toBe("get-health");
    expect(m.match("POST", "/health")?.id).toBe("any-health");
    expect(m.match("DELETE", "/ping")?.id).toBe("star-ping");
  });

  it("normalises trailing and duplicate slashes, drops accidental query strings and fragments", () => {
    expect(m.match("GET", "/users/42/")?.id).toBe("user");
    expect(m.match("GET", "//users///42")?.id).toBe("user");
    expect(m.match("GET", "/users/42?expand=orders&x=/y")).toEqual({ id: "user", params: { id: "42" } });
    expect(m.match("GET", "/users#frag")?.id).toBe("users-list");
  });

  it("matches the root", () => {
    expect(m.match("GET", "/")?.id).toBe("root");
    expect(m.match("GET", "")?.id).toBe("root");
    expect(m.match("GET", "/?q=1")?.id).toBe("root");
  });

  it("percent-decodes segments after splitting, so an encoded slash stays in one segment", () => {
    expect(m.match("GET", "/files/a%2Fb")).toEqual({ id: "file", params: { name: "a/b" } });
    expect(m.match("GET", "/users/%6De")?.id).toBe("user-me");
    expect(m.match("GET", "/files/bad%zz")).toEqual({ id: "file", params: { name: "bad%zz" } });
  });

  it("is case-sensitive", () => {
    expect(m.match("GET", "/Users/me")).toBeNull();
    expect(m.match("GET", "/users/ME")).toEqual({ id: "user", params: { id: "ME" } });
  });

  it("supports mixed segments and greedy {param+}", () => {
    expect(m.match("GET", "/reports/q3.pdf")).toEqual({ id: "report", params: { name: "q3", format: "pdf" } });
    expect(m.match("POST", "/proxy/a/b/c")).toEqual({ id: "proxy", params: { rest: "a/b/c" } });
    expect(m.match("POST", "/proxy")).toBeNull();
  });

  it("matches AWS-style template paths literally without inventing param values", () => {
    expect(m.match("GET", "/users/{petId}")).toEqual({ id: "user", params: {} });
    expect(m.match("GET", "/users/{uid}/orders/{oid}")).toEqual({ id: "order", params: {} });
  });

  it("returns null for paths no template covers", () => {
    expect(m.match("GET", "/nope")).toBeNull();
    expect(m.match("GET", "/users/1/2")).toBeNull();
    expect(createMatcher([]).match("GET", "/")).toBeNull();
  });

  it("keeps the first of duplicate templates", () => {
    const d = createMatcher([T("first", "GET", "/a/{x}"), T("second", "GET", "/a/{y}")]);
    expect(d.match("GET", "/a/1")).toEqual({ id: "first", params: { x: "1" } });
  });
});

describe("inferTemplate", () => {
  it.each([
    ["/users/123/orders/9f0c3b2a7d8e4f6a9b1c", "/users/{id}/orders/{id}"],
    ["/users/123/orders/9f0c3b2a-7d8e-4f6a-9b1c-0d2e4f6a8b0c", "/users/{id}/orders/{id}"],
    ["/files/dGhpcyBpcyBhIHRlc3QgdG9rZW4x", "/files/{id}"],
    ["/people/jane.doe@example.com", "/people/{id}"],
    ["/people/jane.doe%40example.com/", "/people/{id}"],
    ["/api/v1/users", "/api/v1/users"],
    ["/api/v2/deadbeef", "/api/v2/deadbeef"],
    ["/reset-password-confirmation-page", "/reset-password-confirmation-page"],
    ["/", "/"],
    ["", "/"],
    ["/items/42?page=2", "/items/{id}"],
    ["//items//42//", "/items/{id}"],
    ["/pets/{petId}", "/pets/{id}"],
  ])("%s → %s", (input, expected) => {
    expect(inferTemplate(input)).toBe(expected);
  });
});

describe("base paths", () => {
  it("normaliseBasePath", () => {
    expect(normaliseBasePath("/api/v3/")).toBe("/api/v3");
    expect(normaliseBasePath("api/v3")).toBe("/api/v3");
    expect(normaliseBasePath("")).toBe("/");
    expect(normaliseBasePath("/")).toBe("/");
    expect(normaliseBasePath(undefined)).toBe("/");
    expect(normaliseBasePath("https://petstore.example.com/api/v3?x=1")).toBe("/api/v3");
    expect(normaliseBasePath("https://petstore.example.com")).toBe("/");
  });

  it("joinPath", () => {
    expect(joinPath("/api/v3/", "/pets")).toBe("/api/v3/pets");
    expect(joinPath("/", "/pets/")).toBe("/pets");
    expect(joinPath("/api", "/")).toBe("/api");
    expect(joinPath("", "")).toBe("/");
    expect(normalisePath("a//b/")).toBe("/a/b");
  });

  it("normaliseHost", () => {
    expect(normaliseHost("API.Example.com.")).toBe("api.example.com");
    expect(normaliseHost("api.example.com:443")).toBe("api.example.com");
    expect(normaliseHost("localhost:8000")).toBe("localhost:8000");
    expect(normaliseHost("")).toBeUndefined();
  });

  const apis = [
    { id: "petstore", host: "petstore.example.com", basePath: "/api/v3" },
    { id: "petstore-root", host: "petstore.example.com", basePath: "/" },
    { id: "legacy", host: "petstore.example.com", basePath: "/api" },
    { id: "crapi", host: null, basePath: "/identity/api" },
    { id: "local8000", host: "localhost:8000", basePath: "/" },
    { id: "shop", host: "shop.example.com", basePath: "/store" },
  ];
  const b = createBaseMatcher(apis);

  it("picks the longest base path of the host on segment boundaries", () => {
    expect(b.match("petstore.example.com", "/api/v3/pets/1")).toEqual({
      apiId: "petstore",
      basePath: "/api/v3",
      relativePath: "/pets/1",
    });
    expect(b.match("PETSTORE.example.com:443", "/api/v2/pets")?.apiId).toBe("legacy");
    expect(b.match("petstore.example.com", "/apiv3/pets")).toEqual({
      apiId: "petstore-root",
      basePath: "/",
      relativePath: "/apiv3/pets",
    });
    expect(b.match("petstore.example.com", "/api/v3")?.relativePath).toBe("/");
    expect(b.match("petstore.example.com", "/api/v3/?x=1")?.relativePath).toBe("/");
  });

  it("matches a host with port to an Api declared without port, and exact host:port first", () => {
    expect(b.match("shop.example.com:8443", "/store/items")?.apiId).toBe("shop");
    expect(b.match("localhost:8000", "/example-route")?.apiId).toBe("local8000");
    expect(b.match("localhost:9001", "/example-route")).toBeNull();
  });

  it("falls back to host-less Apis, then (without a host) to a unique base path of any host", () => {
    expect(b.match("unknown.example.com", "/identity/api/auth/login")).toEqual({
      apiId: "crapi",
      basePath: "/identity/api",
      relativePath: "/auth/login",
    });
    expect(b.match(undefined, "/store/items/1")?.apiId).toBe("shop");
    expect(b.match(undefined, "/api/v3/pets")?.apiId).toBe("petstore");
    // "/" is the base path of two Apis on different hosts: ambiguous without a host
    expect(b.match(undefined, "/other")).toBeNull();
    expect(b.match("unknown.example.com", "/store")).toBeNull();
  });

  it("compares base paths percent-decoded but returns the relative path still encoded", () => {
    const e = createBaseMatcher([{ id: "sp", host: "h", basePath: "/my api" }]);
    expect(e.match("h", "/my%20api/a%2Fb")).toEqual({ apiId: "sp", basePath: "/my%20api", relativePath: "/a%2Fb" });
  });

  it("matchBase is the one-off form", () => {
    expect(matchBase(apis, "petstore.example.com", "/api/v3/pets")?.apiId).toBe("petstore");
    expect(matchBase([], "petstore.example.com", "/")).toBeNull();
  });
});

describe("splitUrl", () => {
  it("splits absolute, protocol-relative, relative and Postman URLs", () => {
    expect(splitUrl("https://API.example.com:443/v1/users//?q=1#x")).toEqual({
      scheme: "https",
      host: "api.example.com",
      path: "/v1/users",
      query: "q=1",
    });
    expect(splitUrl("http://localhost:8888/identity/api/auth/login")).toEqual({
      scheme: "http",
      host: "localhost:8888",
      path: "/identity/api/auth/login",
    });
    expect(splitUrl("{{url}}/identity/api/v2/user/dashboard")).toEqual({ path: "/identity/api/v2/user/dashboard" });
    expect(splitUrl("//cdn.example.com/a")).toEqual({ host: "cdn.example.com", path: "/a" });
    expect(splitUrl("api.example.com/v2/x")).toEqual({ host: "api.example.com", path: "/v2/x" });
    expect(splitUrl("/just/a/path?x")).toEqual({ path: "/just/a/path", query: "x" });
  });
});
