/**
 * The populated buckets of one side (positive or negative) of a native
 * histogram: bucket index -> count, in an open-addressing hash table over
 * two typed arrays (linear probing, Fibonacci hashing, load <= 1/2).
 *
 * client_golang keeps them in a sync.Map. Here adding to an existing bucket
 * is a multiply, a shift and an array probe, and allocates nothing; the
 * arrays double when half full, so they grow rarely and never with the
 * spread of the observed values (a dense array over the indices from the
 * smallest to the largest bucket would take 4 MB per side at schema 8 for
 * two observations 1e-300 and 1e300).
 */

/** No bucket index reaches this (they stay within about ±2^19). */
const EMPTY = 0x7fffffff;
const INITIAL_BITS = 4;

export class SparseBuckets {
  /** Bucket indices; EMPTY marks a free slot. */
  private keys: Int32Array;
  /** Counts (float64: exact up to 2^53 observations). */
  private counts: Float64Array;
  private shift: number;
  private mask: number;
  /** Number of populated buckets. */
  size = 0;

  constructor() {
    this.keys = new Int32Array(1 << INITIAL_BITS).fill(EMPTY);
    this.counts = new Float64Array(1 << INITIAL_BITS);
    this.shift = 32 - INITIAL_BITS;
    this.mask = (1 << INITIAL_BITS) - 1;
  }

  /** Adds `n` to bucket `key`; returns true when the bucket was created. */
  add(key: number, n: number): boolean {
    const keys = this.keys;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (let k = keys[i]!; k !== key; k = keys[i]!) {
      if (k === EMPTY) return this.insert(i, key, n);
      i = (i + 1) & this.mask;
    }
    this.counts[i]! += n;
    return false;
  }

  /** A new bucket in free slot `i` (out of line: the hot path above stays small enough for V8 to inline). */
  private insert(i: number, key: number, n: number): true {
    this.keys[i] = key;
    this.counts[i] = n;
    if (++this.size * 2 > this.keys.length) this.rehash(this.keys.length * 2);
    return true;
  }

  /** The count of bucket `key` (0 when absent). */
  get(key: number): number {
    const keys = this.keys;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return this.counts[i]!;
      if (k === EMPTY) return 0;
      i = (i + 1) & this.mask;
    }
  }

  /** Removes bucket `key`; returns its count (0 when absent). Rare (zero-bucket widening): rebuilds the table. */
  delete(key: number): number {
    if (!this.has(key)) return 0;
    const c = this.get(key);
    const keys = this.keys;
    const counts = this.counts;
    this.clearSlots();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== EMPTY && k !== key) this.add(k, counts[i]!);
    }
    return c;
  }

  has(key: number): boolean {
    const keys = this.keys;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[i]!;
      if (k === key) return true;
      if (k === EMPTY) return false;
      i = (i + 1) & this.mask;
    }
  }

  /** Removes every bucket (keeps the table's size). */
  clear(): void {
    this.keys.fill(EMPTY);
    this.counts.fill(0);
    this.size = 0;
  }

  /** The smallest populated index, or 2^31 - 1 when empty (client_golang findSmallestKey returns MaxInt32). */
  minKey(): number {
    let min = EMPTY;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i]! < min) min = keys[i]!;
    return min;
  }

  /** Replaces every index k by `map(k)`, adding the counts of indices that meet (halving the resolution). */
  remap(map: (key: number) => number): void {
    const keys = this.keys;
    const counts = this.counts;
    this.clearSlots();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== EMPTY) this.add(map(k), counts[i]!);
    }
  }

  /** The populated indices in ascending order (allocates; for snapshots). */
  sortedKeys(): Int32Array {
    const out = new Int32Array(this.size);
    let j = 0;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) out[j++] = keys[i]!;
    return out.sort();
  }

  /** Fresh empty arrays of the current size (the old ones stay with the caller that is rebuilding from them). */
  private clearSlots(): void {
    const n = this.keys.length;
    this.keys = new Int32Array(n).fill(EMPTY);
    this.counts = new Float64Array(n);
    this.size = 0;
  }

  private rehash(capacity: number): void {
    const keys = this.keys;
    const counts = this.counts;
    const bits = Math.log2(capacity);
    this.keys = new Int32Array(capacity).fill(EMPTY);
    this.counts = new Float64Array(capacity);
    this.shift = 32 - bits;
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k !== EMPTY) this.add(k, counts[i]!);
    }
  }
}
