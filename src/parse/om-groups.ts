/**
 * The label groups one OpenMetrics family has shown, for the rule "MetricPoints
 * of one MetricFamily with the same labels MUST be grouped together"
 * (OpenMetrics 1.0, "MetricFamily"): a set of 64-bit group keys (two seeded
 * 32-bit hashes, see om-rules.ts groupKey) in open addressing over typed
 * arrays, reused from family to family.
 *
 * Why not a `Set<number>`: its keys were 53-bit doubles, and V8 stores each
 * new one as a heap number in a table that grows by copying; that was 4.3 MB
 * of the 7.9 MB the OpenMetrics walk allocated per 16 MB parse (sampling heap
 * profile, objects collected by GC included), and the boxed key returned by
 * `groupKey` another 1.6 MB. Here a key is two int32s, nothing is allocated
 * per sample, and a new family clears the table by bumping a generation
 * stamp instead of allocating a new set.
 *
 * The slot comes from the first key half, which is seeded per process
 * (om-rules.ts SEEDS), so nobody outside the process can choose series whose
 * keys share a chain (test/parser.hash-flood.test.ts).
 */

/** Slots at first; the table doubles when it is half full. */
const INITIAL_SLOTS = 64;

export class GroupSet {
  private k1: Int32Array = new Int32Array(INITIAL_SLOTS);
  private k2: Int32Array = new Int32Array(INITIAL_SLOTS);
  /** A slot is taken when its stamp is the current generation. */
  private stamp: Uint32Array = new Uint32Array(INITIAL_SLOTS);
  private gen = 1;
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  /** Empties the set (a new family). */
  clear(): void {
    this.count = 0;
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  /** True when the key (k1, k2) is in the set. */
  has(k1: number, k2: number): boolean {
    const stamp = this.stamp;
    const gen = this.gen;
    const mask = this.mask;
    for (let i = k1 & mask; ; i = (i + 1) & mask) {
      if (stamp[i] !== gen) return false;
      if (this.k1[i] === k1 && this.k2[i] === k2) return true;
    }
  }

  /** Adds the key (k1, k2); a no-op when it is there. */
  add(k1: number, k2: number): void {
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    const stamp = this.stamp;
    const gen = this.gen;
    const mask = this.mask;
    let i = k1 & mask;
    for (; stamp[i] === gen; i = (i + 1) & mask) {
      if (this.k1[i] === k1 && this.k2[i] === k2) return;
    }
    stamp[i] = gen;
    this.k1[i] = k1;
    this.k2[i] = k2;
    this.count++;
  }

  private grow(): void {
    const o1 = this.k1;
    const o2 = this.k2;
    const os = this.stamp;
    const gen = this.gen;
    const size = (this.mask + 1) * 2;
    this.k1 = new Int32Array(size);
    this.k2 = new Int32Array(size);
    this.stamp = new Uint32Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < os.length; i++) if (os[i] === gen) this.add(o1[i]!, o2[i]!);
  }
}
