import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("envoy-text parser", () => {
  it("parses the real default-format sample field by field (ACCESS prefix, k8s wrapping, TCP lines)", async () => {
    const out = await parseAll(parser, await sample("gateway-logs/envoy-default-text-access.log"));
    expect(out.lineErrors).toEqual([]);
    expect(out.warnings).toEqual([{ message: "2 lines skipped: non-HTTP (TCP) connection (first on line 1)", line: 1 }]);
    expect(out.records).toHaveLength(5);
    expect(out.records[0]).toEqual({
      time: 1554740215931, // 2019-04-08T16:16:55.931Z
      method: "GET",
      path: "/service/1",
      status: 200,
      responseBytes: 89,
      latencyMs: 5,
      userAgent: "curl/7.54.0",
      host: "localhost:8000",
    });
    expect(out.records.map((r) => r.status)).toEqual([200, 404, 301, 200, 501]);
    expect(out.records.map((r) => r.clientIp)).toEqual([undefined, "172.17.0.3", "172.17.0.3", "192.168.0.9", "172.17.0.3"]);
    expect(out.records.map((r) => r.host)).toEqual(["localhost:8000", "192.168.99.107:30901", "www.elastic.co", "localhost:9001", "httpbin.org"]);
    expect(out.records[3]?.time).toBe(1714067515294); // ACCESS-prefixed line
    expect(out.records[4]).toMatchObject({ path: "/httpbin/status/501", latencyMs: 180, time: 1554868174451 }); // k8s-wrapped
  });

  it("parses Istio's default text format (peer address, cluster, route) and query strings", async () => {
    const text =
      '[2020-11-25T21:26:18.409Z] "GET /status/418?x=1 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" ' +
      '"84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "127.0.0.1:80" inbound|8000|| 127.0.0.1:41854 ' +
      "10.44.1.27:80 [2001:db8::9]:52406 outbound_.8000_._.httpbin.foo.svc.cluster.local default";
    const out = await parseAll(parser, textSource(text));
    expect(out.lineErrors).toEqual([]);
    expect(out.records).toEqual([
      {
        time: Date.UTC(2020, 10, 25, 21, 26, 18, 409),
        method: "GET",
        path: "/status/418",
        query: "x=1",
        status: 418,
        responseBytes: 135,
        latencyMs: 4,
        userAgent: "curl/7.73.0-DEV",
        host: "httpbin:8000",
        service: "inbound|8000||",
        route: "default",
        clientIp: "2001:db8::9",
      },
    ]);
  });

  it("reports bad lines with numbers", async () => {
    const good = '[2019-04-08T16:16:55.931Z] "GET /a HTTP/1.1" 200 - 0 89 5 4 "-" "ua" "id" "h" "u"';
    const text = [
      good,
      '[2019-04-08T16:16:55.931Z] "GET /a HTTP/1.1" 200 - 0 89',
      good,
      '[not-a-time] "GET /a HTTP/1.1" 200 - 0 89 5 4 "-" "ua" "id" "h" "u"',
      '[2019-04-08T16:16:55.931Z] "GET /a HTTP/1.1" 2xx - 0 89 5 4 "-" "ua" "id" "h" "u"',
    ].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.records).toHaveLength(2);
    expect(out.lineErrors).toEqual([
      { line: 2, message: "expected 13 fields, found 6" },
      { line: 4, message: "bad start time [not-a-time]" },
      { line: 5, message: 'bad response code "2xx"' },
    ]);
  });

  it("rejects other logs", async () => {
    await expect(parseAll(parser, await sample("gateway-logs/nginx-combined-beats-access.log"))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, await sample("gateway-logs/envoy-istio-json-access.log"))).rejects.toThrow(
      /not a Envoy text access log/,
    );
  });
});
