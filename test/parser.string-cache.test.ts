/**
 * The pull API's string caches (parser.ts) and the walk's comparison with
 * the previous line (Scanner.sameBytes): a string is reused only when its
 * bytes did not change, whichever accessors the caller asked for on which
 * lines, across HELP/TYPE/comment lines, raw line feeds, escapes, UTF-8,
 * quoted names, and stream pieces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Entry, type MetricFamily, PromwireError, Parser, parse, parseStream } from '../src/index.js';

interface Line {
  kind: 'sample' | 'help' | 'comment' | 'blank';
  name: string;
  labels: [string, string][];
  /** Render this value with a raw line feed in place of `\n`. */
  rawLf: boolean;
  quotedName: boolean;
}

// Few distinct tokens, so that lines repeat, and tokens that are prefixes of
// one another (`a`, `ab`, `abc...`), differ only in their last bytes, or
// cross 4-byte boundaries.
const NAMES = ['m', 'mm', 'metric_total', 'metric_totals', 'metric_tota', 'x.y'];
const LABEL_NAMES = ['a', 'ab', 'abc', 'abcd', 'abcde', 'le', 'instance'];
const VALUES = [
  '',
  'v',
  'vv',
  'abcd',
  'abce',
  'abcdefgh',
  'abcdefgi',
  'caf\u00e9',
  'caf\u00e8',
  'a"b',
  'a\\b',
  'l1\nl2',
  'x'.repeat(40),
  `${'x'.repeat(39)}y`,
];

const lineArb: fc.Arbitrary<Line> = fc.record({
  kind: fc.constantFrom<Line['kind']>('sample', 'sample', 'sample', 'sample', 'help', 'comment', 'blank'),
  name: fc.constantFrom(...NAMES),
  labels: fc.uniqueArray(fc.tuple(fc.constantFrom(...LABEL_NAMES), fc.constantFrom(...VALUES)), { maxLength: 4, selector: (t) => t[0] }),
  rawLf: fc.boolean(),
  quotedName: fc.boolean(),
});

function escapeValue(v: string, rawLf: boolean): string {
  const e = v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return rawLf ? e : e.replace(/\n/g, '\\n');
}

function render(lines: Line[]): string {
  let out = '';
  for (const l of lines) {
    // Names with a dot must be quoted (Prometheus 3 UTF-8 names).
    const quoted = l.quotedName || l.name.includes('.');
    if (l.kind === 'blank') out += '\n';
    else if (l.kind === 'comment') out += `# a comment ${l.name}\n`;
    else if (l.kind === 'help') out += `# HELP ${quoted ? `"${l.name}"` : l.name} help for ${l.name}\n`;
    else {
      const labels = l.labels.map(([n, v]) => `${n}="${escapeValue(v, l.rawLf)}"`);
      if (quoted) out += `{"${l.name}"${labels.map((x) => `,${x}`).join('')}} 1\n`;
      else out += `${l.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} 1\n`;
    }
  }
  return out;
}

/** Walks the payload asking for the strings of the lines `ask` picks, and checks each against the model. */
function walk(lines: Line[], ask: (line: number, label: number) => boolean): void {
  const p = new Parser(new TextEncoder().encode(render(lines)), { format: 'text' });
  const samples = lines.filter((l) => l.kind === 'sample' || l.kind === 'help');
  let k = 0;
  for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
    if (e === Entry.Comment) continue;
    const l = samples[k]!;
    if (e === Entry.Help) {
      expect(l.kind).toBe('help');
      if (ask(k, -1)) expect(p.metricName()).toBe(l.name);
      k++;
      continue;
    }
    expect(e).toBe(Entry.Series);
    expect(l.kind).toBe('sample');
    if (ask(k, -1)) expect(p.metricName()).toBe(l.name);
    expect(p.labelCount()).toBe(l.labels.length);
    for (let i = 0; i < l.labels.length; i++) {
      // Ask in either order (values first on odd lines) and sometimes twice.
      if (!ask(k, i)) continue;
      if (k % 2 === 1) expect(p.labelValue(i)).toBe(l.labels[i]![1]);
      expect(p.labelName(i)).toBe(l.labels[i]![0]);
      expect(p.labelValue(i)).toBe(l.labels[i]![1]);
    }
    k++;
  }
  expect(k).toBe(samples.length);
}

describe('pull API string caches', () => {
  it('every string asked for is the one written, whatever was asked on the lines before', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 30 }), fc.integer(), (lines, seed) => {
        walk(lines, () => true);
        walk(lines, (line, label) => ((line * 7 + label * 3 + seed) & 3) !== 0);
        walk(lines, (line) => (line + seed) % 3 === 0);
      }),
      { numRuns: 400 },
    );
  });

  it('a line equal to the one before but one byte longer or shorter gives its own strings', () => {
    const text = 'm{a="abcd",b="x"} 1\nm{a="abcde",b="x"} 1\nm{a="abc",b="xy"} 1\nmm{ab="abc",b="xy"} 1\nm{a="abc"} 1\nm{a="abc"} 1\n';
    const p = new Parser(new TextEncoder().encode(text), { format: 'text' });
    const got: string[] = [];
    for (let e = p.next(); e !== Entry.EOF; e = p.next()) got.push(`${p.metricName()} ${JSON.stringify(p.labels())}`);
    expect(got).toEqual([
      'm {"a":"abcd","b":"x"}',
      'm {"a":"abcde","b":"x"}',
      'm {"a":"abc","b":"xy"}',
      'mm {"ab":"abc","b":"xy"}',
      'm {"a":"abc"}',
      'm {"a":"abc"}',
    ]);
  });

  it('a repeated value holding a raw line feed still moves the line count', () => {
    const text = 'm{a="x\ny"} 1\nm{a="x\ny"} 1\nm{a="x\ny"} oops\n';
    let err: unknown;
    try {
      parse(text, { format: 'text' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
    expect((err as PromwireError).line).toBe(6);
  });

  it('invalid UTF-8 in a repeated value is found at its byte, however much valid UTF-8 is around', () => {
    const enc = new TextEncoder();
    const good = enc.encode('m{a="caf\u00e9"} 1\nm{a="caf\u00e9"} 1\nm{a="ca');
    // A lone continuation byte where the third value's "f" would be.
    const bytes = new Uint8Array([...good, 0x80, ...enc.encode('\u00e9"} 1\n')]);
    let err: unknown;
    try {
      parse(bytes, { format: 'text' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromwireError);
    expect((err as PromwireError).code).toBe('INVALID_UTF8');
    expect((err as PromwireError).line).toBe(3);
    expect((err as PromwireError).offset).toBe(good.length);
  });

  it('streamed in pieces split anywhere, the families are those of one parse', async () => {
    const norm = (f: MetricFamily[]): string => JSON.stringify(f);
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }),
        async (lines, sizes) => {
          const bytes = new TextEncoder().encode(render(lines));
          const want = norm(parse(bytes, { format: 'text' }));
          async function* pieces(): AsyncGenerator<Uint8Array> {
            let at = 0;
            for (let k = 0; at < bytes.length; k++) {
              const n = sizes[k % sizes.length]!;
              yield bytes.slice(at, at + n);
              at += n;
            }
          }
          const got: MetricFamily[] = [];
          for await (const f of parseStream(pieces(), { format: 'text' })) got.push(f);
          expect(norm(got)).toBe(want);
        },
      ),
      { numRuns: 150 },
    );
  });
});
