/**
 * A small seeded pseudo-random number generator for demo data (mulberry32, seeded through a splitmix32 mix so that
 * nearby seeds give unrelated streams). Deterministic across platforms and Node versions: only 32-bit integer
 * arithmetic (Math.imul, >>>) is used. Not for anything security-related.
 */

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One value, chosen with probability proportional to its weight (weights ≥ 0, at least one > 0). */
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent generator derived from this one's next output (consumes one value). */
  fork(): Rng;
  /** A 32-bit unsigned integer (the raw output). */
  uint32(): number;
}

/** splitmix32-style finaliser: spreads the bits of a 32-bit integer. */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Combines several integers into one 32-bit seed (order matters). */
export function seedFrom(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) h = mix32(h ^ (part >>> 0));
  return h;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Fold non-integer / large seeds into 32 bits deterministically.
  const low = Math.trunc(seed) >>> 0;
  const high = Math.trunc(seed / 0x1_0000_0000) >>> 0;
  let state = seedFrom(low, high);

  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 0x1_0000_0000;

  const rng: Rng = {
    next,
    uint32,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`bad integer range [${min}, ${max}]`);
      }
      return min + Math.floor(next() * (max - min + 1));
    },
    chance(p) {
      return next() < p;
    },
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError("pick from an empty array");
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted<T>(entries: readonly (readonly [T, number])[]): T {
      let total = 0;
      for (const [, weight] of entries) total += Math.max(0, weight);
      if (!(total > 0)) throw new RangeError("weighted pick needs a positive total weight");
      let r = next() * total;
      for (const [value, weight] of entries) {
        r -= Math.max(0, weight);
        if (r < 0) return value;
      }
      // Floating-point edge: fall back to the last entry with a positive weight.
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = entries[i];
        if (entry && entry[1] > 0) return entry[0];
      }
      throw new RangeError("unreachable");
    },
    shuffle<T>(items: readonly T[]): T[] {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = out[i] as T;
        out[i] = out[j] as T;
        out[j] = tmp;
      }
      return out;
    },
    fork() {
      return createRng(uint32());
    },
  };
  return rng;
}
