import { describe, expect, it } from "vitest";
import { HLL_REGISTERS, HyperLogLog, registerOf } from "./hll";

/** 53-bit hashes of distinct values: the aggregator's value hash, salted (see aggregate.ts). */
import { ValueHasher } from "./aggregate";

const hasher = new ValueHasher("test-salt");
const sketchOf = (values: Iterable<string>) => {
  const h = new HyperLogLog();
  for (const v of values) h.add(hasher.hash(v));
  return h;
};
const range = (from: number, to: number, f: (i: number) => string = String) => Array.from({ length: to - from }, (_, i) => f(from + i));

describe("HyperLogLog", () => {
  it("estimates 1e5 distinct values within 3 standard errors (1.04/√4096 ≈ 1.6 %)", () => {
    for (const [label, make] of [
      ["numbers", (i: number) => String(i)],
      ["phone numbers", (i: number) => `+4479${String(i).padStart(8, "0")}`],
      ["e-mail addresses", (i: number) => `user${i}@example.com`],
    ] as const) {
      const estimate = sketchOf(range(0, 100_000, make)).estimate();
      expect(Math.abs(estimate - 100_000) / 100_000, label).toBeLessThan(3 * (1.04 / Math.sqrt(HLL_REGISTERS)));
    }
  });

  it("is close at small and middle cardinalities (linear counting, then the raw estimate)", () => {
    for (const n of [1, 10, 100, 1_000, 5_000, 20_000]) {
      const estimate = sketchOf(range(0, n)).estimate();
      expect(Math.abs(estimate - n), `n = ${n}`).toBeLessThanOrEqual(Math.max(1, 0.05 * n));
    }
    expect(new HyperLogLog().estimate()).toBe(0);
  });

  it("ignores repeated values", () => {
    const once = sketchOf(range(0, 3_000));
    const thrice = sketchOf([...range(0, 3_000), ...range(0, 3_000), ...range(0, 3_000)]);
    expect(thrice.registers).toEqual(once.registers);
  });

  it("merges as the union: associative, commutative, idempotent, equal to the sketch of all values", () => {
    const a = sketchOf(range(0, 40_000));
    const b = sketchOf(range(30_000, 70_000));
    const c = sketchOf(range(60_000, 100_000));
    const all = sketchOf(range(0, 100_000));
    const left = new HyperLogLog(a.registers).merge(b).merge(c);
    const right = new HyperLogLog(a.registers).merge(new HyperLogLog(b.registers).merge(c));
    const swapped = new HyperLogLog(c.registers).merge(a).merge(b);
    expect(left.registers).toEqual(all.registers);
    expect(right.registers).toEqual(all.registers);
    expect(swapped.registers).toEqual(all.registers);
    expect(new HyperLogLog(all.registers).merge(all).registers).toEqual(all.registers);
  });

  it("round-trips through its stored bytes", () => {
    const h = sketchOf(range(0, 12_345));
    const bytes = h.toBytes();
    expect(bytes).toHaveLength(HLL_REGISTERS);
    const back = HyperLogLog.fromBytes(Buffer.from(bytes));
    expect(back.registers).toEqual(h.registers);
    expect(back.estimate()).toBe(h.estimate());
    expect(() => HyperLogLog.fromBytes(new Uint8Array(10))).toThrow();
    expect(() => new HyperLogLog().merge(new Uint8Array(5))).toThrow();
  });

  it("maps a hash to its register (low 12 bits) and rank (trailing zeros of the other 41 bits + 1)", () => {
    expect(registerOf(0)).toEqual([0, 42]);
    expect(registerOf(4095)).toEqual([4095, 42]);
    expect(registerOf(4096 + 7)).toEqual([7, 1]);
    expect(registerOf(4096 * 8 + 1)).toEqual([1, 4]);
    expect(registerOf(4096 * 2 ** 33)).toEqual([0, 34]);
    expect(registerOf(2 ** 53 - 1)).toEqual([4095, 1]);
  });
});

describe("ValueHasher", () => {
  it("depends on the installation's salt, gives 53-bit integers, and spreads sequential values over registers", () => {
    const other = new ValueHasher("another-salt");
    expect(hasher.hash("+447911123456")).not.toBe(other.hash("+447911123456"));
    expect(hasher.hash("+447911123456")).toBe(new ValueHasher("test-salt").hash("+447911123456"));
    const used = new Set<number>();
    for (let i = 0; i < 4096; i++) {
      const h = hasher.hash(String(i));
      expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
      used.add(registerOf(h)[0]);
    }
    // 4,096 values into 4,096 registers: about 1 − 1/e of them used when the low bits are uniform.
    expect(used.size).toBeGreaterThan(2_400);
  });
});
