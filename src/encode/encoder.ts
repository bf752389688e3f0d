import { escapeHelp } from '../core/escape.js';
import type { EscapingScheme } from '../core/names.js';
import { formatFloat, formatMillisAsSeconds } from '../core/number.js';
import { PromwireError } from '../errors.js';
import { type Exemplar, type FloatSample, type Format, isHistogramFamily, type MetricFamily, type Sample } from '../model/index.js';
import { isQuoted, writeOpenMetricsExemplar, writtenName, writtenSampleName } from './series.js';
import { createdSeries, normalizeNumber, omName, parseBound, reservedLabel, seriesKey, textName, typeWord } from '../model/rules.js';
import { validateFamily } from './validate.js';
import { ByteWriter, utf8Bytes } from './writer.js';
import { encodeProtobuf, encodeProtobufChunks } from './protobuf.js';
import { Losses, nativeFallbackLoss, OM_NATIVE_EXEMPLAR_LOSS, TEXT_EXEMPLAR_LOSS, textGaugeLoss, textUnitLoss } from './losses.js';

/**
 * The exposition writers: text 0.0.4 and OpenMetrics 1.0 over the
 * `MetricFamily` model that `parse()` returns.
 *
 * Output is canonical, as Prometheus writes it: values and `le`/`quantile`
 * label values as Go's `strconv.FormatFloat(v, 'g', -1, 64)`, label values
 * escaped `\\ \" \n`, HELP escaped per format (text: `\\ \n`; OpenMetrics
 * also `\"`), HELP omitted when empty, TYPE always written.
 *
 * Converting between the formats follows the Python client
 * (prometheus_client exposition.py `generate_latest` and
 * openmetrics/exposition.py), the one library that writes both:
 *
 * To text 0.0.4:
 * - counter `foo` (OpenMetrics) is written as family `foo_total`; its
 *   `foo_created` samples become a separate gauge family `foo_created`
 *   (same for `_created` of histograms and summaries). A counter family
 *   named with `_total`, or with samples named exactly as the family (a
 *   text-parsed `# TYPE foo counter` / `foo 1`), keeps its name; so an empty
 *   counter `foo` is taken to be an OpenMetrics one and written `foo_total`;
 * - info `foo` becomes gauge `foo_info`; stateset becomes gauge;
 *   gaugehistogram becomes histogram with `_gcount`/`_gsum` as separate
 *   gauge families; `unknown` becomes `untyped`;
 * - exemplars and UNIT are not part of text 0.0.4 and are dropped;
 * - timestamps are integer milliseconds; a fractional millisecond (from an
 *   OpenMetrics timestamp with sub-millisecond digits) is truncated toward
 *   zero, as the Python client and Prometheus' own conversion do.
 *
 * To OpenMetrics 1.0:
 * - a counter family loses a trailing `_total` (`# TYPE foo counter`) and
 *   its samples carry `_total` (a sample named exactly `foo` is written as
 *   `foo_total`, as client_golang's MetricFamilyToOpenMetrics does);
 * - a counter whose name without `_total` is already the name of another
 *   family (client_golang's `go_memstats_alloc_bytes_total` next to the
 *   gauge `go_memstats_alloc_bytes`) cannot be written as a counter without
 *   two families clashing; it is written as `unknown` under its full name,
 *   samples unchanged;
 * - a gauge/untyped family `foo_created` that a text exposition split off
 *   counter, histogram or summary `foo` is folded back into `foo`, each
 *   `_created` sample after its own series (the OpenMetrics spec forbids
 *   the clashing name and requires a metric's samples to be contiguous);
 * - `untyped` becomes `unknown`; timestamps are seconds (exact decimal
 *   shift of the milliseconds); exemplars are written where the spec allows
 *   them (counter `_total` and histogram `_bucket` samples) and dropped
 *   elsewhere; the exposition ends with `# EOF`.
 *
 * Names (Prometheus 3): see series.ts. The default escaping is
 * `allow-utf-8`, which is lossless: legacy names are written as they are and
 * only names outside the legacy set are quoted. Pass the scheme that
 * `negotiate()` returned when answering a scrape.
 */

export type EncodeOptions = Partial<
  Readonly<{
    /** Exposition format to write. Defaults to `text`. */
    format: Format;
    /**
     * How to write metric and label names outside the legacy character set:
     * quoted (`allow-utf-8`) or rewritten by a Prometheus 3 escaping scheme.
     * Legacy names are written the same way by every scheme. Defaults to
     * `allow-utf-8`.
     */
    escaping: EscapingScheme;
    /**
     * Told what a conversion loses that the target format cannot hold (a
     * native histogram's buckets in text 0.0.4 or OpenMetrics 1.0). Defaults
     * to none.
     */
    onWarning: (message: string) => void;
  }>
>;

export type EncodeChunksOptions = EncodeOptions &
  Partial<
    Readonly<{
      /**
       * Target size of each chunk in bytes: a chunk is handed over at the
       * first line end past this size. Defaults to 65536.
       */
      chunkSize: number;
    }>
  >;

export const DEFAULT_CHUNK_SIZE = 64 * 1024;

const SP = 0x20;
const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

const EOF_LINE = '# EOF\n';

/** A sample's (or its exemplar's) timestamp must be finite to be written. */
function checkFiniteTimestamp(ms: number, sample: string): void {
  if (!Number.isFinite(ms)) {
    throw new PromwireError(
      'INVALID_ARGUMENT',
      `expected a finite timestamp in milliseconds, got ${ms} on sample ${JSON.stringify(sample)}`,
    );
  }
}

/** One family as it will be written: the output of the format conversion. */
interface Block {
  /** Name on the HELP/TYPE lines, in model form (`foo_total` for a text counter). */
  headerName: string;
  /** The family name the samples are relative to (for escaping). */
  family: string;
  /** The type word written. */
  type: string;
  help: string;
  /** Written in OpenMetrics only. */
  unit: string;
  samples: readonly FloatSample[];
  /** A sample name to write differently (OpenMetrics counter `foo` sample `foo` -> `foo_total`), or null. */
  rename: string | null;
  renameTo: string;
  /** Label whose value is a number to canonicalize (`le`, `quantile`), or null. */
  normKey: string | null;
  /** OpenMetrics: exemplars are written on samples ending with this suffix, or dropped (null). */
  exemplarSuffix: string | null;
}

interface NameEntry {
  bytes: Uint8Array;
  quoted: boolean;
  /** Family the entry was computed relative to, for names that were escaped relative to it; else ''. */
  family: string;
}

/**
 * Encodes families to bytes in one go. The output buffer is sized from the
 * sample count and the bytes per sample of the previous call, and handed
 * over without a copy (so an encode allocates about its output size).
 */
export function encode(families: readonly MetricFamily[], options?: EncodeOptions): Uint8Array {
  if (formatOption(options?.format) === 'protobuf') {
    const escaping = escapingOption(options?.escaping);
    for (const f of families) validateFamily(f);
    return encodeProtobuf(families, escaping, options?.onWarning);
  }
  const enc = new FamilyEncoder(options);
  const blocks = enc.plan(families);
  let samples = 0;
  for (const b of blocks) samples += b.samples.length;
  const w = new ByteWriter(Math.ceil(samples * bytesPerSample * 1.03) + blocks.length * 64 + 4096);
  for (const b of blocks) {
    enc.writeHeader(w, b);
    enc.writeSamples(w, b, 0, Infinity);
  }
  if (enc.om) w.writeAscii(EOF_LINE);
  if (samples > 0) bytesPerSample = Math.min(4096, Math.max(16, w.pos / samples));
  return w.result();
}

/** Bytes per sample line of the last encode, for sizing the next buffer. */
let bytesPerSample = 64;

const decoder = new TextDecoder();

/** Encodes families to a string (the same bytes as `encode`, decoded). */
export function encodeToString(families: readonly MetricFamily[], options?: EncodeOptions): string {
  if (options?.format === 'protobuf') {
    throw new PromwireError('INVALID_ARGUMENT', 'encodeToString: protobuf is a binary format; call encode() for its bytes');
  }
  return decoder.decode(encode(families, options));
}

/**
 * Encodes families as a sequence of chunks of about `chunkSize` bytes (each
 * ends at a line end), so that a server can yield to the event loop
 * between chunks. Joined, the chunks equal `encode()`'s output byte for
 * byte. Each chunk is a distinct buffer that the caller may keep. The
 * families must not change while the iteration is under way.
 */
export function* encodeChunks(families: readonly MetricFamily[], options?: EncodeChunksOptions): Generator<Uint8Array, void, undefined> {
  const chunkSize = chunkSizeOption(options?.chunkSize);
  if (formatOption(options?.format) === 'protobuf') {
    const escaping = escapingOption(options?.escaping);
    for (const f of families) validateFamily(f);
    yield* encodeProtobufChunks(families, escaping, options?.onWarning, chunkSize);
    return;
  }
  const w = new ByteWriter(chunkSize + 4096);
  const enc = new FamilyEncoder(options);
  const blocks = enc.plan(families);
  for (const b of blocks) {
    enc.writeHeader(w, b);
    let i = 0;
    for (;;) {
      i = enc.writeSamples(w, b, i, chunkSize);
      if (w.pos >= chunkSize) yield w.take();
      if (i >= b.samples.length) break;
    }
  }
  if (enc.om) w.writeAscii(EOF_LINE);
  if (w.pos > 0) yield w.take();
}

/** Validates a chunkSize option (shared with MetricSet). */
export function chunkSizeOption(v: number | undefined): number {
  if (v === undefined) return DEFAULT_CHUNK_SIZE;
  if (!(v >= 1) || !Number.isFinite(v)) {
    throw new PromwireError('INVALID_ARGUMENT', `expected chunkSize to be a positive number of bytes, got ${v}`);
  }
  return Math.floor(v);
}

/** Validates a format option (shared with MetricSet). */
export function formatOption(v: Format | undefined): Format {
  if (v === undefined || v === 'text' || v === 'openmetrics' || v === 'protobuf') return v ?? 'text';
  throw new PromwireError('INVALID_ARGUMENT', `expected format 'text', 'openmetrics' or 'protobuf', got ${JSON.stringify(v)}`);
}

/** Validates an escaping option (shared with MetricSet). */
export function escapingOption(v: EscapingScheme | undefined): EscapingScheme {
  if (v === undefined) return 'allow-utf-8';
  if (v === 'allow-utf-8' || v === 'underscores' || v === 'dots' || v === 'values') return v;
  throw new PromwireError(
    'INVALID_ARGUMENT',
    `expected escaping 'allow-utf-8', 'underscores', 'dots' or 'values', got ${JSON.stringify(v)}`,
  );
}

function hasSampleNamed(samples: readonly Sample[], name: string): boolean {
  for (const s of samples) if (s.name === name) return true;
  return false;
}

/** The types whose series carry a start timestamp as an OpenMetrics `_created` line. */
const CREATED_HOSTS = new Set<string>(['counter', 'histogram', 'summary']);

class FamilyEncoder {
  readonly om: boolean;
  private readonly escaping: EscapingScheme;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly losses = new Losses();
  private readonly sampleNames = new Map<string, NameEntry>();
  private readonly labelNames = new Map<string, Uint8Array>();
  /** Label names of the last sample written, by position, and their bytes. */
  private readonly lastKeys: string[] = [];
  private readonly lastKeyBytes: Uint8Array[] = [];

  constructor(options?: EncodeOptions) {
    this.om = formatOption(options?.format) === 'openmetrics';
    this.escaping = escapingOption(options?.escaping);
    this.onWarning = options?.onWarning;
  }

  /** The format conversion: families in, blocks to write out. */
  plan(families: readonly MetricFamily[]): Block[] {
    for (const f of families) validateFamily(f);
    return this.om ? this.planOpenMetrics(families) : this.planText(families);
  }

  private block(f: MetricFamily, headerName: string, type: string, samples: readonly FloatSample[]): Block {
    const reserved = f.type === 'histogram' || f.type === 'gaugehistogram' || f.type === 'summary' ? reservedLabel(f) : null;
    return {
      headerName,
      // Names outside the legacy set are escaped relative to the family name
      // of the format, as client_golang escapes a family and then appends
      // the suffixes: in text a counter `my.metric_total` is one name
      // (`values`: `U__my_2e_metric__total`, which unescapes back); in
      // OpenMetrics its family is `my.metric` and the series `_total` is
      // appended (`U__my_2e_metric_total`).
      family: this.om ? omName(f) : headerName,
      type,
      help: f.help,
      unit: f.unit,
      samples,
      rename: null,
      renameTo: '',
      normKey: reserved,
      exemplarSuffix: null,
    };
  }

  private planText(families: readonly MetricFamily[]): Block[] {
    const out: Block[] = [];
    for (const f of families) {
      if (this.onWarning !== undefined) this.auditText(f);
      let type: string = typeWord(f.type, 'text');
      // Python's generate_latest: info and stateset are gauges, a gauge
      // histogram is a histogram ("really a gauge, but this captures the
      // structure better") with `_gcount`/`_gsum` as gauges of their own.
      if (f.type === 'info' || f.type === 'stateset') type = 'gauge';
      if (f.type === 'gaugehistogram') type = 'histogram';
      const samples = this.floatSamples(f);
      const base = omName(f);
      if (f.type === 'gaugehistogram') {
        const gcount = base + '_gcount';
        const gsum = base + '_gsum';
        const main = samples.filter((s) => s.name !== gcount && s.name !== gsum);
        out.push(this.block(f, f.name, type, main));
        // Python: sorted suffixes: `_created`, `_gcount`, `_gsum`.
        this.pushGauge(out, f, base + '_created', createdSeries(f, samples));
        this.pushGauge(
          out,
          f,
          gcount,
          samples.filter((s) => s.name === gcount),
        );
        this.pushGauge(
          out,
          f,
          gsum,
          samples.filter((s) => s.name === gsum),
        );
        continue;
      }
      // A hand-built counter `foo` (or info) whose series are `foo_total`
      // is written under its series' name, as the model would name it.
      const header = textName(f, samples);
      if (!CREATED_HOSTS.has(f.type)) {
        out.push(this.block(f, header, type, samples));
        continue;
      }
      // Text 0.0.4 has no start timestamps: the Python client writes them as
      // a gauge family `X_created` in seconds, which Prometheus 3 stores as
      // the series it would have read from OpenMetrics `_created` lines. A
      // text-read histogram's own `_created` samples go there too.
      const createdName = base + '_created';
      const own = hasSampleNamed(samples, createdName);
      const main = own ? samples.filter((s) => s.name !== createdName) : samples;
      out.push(this.block(f, header, type, main));
      const created = createdSeries(f, samples);
      if (own) for (const s of samples) if (s.name === createdName) created.push(s);
      this.pushGauge(out, f, createdName, created);
    }
    return out;
  }

  private pushGauge(out: Block[], f: MetricFamily, name: string, samples: FloatSample[]): void {
    if (samples.length === 0) return;
    const b = this.block(f, name, 'gauge', samples);
    b.normKey = null;
    b.unit = '';
    out.push(b);
  }

  /**
   * Says what text 0.0.4 cannot hold of `f` (only when someone listens):
   * exemplars, the unit, start timestamps other than as `_created` gauges,
   * the info, stateset and gauge histogram types, fractional milliseconds.
   * Native histograms are reported where they are converted (floatSamples).
   */
  private auditText(f: MetricFamily): void {
    const losses = this.losses;
    if (f.unit !== '') losses.add(textUnitLoss(f.unit), 0);
    if (f.type === 'info' || f.type === 'stateset') {
      if (f.samples.length > 0) losses.add(textGaugeLoss(f.type), f.samples.length);
    } else if (f.type === 'gaugehistogram' && f.samples.length > 0) {
      losses.add('written as a histogram, with _gcount and _gsum as gauges: text 0.0.4 has no gauge histograms', f.samples.length);
    }
    const createdAsGauge = CREATED_HOSTS.has(f.type) || f.type === 'gaugehistogram';
    let exemplars = 0;
    let starts = 0;
    let fractional = 0;
    for (const s of f.samples) {
      if (s.exemplars !== undefined) exemplars += s.exemplars.length;
      if (s.startTimestamp !== undefined) starts++;
      if (s.timestamp !== null && !Number.isInteger(s.timestamp)) fractional++;
    }
    if (exemplars > 0) losses.add(TEXT_EXEMPLAR_LOSS, exemplars);
    if (starts > 0) {
      losses.add(
        createdAsGauge
          ? `start timestamps written as the gauge family ${JSON.stringify(omName(f) + '_created')}: text 0.0.4 has none`
          : `start timestamps dropped: text 0.0.4 has none, and a ${f.type} no _created series`,
        starts,
      );
    }
    if (fractional > 0) losses.add('timestamps truncated to whole milliseconds: text 0.0.4 timestamps are integers', fractional);
    losses.flush(f.name, this.onWarning);
  }

  /**
   * Says what OpenMetrics 1.0 cannot hold of `f` (only when someone
   * listens): exemplars beyond the first of a sample, exemplars on samples
   * other than a counter's `_total` and a histogram's `_bucket`, start
   * timestamps of types without `_created`, and a histogram's `_sum`/`_count`
   * left out by the spec's rule (withoutUncountableSums).
   */
  private auditOpenMetrics(f: MetricFamily, fallback: boolean, sums: number): void {
    const losses = this.losses;
    const suffix = fallback ? null : f.type === 'counter' ? '' : f.type === 'histogram' || f.type === 'gaugehistogram' ? '_bucket' : null;
    const bucket = omName(f) + '_bucket';
    let misplaced = 0;
    let extra = 0;
    let native = 0;
    let starts = 0;
    for (const s of f.samples) {
      if (s.startTimestamp !== undefined) starts++;
      const ex = s.exemplars;
      if (ex === undefined || ex.length === 0) continue;
      if (typeof s.value !== 'number') {
        native += ex.length;
        continue;
      }
      if (suffix === null || (suffix === '_bucket' && s.name !== bucket)) misplaced += ex.length;
      else if (ex.length > 1) extra += ex.length - 1;
    }
    if (misplaced > 0) {
      losses.add(
        fallback
          ? 'exemplars dropped: the counter is written as unknown, which has none in OpenMetrics 1.0'
          : 'exemplars dropped: OpenMetrics 1.0 has them on counter _total and histogram _bucket samples only',
        misplaced,
      );
    }
    if (extra > 0) losses.add('exemplars beyond the first dropped: OpenMetrics 1.0 carries one per sample', extra);
    if (native > 0) losses.add(OM_NATIVE_EXEMPLAR_LOSS, native);
    if (starts > 0 && (fallback || !CREATED_HOSTS.has(f.type))) {
      losses.add(`start timestamps dropped: OpenMetrics 1.0 has _created for counters, histograms and summaries only`, starts);
    }
    if (sums > 0) {
      losses.add('_sum and _count left out: OpenMetrics 1.0 forbids a sum with negative bucket bounds or a negative or NaN sum', sums);
    }
    if (!fallback && f.type === 'counter' && f.name === omName(f)) {
      // A text or protobuf counter `foo` (no `_total`): its samples `foo`
      // are written `foo_total` (openMetricsBlocks' rename; OpenMetrics 1.0
      // "Counter": the sample is `_total`), a name the reader did not have.
      let renamed = 0;
      for (const s of f.samples) if (s.name === f.name) renamed++;
      if (renamed > 0) {
        losses.add(`written as ${JSON.stringify(f.name + '_total')}: an OpenMetrics 1.0 counter's samples end in _total`, renamed);
      }
    }
    losses.flush(f.name, this.onWarning);
  }

  private planOpenMetrics(families: readonly MetricFamily[]): Block[] {
    // OpenMetrics family names, to detect clashes.
    const byName = new Map<string, MetricFamily>();
    for (const f of families) {
      const n = omName(f);
      if (!byName.has(n)) byName.set(n, f);
    }
    // A counter is written as `unknown` when its OpenMetrics family name or
    // its `_total` sample name is another family's name (a text payload can
    // hold a counter `foo_total` next to a gauge `foo`, or a counter `foo`
    // next to a gauge `foo_total`).
    const rawNames = new Map<string, MetricFamily>();
    for (const f of families) if (!rawNames.has(f.name)) rawNames.set(f.name, f);
    const fallback = new Set<MetricFamily>();
    for (const f of families) {
      if (f.type !== 'counter') continue;
      const base = omName(f);
      const other = byName.get(base);
      const totalOwner = rawNames.get(base + '_total');
      if ((other !== undefined && other !== f) || (totalOwner !== undefined && totalOwner !== f)) fallback.add(f);
      // OpenMetrics 1.0 "Counter": a total is a non-negative, non-NaN number. A
      // text counter holding another value (text allows it) is written as
      // `unknown` under its series name, so the output still parses.
      else if (f.samples.some((x) => !((x.value as number) >= 0))) {
        fallback.add(f);
        this.onWarning?.(
          `${JSON.stringify(f.name)}: a counter with a negative or NaN value is written as unknown (OpenMetrics counters are non-negative)`,
        );
      }
    }
    // `foo_created` gauge families that a text exposition split off
    // counter, histogram or summary `foo`: fold them back as `_created` lines.
    const merged = new Map<MetricFamily, FloatSample[]>();
    const skip = new Set<MetricFamily>();
    for (const g of families) {
      if (g.type !== 'gauge' && g.type !== 'unknown') continue;
      if (g.samples.length === 0 || !g.name.endsWith('_created')) continue;
      const host = byName.get(g.name.slice(0, -'_created'.length));
      if (host === undefined || host === g || !CREATED_HOSTS.has(host.type) || fallback.has(host)) continue;
      if (merged.has(host) || host.samples.some((s) => s.startTimestamp !== undefined)) continue;
      if (!g.samples.every((s) => s.name === g.name)) continue;
      // Fold only when every `_created` sample has a series of the host to
      // belong to: an orphan `_created` line would be lost by a reader.
      const omit = reservedLabel(host);
      const groups = new Set(host.samples.map((s) => seriesKey('', s.labels, omit)));
      if (!g.samples.every((s) => groups.has(seriesKey('', s.labels)))) continue;
      merged.set(host, g.samples as FloatSample[]);
      skip.add(g);
    }

    const out: Block[] = [];
    for (const f of families) {
      if (skip.has(f)) continue;
      let samples = this.floatSamples(f);
      const base = omName(f);
      if (fallback.has(f)) {
        if (this.onWarning !== undefined) this.auditOpenMetrics(f, true, 0);
        const b = this.block(f, f.name, 'unknown', samples);
        b.normKey = null;
        out.push(b);
        continue;
      }
      if (CREATED_HOSTS.has(f.type)) {
        const created = merged.get(f) ?? createdSeries(f, samples);
        if (created.length > 0) samples = interleaveCreated(samples, created, reservedLabel(f));
      }
      let sums = 0;
      if (f.type === 'histogram') {
        const kept = withoutUncountableSums(samples, base);
        sums = samples.length - kept.length;
        samples = kept;
      }
      if (this.onWarning !== undefined) this.auditOpenMetrics(f, false, sums);
      const b = this.block(f, base, f.type, samples);
      switch (f.type) {
        case 'counter':
          // A text counter `foo` (no `_total`): its series is written
          // `foo_total`, as client_golang's MetricFamilyToOpenMetrics does.
          if (f.name === base) {
            b.rename = base;
            b.renameTo = base + '_total';
          }
          b.exemplarSuffix = '_total';
          break;
        case 'histogram':
        case 'gaugehistogram':
          b.exemplarSuffix = '_bucket';
          break;
        default:
          break;
      }
      out.push(b);
    }
    return out;
  }

  /** The family's float samples (convertNative), saying what the conversion of native histograms loses. */
  private floatSamples(f: MetricFamily): FloatSample[] {
    return convertNative(f, this.onWarning, this.om);
  }

  writeHeader(w: ByteWriter, b: Block): void {
    const name = writtenSampleName(b.headerName, b.family, this.escaping);
    if (b.help !== '') {
      w.writeAscii('# HELP ');
      w.writeString(name);
      w.writeByte(SP);
      w.writeString(escapeHelp(b.help, this.om));
      w.writeByte(LF);
    }
    w.writeAscii('# TYPE ');
    w.writeString(name);
    w.writeByte(SP);
    w.writeAscii(b.type);
    w.writeByte(LF);
    if (this.om && b.unit !== '') {
      w.writeAscii('# UNIT ');
      w.writeString(name);
      w.writeByte(SP);
      w.writeString(b.unit);
      w.writeByte(LF);
    }
  }

  /**
   * Writes samples [from, end) of a block, stopping after the first line
   * that takes the output to `limit` bytes or more. Returns the index of the
   * next sample to write.
   */
  writeSamples(w: ByteWriter, b: Block, from: number, limit: number): number {
    const samples = b.samples;
    const n = samples.length;
    const om = this.om;
    const rename = b.rename;
    const normKey = b.normKey;
    let lastName = '';
    let entry: NameEntry | undefined;
    const keys = this.lastKeys;
    const keyBytes = this.lastKeyBytes;
    for (let i = from; i < n; i++) {
      const s = samples[i]!;
      let name = s.name;
      if (name === rename) name = b.renameTo;
      // Sample names repeat (`_bucket`, `_sum`, ...): the parser hands out the same string.
      if (name !== lastName || entry === undefined) {
        entry = this.sampleName(name, b.family);
        lastName = name;
      }
      w.writeBytes(entry.bytes);
      let sep = entry.quoted ? COMMA : LBRACE;
      let open = entry.quoted;
      const labels = s.labels;
      let li = 0;
      for (const k in labels) {
        w.writeByte(sep);
        sep = COMMA;
        open = true;
        // The label names of consecutive samples repeat, position by position,
        // as the same (interned) strings: compare before hashing.
        let kb: Uint8Array;
        if (keys[li] === k) kb = keyBytes[li]!;
        else {
          kb = this.labelName(k);
          keys[li] = k;
          keyBytes[li] = kb;
        }
        li++;
        w.writeBytes(kb);
        const v = labels[k]!;
        w.writeEscaped(k === normKey ? this.bound(v) : v);
        w.writeByte(QUOTE);
      }
      if (open) w.writeByte(RBRACE);
      w.writeByte(SP);
      w.writeNumber(s.value);
      if (s.timestamp !== null) {
        w.writeByte(SP);
        this.writeTimestamp(w, s.timestamp, s.name);
      }
      const ex = s.exemplars;
      if (om && ex !== undefined && ex.length > 0 && b.exemplarSuffix !== null && name.endsWith(b.exemplarSuffix)) {
        // OpenMetrics 1.0 carries one exemplar per sample: the first.
        this.writeExemplar(w, ex[0]!, s.name);
      }
      w.writeByte(LF);
      if (w.pos >= limit) return i + 1;
    }
    return n;
  }

  /**
   * A bucket bound or quantile as written: OpenMetrics requires canonical
   * numbers (`1.0`, `+Inf`: rules.canonicalBound), text 0.0.4 is written as
   * client_golang writes it (Go's 'g' format: `1`). Not a number: as is.
   */
  private bound(v: string): string {
    return this.om ? normalizeNumber(v) : textBound(v);
  }

  private writeTimestamp(w: ByteWriter, ms: number, sample: string): void {
    checkFiniteTimestamp(ms, sample);
    if (this.om) w.writeAscii(formatMillisAsSeconds(ms));
    // Text timestamps are int64 milliseconds. int64's maximum, read as a
    // double, becomes 2^63, which is past int64: write the limit itself
    // (it reads back to the same double); clamp below the minimum likewise.
    else if (ms <= -1) {
      // Prometheus 3.5 reads a text timestamp as digits only (promlex.l `{D}+`).
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `text 0.0.4 cannot hold the negative timestamp ${ms} of sample ${JSON.stringify(sample)} (Prometheus reads digits only); write OpenMetrics`,
      );
    } else if (ms >= 9223372036854775807) w.writeAscii('9223372036854775807');
    else if (ms <= -9223372036854775808) w.writeAscii('-9223372036854775808');
    else w.writeInteger(Number.isInteger(ms) ? ms : Math.trunc(ms));
  }

  /** The sample's OpenMetrics exemplar (series.ts writeOpenMetricsExemplar), its timestamp checked as a sample's is. */
  private writeExemplar(w: ByteWriter, e: Exemplar, sample: string): void {
    if (e.timestamp !== null) checkFiniteTimestamp(e.timestamp, sample);
    writeOpenMetricsExemplar(w, e, this.escaping);
  }

  private sampleName(name: string, family: string): NameEntry {
    const cached = this.sampleNames.get(name);
    if (cached !== undefined && (cached.family === '' || cached.family === family)) return cached;
    const written = writtenSampleName(name, family, this.escaping);
    const quoted = isQuoted(written);
    const entry: NameEntry = {
      bytes: utf8Bytes(quoted ? '{' + written : written),
      quoted,
      // Only an escaped (not quoted, not legacy) name depends on its family.
      family: written === name || quoted ? '' : family,
    };
    this.sampleNames.set(name, entry);
    return entry;
  }

  private labelName(k: string): Uint8Array {
    let b = this.labelNames.get(k);
    if (b === undefined) {
      b = utf8Bytes(writtenName(k, this.escaping, 'label') + '="');
      this.labelNames.set(k, b);
    }
    return b;
  }
}

/**
 * Puts each `_created` sample right after the last sample of its own series
 * group (same labels, `le`/`quantile` aside): OpenMetrics requires a
 * metric's samples to be contiguous. A `_created` sample with no group is
 * appended.
 */
function interleaveCreated(samples: readonly FloatSample[], created: readonly FloatSample[], omit: string | null): FloatSample[] {
  const lastOfGroup = new Map<string, number>();
  for (let i = 0; i < samples.length; i++) lastOfGroup.set(seriesKey('', samples[i]!.labels, omit), i);
  const after = new Map<number, FloatSample[]>();
  const tail: FloatSample[] = [];
  for (const c of created) {
    const i = lastOfGroup.get(seriesKey('', c.labels));
    if (i === undefined) {
      tail.push(c);
      continue;
    }
    const list = after.get(i);
    if (list === undefined) after.set(i, [c]);
    else list.push(c);
  }
  const out: FloatSample[] = [];
  for (let i = 0; i < samples.length; i++) {
    out.push(samples[i]!);
    const list = after.get(i);
    if (list !== undefined) out.push(...list);
  }
  out.push(...tail);
  return out;
}

/**
 * OpenMetrics 1.0, Histogram: "Sum, and buckets values are counters so MUST
 * NOT be NaN or negative. Negative threshold buckets MAY be used, but then
 * the Histogram MetricPoint MUST NOT contain a sum value". So a histogram
 * series with a negative bucket bound, or a negative or NaN sum, is written
 * without `_sum`, and without `_count` too (a count with no sum is rejected
 * by the reference parser; the +Inf bucket still carries the count).
 */
export function withoutUncountableSums(samples: FloatSample[], name: string): FloatSample[] {
  const bucket = name + '_bucket';
  const sum = name + '_sum';
  const count = name + '_count';
  let bad: Set<string> | undefined;
  for (const s of samples) {
    const le = s.name === bucket ? s.labels.le : undefined;
    const negativeBound = le !== undefined && (parseBound(le) ?? 0) < 0;
    if (negativeBound || (s.name === sum && !(s.value >= 0))) (bad ??= new Set()).add(seriesKey('', s.labels, 'le'));
  }
  if (bad === undefined) return samples;
  const groups = bad;
  return samples.filter((s) => !((s.name === sum || s.name === count) && groups.has(seriesKey('', s.labels, 'le'))));
}

const textBounds = new Map<string, string>();

/** A bound as client_golang's text encoder writes it: Go's 'g' format; not a number: as is. */
function textBound(v: string): string {
  if (v.length > 32) {
    const y = parseBound(v);
    return y === undefined ? v : formatFloat(y);
  }
  let t = textBounds.get(v);
  if (t !== undefined) return t;
  const x = parseBound(v);
  t = x === undefined ? v : formatFloat(x);
  if (textBounds.size >= 4096) textBounds.clear();
  textBounds.set(v, t);
  return t;
}

/**
 * The HELP/TYPE/UNIT lines of one family exactly as `encode` writes them
 * for a family with no samples (used by MetricSet, which renders them once).
 */
export function encodeHeader(family: Pick<MetricFamily, 'name' | 'type' | 'help' | 'unit'>, options?: EncodeOptions): Uint8Array {
  const enc = new FamilyEncoder(options);
  const w = new ByteWriter(256);
  for (const b of enc.plan([{ ...family, samples: [] }])) enc.writeHeader(w, b);
  return w.finish();
}

/**
 * The family's float samples. Text 0.0.4 and OpenMetrics 1.0 cannot hold
 * a native histogram: each is written as client_golang writes one there,
 * a `+Inf` bucket with the count, `_sum` and `_count` (the buckets are
 * lost, and `onWarning` says so); where the family also has classic
 * samples (client_golang's classic buckets alongside), those carry the
 * series and the native samples are left out.
 */
function convertNative(f: MetricFamily, onWarning: ((message: string) => void) | undefined, om: boolean): FloatSample[] {
  if (!isHistogramFamily(f)) return f.samples;
  let native = 0;
  for (const s of f.samples) if (typeof s.value !== 'number') native++;
  if (native === 0) return f.samples as FloatSample[];
  const base = f.name;
  const classic = f.samples.some((s) => typeof s.value === 'number');
  onWarning?.(nativeFallbackLoss(f.name, native, classic, om));
  const out: FloatSample[] = [];
  const gauge = f.type === 'gaugehistogram';
  for (const s of f.samples) {
    if (typeof s.value === 'number') {
      out.push(s as FloatSample);
      continue;
    }
    if (classic) continue;
    const h = s.value;
    const common = { timestamp: s.timestamp, ...(s.startTimestamp !== undefined ? { startTimestamp: s.startTimestamp } : {}) };
    out.push({ name: base + '_bucket', labels: { ...s.labels, le: '+Inf' }, value: h.count, ...common });
    // +Inf, _sum, _count: the order of expfmt's text_create.go and openmetrics_create.go.
    out.push({ name: base + (gauge ? '_gsum' : '_sum'), labels: s.labels, value: h.sum, ...common });
    out.push({ name: base + (gauge ? '_gcount' : '_count'), labels: s.labels, value: h.count, ...common });
  }
  return out;
}
