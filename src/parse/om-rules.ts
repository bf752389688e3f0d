/**
 * The OpenMetrics 1.0 rules above the line grammar: metric families, their
 * metadata, sample names, per-type values and labels, grouping and ordering,
 * histogram consistency, exemplar placement and `# EOF`. The parser calls it
 * once per entry; it keeps only per-family state (a set of group hashes) and
 * builds strings only when a family changes.
 *
 * Sources: the OpenMetrics 1.0 specification (sections "Metric types",
 * "Exemplars", "Text format" / ABNF) and the official parser test suite, whose
 * reference is the Python client's `openmetrics/parser.py`.
 */

import { parseNumber } from '../core/number.js';
import type { ErrorCode } from '../errors.js';
import type { MetricType } from '../model/index.js';
import { Entry } from './entry.js';
import { GroupSet } from './om-groups.js';
import * as layout from './series-view.js';
import type { SeriesView } from './series-view.js';

// Module-local copies of the label layout and flags: V8 reads an imported
// binding through its module cell at every use, and folds a local const
// (measured: 4-8% of the walk).
const F_ESCAPE = layout.F_ESCAPE;
const LABEL_STRIDE = layout.LABEL_STRIDE;
const L_NAME_END = layout.L_NAME_END;
const L_NAME_START = layout.L_NAME_START;
const L_SAME = layout.L_SAME;
const L_VALUE_END = layout.L_VALUE_END;
const L_VALUE_START = layout.L_VALUE_START;
const SAME_NAME = layout.SAME_NAME;
const SAME_BOTH = layout.SAME_NAME | layout.SAME_VALUE;

/**
 * What the rules read of a sample line: the SeriesView, and what the walk
 * found unchanged from the previous line (Scanner: `serial` counts lines,
 * `nameSame` and the labels' `L_SAME` bits say which tokens are the previous
 * line's bytes again).
 */
export interface OpenMetricsView extends SeriesView {
  readonly serial: number;
  readonly nameSame: boolean;
  /** A DataView of the buffer being walked (Scanner keeps it current while streaming). */
  readonly dv: DataView;
}

export interface RuleError {
  code: ErrorCode;
  reason: string;
}

/** Sample-name suffixes. */
const S_NONE = 0;
const S_TOTAL = 1;
const S_CREATED = 2;
const S_BUCKET = 3;
const S_COUNT = 4;
const S_SUM = 5;
const S_GCOUNT = 6;
const S_GSUM = 7;
const S_INFO = 8;

const SUFFIX_TEXT = ['', '_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

/** The sample names each type allows: family name + one of these suffixes. */
const SUFFIXES: Record<MetricType, readonly number[]> = {
  counter: [S_TOTAL, S_CREATED],
  gauge: [S_NONE],
  histogram: [S_BUCKET, S_COUNT, S_SUM, S_CREATED],
  gaugehistogram: [S_BUCKET, S_GCOUNT, S_GSUM],
  summary: [S_NONE, S_COUNT, S_SUM, S_CREATED],
  info: [S_INFO],
  stateset: [S_NONE],
  unknown: [S_NONE],
};

const SUFFIX_BYTES = SUFFIX_TEXT.map((s) => new TextEncoder().encode(s));
const encoder = new TextEncoder();

const LE = encoder.encode('le');
const QUANTILE = encoder.encode('quantile');
const PLUS_INF = encoder.encode('+Inf');

export class OpenMetricsRules {
  sawEof = false;

  /** Every family name seen, and every sample name those families may use. */
  private readonly families = new Set<string>();
  private readonly reserved = new Map<string, string>();

  // The current family.
  private name = '';
  private nameBytes: Uint8Array = new Uint8Array(0);
  private type: MetricType = 'unknown';
  private open = false;
  private hasSamples = false;
  private seenHelp = false;
  private seenType = false;
  private seenUnit = false;
  private unit = '';

  // Grouping: a group is a series minus `le` / `quantile` / the stateset label,
  // kept as a 64-bit key in two int32 halves (groupKey).
  private readonly groups = new GroupSet();
  private group1 = 0;
  private group2 = 0;
  private hasGroup = false;
  /** groupKey's result. */
  private key1 = 0;
  private key2 = 0;
  /** The two hash states `mix()` carries on. */
  private mixA = 0;
  private mixC = 0;
  /** The label left out of the last passed sample's group (`le`, `quantile`, the stateset's), or -1. */
  private skip = -1;
  /** The name findSkip looked for last. */
  private skipName: Uint8Array = LE;
  /** The suffix of the last sample that passed, and its line (Scanner.serial). */
  private suffix = 0;
  private suffixAt = -1;
  /**
   * groupKey's cache, KEY_STRIDE ints per label index: the line (serial) it
   * holds, the hash states after the name and the pair's two hashes.
   */
  private keyCache: Int32Array = new Int32Array(16 * KEY_STRIDE);
  private groupHasTs = false;
  // Doubles from the start, as Scanner's number fields (core/keep-shape.ts).
  private groupTs = -0;

  // The current histogram group.
  private hOpen = false;
  private hLe = -Infinity;
  private hHasLe = false;
  private hBucketValue = -0;
  private hCount = -0;
  private hHasCount = false;
  private hHasSum = false;
  private hHasGsum = false;
  private hNegBucket = false;
  private hNegGsum = false;

  metadata(p: SeriesView, kind: Entry): RuleError | undefined {
    const name = p.name();
    if (!this.open || name !== this.name) {
      const err = this.closeFamily() ?? this.openFamily(name);
      if (err !== undefined) return err;
    } else if (this.hasSamples) {
      return {
        code: 'INVALID_METADATA',
        reason: `metadata for family "${name}" after its samples: HELP, TYPE and UNIT must come first`,
      };
    }
    if (kind === Entry.Help) {
      if (this.seenHelp) return { code: 'DUPLICATE_METADATA', reason: `second HELP line for family "${name}"` };
      this.seenHelp = true;
    } else if (kind === Entry.Type) {
      if (this.seenType) return { code: 'DUPLICATE_METADATA', reason: `second TYPE line for family "${name}"` };
      this.seenType = true;
      this.type = p.mtype;
      const err = this.reserve() ?? this.checkUnit();
      if (err !== undefined) return err;
    } else if (kind === Entry.Unit) {
      if (this.seenUnit) return { code: 'DUPLICATE_METADATA', reason: `second UNIT line for family "${name}"` };
      this.seenUnit = true;
      this.unit = p.unitText();
      const err = this.checkUnit();
      if (err !== undefined) return err;
    }
    return undefined;
  }

  sample(p: OpenMetricsView): RuleError | undefined {
    const buf = p.buf;
    // The previous line's name again, in the same family (no other line
    // between: `serial - 1`): its suffix again, without comparing the name
    // with the family's (matchSuffix was 5% of next(), CPU profile).
    let suffix = -1;
    if (this.open) suffix = p.nameSame && this.suffixAt === p.serial - 1 ? this.suffix : this.matchSuffix(p);
    if (suffix < 0) {
      const name = p.name();
      const owner = this.reserved.get(name);
      if (owner !== undefined || this.families.has(name)) {
        return {
          code: 'INTERLEAVED_FAMILY',
          reason: `sample "${name}" belongs to family "${owner ?? name}", which ended earlier: a family's samples must be together`,
        };
      }
      const err = this.closeFamily() ?? this.openFamily(name) ?? this.reserve();
      if (err !== undefined) return err;
      suffix = S_NONE;
    }
    this.hasSamples = true;
    const type = this.type;
    const v = p.val;
    const lbl = p.lbl;
    const n = p.nLabels;

    // The label left out of the group, and the per-type checks.
    let skip = -1;
    switch (type) {
      case 'counter':
        if (suffix === S_TOTAL && !(v >= 0)) {
          return { code: 'INVALID_VALUE', reason: `counter "${this.name}" total must be a non-negative number, got ${v}` };
        }
        break;
      case 'histogram':
      case 'gaugehistogram': {
        if (suffix === S_BUCKET) {
          skip = this.findSkip(p, LE);
          if (skip < 0) return { code: 'INVALID_FAMILY', reason: `histogram bucket of "${this.name}" has no "le" label` };
        }
        if ((suffix === S_BUCKET || suffix === S_COUNT || suffix === S_GCOUNT || (suffix === S_SUM && type === 'histogram')) && !(v >= 0)) {
          return {
            code: 'INVALID_VALUE',
            reason: `${SUFFIX_TEXT[suffix]} of histogram "${this.name}" must be a non-negative number, got ${v}`,
          };
        }
        if (suffix === S_GSUM && v !== v) return { code: 'INVALID_VALUE', reason: `_gsum of "${this.name}" must be a number, got NaN` };
        break;
      }
      case 'summary':
        if (suffix === S_NONE) {
          skip = this.findSkip(p, QUANTILE);
          if (skip < 0) return { code: 'INVALID_FAMILY', reason: `summary "${this.name}" sample has no "quantile" label` };
          const q = parseNumber(buf, lbl[skip * LABEL_STRIDE + L_VALUE_START]!, lbl[skip * LABEL_STRIDE + L_VALUE_END]!);
          if (q === undefined || !(q >= 0 && q <= 1)) {
            return { code: 'INVALID_LABEL_VALUE', reason: `quantile of summary "${this.name}" must be a number from 0 to 1` };
          }
          if (v < 0) return { code: 'INVALID_VALUE', reason: `quantile value of summary "${this.name}" must not be negative, got ${v}` };
        } else if ((suffix === S_COUNT || suffix === S_SUM) && !(v >= 0)) {
          return {
            code: 'INVALID_VALUE',
            reason: `${SUFFIX_TEXT[suffix]} of summary "${this.name}" must be a non-negative number, got ${v}`,
          };
        }
        break;
      case 'info':
        if (v !== 1) return { code: 'INVALID_VALUE', reason: `info "${this.name}" value must be 1, got ${v}` };
        break;
      case 'stateset':
        skip = this.findSkip(p, this.nameBytes);
        if (skip < 0) return { code: 'INVALID_FAMILY', reason: `stateset "${this.name}" sample has no "${this.name}" label` };
        if (v !== 0 && v !== 1) return { code: 'INVALID_VALUE', reason: `stateset "${this.name}" value must be 0 or 1, got ${v}` };
        break;
      default:
        break;
    }
    // Exemplars: "Exemplars MUST NOT be used on any MetricPoint other than
    // counter totals and histogram buckets."
    if (
      p.hasEx &&
      !((type === 'counter' && suffix === S_TOTAL) || ((type === 'histogram' || type === 'gaugehistogram') && suffix === S_BUCKET))
    ) {
      return {
        code: 'INVALID_EXEMPLAR',
        reason: `exemplars are allowed only on counter _total and histogram _bucket samples, not on "${p.name()}"`,
      };
    }

    // Grouping: "MetricPoints of one MetricFamily with the same labels MUST
    // be grouped together", and timestamps within a group must not mix
    // presence or go backwards.
    this.groupKey(p, buf, lbl, n, skip);
    const g1 = this.key1;
    const g2 = this.key2;
    const sameGroup = this.hasGroup && g1 === this.group1 && g2 === this.group2;
    const ts = p.hasTs ? p.ts : null;
    if (this.hasGroup && !sameGroup && this.groups.has(g1, g2)) {
      return { code: 'INTERLEAVED_FAMILY', reason: `series of family "${this.name}" appear again after other series: group them together` };
    }
    if (sameGroup) {
      if ((ts !== null) !== this.groupHasTs) {
        return { code: 'INVALID_TIMESTAMP', reason: `samples of one series of "${this.name}" mix having and not having a timestamp` };
      }
      if (ts !== null && ts < this.groupTs && type !== 'info') {
        return { code: 'INVALID_TIMESTAMP', reason: `timestamps of one series of "${this.name}" went backwards` };
      }
    }
    if (type === 'histogram' || type === 'gaugehistogram') {
      const tsChanged = (ts !== null) !== this.groupHasTs || (ts !== null && ts !== this.groupTs);
      if (this.hOpen && (!sameGroup || tsChanged)) {
        const err = this.closeHistogramGroup();
        if (err !== undefined) return err;
      }
      const err = this.histogramSample(p, suffix, skip, v);
      if (err !== undefined) return err;
    }
    // The same group as the sample before is in the set already.
    if (!sameGroup) this.groups.add(g1, g2);
    this.group1 = g1;
    this.group2 = g2;
    this.hasGroup = true;
    this.groupHasTs = ts !== null;
    this.groupTs = ts ?? 0;
    this.suffix = suffix;
    this.suffixAt = p.serial;
    this.skip = skip;
    return undefined;
  }

  /** `# EOF`: closes the last family. */
  eof(): RuleError | undefined {
    const err = this.closeFamily();
    this.sawEof = true;
    return err;
  }

  /** End of input. */
  finish(): RuleError | undefined {
    if (!this.sawEof)
      return { code: 'MISSING_EOF', reason: 'expected "# EOF" as the last line of an OpenMetrics exposition, found end of input' };
    return undefined;
  }

  // ------------------------------------------------------------ families

  private openFamily(name: string): RuleError | undefined {
    const owner = this.reserved.get(name);
    if (this.families.has(name) || owner !== undefined) {
      return {
        code: 'INTERLEAVED_FAMILY',
        reason:
          owner !== undefined && owner !== name
            ? `family "${name}" clashes with a sample name of family "${owner}"`
            : `family "${name}" appears a second time: a family's metadata and samples must be together`,
      };
    }
    this.families.add(name);
    this.reserved.set(name, name);
    this.name = name;
    this.nameBytes = encoder.encode(name);
    this.type = 'unknown';
    this.open = true;
    this.hasSamples = false;
    this.seenHelp = this.seenType = this.seenUnit = false;
    this.unit = '';
    this.groups.clear();
    this.hasGroup = false;
    this.hOpen = false;
    return undefined;
  }

  /** Reserves the current family's sample names, and checks they clash with no family seen. */
  private reserve(): RuleError | undefined {
    for (const s of SUFFIXES[this.type]) {
      if (s === S_NONE) continue;
      const sample = this.name + SUFFIX_TEXT[s]!;
      if (this.families.has(sample) || (this.reserved.get(sample) ?? this.name) !== this.name) {
        return {
          code: 'INTERLEAVED_FAMILY',
          reason: `family "${this.name}" of type ${this.type} would use sample name "${sample}", which another family has`,
        };
      }
      this.reserved.set(sample, this.name);
    }
    return undefined;
  }

  private checkUnit(): RuleError | undefined {
    if (this.unit === '') return undefined;
    // "If non-empty, it MUST be a suffix of the MetricFamily name separated
    // by an underscore"; info and stateset families have no unit.
    if (!this.name.endsWith(`_${this.unit}`)) {
      return {
        code: 'INVALID_METADATA',
        reason: `unit "${this.unit}" must be the suffix of the family name "${this.name}" after an underscore`,
      };
    }
    if (this.type === 'info' || this.type === 'stateset') {
      return { code: 'INVALID_METADATA', reason: `${this.type} family "${this.name}" cannot have a unit` };
    }
    return undefined;
  }

  private closeFamily(): RuleError | undefined {
    if (!this.open) return undefined;
    this.open = false;
    if (this.hOpen) return this.closeHistogramGroup();
    return undefined;
  }

  /** Returns the suffix of the current sample's name within the current family, or -1. */
  private matchSuffix(p: SeriesView): number {
    const allowed = SUFFIXES[this.type];
    if ((p.nameFlags & F_ESCAPE) !== 0) {
      const name = p.name();
      for (const s of allowed) if (name === this.name + SUFFIX_TEXT[s]!) return s;
      return -1;
    }
    const buf = p.buf;
    const ns = p.nameStart;
    const ne = p.nameEnd;
    const fam = this.nameBytes;
    const fl = fam.length;
    if (ne - ns < fl) return -1;
    for (let i = 0; i < fl; i++) if (buf[ns + i] !== fam[i]) return -1;
    const rest = ne - ns - fl;
    for (const s of allowed) {
      const sb = SUFFIX_BYTES[s]!;
      if (sb.length !== rest) continue;
      let same = true;
      for (let i = 0; i < rest; i++) {
        if (buf[ns + fl + i] !== sb[i]) {
          same = false;
          break;
        }
      }
      if (same) return s;
    }
    return -1;
  }

  // ----------------------------------------------------------- histograms

  private histogramSample(p: SeriesView, suffix: number, leIndex: number, v: number): RuleError | undefined {
    if (suffix === S_NONE) return undefined;
    if (!this.hOpen) {
      this.hOpen = true;
      this.hHasLe = false;
      this.hLe = -Infinity;
      this.hBucketValue = 0;
      this.hHasCount = this.hHasSum = this.hHasGsum = this.hNegBucket = this.hNegGsum = false;
    }
    const buf = p.buf;
    if (suffix === S_BUCKET) {
      const lbl = p.lbl;
      const s = lbl[leIndex * LABEL_STRIDE + L_VALUE_START]!;
      const e = lbl[leIndex * LABEL_STRIDE + L_VALUE_END]!;
      const le = parseNumber(buf, s, e);
      if (le === undefined || le !== le) {
        return { code: 'INVALID_LABEL_VALUE', reason: `"le" of a bucket of "${this.name}" must be a number` };
      }
      // The +Inf bucket is spelled "+Inf" exactly (the suite rejects "+INF").
      if (le === Infinity && !bytesEqual(buf, s, e, PLUS_INF)) {
        return { code: 'INVALID_LABEL_VALUE', reason: `the +Inf bucket of "${this.name}" must be spelled "+Inf"` };
      }
      if (this.hHasLe && le <= this.hLe) {
        return { code: 'INVALID_FAMILY', reason: `buckets of histogram "${this.name}" must be in increasing "le" order` };
      }
      if (v < this.hBucketValue) {
        return { code: 'INVALID_FAMILY', reason: `bucket values of histogram "${this.name}" must not decrease (buckets are cumulative)` };
      }
      if (le < 0) this.hNegBucket = true;
      this.hLe = le;
      this.hHasLe = true;
      this.hBucketValue = v;
    } else if (suffix === S_COUNT || suffix === S_GCOUNT) {
      this.hCount = v;
      this.hHasCount = true;
    } else if (suffix === S_SUM) {
      this.hHasSum = true;
    } else if (suffix === S_GSUM) {
      this.hHasGsum = true;
      if (v < 0) this.hNegGsum = true;
    }
    return undefined;
  }

  /**
   * Index of the label named `name` (unescaped bytes), or -1. The previous
   * line's: when the previous sample passed on the line before and its label
   * at that index is the one the walk found with the same name here
   * (`SAME_NAME`), without comparing names (findLabel was 12% of the rules,
   * CPU profile).
   */
  private findSkip(p: OpenMetricsView, name: Uint8Array): number {
    const k = this.skip;
    if (
      k >= 0 &&
      name === this.skipName &&
      k < p.nLabels &&
      this.suffixAt === p.serial - 1 &&
      (p.lbl[k * LABEL_STRIDE + L_SAME]! & SAME_NAME) !== 0
    ) {
      return k;
    }
    this.skipName = name;
    return findLabel(p.buf, p.lbl, p.nLabels, name);
  }

  /**
   * An order-independent 64-bit key of the current label set minus label
   * `skip`, into key1/key2: the sums of two independent seeded 32-bit hashes
   * of each name/value pair. Sums commute, so `{a,b}` and `{b,a}` are one
   * group; two hashes make a false match between different groups about 1 in
   * 2^64 per pair of groups, and the seeds (SEEDS) keep anyone from choosing
   * label sets that match or share a slot of the GroupSet.
   *
   * Only what changed since the previous line is hashed: a label whose name
   * and value the walk found unchanged (`L_SAME`) reuses the pair's hashes,
   * one whose name alone is unchanged resumes from the state after the name.
   * The rest goes four bytes per step through a DataView (unaligned
   * little-endian reads). Byte by byte over every label this was the largest
   * part of the rules (14% of next(), CPU profile; with the cache it is 7% of
   * the walk with every string; the rules as a whole still cost that walk
   * 96.8 ms against 66.6 ms without them, one process, load 13). Two int32
   * fields, not a returned double: a double returned from a
   * call that is not inlined is boxed, 1.6 MB per parse.
   */
  private groupKey(p: OpenMetricsView, buf: Uint8Array, lbl: Int32Array, n: number, skip: number): void {
    if (n * KEY_STRIDE > this.keyCache.length) this.growKeyCache(n);
    const dv = p.dv;
    const serial = p.serial;
    const prev = serial - 1;
    const kc = this.keyCache;
    let h1 = 0;
    let h2 = 0;
    for (let k = 0; k < n; k++) {
      if (k === skip) continue;
      const b = k * LABEL_STRIDE;
      const x = k * KEY_STRIDE;
      const same = lbl[b + L_SAME]!;
      const cached = kc[x + K_AT] === prev;
      kc[x + K_AT] = serial;
      if (cached && (same & SAME_BOTH) === SAME_BOTH) {
        h1 = (h1 + kc[x + K_PAIR_A]!) | 0;
        h2 = (h2 + kc[x + K_PAIR_C]!) | 0;
        continue;
      }
      let a: number;
      let c: number;
      if (cached && (same & SAME_NAME) !== 0) {
        a = kc[x + K_NAME_A]!;
        c = kc[x + K_NAME_C]!;
      } else {
        this.mixA = SEED_A;
        this.mixC = SEED_C;
        this.mix(dv, buf, lbl[b + L_NAME_START]!, lbl[b + L_NAME_END]!);
        // 0xff between name and value: never a byte of UTF-8.
        a = Math.imul(this.mixA ^ 0xff, 0x01000193);
        c = Math.imul(this.mixC ^ 0xff, 0x85ebca6b);
        kc[x + K_NAME_A] = a;
        kc[x + K_NAME_C] = c;
      }
      this.mixA = a;
      this.mixC = c;
      this.mix(dv, buf, lbl[b + L_VALUE_START]!, lbl[b + L_VALUE_END]!);
      a = this.mixA;
      c = this.mixC;
      const pa = fmix32(a ^ SEED_PAIR_A);
      const pc = fmix32(c ^ SEED_PAIR_C);
      kc[x + K_PAIR_A] = pa;
      kc[x + K_PAIR_C] = pc;
      h1 = (h1 + pa) | 0;
      h2 = (h2 + pc) | 0;
    }
    this.key1 = h1;
    this.key2 = h2;
  }

  /**
   * Mixes the bytes [i, e) into groupKey's two hash states (`mixA`, `mixC`,
   * int32 fields rather than a returned pair, which would allocate): four
   * bytes per step through the DataView (unaligned little-endian reads), the
   * tail byte by byte. Used for a label's name and for its value.
   */
  private mix(dv: DataView, buf: Uint8Array, i: number, e: number): void {
    let a = this.mixA;
    let c = this.mixC;
    for (; i + 4 <= e; i += 4) {
      const w = dv.getInt32(i, true);
      a = Math.imul(a ^ w, 0x01000193);
      a ^= a >>> 15;
      c = Math.imul(c ^ w, 0x85ebca6b);
      c ^= c >>> 13;
    }
    for (; i < e; i++) {
      a = Math.imul(a ^ buf[i]!, 0x01000193);
      c = Math.imul(c ^ buf[i]!, 0x85ebca6b);
    }
    this.mixA = a;
    this.mixC = c;
  }

  /** Room in groupKey's cache for `n` labels (out of line: rare). */
  private growKeyCache(n: number): void {
    const size = Math.max(n, (2 * this.keyCache.length) / KEY_STRIDE);
    this.keyCache = new Int32Array(size * KEY_STRIDE);
  }

  private closeHistogramGroup(): RuleError | undefined {
    this.hOpen = false;
    const n = this.name;
    if (!this.hHasLe || this.hLe !== Infinity) return { code: 'INVALID_FAMILY', reason: `histogram "${n}" has no +Inf bucket` };
    if (this.hHasCount && this.hCount !== this.hBucketValue) {
      return {
        code: 'INVALID_FAMILY',
        reason: `count of histogram "${n}" (${this.hCount}) does not match its +Inf bucket (${this.hBucketValue})`,
      };
    }
    if (this.hHasSum && !this.hHasCount) return { code: 'INVALID_FAMILY', reason: `histogram "${n}" has _sum but no _count` };
    if (this.hHasGsum && !this.hHasCount) return { code: 'INVALID_FAMILY', reason: `gauge histogram "${n}" has _gsum but no _gcount` };
    if (!(this.hHasSum || this.hHasGsum) && this.hHasCount) {
      return { code: 'INVALID_FAMILY', reason: `histogram "${n}" has a count but no sum` };
    }
    if (this.hNegBucket && this.hHasSum)
      return { code: 'INVALID_FAMILY', reason: `histogram "${n}" has negative buckets, so it cannot have _sum` };
    if (!this.hNegBucket && this.hNegGsum) {
      return { code: 'INVALID_FAMILY', reason: `gauge histogram "${n}" has a negative _gsum but no negative bucket` };
    }
    return undefined;
  }
}

function bytesEqual(buf: Uint8Array, s: number, e: number, word: Uint8Array): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[s + i] !== word[i]) return false;
  return true;
}

/** Index of the label whose name is `name` (unescaped bytes), or -1. */
function findLabel(buf: Uint8Array, lbl: Int32Array, n: number, name: Uint8Array): number {
  for (let k = 0; k < n; k++) {
    if (bytesEqual(buf, lbl[k * LABEL_STRIDE + L_NAME_START]!, lbl[k * LABEL_STRIDE + L_NAME_END]!, name)) return k;
  }
  return -1;
}

/**
 * Per-process random seeds for `groupKey`. The keys go into a hash table
 * (GroupSet): with unseeded keys, label values whose keys share a slot can be
 * computed offline, and then every lookup walks one chain (when the keys went
 * into a `Set<number>`, which V8 hashes unseeded: 20k series, 332 KB, 2.1-5.4 s
 * instead of 38-59 ms). With seeded keys nobody outside the process can tell
 * which label sets collide, in the table or in the 64-bit key itself.
 */
const SEEDS = /* @__PURE__ */ randomSeeds();
const SEED_A = SEEDS[0]!;
const SEED_C = SEEDS[1]!;
const SEED_PAIR_A = SEEDS[2]!;
const SEED_PAIR_C = SEEDS[3]!;

/** groupKey's cache per label index: KEY_STRIDE ints at these offsets. */
const KEY_STRIDE = 5;
const K_AT = 0;
const K_NAME_A = 1;
const K_NAME_C = 2;
const K_PAIR_A = 3;
const K_PAIR_C = 4;

function randomSeeds(): Int32Array {
  const out = new Int32Array(4);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Int32Array) => Int32Array } }).crypto;
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(out);
  else for (let i = 0; i < out.length; i++) out[i] = (Math.random() * 0x100000000) | 0;
  return out;
}

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
