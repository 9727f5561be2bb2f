import { describe, expect, it } from "vitest";
import { identifierKind, isControlParam, isObjectParam, objectQueryParams, redactIdentifier } from "./query-params";

describe("identifierKind", () => {
  it.each([
    ["12345", "number"],
    ["7", "number"],
    ["+447911123456", "phone"],
    ["+44 7911 123456", "phone"],
    ["+1 (415) 555-2671", "phone"],
    ["0791-112-3456", "phone"],
    ["jane.doe@example.com", "email"],
    ["3f2b8c1e-7a4d-4f0e-9b6a-2c1d5e8f9a0b", "uuid"],
    ["9f0c1a2b3c4d5e6f7a8b", "hex"],
    ["dXNlcjoxMjM0NTY3ODkwYWJjZGVm", "token"],
  ] as const)("%s → %s", (value, kind) => {
    expect(identifierKind(value)).toBe(kind);
  });

  it.each(["shoes", "red shoes", "name", "2024-05-01", "2024-05-01T10:00:00Z", "12.5", "-3", "+44", "a@b", "", "desc", "abc123"])(
    "%j is not an identifier",
    (value) => {
      expect(identifierKind(value)).toBeNull();
    },
  );
});

describe("isObjectParam", () => {
  const declared = new Set(["phone", "name", "q", "page"]);
  it.each([
    // undeclared, identifier-looking values
    ["phone", "+447911123456", {}, true],
    ["email", "j@example.com", {}, true],
    ["customer", "81234", {}, true],
    ["ref", "3f2b8c1e-7a4d-4f0e-9b6a-2c1d5e8f9a0b", {}, true],
    // undeclared, words
    ["name", "alice", {}, false],
    ["colour", "red", {}, false],
    // declared: any value counts
    ["name", "alice", { declared }, true],
    // free-text search: only identifiers, declared or not
    ["q", "shoes", { declared }, false],
    ["q", "+447911123456", { declared }, true],
    ["search", "12345", {}, true],
    // control parameters never count, even declared and numeric
    ["page", "3", { declared }, false],
    ["page", "3", {}, false],
    ["limit", "50", {}, false],
    ["per_page", "100", {}, false],
    ["Page-Size", "100", {}, false],
    ["offset", "4000", {}, false],
    ["sort", "name", {}, false],
    ["_", "1700000000123", {}, false],
    ["ts", "1700000000", {}, false],
    ["api_key", "0123456789abcdef0123", {}, false],
    ["X-Amz-Signature", "0123456789abcdef0123456789abcdef", {}, false],
    ["cursor", "dXNlcjoxMjM0NTY3ODkwYWJjZGVm", {}, false],
  ] as const)("%s=%s (%j) → %s", (name, value, ctx, expected) => {
    expect(isObjectParam(name, value, ctx)).toBe(expected);
  });

  it("knows the control names", () => {
    expect(isControlParam("page")).toBe(true);
    expect(isControlParam("filter[page]")).toBe(false);
    expect(isControlParam("phone")).toBe(false);
  });
});

describe("objectQueryParams", () => {
  it("keeps object-identifying parameters, decoded, and drops paging and words", () => {
    expect(objectQueryParams("page=3&limit=50")).toBeNull();
    expect(objectQueryParams("sort=name&q=shoes")).toBeNull();
    expect(objectQueryParams("phone=%2B447911123456&page=2")).toEqual({ phone: "+447911123456" });
    expect(objectQueryParams("phone=+447911123456")).toEqual({ phone: "+447911123456" });
    expect(objectQueryParams("email=jane%40example.com&id=42&id=43")).toEqual({ email: "jane@example.com", id: "42" });
    expect(objectQueryParams("name=alice", { declared: new Set(["name"]) })).toEqual({ name: "alice" });
    expect(objectQueryParams("")).toBeNull();
    expect(objectQueryParams("&&=5&x=")).toBeNull();
    expect(objectQueryParams("bad=%E0%A4%A&n=%zz12")).toBeNull();
  });

  it("reads at most 20 parameters", () => {
    const q = Array.from({ length: 30 }, (_, i) => `p${i}=${i + 1}`).join("&");
    expect(Object.keys(objectQueryParams(q) ?? {})).toHaveLength(20);
  });
});

describe("redactIdentifier", () => {
  it.each([
    ["+447911123456", "+44••••••••56"],
    ["jane.doe@example.com", "j•••@example.com"],
    ["12345678", "12••••78"],
    ["1234", "••••"],
    ["123456", "1•••••"],
    ["3f2b8c1e-7a4d-4f0e-9b6a-2c1d5e8f9a0b", "3f••••••••••••0b"],
  ])("%s → %s", (value, shown) => {
    expect(redactIdentifier(value)).toBe(shown);
  });

  it("never shows the middle of a value", () => {
    expect(redactIdentifier("+447911123456")).not.toContain("7911");
    expect(redactIdentifier("jane.doe@example.com")).not.toContain("jane");
  });
});
