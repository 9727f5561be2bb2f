import { describe, expect, it } from "vitest";
import { headObjects, jsonObjects, type JsonItem } from "./json-objects";

async function scan(text: string, maxObjectChars = 1 << 20): Promise<JsonItem[]> {
  async function* lines() {
    yield* text.split("\n");
  }
  const out: JsonItem[] = [];
  for await (const item of jsonObjects(lines(), { maxObjectChars })) out.push(item);
  return out;
}

const objects = (items: JsonItem[]) => items.filter((i) => i.kind === "object").map((i) => [i.line, i.kind === "object" ? i.value : null]);
const errors = (items: JsonItem[]) => items.filter((i) => i.kind === "error").map((i) => i.line);

describe("jsonObjects", () => {
  it("reads JSON lines", async () => {
    const items = await scan('{"a":1}\n\n{"a":2}\n');
    expect(objects(items)).toEqual([
      [1, { a: 1 }],
      [3, { a: 2 }],
    ]);
  });

  it("reads pretty-printed and concatenated objects, with braces and escapes inside strings", async () => {
    const text = [
      "{",
      '  "s": "a } { \\" \\\\",',
      '  "n": { "x": [1, {"y": 2}] }',
      '}{"b": 2} {"c": "}"}',
      "  {",
      '    "d": 4',
      "  }",
    ].join("\n");
    const items = await scan(text);
    expect(objects(items)).toEqual([
      [1, { s: 'a } { " \\', n: { x: [1, { y: 2 }] } }],
      [4, { b: 2 }],
      [4, { c: "}" }],
      [5, { d: 4 }],
    ]);
    expect(errors(items)).toEqual([]);
  });

  it("reads the objects of a top-level array", async () => {
    const items = await scan('[\n{"a":1},\n{"a":2}\n]');
    expect(objects(items).map(([, v]) => v)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("reports a truncated line and recovers on the next record", async () => {
    const items = await scan('{"a":1}\n{"a":"trunc\n{"a":3}\n{"a":{"b":4}\n{"a":5}');
    expect(objects(items).map(([line]) => line)).toEqual([1, 3, 5]);
    expect(errors(items)).toEqual([2, 4]);
  });

  it("reports junk lines, invalid JSON, oversized objects and an unterminated tail", async () => {
    const big = `{"x":"${"y".repeat(200)}"}`;
    const items = await scan(['not json', '{"a":tru}', big, "{", '  "a": 1', '  "b": "' + "z".repeat(300) + '"', "}", '{"ok":1}', "{"].join("\n"), 100);
    expect(errors(items)).toEqual([1, 2, 3, 4, 9]);
    expect(objects(items)).toEqual([[8, { ok: 1 }]]);
  });

  it("headObjects returns only complete objects from a head", () => {
    expect(headObjects('{"a":1}\n{"b":\n')).toEqual([{ a: 1 }]);
    expect(headObjects("openapi: 3.0.0\n")).toEqual([]);
  });
});
