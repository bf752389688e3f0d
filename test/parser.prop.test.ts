import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Entry, Parser, PromwireError, formatFloat, parse, type Format } from '../src/index.js';

const enc = new TextEncoder();
const VALID = enc.encode('# HELP ok A valid payload.\n# TYPE ok gauge\nok{x="1"} 2\n# EOF\n');

function parseOrPromwireError(bytes: Uint8Array, format: Format): void {
  try {
    parse(bytes, { format });
  } catch (e) {
    if (!(e instanceof PromwireError)) throw e;
    expect(e.code).toBeTruthy();
    expect(e.line).toBeGreaterThanOrEqual(0);
    expect(e.column).toBeGreaterThanOrEqual(0);
  }
}

// Bytes biased towards the grammar's own characters, so that inputs get deep.
const grammarByte = fc.oneof(
  fc.constantFrom(...'{}=",# \t\n\\.+-eE0123456789abc_:'.split('').map((c) => c.charCodeAt(0))),
  fc.integer({ min: 0, max: 255 }),
);
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.array(grammarByte, { maxLength: 200 }).map((a) => Uint8Array.from(a)),
);

describe('arbitrary bytes', () => {
  it.each(['text', 'openmetrics'] as const)('%s: a result or a PromwireError, nothing else', (format) => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        parseOrPromwireError(bytes, format);
        // The same options then parse a valid payload correctly.
        const fams = parse(VALID, { format });
        expect(fams[0]!.samples[0]!.value).toBe(2);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(['text', 'openmetrics'] as const)('%s: mutations of a valid payload', (format) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: VALID.length }), fc.array(grammarByte, { maxLength: 4 }), fc.nat(3), (at, insert, del) => {
        const b = new Uint8Array(VALID.length + insert.length);
        b.set(VALID.subarray(0, at));
        b.set(insert, at);
        b.set(VALID.subarray(Math.min(VALID.length, at + del)), at + insert.length);
        parseOrPromwireError(b.subarray(0, VALID.length + insert.length - Math.min(del, VALID.length - at)), format);
      }),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------- valid payloads

const nameArb = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,12}$/);
const labelNameArb = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/).filter((s) => !s.startsWith('__'));
const labelValueArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('"', '\\', '\n', 'a"b\\c\nd', '\\n', 'é日本'),
);
const valueArb = fc.oneof(
  fc.double(),
  fc.integer({ min: -1e15, max: 1e15 }),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-5, 1e21, 5e-324),
);
const sampleArb = fc.record({
  labels: fc.uniqueArray(fc.tuple(labelNameArb, labelValueArb), { selector: (t) => t[0], maxLength: 5 }),
  value: valueArb,
  timestamp: fc.option(fc.integer({ min: 0, max: 1e13 }), { nil: null }),
});
const familyArb = fc.record({ name: nameArb, help: labelValueArb, samples: fc.array(sampleArb, { minLength: 1, maxLength: 4 }) });

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
function escHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
function spell(v: number): string {
  // Every spelling the grammar has for these values.
  return Number.isNaN(v) ? 'NaN' : formatFloat(v);
}

type Fam = { name: string; help: string; samples: { labels: [string, string][]; value: number; timestamp: number | null }[] };

function render(fams: Fam[]): string {
  let out = '';
  for (const f of fams) {
    out += `# HELP ${f.name} ${escHelp(f.help)}\n# TYPE ${f.name} gauge\n`;
    for (const s of f.samples) {
      const l = s.labels.map(([k, v]) => `${k}="${esc(v)}"`).join(',');
      out += `${f.name}${l === '' ? '' : `{${l}}`} ${spell(s.value)}${s.timestamp === null ? '' : ` ${s.timestamp}`}\n`;
    }
  }
  return out;
}

describe('generated valid text payloads', () => {
  it('the families layer, the pull API and the generated model agree', () => {
    fc.assert(
      fc.property(fc.uniqueArray(familyArb, { selector: (f) => f.name, maxLength: 4 }), (fams) => {
        const bytes = enc.encode(render(fams));
        const parsed = parse(bytes, { format: 'text' });
        // Pull API walk.
        const p = new Parser(bytes, { format: 'text' });
        const walked: { name: string; labels: [string, string][]; value: number; timestamp: number | null }[] = [];
        const helps: string[] = [];
        for (let e = p.next(); e !== Entry.EOF; e = p.next()) {
          if (e === Entry.Help) helps.push(p.help());
          if (e !== Entry.Series) continue;
          const labels: [string, string][] = [];
          for (let i = 0; i < p.labelCount(); i++) labels.push([p.labelName(i), p.labelValue(i)]);
          walked.push({ name: p.metricName(), labels, value: p.value(), timestamp: p.timestamp() });
        }
        const fromFamilies = parsed.flatMap((f) =>
          f.samples.map((s) => ({ name: s.name, labels: Object.entries(s.labels), value: s.value, timestamp: s.timestamp })),
        );
        expect(walked.map((w) => ({ ...w, labels: Object.fromEntries(w.labels) }))).toEqual(
          fromFamilies.map((w) => ({ ...w, labels: Object.fromEntries(w.labels) })),
        );
        const expected = fams.flatMap((f) =>
          f.samples.map((s) => ({ name: f.name, labels: Object.fromEntries(s.labels), value: s.value, timestamp: s.timestamp })),
        );
        expect(walked.map((w) => ({ ...w, labels: Object.fromEntries(w.labels) }))).toEqual(
          expected.map((s) => ({ ...s, value: Object.is(s.value, -0) ? -0 : s.value })),
        );
        // promlex reads a HELP text of blanks only as whitespace: empty help.
        expect(helps).toEqual(fams.map((f) => (/^[ \t]*$/.test(f.help) ? '' : f.help)));
        expect(parsed.map((f) => f.name)).toEqual(fams.map((f) => f.name));
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 500) },
    );
  });
});
