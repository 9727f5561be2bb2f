import { describe, expect, it } from "vitest";
import { ParseError } from "../../contract";
import { RecordGate, parseRfc3339, plain, safeErrorText } from "./common";

describe("parseRfc3339", () => {
  it("parses nanosecond times, truncating to milliseconds", () => {
    expect(parseRfc3339("2020-12-01T20:29:04.356625452Z")).toBe(Date.UTC(2020, 11, 1, 20, 29, 4, 356));
    expect(parseRfc3339("2020-12-01T20:29:04.36089379Z")).toBe(Date.UTC(2020, 11, 1, 20, 29, 4, 360));
    expect(parseRfc3339("2018-01-16T05:46:57Z")).toBe(1516081617000);
  });
  it("applies offsets and treats zoneless times as UTC", () => {
    expect(parseRfc3339("2021-03-11T19:43:44+02:00")).toBe(Date.UTC(2021, 2, 11, 17, 43, 44));
    expect(parseRfc3339("2021-03-11T17:43:44")).toBe(Date.UTC(2021, 2, 11, 17, 43, 44));
  });
  it("rejects non-times and impossible dates", () => {
    for (const bad of ["", "Mar 11 09:43:44", "2021-02-30T00:00:00Z", "2021-13-01T00:00:00Z", 12, null]) {
      expect(parseRfc3339(bad)).toBeUndefined();
    }
  });
});

describe("plain / safeErrorText", () => {
  it("drops HMAC'd values and scrubs them from error text", () => {
    expect(plain("hmac-sha256:abc123")).toBeUndefined();
    expect(plain("10.0.0.1")).toBe("10.0.0.1");
    expect(safeErrorText("bad token hmac-sha256:deadbeef\n\tretry")).toBe("bad token [hmac] retry");
    expect(safeErrorText("password=hunter2 failed")).not.toContain("hunter2");
  });
});

describe("RecordGate", () => {
  it("rejects a file whose first 20 records are all bad", () => {
    const gate = new RecordGate("an X log");
    const errors: number[] = [];
    expect(() => {
      for (let i = 1; i <= 20; i++) gate.fail(i, "bad", (line) => errors.push(line));
    }).toThrow(ParseError);
    expect(errors).toHaveLength(20);
  });
  it("accepts once one of the first records is good, and rejects short all-bad and empty files", () => {
    const gate = new RecordGate("an X log");
    gate.good();
    for (let i = 2; i <= 40; i++) gate.fail(i, "bad", () => {});
    expect(() => gate.finish()).not.toThrow();
    const short = new RecordGate("an X log");
    short.fail(1, "bad", () => {});
    expect(() => short.finish()).toThrow(/not an X log/);
    expect(() => new RecordGate("an X log").finish()).toThrow(/no records/);
  });
});
