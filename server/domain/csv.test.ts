import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvLine, csvLines, neutraliseFormula } from "./csv";

describe("CSV text", () => {
  it("quotes only what needs quotes, and doubles quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvLine(["a", "", "c"])).toBe("a,,c\r\n");
  });

  it("neutralises cells a spreadsheet would run as a formula", () => {
    for (const hostile of ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) expect(csvCell(hostile).replace(/^"/, "").startsWith("'")).toBe(true);
    expect(neutraliseFormula("API1")).toBe("API1");
  });

  it("reads back as the same cells (neutralised) for any text", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: "grapheme-composite" }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0]!.length;
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ""));
        const back = parse(csvLines(table), { relax_column_count: false, record_delimiter: "\r\n" }) as string[][];
        expect(back).toEqual(table.map((r) => r.map(neutraliseFormula)));
      }),
    );
  });
});
