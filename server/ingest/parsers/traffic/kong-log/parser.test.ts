import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { KONG_ENTRY, KONG_FALLBACK_ENTRY } from "@/server/traffic/test-helpers";
import { parser } from "./parser";

const line = (o: unknown) => JSON.stringify(o);
const base = KONG_ENTRY;

describe("kong-log parser", () => {
  it("parses the real Kong 3.8 file-log sample field by field", async () => {
    const out = await parseAll(parser, await sample("gateway-logs/kong-file-log-3.8-docs-example.jsonl"));
    expect(out.lineErrors).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(out.records).toEqual([
      {
        time: 1726783839538,
        method: "GET",
        path: "/example-route",
        status: 200,
        host: "localhost:8000",
        scheme: "http",
        service: "example_service",
        route: "example_route",
        responseBytes: 9982,
        latencyMs: 173,
        clientIp: "192.168.65.1",
        userAgent: "HTTPie/3.2.3",
      },
    ]);
  });

  it("takes consumer, first X-Forwarded-For hop, query, scheme, rate-limit headers and fallbacks", async () => {
    const out = await parseAll(parser, textSource(line(base)));
    expect(out.records).toEqual([
      {
        time: 1700000000123,
        method: "POST",
        path: "/v1/orders",
        query: "api_key=abc&page=2",
        status: 201,
        host: "api.example.com:8443",
        scheme: "https",
        service: "orders.internal",
        route: "/v1",
        responseBytes: 512,
        latencyMs: 12,
        clientIp: "203.0.113.9",
        principal: "acme-app",
        userAgent: "curl/8.0",
        rateLimitHeaders: true,
      },
    ]);
  });

  it("falls back to authenticated_entity, client_ip and request.url; repeated headers are arrays", async () => {
    const entry = KONG_FALLBACK_ENTRY;
    const [e] = (await parseAll(parser, textSource(line(entry)))).records;
    expect(e).toMatchObject({
      method: "GET",
      path: "/a/b",
      query: "x=1",
      host: "h.example.com",
      scheme: "http",
      status: 401,
      clientIp: "2001:db8::7",
      principal: "cred-9",
      userAgent: "ua-1",
      rateLimitHeaders: true,
    });
    const noRl = { ...entry, response: { status: 200, headers: { "x-ratelimit": "no" } } };
    const [f] = (await parseAll(parser, textSource(line(noRl)))).records;
    expect(f?.rateLimitHeaders).toBeUndefined();
  });

  it("accepts http-log batches (a JSON array per line)", async () => {
    const out = await parseAll(parser, textSource(line([base, { ...base, started_at: 1700000000999 }])));
    expect(out.records.map((r) => r.time)).toEqual([1700000000123, 1700000000999]);
  });

  it("reports bad lines with their numbers and ingests the rest", async () => {
    const text = [line(base), "{not json", "", line({ request: {} }), line(base), line({ ...base, started_at: "x" })].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.records).toHaveLength(2);
    expect(out.lineErrors).toEqual([
      { line: 2, message: "invalid JSON" },
      { line: 4, message: "no started_at" },
      { line: 6, message: "no started_at" },
    ]);
  });

  it("rejects a file that is not a Kong log", async () => {
    await expect(parseAll(parser, await sample("gateway-logs/envoy-istio-json-access.log"))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, await sample("api-inventory/crapi-openapi-spec.json"))).rejects.toThrow(
      /not a Kong file-log\/http-log log/,
    );
  });
});
