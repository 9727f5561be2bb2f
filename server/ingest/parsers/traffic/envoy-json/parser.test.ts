import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("envoy-json parser", () => {
  it("parses the real Istio JSON sample field by field (IPv6 peer, codec error skipped)", async () => {
    const out = await parseAll(parser, await sample("gateway-logs/envoy-istio-json-access.log"));
    expect(out.lineErrors).toEqual([]);
    expect(out.records).toHaveLength(2);
    expect(out.records[0]).toEqual({
      time: 1662641465656, // 2022-09-08T12:51:05.656Z
      method: "GET",
      path: "/reviews/0",
      status: 200,
      host: "reviews:9080",
      service: "inbound|9080||",
      route: "default",
      responseBytes: 358,
      latencyMs: 15,
      clientIp: "10.124.0.13",
      userAgent: "curl/7.79.1",
    });
    expect(out.records[1]?.clientIp).toBe("2a02:cf40::4e36");
    expect(out.warnings).toEqual([{ message: "1 line skipped: non-HTTP (TCP) connection (first on line 3)", line: 3 }]);
  });

  it("unwraps k8s/docker lines, prefers X-Forwarded-For and splits the query", async () => {
    const inner = {
      start_time: "2024-01-02T03:04:05.006+01:00",
      method: "post",
      path: "/api/login?next=%2F",
      protocol: "HTTP/2",
      response_code: "401",
      bytes_sent: "17",
      duration: null,
      downstream_remote_address: "[2001:db8::2]:51000",
      x_forwarded_for: "198.51.100.1,10.0.0.1",
      authority: "-",
      upstream_cluster: "outbound|80||auth.default.svc.cluster.local",
      x_forwarded_proto: "https",
    };
    const text = [
      JSON.stringify({ log: `${JSON.stringify(inner)}\n`, stream: "stdout" }),
      JSON.stringify({ message: JSON.stringify({ ...inner, x_forwarded_for: null }) }),
    ].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.lineErrors).toEqual([]);
    expect(out.records).toEqual([
      {
        time: Date.UTC(2024, 0, 2, 2, 4, 5, 6),
        method: "POST",
        path: "/api/login",
        query: "next=%2F",
        status: 401,
        service: "outbound|80||auth.default.svc.cluster.local",
        responseBytes: 17,
        clientIp: "198.51.100.1",
        scheme: "https",
      },
      expect.objectContaining({ clientIp: "2001:db8::2" }),
    ]);
  });

  it("reports bad lines with numbers", async () => {
    const good = JSON.stringify({ start_time: "2022-09-08T12:51:05Z", method: "GET", path: "/", response_code: 200 });
    const text = [good, "{", JSON.stringify({ start_time: "yesterday", method: "GET", path: "/" }), good, JSON.stringify({ message: "plain text" })].join("\n");
    const out = await parseAll(parser, textSource(text));
    expect(out.records.map((r) => r.time)).toEqual([1662641465000, 1662641465000]);
    expect(out.lineErrors).toEqual([
      { line: 2, message: "invalid JSON" },
      { line: 3, message: 'bad start_time "yesterday"' },
      { line: 5, message: "no start_time (not an Envoy JSON access log entry)" },
    ]);
  });

  it("rejects other JSON", async () => {
    await expect(parseAll(parser, await sample("gateway-logs/aws-apigateway-rest-access.log"))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, await sample("scan-results/nuclei-example-com.jsonl"))).rejects.toThrow(
      /not a Envoy\/Istio JSON access log/,
    );
  });
});
