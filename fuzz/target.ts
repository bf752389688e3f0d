/**
 * What the fuzzer runs on each input, and what it counts as a finding.
 *
 * For each input, in every format (`text`, `openmetrics`, `protobuf`):
 * - `parse(bytes, { format })`, strict;
 * - the pull API (`new Parser(bytes, { format })`), calling every accessor
 *   of every entry, as a caller caching by series would;
 * - `parse` in lenient mode (`onError`), which must report each bad line
 *   as a `PromwireError` and carry on;
 * and on some inputs `parseStream` over random chunk splits (splits may fall
 * inside a UTF-8 character or a quoted label value).
 *
 * Findings (issue 2: "only PromwireError escapes the parser, for any input
 * bytes", with a position on every payload error):
 * - `crash`: anything thrown that is not a `PromwireError`;
 * - `bad-error`: a `PromwireError` without a code, or without a 1-based
 *   line and column, or whose line/column do not match its byte offset;
 * - `pull-vs-parse`: `parse()` accepted the input but the pull API threw, or
 *   they disagree on the number of samples;
 * - `stream-vs-parse`: chunked `parseStream` gave other families, or another
 *   error (code, line, column), than `parse()` on the whole input;
 * - `roundtrip` (only with `--roundtrip`, issue 3): an input that parsed
 *   does not come back the same through `encode()` and `parse()` in its
 *   format, or `encode()` throws on it;
 * - `state`: a valid reference payload no longer parses to the same
 *   families after this input (module-level state corrupted);
 * - `hang` / `slow` / `oom` are detected by the runner (fuzz/run.ts).
 */
import { Entry, Parser, PromwireError, encode, parse, parseStream } from '../src/index.js';
import type { Format, MetricFamily, MetricType, Sample } from '../src/index.js';
import { makeFamily } from '../src/model/index.js';
import { belongsTo, familyName, isCreatedSample, normalizeNumber } from '../src/model/rules.js';
import type { Rng } from '../bench/generate.js';

export type FindingKind = 'crash' | 'bad-error' | 'pull-vs-parse' | 'stream-vs-parse' | 'roundtrip' | 'state' | 'hang' | 'slow' | 'oom';

export interface Finding {
  kind: FindingKind;
  format: Format | '';
  /** Which call: parse, pull, lenient, stream. */
  via: string;
  message: string;
  stack: string;
  /** Groups findings that are the same bug: kind, call, error and the first frame in src/. */
  signature: string;
}

export interface Outcome {
  /** Error codes the strict parse raised, per format ('' when it parsed). */
  codes: string[];
  finding: Finding | null;
}

export const FORMATS: readonly Format[] = ['text', 'openmetrics', 'protobuf'];

/**
 * Line and column (1-based, in bytes) of byte offsets, the way PromwireError
 * counts them. The line starts are found once per input and each lookup is a
 * binary search, so checking every error of a lenient parse stays linear.
 */
export class Positions {
  private starts: Int32Array | null = null;
  constructor(private readonly bytes: Uint8Array) {}
  of(offset: number): { line: number; column: number } {
    if (this.starts === null) {
      let n = 1;
      for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 0x0a) n++;
      const starts = new Int32Array(n);
      let k = 1;
      for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 0x0a) starts[k++] = i + 1;
      this.starts = starts;
    }
    const starts = this.starts;
    // Last line start <= offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function firstSrcFrame(stack: string): string {
  for (const l of stack.split('\n').slice(1)) {
    const m = /\/src\/([^():]+:\d+)/.exec(l);
    if (m !== null) return m[1]!;
  }
  return '?';
}

function describe(e: unknown): { message: string; stack: string; name: string } {
  if (e instanceof Error) return { message: e.message, stack: e.stack ?? e.message, name: e.constructor.name };
  return { message: String(e), stack: String(e), name: typeof e };
}

function finding(kind: FindingKind, format: Format | '', via: string, e: unknown, detail = '', context = ''): Finding {
  const d = describe(e);
  const message = (detail === '' ? `${d.name}: ${d.message}` : `${detail}${e === undefined ? '' : `; ${d.name}: ${d.message}`}`) + context;
  const what = e instanceof PromwireError ? e.code : d.name;
  return {
    kind,
    format,
    via,
    message,
    stack: d.stack,
    signature: `${kind}|${via}|${format}|${what}|${firstSrcFrame(d.stack)}|${detail.replace(/\d+/g, 'N').slice(0, 60)}`,
  };
}

/** Checks a thrown value: a PromwireError with a code and a position that matches its offset. */
export function checkError(e: unknown, bytes: Uint8Array, format: Format, via: string, positions = new Positions(bytes)): Finding | null {
  if (!(e instanceof PromwireError)) return finding('crash', format, via, e);
  if (typeof e.code !== 'string' || (e.code as string) === '') return finding('bad-error', format, via, e, 'error without a code');
  if (format === 'protobuf') {
    // No lines in a binary format: line and column 0, the byte offset inside the input (maxBodyBytes aside, which has none).
    if (e.line !== 0 || e.column !== 0) return finding('bad-error', format, via, e, `a protobuf error with a line (${e.line}:${e.column})`);
    if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset > bytes.length) {
      return finding('bad-error', format, via, e, `offset ${e.offset} outside the input (${bytes.length} bytes)`);
    }
    return null;
  }
  const lineOk = Number.isInteger(e.line) && e.line >= 1;
  const colOk = Number.isInteger(e.column) && e.column >= 1;
  if (!lineOk || !colOk) {
    return finding('bad-error', format, via, e, `error without a position (line ${e.line}, column ${e.column})`);
  }
  if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset > bytes.length) {
    return finding('bad-error', format, via, e, `offset ${e.offset} outside the input (${bytes.length} bytes)`);
  }
  const p = positions.of(e.offset);
  if (p.line !== e.line || p.column !== e.column) {
    return finding(
      'bad-error',
      format,
      via,
      e,
      `line/column ${e.line}:${e.column} do not match offset ${e.offset} (which is ${p.line}:${p.column})`,
    );
  }
  return null;
}

/** Walks every entry calling every accessor; returns the number of series entries. */
export function walk(bytes: Uint8Array, format: Format): number {
  const p = new Parser(bytes, { format });
  let n = 0;
  let sink = 0;
  // The family each entry belongs to, as the families layer decides it (model/rules), so that
  // an OpenMetrics `_created` line, a start timestamp in the model and not a sample, is not counted.
  let fam: { name: string; type: MetricType } | undefined;
  let meta = '';
  let famHasSamples = false;
  const metadata = (name: string): void => {
    if (fam === undefined || meta !== name || famHasSamples) {
      fam = { name, type: 'unknown' };
      meta = name;
      famHasSamples = false;
    }
  };
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    switch (e) {
      case Entry.Histogram: {
        // Protobuf: a native histogram is one sample of the family the message gave.
        const h = p.histogram();
        sink += h.count + h.positiveBuckets.length + p.labelCount() + (p.startTimestamp() ?? 0) + p.exemplars().length;
        sink += p.metricName().length + Object.keys(p.labels()).length + p.seriesHash();
        n++;
        break;
      }
      case Entry.Series: {
        const name = p.metricName();
        // Protobuf: every series of a MetricFamily message belongs to it.
        if (format !== 'protobuf' && (fam === undefined || !belongsTo(format, fam, name))) {
          fam = { name, type: 'unknown' };
          meta = name;
        }
        famHasSamples = true;
        if (format === 'openmetrics' && fam !== undefined && isCreatedSample(fam, name)) n--;
        sink += p.metricName().length;
        const k = p.labelCount();
        for (let i = 0; i < k; i++) sink += p.labelName(i).length + p.labelValue(i).length;
        sink += Object.keys(p.labels()).length;
        sink += p.value();
        sink += p.timestamp() ?? 0;
        const ex = p.exemplar();
        if (ex !== undefined) sink += ex.value + Object.keys(ex.labels).length;
        sink += p.seriesBytes().length;
        sink += p.seriesHash();
        n++;
        break;
      }
      case Entry.Help:
        metadata(p.familyName());
        sink += p.familyName().length + p.help().length;
        break;
      case Entry.Type:
        metadata(p.familyName());
        fam = { name: familyName(format, p.familyName(), p.type()), type: p.type() };
        sink += p.familyName().length + p.type().length;
        break;
      case Entry.Unit:
        metadata(p.familyName());
        sink += p.familyName().length + p.unit().length;
        break;
      case Entry.Comment:
        sink += p.comment().length;
        break;
      default:
        break;
    }
  }
  if (sink === 0.5) n++; // never true; keeps the accessors' results alive
  return n;
}

/** A stable text for a family list (NaN, infinities and -0 spelled out), to compare two parses. */
export function canon(families: MetricFamily[]): string {
  return JSON.stringify(families, (_k, v: unknown) => {
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity) return '+Inf';
      if (v === -Infinity) return '-Inf';
      if (Object.is(v, -0)) return '-0';
    }
    return v;
  });
}

function sampleCount(families: MetricFamily[]): number {
  let n = 0;
  for (const f of families) n += f.samples.length;
  return n;
}

/**
 * Runs the synchronous checks on one input. `lenient: false` skips the
 * lenient parse: on a large input made of thousands of bad lines it builds
 * one PromwireError (with its stack) per line, which would eat most of the
 * time budget, so the runner does it on small inputs and a sample of large ones.
 */
export function execSync(bytes: Uint8Array, lenient = true, roundtrip = false): Outcome {
  const codes: string[] = [];
  for (const format of FORMATS) {
    // Strict parse.
    let families: MetricFamily[] | null = null;
    try {
      families = parse(bytes, { format });
      codes.push('');
    } catch (e) {
      const f = checkError(e, bytes, format, 'parse');
      if (f !== null) return { codes, finding: f };
      codes.push((e as PromwireError).code);
    }
    // Pull API, every accessor.
    try {
      const n = walk(bytes, format);
      if (families !== null && n !== sampleCount(families)) {
        return {
          codes,
          finding: finding(
            'pull-vs-parse',
            format,
            'pull',
            undefined,
            `pull walked ${n} series, parse() returned ${sampleCount(families)} samples`,
          ),
        };
      }
    } catch (e) {
      const f = checkError(e, bytes, format, 'pull');
      if (f !== null) return { codes, finding: f };
      if (families !== null) {
        return { codes, finding: finding('pull-vs-parse', format, 'pull', e, 'parse() accepted the input but the pull API threw') };
      }
    }
    // encode() to protobuf is the encoder's (a later merge): the round trip covers the line formats.
    if (roundtrip && families !== null && format !== 'protobuf') {
      const f = checkRoundtrip(families, format);
      if (f !== null) return { codes, finding: f };
    }
    if (!lenient) continue;
    // Lenient mode: every reported error must be well formed too.
    let bad: Finding | null = null;
    const positions = new Positions(bytes);
    try {
      parse(bytes, {
        format,
        onError: (err) => {
          if (bad === null) bad = checkError(err, bytes, format, 'lenient-onError', positions);
        },
      });
    } catch (e) {
      const f = checkError(e, bytes, format, 'lenient');
      if (f !== null) return { codes, finding: f };
    }
    if (bad !== null) return { codes, finding: bad };
  }
  return { codes, finding: null };
}

/** `le` and `quantile` as the encoder writes them (Go's float spelling), and a -0 timestamp as 0: differences by design. */
function normalized(families: MetricFamily[]): string {
  // Bounds read and spelled by the model's one rule (Go ParseFloat, canonical spelling).
  const num = normalizeNumber;
  return canon(
    families.map((f) =>
      makeFamily({
        ...f,
        samples: (f.samples as Sample[]).map((x) => {
          const labels = { ...x.labels };
          for (const k of ['le', 'quantile']) if (labels[k] !== undefined) labels[k] = num(labels[k]);
          return { ...x, labels, timestamp: x.timestamp === 0 ? 0 : x.timestamp };
        }),
      }),
    ),
  );
}

/**
 * parse(encode(families)) must give the families back (issue 3: "encode(parse(x))
 * is a fixed point"), up to the canonical spelling of `le` and `quantile`.
 */
function checkRoundtrip(families: MetricFamily[], format: Format): Finding | null {
  let again: MetricFamily[];
  try {
    again = parse(encode(families, { format }), { format });
  } catch (e) {
    return finding('roundtrip', format, 'encode', e, 'encode() of a parsed model, or parse() of its output, threw');
  }
  const a = normalized(families);
  const b = normalized(again);
  if (a !== b) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const keys = [...a.slice(0, i + 1).matchAll(/"(\w+)":/g)];
    const field = keys.length > 0 ? keys[keys.length - 1]![1]! : '?';
    return finding(
      'roundtrip',
      format,
      'encode',
      undefined,
      `parse(encode(m)) differs from m in field "${field}"`,
      `: ${JSON.stringify(a.slice(Math.max(0, i - 60), i + 60))} became ${JSON.stringify(b.slice(Math.max(0, i - 60), i + 60))}`,
    );
  }
  return null;
}

async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let last = 0;
  for (const c of cuts) {
    yield bytes.subarray(last, c);
    last = c;
  }
  yield bytes.subarray(last);
}

type Result = { ok: true; canon: string } | { ok: false; code: string; line: number; column: number; offset: number; error: unknown };

function result(run: () => MetricFamily[]): Result {
  try {
    return { ok: true, canon: canon(run()) };
  } catch (e) {
    const pe = e instanceof PromwireError ? e : null;
    return { ok: false, code: pe?.code ?? 'NOT_PROMWIRE', line: pe?.line ?? 0, column: pe?.column ?? 0, offset: pe?.offset ?? 0, error: e };
  }
}

/**
 * Feeds the input to parseStream in random chunks (1 byte to a few hundred
 * on small inputs, up to 4 KB on large ones, some empty) and compares with
 * parse() on the whole input.
 */
export async function execStream(bytes: Uint8Array, rng: Rng): Promise<Finding | null> {
  for (const format of FORMATS) {
    // Tiny chunks on small inputs, larger ones on large inputs: a long line
    // fed a byte at a time costs the stream adapter time quadratic in the
    // line's length (found by this fuzzer), which would otherwise eat the run.
    const cuts: number[] = [];
    const oneByte = bytes.length <= 8192 && rng.chance(0.1);
    const max = bytes.length <= 32768 ? (rng.chance(0.5) ? 8 : 400) : 4096;
    for (let at = 0; at < bytes.length; ) {
      at += oneByte ? 1 : rng.int(max);
      if (at < bytes.length) cuts.push(at);
    }
    const whole = result(() => parse(bytes, { format }));
    let streamed: Result;
    const got: MetricFamily[] = [];
    try {
      for await (const f of parseStream(chunks(bytes, cuts), { format })) got.push(f);
      streamed = { ok: true, canon: canon(got) };
    } catch (e) {
      const f = checkError(e, bytes, format, 'stream');
      if (f !== null) return f;
      const pe = e as PromwireError;
      streamed = { ok: false, code: pe.code, line: pe.line, column: pe.column, offset: pe.offset, error: e };
    }
    if (whole.ok && streamed.ok) {
      if (whole.canon !== streamed.canon) {
        return finding('stream-vs-parse', format, 'stream', undefined, `families differ with ${cuts.length + 1} chunks`);
      }
    } else if (whole.ok !== streamed.ok) {
      const detail = whole.ok
        ? `parse() accepted the input, parseStream threw (${cuts.length + 1} chunks)`
        : `parse() threw ${(whole as { code: string }).code}, parseStream accepted the input (${cuts.length + 1} chunks)`;
      return finding('stream-vs-parse', format, 'stream', whole.ok ? (streamed as { error: unknown }).error : undefined, detail);
    } else if (!whole.ok && !streamed.ok) {
      // Protobuf errors have no line: the byte offset must agree instead (maxBodyBytes has none).
      const offsetsDiffer = format === 'protobuf' && whole.offset !== streamed.offset;
      if (whole.code !== streamed.code || whole.line !== streamed.line || whole.column !== streamed.column || offsetsDiffer) {
        return finding(
          'stream-vs-parse',
          format,
          'stream',
          undefined,
          `parse() threw ${whole.code} at ${whole.line}:${whole.column}, parseStream ${streamed.code} at ${streamed.line}:${streamed.column}`,
        );
      }
    }
  }
  return null;
}

/** A valid payload parsed once at start; parsed again after errors, it must give the same families. */
export class StateCheck {
  private readonly expected: string[];
  constructor(private readonly refs: { bytes: Uint8Array; format: Format }[]) {
    this.expected = refs.map((r) => canon(parse(r.bytes, { format: r.format })));
  }
  check(): Finding | null {
    for (let i = 0; i < this.refs.length; i++) {
      const r = this.refs[i]!;
      let got: string;
      try {
        got = canon(parse(r.bytes, { format: r.format }));
      } catch (e) {
        return finding('state', r.format, 'reference', e, 'a valid reference payload no longer parses after this input');
      }
      if (got !== this.expected[i]) {
        return finding('state', r.format, 'reference', undefined, 'a valid reference payload parses differently after this input');
      }
    }
    return null;
  }
}
