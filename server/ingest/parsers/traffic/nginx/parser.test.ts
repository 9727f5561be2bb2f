import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { detectParser } from "../../../registry";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("nginx parser", () => {
  it("parses the real combined-format sample field by field", async () => {
    const out = await parseAll(parser, await sample("gateway-logs/nginx-combined-beats-access.log"));
    expect(out.lineErrors).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(out.records).toHaveLength(13);
    expect(out.records[0]).toEqual({
      time: 1477399773000, // 25/Oct/2016:14:49:33 +0200
      method: "GET",
      path: "/",
      status: 200,
      responseBytes: 612,
      clientIp: "77.179.66.156",
      userAgent:
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36",
    });
    expect(out.records.map((r) => r.status)).toEqual([200, 404, 404, 200, 404, 404, 404, 404, 404, 304, 304, 404, 206]);
    expect(out.records[3]?.time).toBe(1481103283000); // 07/Dec/2016:10:34:43 +0100
    expect(out.records.filter((r) => r.clientIp === "127.0.0.1")).toHaveLength(4);
    expect(out.records.every((r) => r.principal === undefined)).toBe(true);
    // leading virtual host
    expect(out.records[12]).toMatchObject({
      host: "lessons.example.com",
      clientIp: "192.168.0.1",
      time: 1591729839000, // 09/Jun/2020:12:10:39 -0700
      path: "/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4",
      responseBytes: 7648063,
    });
    expect(out.records.slice(0, 12).every((r) => r.host === undefined)).toBe(true);
  });

  it("parses the common format, IPv6, remote_user, query, X-Forwarded-For and absolute targets", async () => {
    const text = [
      '2001:db8::1 - alice [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1 HTTP/1.0" 200 2326',
      '10.0.0.2 - - [10/Oct/2000:13:55:36 +0000] "POST /login HTTP/1.1" 401 - "-" "python-requests/2.31" "203.0.113.7, 10.0.0.1"',
      '10.0.0.3 - - [10/Oct/2000:13:55:36 +0000] "GET http://Proxy.Example.com/x?y HTTP/1.1" 200 5 "-" "-" "-"',
      '10.0.0.4 - - [10/Oct/2000:13:55:36 +0000] "GET /q HTTP/1.1" 200 5 "-" "ua" "-" rt=0.004',
    ].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.lineErrors).toEqual([]);
    expect(out.records).toEqual([
      { time: 971211336000, method: "GET", path: "/apache_pb.gif", query: "a=1", status: 200, responseBytes: 2326, principal: "alice", clientIp: "2001:db8::1" },
      { time: 971186136000, method: "POST", path: "/login", status: 401, responseBytes: 0, userAgent: "python-requests/2.31", clientIp: "203.0.113.7" },
      { time: 971186136000, method: "GET", path: "/x", query: "y", status: 200, responseBytes: 5, host: "proxy.example.com", scheme: "http", clientIp: "10.0.0.3" },
      { time: 971186136000, method: "GET", path: "/q", status: 200, responseBytes: 5, userAgent: "ua", clientIp: "10.0.0.4" },
    ]);
  });

  it("skips connections without a request line (counted in a warning, not errors)", async () => {
    const text = [
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "-" 400 0 "-" "-"',
      '10.0.0.1 - - [10/Oct/2000:13:55:37 +0000] "" 408 0 "-" "-"',
      '10.0.0.1 - - [10/Oct/2000:13:55:38 +0000] "\\x16\\x03\\x01\\x00" 400 157 "-" "-"',
      '10.0.0.1 - - [10/Oct/2000:13:55:39 +0000] "GET / HTTP/1.1" 200 1 "-" "-"',
    ].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.records).toHaveLength(1);
    expect(out.lineErrors).toEqual([]);
    expect(out.warnings).toEqual([
      { message: "2 lines skipped: connection without a request line (first on line 1)", line: 1 },
      { message: "1 line skipped: request line is not HTTP (malformed or binary) (first on line 3)", line: 3 },
    ]);
  });

  it("reports 3 bad lines among good ones with their line numbers", async () => {
    const good = '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-"';
    const text = [
      "garbage line",
      good,
      good,
      '1.2.3.4 - - [99/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1',
      good,
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" abc 1',
      good,
    ].join("\r\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.records).toHaveLength(4);
    expect(out.lineErrors.map((e) => e.line)).toEqual([1, 4, 6]);
    expect(out.lineErrors[1]?.message).toBe("bad time [99/Oct/2000:13:55:36 -0700]");
    expect(out.lineErrors[2]?.message).toBe('bad status "abc"');
  });

  describe("a forwarded list in $remote_addr", () => {
    const rest = '[10/Oct/2000:13:55:36 +0000] "GET /orders/7 HTTP/1.1" 200 12 "-" "curl/8"';
    const lines = [
      `10.0.0.2, 10.0.0.1, 127.0.0.1 - - ${rest}`,
      `"203.0.113.7, 10.0.0.1" - - ${rest}`,
      `2001:db8::7, 2001:db8::1 - - ${rest}`,
      `"[2001:db8::9]:51234, 10.0.0.1" - - ${rest}`,
      `198.51.100.4, 10.0.0.1 10.0.0.5 - - ${rest}`,
      `"198.51.100.5, 10.0.0.1" 10.0.0.5 - bob ${rest}`,
      `"-" 10.0.0.6 - - ${rest}`,
      `unknown, 10.0.0.1 10.0.0.7 - - ${rest}`,
      `api.example.com 198.51.100.8, 10.0.0.1 - alice ${rest}`,
    ];

    it("takes the first hop as the client, with or without quotes, IPv6 entries and a following address field", async () => {
      const out = await parseAll(parser, textSource(lines.join("\n")));
      expect(out.lineErrors).toEqual([]);
      expect(out.records.map((r) => r.clientIp)).toEqual([
        "10.0.0.2",
        "203.0.113.7",
        "2001:db8::7",
        "2001:db8::9",
        "198.51.100.4",
        "198.51.100.5",
        "10.0.0.6",
        "10.0.0.7",
        "198.51.100.8",
      ]);
      expect(out.records[0]).toEqual({ time: 971186136000, method: "GET", path: "/orders/7", status: 200, responseBytes: 12, userAgent: "curl/8", clientIp: "10.0.0.2" });
      expect(out.records[5]?.principal).toBe("bob");
      expect(out.records[8]).toMatchObject({ host: "api.example.com", principal: "alice" });
      expect(out.records.slice(0, 8).every((r) => r.host === undefined)).toBe(true);
    });

    it("is detected as NGINX (a file of such lines was 'not a format Postern reads')", () => {
      const head = `${lines.slice(0, 3).join("\n")}\n`;
      expect(parser.detect(head, "access.log")).toBeGreaterThan(0.5);
      expect(detectParser(head, "access.log")?.id).toBe("nginx");
    });

    it("still rejects fields before [time] that are not addresses", async () => {
      const out = await parseAll(parser, textSource([`10.0.0.2, not-an-address - - ${rest}`, `a.example b.example c.example - - ${rest}`, lines[0]].join("\n")));
      expect(out.lineErrors).toEqual([
        { line: 1, message: "unexpected fields before [time]" },
        { line: 2, message: "unexpected fields before [time]" },
      ]);
      expect(out.records).toHaveLength(1);
    });
  });

  it("rejects other logs and documents", async () => {
    await expect(parseAll(parser, await sample("gateway-logs/envoy-default-text-access.log"))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, await sample("api-inventory/swagger-petstore-v3-openapi.yaml"))).rejects.toThrow(
      /not a NGINX access log: none of the first 20 lines parse \(line 1:/,
    );
  });
});
