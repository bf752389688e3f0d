import { escapeLabelValue } from '../core/escape.js';
import { parseNumber } from '../core/number.js';
import { formatFloat, formatMillisAsSeconds } from '../core/number.js';
import type { Exemplar } from '../model/index.js';
import type { ByteWriter } from './writer.js';
import { escapeName, isValidLabelName, isValidMetricName } from '../core/names.js';
import type { EscapingScheme, NameKind } from '../core/names.js';

/**
 * Series prefixes: how a metric name, its label names and label values are
 * spelled on a sample line, `name{k="v",...}`, under an escaping scheme.
 * Shared by the encoder (which caches names per encode) and `MetricSet`
 * (which renders each series' prefix once, when the series is created).
 *
 * Name rules (Prometheus 3, prometheus/common expfmt text_create.go
 * `writeName` / `writeNameAndLabelPairs`):
 * - `allow-utf-8`: a legacy name is written bare; any other name is written
 *   in double quotes with the label-value escapes, and a quoted metric name
 *   goes inside the braces: `{"my.metric",a="b"}`.
 * - other schemes: a name outside the legacy set is escaped by the scheme
 *   (model.EscapeMetricFamily leaves legacy-valid names alone, even for
 *   `dots`) and then written bare.
 */

/** A metric or label name as written on the wire (quoted or escaped as the scheme says). */
export function writtenName(name: string, escaping: EscapingScheme, kind: NameKind = 'metric'): string {
  const valid = kind === 'metric' ? isValidMetricName(name) : isValidLabelName(name);
  if (valid) return name;
  if (escaping === 'allow-utf-8') return `"${escapeLabelValue(name)}"`;
  return escapeName(name, escaping, kind);
}

/**
 * A sample name as written, escaped relative to its family: when a UTF-8
 * family `my.metric` is escaped, its sample `my.metric_total` must become
 * the escaped family name plus `_total` (escaping the whole sample name
 * with `dots` or `values` would double the suffix's underscore and detach
 * the sample from its family).
 */
export function writtenSampleName(sample: string, family: string, escaping: EscapingScheme): string {
  if (isValidMetricName(sample)) return sample;
  if (escaping === 'allow-utf-8') return `"${escapeLabelValue(sample)}"`;
  if (sample.length > family.length && sample.startsWith(family) && !isValidMetricName(family)) {
    const suffix = sample.slice(family.length);
    if (isValidMetricName(suffix)) return escapeName(family, escaping) + suffix;
  }
  return escapeName(sample, escaping);
}

/** Whether a written name is a quoted one (`"..."`), which goes inside the braces. */
export function isQuoted(written: string): boolean {
  return written.charCodeAt(0) === 0x22;
}

/**
 * Renders `name{k="v",...}` for a written sample name (from `writtenSampleName`)
 * and label pairs in order. Label names are written by the scheme, values
 * escaped (`\\`, `\"`, `\n`). No braces when there are no labels and the name
 * is bare.
 */
export function renderPrefix(writtenSample: string, labels: ReadonlyArray<readonly [string, string]>, escaping: EscapingScheme): string {
  const quoted = isQuoted(writtenSample);
  let s = quoted ? '{' + writtenSample : writtenSample;
  let sep = quoted ? ',' : '{';
  for (const [k, v] of labels) {
    s += `${sep}${writtenName(k, escaping, 'label')}="${escapeLabelValue(v)}"`;
    sep = ',';
  }
  if (sep === ',') s += '}';
  return s;
}

const canonicalCache = new Map<string, string>();
const CANONICAL_CACHE_MAX = 4096;

/**
 * The canonical spelling of a number held in a label value (`le`,
 * `quantile`): Go's FormatFloat 'g' -1, as Prometheus writes them and as
 * Prometheus 3 normalizes them on ingestion, so `1.0` becomes `1` and `inf`
 * becomes `+Inf`. A value that is not a number is returned unchanged. The
 * few distinct bucket bounds of a payload are cached.
 */
export function canonicalNumberLabel(v: string): string {
  let c = canonicalCache.get(v);
  if (c !== undefined) return c;
  c = computeCanonical(v);
  if (canonicalCache.size >= CANONICAL_CACHE_MAX) canonicalCache.clear();
  canonicalCache.set(v, c);
  return c;
}

function computeCanonical(v: string): string {
  const n = v.length;
  if (n === 0 || n > 64) return v;
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x80) return v;
    bytes[i] = c;
  }
  const x = parseNumber(bytes, 0, n);
  return x === undefined ? v : formatFloat(x);
}

const utf8 = new TextEncoder();
const ARENA_BLOCK = 64 * 1024;

/**
 * Storage for many small byte strings (series prefixes): each is a view
 * into a shared 64 KiB block instead of an ArrayBuffer of its own, so that
 * 100k series cost the garbage collector 100k small objects rather than
 * 100k off-heap backing stores. The bytes of removed series stay in their
 * block until every view of the block is gone.
 */
export class PrefixArena {
  private block = new Uint8Array(0);
  private pos = 0;

  /** The UTF-8 bytes of `s`, as a view into the arena. */
  intern(s: string): Uint8Array {
    const max = s.length * 3;
    if (this.pos + max > this.block.length) {
      this.block = new Uint8Array(Math.max(ARENA_BLOCK, max));
      this.pos = 0;
    }
    const { written } = utf8.encodeInto(s, this.block.subarray(this.pos));
    const view = this.block.subarray(this.pos, this.pos + written);
    this.pos += written;
    return view;
  }

  /** A copy of `b` as a view into the arena (pre-rendered protobuf label fields). */
  copy(b: Uint8Array): Uint8Array {
    const n = b.length;
    if (this.pos + n > this.block.length) {
      this.block = new Uint8Array(Math.max(ARENA_BLOCK, n));
      this.pos = 0;
    }
    this.block.set(b, this.pos);
    const view = this.block.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }
}

/**
 * An OpenMetrics exemplar after a sample's value: ` # {k="v",...} value
 * timestamp` (OpenMetrics 1.0 "Exemplars"; the timestamp in seconds), the
 * bytes of the encoder's exemplars (encoder.ts writeExemplar calls it), and
 * of a MetricSet writing its own lines. The timestamp must be finite (checked
 * when the exemplar was recorded, or by the encoder).
 */
export function writeOpenMetricsExemplar(w: ByteWriter, e: Exemplar, escaping: EscapingScheme): void {
  w.writeAscii(' # {');
  let first = true;
  const labels = e.labels;
  for (const k in labels) {
    if (!first) w.writeByte(0x2c);
    first = false;
    w.writeString(writtenName(k, escaping, 'label') + '="');
    w.writeEscaped(labels[k]!);
    w.writeByte(0x22);
  }
  w.writeAscii('} ');
  w.writeNumber(e.value);
  if (e.timestamp !== null) {
    w.writeByte(0x20);
    w.writeAscii(formatMillisAsSeconds(e.timestamp));
  }
}
