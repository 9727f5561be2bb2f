import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { decodePointer, operationOfPointer, parser } from "./parser";

describe("42crunch parser: DefectDojo many-findings audit", () => {
  it("gives one finding per (issue, pointer) with method and path from the JSON pointer", async () => {
    const { records, warnings } = await parseAll(parser, await sample("scan-results/42crunch-api-audit.json"));
    expect(records).toHaveLength(8);
    expect(warnings).toEqual([]);
    expect(records.every((r) => r.tool.name === "42Crunch" && r.tool.version === "3.1.6")).toBe(true);
    expect(records.every((r) => r.target === "https://auth-dev-internal.example.com/" && r.occurrences === 1)).toBe(true);
    expect(records.map((r) => [r.ruleId, r.severity, r.method ?? null, r.url ?? null])).toEqual([
      ["v3-global-securityscheme-apikey-inheader", "info", null, null],
      ["v3-operation-securityrequirement-apikey-inheader", "medium", "POST", "https://auth-dev-internal.example.com/integration-test/generate"],
      ["v3-operation-securityrequirement-apikey-inheader", "medium", "DELETE", "https://auth-dev-internal.example.com/integration-test/invalidate"],
      ["v3-operation-securityrequirement-apikey-inheader", "medium", "GET", "https://auth-dev-internal.example.com/integration-test/refresh"],
      ["v3-operation-securityrequirement-apikey-inheader", "medium", "PUT", "https://auth-dev-internal.example.com/integration-test/refresh"],
      ["v3-operation-securityrequirement-apikey-inheader", "medium", "GET", "https://auth-dev-internal.example.com/integration-test/verify"],
      ["v3-operation-securityrequirement-emptyarray", "high", "GET", "https://auth-dev-internal.example.com/integration-test/health"],
      ["v3-operation-securityrequirement-emptyarray", "high", "GET", "https://auth-dev-internal.example.com/integration-test/ping"],
    ]);
    expect(records[0]).toMatchObject({
      title: "Transporting API keys in a header over network allowed",
      file: "#/components/security/ApiKey",
    });
    expect(records[6]).toMatchObject({
      title: "The security section contains an empty array",
      description: "The security section of the operation 'get' contains an empty array",
      file: "#/paths/~1integration-test~1health/get/security",
    });
    expect(records.every((r) => r.cwe === undefined)).toBe(true);
  });
});

describe("42crunch parser: pointers and edge cases", () => {
  it("decodes JSON pointers", () => {
    expect(decodePointer("#/paths/~1users~1{id}/get/parameters/0")).toEqual(["paths", "/users/{id}", "get", "parameters", "0"]);
    expect(decodePointer("/a~0b/c~1d")).toEqual(["a~b", "c/d"]);
    expect(operationOfPointer("#/paths/~1users~1{id}/get/responses")).toEqual({ path: "/users/{id}", method: "GET" });
    expect(operationOfPointer("/paths/~1users/parameters/0")).toEqual({ path: "/users" });
    expect(operationOfPointer("/components/schemas/User")).toEqual({});
  });

  it("maps criticality 1..5 and reads every issue group", async () => {
    const report = {
      report: {
        index: ["/paths/~1a/get", "/paths/~1b/post", "/paths/~1c/put", "/paths/~1d/patch", "/paths/~1e/delete"],
        assessmentVersion: "4.0",
        summary: { apiName: "Acme" },
        security: {
          issues: {
            "sec-a": { description: "A", criticality: 5, issues: [{ pointer: 0 }, { pointer: 1, criticality: 2 }] },
          },
        },
        data: { issues: { "data-b": { description: "B", criticality: 4, issues: [{ pointer: 2 }, { pointer: 3, criticality: 3 }, { pointer: 4, criticality: 1 }, { pointer: 99 }] } } },
      },
    };
    const { records, warnings } = await parseAll(parser, textSource(JSON.stringify(report)));
    expect(records.map((r) => [r.ruleId, r.severity, r.method ?? null, r.url ?? null])).toEqual([
      ["sec-a", "critical", "GET", "/a"],
      ["sec-a", "low", "POST", "/b"],
      ["data-b", "high", "PUT", "/c"],
      ["data-b", "medium", "PATCH", "/d"],
      ["data-b", "info", "DELETE", "/e"],
      ["data-b", "high", null, null],
    ]);
    expect(records[0]?.target).toBe("Acme");
    expect(warnings.map((w) => w.message)).toEqual(["data issue data-b: pointer 99 is not in report.index"]);
  });

  it("rejects truncated and foreign JSON", async () => {
    const text = await (await sample("scan-results/42crunch-api-audit.json")).text();
    await expect(parseAll(parser, textSource(text.slice(0, 2000)))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource('{"report":{"x":1}}'))).rejects.toThrow(/not a 42Crunch audit report/);
  });

  it("detects 42Crunch reports only", () => {
    expect(parser.detect('{"report":{"index":["/a"],"security":{"issues":{}}}}', "")).toBe(1);
    expect(parser.detect('{"report":{"title":"x"}}', "42c.json")).toBe(0);
  });
});
