import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { detectParser } from "../../../registry";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

const line = (o: unknown) => JSON.stringify(o);

describe("aws-apigateway parser", () => {
  it("parses the real REST access-log sample field by field", async () => {
    const out = await parseAll(parser, await sample("gateway-logs/aws-apigateway-rest-access.log"));
    expect(out.lineErrors).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(out.records).toHaveLength(5);
    expect(out.records[0]).toEqual({
      time: Date.UTC(2023, 5, 10, 15, 36, 28),
      method: "GET",
      path: "/pets",
      route: "/pets",
      status: 200,
      responseBytes: 184,
      clientIp: "1.128.0.0",
    });
    expect(out.records[0]?.time).toBe(1686411388000);
    expect(out.records.map((r) => r.path)).toEqual([
      "/pets",
      "/pets/{petId}",
      "/pets/{petId}",
      // execute-api default domain: the URL path carries the stage
      "/prod/pets/{petId}",
      "/prod",
    ]);
    expect(out.records.map((r) => r.responseBytes)).toEqual([184, 49, 49, 48, 1310]);
    expect(out.records.every((r) => r.principal === undefined && r.status === 200)).toBe(true);
    expect(out.records[3]).toMatchObject({
      host: "asad15n3p0.execute-api.us-east-1.amazonaws.com",
      apiId: "asad15n3p0",
      route: "/pets/{petId}",
      time: 1690373223000,
    });
  });

  it("prefers the concrete path, takes query, principal, epoch time and latency", async () => {
    const out = await parseAll(
      parser,
      textSource(
        line({
          requestId: "r1",
          ip: "198.51.100.4",
          caller: "-",
          user: "arn:aws:iam::123456789012:user/alice",
          requestTimeEpoch: "1583798587000",
          httpMethod: "DELETE",
          resourcePath: "/pets/{petId}",
          path: "/prod/pets/7?force=true",
          status: "204",
          responseLength: "-",
          responseLatency: "31",
          userAgent: "aws-cli/2",
          domainName: "api.example.com",
        }),
      ),
    );
    expect(out.records).toEqual([
      {
        time: 1583798587000,
        method: "DELETE",
        path: "/prod/pets/7",
        query: "force=true",
        status: 204,
        host: "api.example.com",
        route: "/pets/{petId}",
        latencyMs: 31,
        clientIp: "198.51.100.4",
        principal: "arn:aws:iam::123456789012:user/alice",
        userAgent: "aws-cli/2",
      },
    ]);
  });

  it("handles HTTP API routeKey, authorizer claims, seconds epochs and WebSocket routes", async () => {
    const text = [
      line({ requestTime: "10/Mar/2020:00:03:07 +0000", routeKey: "GET /pets/{id}", status: "200", principalId: "-", "authorizer.claims.sub": "user-42" }),
      line({ requestTimeEpoch: "1583798587", routeKey: "$connect", eventType: "CONNECT", status: "200", connectionId: "abc=" }),
      line({ requestTime: "10/Mar/2020:00:03:07 +0100", httpMethod: "POST", routeKey: "$default", path: "/any/thing", status: "404", authorizer: { claims: { sub: "nested-sub" } } }),
    ].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.lineErrors).toEqual([]);
    expect(out.records).toEqual([
      { time: 1583798587000, method: "GET", path: "/pets/{id}", route: "GET /pets/{id}", status: 200, principal: "user-42" },
      { time: 1583798587000, method: "WEBSOCKET", path: "/$connect", route: "$connect", status: 200 },
      { time: 1583798587000 - 3_600_000, method: "POST", path: "/any/thing", route: "$default", status: 404, principal: "nested-sub" },
    ]);
  });

  describe("WebSocket access logs", () => {
    const ws = (o: Record<string, string>) =>
      line({ requestId: "r", ip: "198.51.100.9", caller: "-", user: "-", requestTime: "10/Mar/2020:00:03:07 +0000", connectionId: "-", ...o });
    const lines = [
      ws({ eventType: "-", routeKey: "-", status: "403" }),
      ws({ eventType: "MESSAGE", routeKey: "sendmessage", status: "200", connectionId: "Lx1=" }),
      ws({ eventType: "CONNECT", routeKey: "$connect", status: "200", connectionId: "Lx1=" }),
      ws({ eventType: "MESSAGE", routeKey: "-", status: "500", connectionId: "Lx1=" }),
      ws({ eventType: "DISCONNECT", routeKey: "-", status: "200", connectionId: "Lx1=" }),
      ws({ eventType: "-", routeKey: "-", status: "403" }),
    ];

    it("refused connections ('-' event type and route key) and custom route keys are events, not bad lines", async () => {
      const out = await parseAll(parser, textSource(lines.join("\n")));
      expect(out.lineErrors).toEqual([]);
      const base = { time: 1583798587000, method: "WEBSOCKET", clientIp: "198.51.100.9" };
      expect(out.records).toEqual([
        { ...base, path: "/$connect", status: 403 },
        { ...base, path: "/sendmessage", route: "sendmessage", status: 200 },
        { ...base, path: "/$connect", route: "$connect", status: 200 },
        { ...base, path: "/$default", status: 500 },
        { ...base, path: "/$disconnect", status: 200 },
        { ...base, path: "/$connect", status: 403 },
      ]);
    });

    it("a file of mostly such lines is detected as AWS API Gateway", () => {
      const head = `${lines.join("\n")}\n`;
      expect(parser.detect(head, "ws-access.log")).toBeGreaterThan(0.5);
      expect(detectParser(head, "ws-access.log")?.id).toBe("aws-apigateway");
    });

    it("an HTTP API line without a matched route stays an HTTP request", async () => {
      const out = await parseAll(parser, textSource(line({ requestTime: "10/Mar/2020:00:03:07 +0000", httpMethod: "GET", path: "/nope", routeKey: "-", status: "404" })));
      expect(out.records).toEqual([{ time: 1583798587000, method: "GET", path: "/nope", status: 404 }]);
    });
  });

  it("records a missing status as 0 with one warning", async () => {
    const out = await parseAll(parser, textSource(line({ requestTime: "10/Mar/2020:00:03:07 +0000", httpMethod: "GET", path: "/x" })));
    expect(out.records[0]?.status).toBe(0);
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]?.message).toMatch(/1 request\(s\) have no status/);
  });

  it("reports bad lines with their numbers", async () => {
    const good = line({ requestTime: "10/Mar/2020:00:03:07 +0000", httpMethod: "GET", resourcePath: "/a", status: "200" });
    const text = [
      good,
      line({ httpMethod: "GET", resourcePath: "/a" }),
      good,
      line({ requestTime: "32/Foo/2020:00:03:07 +0000", httpMethod: "GET", resourcePath: "/a" }),
      line({ requestTime: "10/Mar/2020:00:03:07 +0000", status: "200" }),
    ].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.records).toHaveLength(2);
    expect(out.lineErrors).toEqual([
      { line: 2, message: "no requestTime/requestTimeEpoch" },
      { line: 4, message: 'bad requestTime "32/Foo/2020:00:03:07 +0000"' },
      { line: 5, message: "no httpMethod/routeKey" },
    ]);
  });

  it("rejects other JSON logs", async () => {
    await expect(parseAll(parser, await sample("gateway-logs/kong-file-log-3.8-docs-example.jsonl"))).rejects.toThrow(
      ParseError,
    );
    await expect(parseAll(parser, await sample("vault-audit/hashicorp-vault-audit-file.log"))).rejects.toThrow(
      /not a AWS API Gateway access log/,
    );
  });
});
