// Every parser's detect() over every real sample: exactly one scan parser claims each scan result (highest score,
// nobody ties it) and it is the right one; no scan parser claims the inventory, log or vault samples.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLES_DIR, sample } from "../../test-utils";
import { scanParsers } from "./index";

const EXPECTED: [RegExp, string][] = [
  [/^42crunch-/, "42crunch"],
  [/^burp-/, "burp-xml"],
  [/\.sarif$/, "sarif"],
  [/^nuclei-/, "nuclei"],
  [/^stackhawk-/, "stackhawk"],
  [/^zap-.*\.xml$/, "zap-xml"],
  [/^zap-.*\.json$/, "zap-json"],
];

const files = (dir: string) => readdirSync(path.join(SAMPLES_DIR, dir)).sort();

describe("scan parser registry", () => {
  it("has unique ids and the seven formats", () => {
    expect(scanParsers.map((p) => p.id).sort()).toEqual(["42crunch", "burp-xml", "nuclei", "sarif", "stackhawk", "zap-json", "zap-xml"]);
    expect(scanParsers.every((p) => p.family === "scan")).toBe(true);
  });

  const scanFiles = files("scan-results");
  it("covers the ten scan samples", () => {
    expect(scanFiles).toHaveLength(10);
  });

  it.each(scanFiles)("%s is claimed by exactly one parser, the right one", async (name) => {
    const expected = EXPECTED.find(([re]) => re.test(name))?.[1];
    expect(expected).toBeDefined();
    const head = await (await sample(`scan-results/${name}`)).head();
    const scores = scanParsers.map((p) => ({ id: p.id, score: p.detect(head, name) }));
    const claimed = scores.filter((s) => s.score > 0);
    expect(claimed.map((s) => s.id)).toEqual([expected]);
    expect(claimed[0]!.score).toBeGreaterThanOrEqual(0.9);
  });

  const others = ["api-inventory", "gateway-logs", "vault-audit"].flatMap((dir) => files(dir).map((f) => `${dir}/${f}`));
  it.each(others)("%s is not claimed by any scan parser", async (rel) => {
    const head = await (await sample(rel)).head();
    const name = rel.split("/").pop() ?? rel;
    expect(scanParsers.map((p) => [p.id, p.detect(head, name)]).filter(([, s]) => (s as number) > 0)).toEqual([]);
  });
});
