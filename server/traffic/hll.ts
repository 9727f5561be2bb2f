/**
 * A small HyperLogLog (Flajolet et al. 2007, with the usual small-range correction) over the traffic pipeline's
 * 53-bit value hashes: distinct parameter values per client × endpoint × parameter × UTC day once they outgrow the
 * exact set (server/traffic/aggregate.ts, traffic_param_day). Precision 12: 4,096 one-byte registers (stored as
 * `bytea`), a standard error of 1.04 / √4096 ≈ 1.6 %. Merging is the maximum per register: associative, commutative
 * and idempotent, so shards, flushes and files merge in any order and the database can merge stored rows
 * (write-rollups.ts does the same in SQL: register = the hash's low 12 bits, rank = trailing zeros of the other 41
 * bits + 1, 42 when they are all zero).
 */
export const HLL_PRECISION = 12;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
const RANK_BITS = 53 - HLL_PRECISION;
const TWO_32 = 0x100000000;

/** Trailing zero bits of a non-negative integer below 2^53 (0 → 53). */
function trailingZeros(n: number): number {
  const low = n % TWO_32;
  if (low !== 0) return 31 - Math.clz32(low & -low);
  const high = Math.floor(n / TWO_32);
  if (high === 0) return 53;
  return 32 + 31 - Math.clz32(high & -high);
}

/** The register and rank of a 53-bit hash. */
export function registerOf(hash: number): [index: number, rank: number] {
  const index = hash % HLL_REGISTERS;
  const rest = Math.floor(hash / HLL_REGISTERS);
  return [index, rest === 0 ? RANK_BITS + 1 : trailingZeros(rest) + 1];
}

export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    if (registers !== undefined && registers.length !== HLL_REGISTERS) throw new Error(`a sketch has ${HLL_REGISTERS} registers, not ${registers.length}`);
    this.registers = registers ? Uint8Array.from(registers) : new Uint8Array(HLL_REGISTERS);
  }

  /** Adds a 53-bit hash (a non-negative integer below 2^53). */
  add(hash: number): void {
    const [index, rank] = registerOf(hash);
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  /** Takes the maximum per register of `other` (the union of both sets). */
  merge(other: HyperLogLog | Uint8Array): this {
    const r = other instanceof HyperLogLog ? other.registers : other;
    if (r.length !== HLL_REGISTERS) throw new Error("cannot merge sketches of different precision");
    for (let i = 0; i < HLL_REGISTERS; i++) if ((r[i] as number) > (this.registers[i] as number)) this.registers[i] = r[i] as number;
    return this;
  }

  /** The estimated number of distinct hashes added. */
  estimate(): number {
    const m = HLL_REGISTERS;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = this.registers[i] as number;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    // Small range: linear counting is far more accurate while registers are still empty.
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }

  /** The registers as stored (a copy). */
  toBytes(): Uint8Array {
    return Uint8Array.from(this.registers);
  }

  static fromBytes(bytes: Uint8Array): HyperLogLog {
    return new HyperLogLog(bytes);
  }
}
