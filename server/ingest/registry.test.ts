import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { ingest } from "./pipeline";
import { detectParser, undetectedMessage } from "./registry";
import { bufferSource } from "./source";

// An NGINX log whose format changed to $time_iso8601 after four lines: a variant of NGINX, not a foreign file.
const CLF = '203.0.113.9 - - [01/Mar/2024:12:00:00 +0000] "GET /orders HTTP/1.1" 200 512 "-" "curl/8"';
const ISO = '203.0.113.9 - - [2024-03-01T12:00:01+00:00] "GET /orders HTTP/1.1" 200 512 "-" "curl/8"';
const MIXED = `${[CLF, CLF, "", CLF, CLF, ISO, ISO, ISO, ISO, ISO, ISO, ISO].join("\n")}\n`;

describe("undetectedMessage", () => {
  it("names the line format that reads part of the first lines, and its first line it cannot read", () => {
    expect(detectParser(MIXED, "access.log")).toBeNull();
    expect(undetectedMessage(MIXED, "access.log")).toBe(
      "not a format Postern reads with confidence: 4 of its first 11 lines read as NGINX access (nginx); " +
        "line 6 does not (bad time [2024-03-01T12:00:01+00:00]). A variant of that format? --format nginx reads the lines it can and reports the others",
    );
  });

  it("names a document format that found some of its markers", () => {
    const head = '{"note": "a SARIF log would have runs"}';
    expect(detectParser(head, "scan.sarif")).toBeNull();
    expect(undetectedMessage(head, "scan.sarif")).toMatch(/closest to SARIF 2\.1\.0 \(sarif\).*--format sarif/);
  });

  it("says only that nothing matched for a foreign file", () => {
    expect(undetectedMessage("hello\nworld\n", "notes.txt")).toBe("not a format Postern reads (no parser recognised its content)");
  });
});

describe.each(TEST_DATABASES)("an undetected file on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("fails with the near-miss format and line in the run's message", async () => {
    const result = await ingest(db.prisma, { file: bufferSource(MIXED, "access.log"), channel: "cli", actor: { type: "system" }, correlate: false });
    expect(result).toMatchObject({ status: "failed", format: null });
    expect(result.message).toBe(undetectedMessage(MIXED, "access.log"));
    const forced = await ingest(db.prisma, { file: bufferSource(MIXED, "access.log"), channel: "cli", actor: { type: "system" }, correlate: false, options: { format: "nginx" } });
    expect(forced).toMatchObject({ status: "succeeded", format: "nginx", errorCount: 7 });
    expect(forced.lineErrors[0]).toEqual({ line: 6, message: "bad time [2024-03-01T12:00:01+00:00]" });
  });
});
