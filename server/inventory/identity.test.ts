import { describe, expect, it } from "vitest";
import { apiSlug, hostAlias, parseBaseUrl } from "./identity";

describe("parseBaseUrl", () => {
  it("normalises scheme, case, default ports and trailing slashes", () => {
    expect(parseBaseUrl("HTTPS://Api.Example.com:443/v2/")).toEqual({
      scheme: "https",
      host: "api.example.com",
      basePath: "/v2",
      identity: "api.example.com/v2",
    });
    expect(parseBaseUrl("http://10.0.0.5:8080").identity).toBe("10.0.0.5:8080");
  });
  it("keeps relative base paths without an identity", () => {
    expect(parseBaseUrl("/api/v3")).toEqual({ scheme: null, host: null, basePath: "/api/v3", identity: null });
  });
  it("accepts scheme-less hosts", () => {
    expect(parseBaseUrl("petstore.swagger.io/v2")).toMatchObject({ scheme: null, host: "petstore.swagger.io", basePath: "/v2" });
  });
});

describe("slugs and aliases", () => {
  it("derives kebab-case slugs and first-label aliases", () => {
    expect(apiSlug({ name: "OWASP crAPI API" })).toBe("owasp-crapi-api");
    expect(apiSlug({ catalogName: "petstore", name: "Swagger Petstore" })).toBe("petstore");
    expect(hostAlias("payments.api.example.com")).toBe("payments");
    expect(hostAlias("api.example.com")).toBeNull();
    expect(hostAlias("127.0.0.1:8080")).toBeNull();
  });
});
