import { describe, expect, it } from "vitest";
import { generateDemoScans } from "./scans";

describe("demo scanner reports", () => {
  const now = new Date("2026-11-20T12:00:00Z");
  it("are a pure function of the options, dated relative to now", () => {
    const a = generateDemoScans({ apis: 40, now });
    expect(generateDemoScans({ apis: 40, now })).toEqual(a);
    expect(a.map((r) => r.at.toISOString())).toEqual(["2026-10-16T12:00:00.000Z", "2026-11-10T12:00:00.000Z"]);
    expect(a[0]!.files.map((f) => f.name.split("/").pop())).toEqual(["zap-report.json", "semgrep.sarif", "nuclei.jsonl"]);
    expect(a[1]!.files.map((f) => f.name.split("/").pop())).toEqual(["zap-report.xml", "semgrep.sarif", "nuclei.jsonl"]);
    expect(generateDemoScans({ apis: 40, seed: 2, now })).not.toEqual(a);
  });
});
