import { describe, expect, it } from "vitest";
import { ownString } from "./own-string";

describe("ownString", () => {
  it("returns an equal string", () => {
    for (const s of ["", "a", "exactly-13-ch", "198.51.100.200", "x".repeat(10_000), "é✓𝄞 non-ASCII text"]) expect(ownString(s)).toBe(s);
  });
});
