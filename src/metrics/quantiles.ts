/**
 * A summary's quantile estimator: targeted quantiles over a sliding time
 * window, with a proven rank-error bound and no dependencies (runtime-neutral).
 *
 * ## The window (client_golang prometheus/summary.go)
 *
 * `ageBuckets` streams each receive every observation; the window is split
 * into periods of `maxAge / ageBuckets`. Periods start at the series' first
 * observation `t0`: boundaries `b_m = t0 + m * d`. When the clock is past a
 * boundary (strictly, as Go's `now.After(headStreamExpTime)`), the oldest
 * stream (the head) is emptied and the next one becomes the head. Quantiles
 * are read from the head, so at time `T` in `(b_M, b_{M+1}]` they cover the
 * observations made after `b_{M+1-ageBuckets}` (all of them while
 * `M + 1 - ageBuckets <= 0`): between `maxAge - d` and `maxAge` of history.
 * Rotation happens when an observation or a read finds the clock past the
 * head's end: an idle series costs nothing, and a read after any idle time
 * costs at most `ageBuckets` stream resets (client_golang loops once per
 * period missed).
 *
 * Observations are appended to a buffer (up to BUF_CAP = 500 values, as
 * client_golang's DefBufCap), sorted once when it is full, before a
 * rotation, or when quantiles are read, and merged into every stream. NaN
 * observations have no rank and are left out (client_golang inserts them,
 * which leaves its sort order undefined).
 *
 * ## Each stream: a Greenwald-Khanna summary with a targeted invariant
 *
 * A stream holds tuples `(v_i, g_i, D_i)` sorted by value. With observations
 * totally ordered by (value, arrival), `rmin_i = g_1 + ... + g_i` and
 * `rmax_i = rmin_i + D_i` bound the position of an observation equal to
 * `v_i` (Greenwald & Khanna 2001). The first and last tuples are the exact
 * minimum and maximum. For a tuple `x` let `B_x = rmin` of the tuple before
 * it (0 for the first) and `A_x = n - rmax_x`; both only grow as
 * observations arrive. For objectives `(q_j, e_j)` with `0 < q_j < 1` every
 * tuple keeps
 *
 *     g_x + D_x <= max(1, F(B_x, A_x)),
 *     F(B, A) = min_j 2 e_j max(B / (q_j + e_j), A / (1 - q_j - e_j))
 *
 * (an objective with `q_j + e_j >= 1` leaves F unbounded and is left out).
 * F grows with B and A, so the invariant survives insertions elsewhere; an
 * insertion takes `D = g_s + D_s - 1` from its successor `s` (exact, D = 0,
 * as a new minimum or maximum), so its `g + D` is its successor's (or 1) and
 * its own B and A are no smaller; compressing folds a tuple `c` into its
 * successor `x` only when `g_c + g_x + D_x <= F(B_c, A_x)`.
 *
 * **Error bound.** For an objective `(q, e)` over a window of `n`
 * observations, let `r = max(1, q n)`. The value returned is an observation
 * of the window whose position `k` in the window's sorted observations (any
 * position holding that value) satisfies `|k - r| <= max(e n, 1)`: it is the
 * `phi`-quantile for some `phi` in `[q - e, q + e]`, as client_golang's
 * Objectives promise, once the window holds `1/e` observations (below that,
 * positions being whole, within one position of `r`). Proof: let `i` be
 * the first tuple with `rmax_i > r + e n` (if none, the maximum, at `n`,
 * qualifies). Tuple `i-1` has `rmax <= r + e n`; `B_i <= r + e n` and
 * `A_i < n - r - e n` give `F(B_i, A_i) <= 2 e n` (for `r = q n`; for
 * `r = 1` every `rmin >= 1 >= r - e n` already), so
 * `rmin_{i-1} = rmax_i - D_i - g_i > r + e n - max(1, 2 e n)`.
 * The query returns the tuple whose `[rmin, rmax]` is nearest `r`, at least
 * as good.
 *
 * This is CKMS's targeted invariant (Cormode et al. 2005, beorn7/perks
 * NewTargeted) with `q + e` and `1 - q - e` where CKMS divides by `q` and
 * `1 - q`: CKMS lets a tuple just past `q n` hold `2 e n (1 + e/q)`, more
 * than the `2 e n` the argument above needs, and perks' insertion takes D
 * from F rather than from the successor.
 *
 * Quantiles 0 and 1 are exact (the minimum and maximum) and do not
 * constrain F. An objective's error must be > 0 for 0 < q < 1: error 0
 * would keep every observation.
 *
 * **Memory.** Per series: one buffer that grows to at most BUF_CAP (500)
 * doubles, and `ageBuckets` streams of 3 doubles per tuple (arrays grown by
 * 1.5x; one scratch set shared by every stream for merges). F is at least
 * `2 e_min (n - g_x - D_x)` (max(a/alpha, b/beta) >= (a+b)/(alpha+beta), and
 * alpha + beta = 1), so a stream is never held tighter than a uniform
 * summary for `e_min`, which Greenwald-Khanna bound by
 * O((1/e_min) log(e_min n)) tuples (with their banded compress; this greedy
 * one is not proven to meet that bound). Measured, the most tuples a stream
 * held at any point over 10^4 to 4x10^6 observations (random, ascending,
 * descending, alternating, log-normal): 50 with client_golang's
 * DefObjectives {0.5: 0.05, 0.9: 0.01, 0.99: 0.001}; 107 with prom-client's
 * seven percentiles and their default errors; 600 for one objective with
 * e = 0.001. So a default series holds about 4 KB of buffer and 5 x 50 x 24
 * bytes of streams (test/summary-quantiles.prop.test.ts asserts < 200
 * tuples at 10^6).
 */

/** client_golang DefBufCap: observations buffered before a merge. */
export const BUF_CAP = 500;
/** The buffer's first size: a series with few observations stays small. */
const BUF_START = 16;

/** A summary's estimator settings, shared by its series (definition.ts checkObjectives). */
export interface QuantileConfig {
  /** The quantiles written, strictly increasing, each in [0, 1]. */
  readonly quantiles: readonly number[];
  /** Each quantile's allowed rank error (fraction of the window's observations). */
  readonly errors: readonly number[];
  /** The window, in milliseconds. */
  readonly maxAgeMs: number;
  readonly ageBuckets: number;
  /** The clock, in milliseconds. */
  readonly now: () => number;
}

/**
 * The compress invariant's factors: `F(B, A) = min_j max(fb[j] * B, fa[j] * A)`,
 * for the objectives with 0 < q < 1.
 */
class Invariant {
  readonly fb: Float64Array;
  readonly fa: Float64Array;

  constructor(cfg: QuantileConfig) {
    const fb: number[] = [];
    const fa: number[] = [];
    for (let j = 0; j < cfg.quantiles.length; j++) {
      const q = cfg.quantiles[j]!;
      const e = cfg.errors[j]!;
      // q = 0 and q = 1 are the exact minimum and maximum; with q + e >= 1 the
      // A term is unbounded (any tuple reaching past r + e n would be past n).
      if (q <= 0 || q >= 1 || q + e >= 1) continue;
      fb.push((2 * e) / (q + e));
      fa.push((2 * e) / (1 - q - e));
    }
    this.fb = Float64Array.from(fb);
    this.fa = Float64Array.from(fa);
  }

  /** The largest `g + D` a tuple with `B` observations surely before it and `A` surely after it may have. */
  allowed(b: number, a: number): number {
    const fb = this.fb;
    const fa = this.fa;
    let m = Infinity;
    for (let j = 0; j < fb.length; j++) {
      const x = fb[j]! * b;
      const y = fa[j]! * a;
      const f = Math.max(x, y);
      if (f < m) m = f;
    }
    return m;
  }
}

/**
 * Where a merge is built before it is compressed and copied back: shared
 * by every stream (JavaScript runs one merge at a time), grown as needed.
 */
let scratchV = new Float64Array(1024);
let scratchG = new Float64Array(1024);
let scratchD = new Float64Array(1024);

function ensureScratch(n: number): void {
  if (scratchV.length >= n) return;
  let size = scratchV.length;
  while (size < n) size *= 2;
  scratchV = new Float64Array(size);
  scratchG = new Float64Array(size);
  scratchD = new Float64Array(size);
}

/** One stream: the tuples of the observations since its last reset. */
export class QuantileStream {
  /** Observations since the last reset. */
  n = 0;
  /** Tuples in use. */
  size = 0;
  private v: Float64Array = EMPTY;
  private g: Float64Array = EMPTY;
  private d: Float64Array = EMPTY;

  reset(): void {
    this.n = 0;
    this.size = 0;
  }

  /** Merges `m` sorted values (no NaN), then compresses (see the file comment for the rules). */
  insertSorted(batch: Float64Array, m: number, inv: Invariant): void {
    const s = this.size;
    const V = this.v;
    const G = this.g;
    const D = this.d;
    ensureScratch(s + m);
    const sv = scratchV;
    const sg = scratchG;
    const sd = scratchD;
    let i = 0;
    let o = 0;
    for (let j = 0; j < m; j++) {
      const x = batch[j]!;
      // Ties: a new observation comes after the equal ones already seen (arrival order).
      while (i < s && V[i]! <= x) {
        sv[o] = V[i]!;
        sg[o] = G[i]!;
        sd[o] = D[i]!;
        o++;
        i++;
      }
      sv[o] = x;
      sg[o] = 1;
      // A new minimum or maximum is exact; otherwise the successor's
      // uncertainty bounds the new position (GK insert: D = g_s + D_s - 1).
      sd[o] = o === 0 || i === s ? 0 : G[i]! + D[i]! - 1;
      o++;
    }
    while (i < s) {
      sv[o] = V[i]!;
      sg[o] = G[i]!;
      sd[o] = D[i]!;
      o++;
      i++;
    }
    this.n += m;
    const len = o < 3 ? o : compress(o, this.n, inv);
    if (this.v.length < len) {
      const cap = Math.max(len, Math.ceil(this.v.length * 1.5), 16);
      this.v = new Float64Array(cap);
      this.g = new Float64Array(cap);
      this.d = new Float64Array(cap);
    }
    // A loop, not set(subarray()): a view costs more than copying ~50 tuples.
    const nv = this.v;
    const ng = this.g;
    const nd = this.d;
    for (let k = 0; k < len; k++) {
      nv[k] = sv[k]!;
      ng[k] = sg[k]!;
      nd[k] = sd[k]!;
    }
    this.size = len;
  }

  /**
   * The value for quantile `q`: the tuple whose rank interval is nearest
   * `r = max(1, q n)` (within `e n` of it for an objective `(q, e)`, see the
   * file comment). NaN when empty.
   */
  query(q: number): number {
    const n = this.n;
    if (n === 0) return NaN;
    let r = q * n;
    if (r < 1) r = 1;
    const V = this.v;
    const G = this.g;
    const D = this.d;
    let rmin = 0;
    let best = Infinity;
    let value = NaN;
    for (let i = 0; i < this.size; i++) {
      rmin += G[i]!;
      // Every later tuple's error is at least its rmin - r.
      if (rmin - r > best) break;
      const lo = r - rmin;
      const hi = rmin + D[i]! - r;
      const err = Math.max(lo, hi);
      // A tie goes to the later tuple: the median of 1, 2, 3 is 2 (r = 1.5), as client_golang answers.
      if (err <= best) {
        best = err;
        value = V[i]!;
      }
    }
    return value;
  }

  /** @internal For tests: the tuples' rank bounds are consistent (g >= 1, D >= 0, values sorted). */
  tuples(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < this.size; i++) out.push([this.v[i]!, this.g[i]!, this.d[i]!]);
    return out;
  }
}

const EMPTY = new Float64Array(0);

/**
 * Compresses the `len` tuples in the scratch arrays in place, left to right:
 * the pending tuple `c` (which may already hold earlier ones) folds into
 * its successor `x` when `g_c + g_x + D_x <= F(B_c, n - rmax_x)`. The first
 * tuple (the exact minimum) is never folded; the last (the exact maximum)
 * keeps its value and D = 0. Returns the new length.
 */
function compress(len: number, n: number, inv: Invariant): number {
  const sv = scratchV;
  const sg = scratchG;
  const sd = scratchD;
  let w = 1;
  let rminPrev = sg[0]!;
  let cv = sv[1]!;
  let cg = sg[1]!;
  let cd = sd[1]!;
  for (let r = 2; r < len; r++) {
    const xg = sg[r]!;
    const xd = sd[r]!;
    const w2 = cg + xg + xd;
    // rmax_x = B_c + g_c + g_x + D_x.
    if (w2 <= inv.allowed(rminPrev, n - (rminPrev + w2))) {
      cg += xg;
      cd = xd;
      cv = sv[r]!;
    } else {
      sv[w] = cv;
      sg[w] = cg;
      sd[w] = cd;
      w++;
      rminPrev += cg;
      cv = sv[r]!;
      cg = xg;
      cd = xd;
    }
  }
  sv[w] = cv;
  sg[w] = cg;
  sd[w] = cd;
  return w + 1;
}

/** The sliding window of one summary series (see the file comment). */
export class SlidingQuantiles {
  private readonly cfg: QuantileConfig;
  private readonly inv: Invariant;
  private readonly streams: QuantileStream[];
  /** Milliseconds per period: maxAge / ageBuckets. */
  private readonly period: number;
  /** The first observation's clock reading: periods are counted from it. */
  private readonly t0: number;
  /** The head stream's index, and the number of its period's end (`t0 + epoch * period`). */
  private head = 0;
  private epoch = 1;
  private headEnd: number;
  private buf: Float64Array = new Float64Array(BUF_START);
  private len = 0;
  /** Quantiles must be read again: observations arrived or the window moved since the last read. */
  private dirty = true;

  constructor(cfg: QuantileConfig, inv: Invariant) {
    this.cfg = cfg;
    this.inv = inv;
    this.period = cfg.maxAgeMs / cfg.ageBuckets;
    this.streams = [];
    for (let i = 0; i < cfg.ageBuckets; i++) this.streams.push(new QuantileStream());
    this.t0 = cfg.now();
    this.headEnd = this.t0 + this.period;
  }

  observe(v: number): void {
    // One clock read per observation, as client_golang's Observe: it decides
    // whether the buffer still belongs to the head's period.
    const t = this.cfg.now();
    if (t > this.headEnd) this.rotate(t);
    if (v !== v) return;
    if (this.len === this.buf.length) {
      if (this.len < BUF_CAP) this.growBuffer();
      else this.flush();
    }
    this.buf[this.len++] = v;
    this.dirty = true;
  }

  /** Writes the current quantile values into `out` (in the config's order); cheap when nothing changed since the last call. */
  read(out: Float64Array): void {
    const t = this.cfg.now();
    if (t > this.headEnd) this.rotate(t);
    if (!this.dirty) return;
    this.flush();
    const s = this.streams[this.head]!;
    const qs = this.cfg.quantiles;
    for (let i = 0; i < qs.length; i++) out[i] = s.query(qs[i]!);
    this.dirty = false;
  }

  /** @internal For tests: the head stream. */
  headStream(): QuantileStream {
    this.flush();
    return this.streams[this.head]!;
  }

  private growBuffer(): void {
    const b = new Float64Array(Math.min(this.buf.length * 2, BUF_CAP));
    b.set(this.buf);
    this.buf = b;
  }

  /** Sorts the buffer once and merges it into every stream. */
  private flush(): void {
    const m = this.len;
    if (m === 0) return;
    const batch = this.buf.subarray(0, m).sort();
    for (const s of this.streams) s.insertSorted(batch, m, this.inv);
    this.len = 0;
  }

  /**
   * The clock `t` is past the head's end: what was buffered belongs to the
   * periods before, so it is merged first; then every period end passed
   * empties the head and moves it on (all streams at most once).
   */
  private rotate(t: number): void {
    this.flush();
    const period = this.period;
    // The number of period ends passed: the smallest k with t <= t0 + (epoch + k) * period.
    let k = Math.ceil((t - this.t0) / period) - this.epoch;
    if (k < 1) k = 1;
    while (this.t0 + (this.epoch + k) * period < t) k++;
    const a = this.streams.length;
    if (k >= a) {
      for (const s of this.streams) s.reset();
      this.head = (this.head + k) % a;
    } else {
      for (let i = 0; i < k; i++) {
        this.streams[this.head]!.reset();
        this.head = this.head + 1 === a ? 0 : this.head + 1;
      }
    }
    this.epoch += k;
    this.headEnd = this.t0 + this.epoch * period;
    this.dirty = true;
  }
}

/** A summary's estimator factory: the settings and their compress invariant, shared by its series. */
export class QuantileEstimator {
  readonly cfg: QuantileConfig;
  private readonly inv: Invariant;

  constructor(cfg: QuantileConfig) {
    this.cfg = cfg;
    this.inv = new Invariant(cfg);
  }

  /** A series' window, its periods counted from now (its first observation). */
  window(): SlidingQuantiles {
    return new SlidingQuantiles(this.cfg, this.inv);
  }
}
