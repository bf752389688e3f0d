/**
 * One set of limits, applied alike by `parse()` and `parseStream()`: the same
 * input gives the same families, or the same error code and limit name,
 * through both, at chunk sizes 1, 7 and 64 KiB. And the defaults refuse
 * nothing Prometheus 3.5 accepts by default (label_limit and the length
 * limits default to none there).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type MetricFamily, type ParserOptions, PromwireError, parse, parseStream } from '../src/index.js';

const enc = new TextEncoder();

type Outcome = { families: string } | { code: string; limit: string | undefined };

function outcomeOf(err: unknown): Outcome {
  if (!(err instanceof PromwireError)) throw err;
  return { code: err.code, limit: err.limit };
}

function viaParse(bytes: Uint8Array, options: ParserOptions): Outcome {
  try {
    return { families: JSON.stringify(parse(bytes, options)) };
  } catch (e) {
    return outcomeOf(e);
  }
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

async function viaStream(bytes: Uint8Array, options: ParserOptions, size: number): Promise<Outcome> {
  const out: MetricFamily[] = [];
  try {
    for await (const f of parseStream(chunks(bytes, size), options)) out.push(f);
    return { families: JSON.stringify(out) };
  } catch (e) {
    return outcomeOf(e);
  }
}

const SIZES = [1, 7, 64 * 1024];
const long = (n: number) => 'y'.repeat(n);

// [what, payload, options, expected: 'ok' or the limit name or the error code]
const CASES: [string, string, ParserOptions, string][] = [
  ['short valid lines', 'a{x="1"} 1\nb 2\n# HELP b hi\n', { format: 'text', maxLineLength: 64 }, 'ok'],
  ['a line just at the limit', `a{x="${long(64 - 9)}"} 1\nb 2\n`, { format: 'text', maxLineLength: 64 }, 'ok'],
  ['a line one byte over', `a{x="${long(64 - 8)}"} 1\nb 2\n`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  ['an over-long line with a syntax error early', `a{x=1 ${long(200)}\nb 2\n`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  ['an over-long line with a syntax error late', `a{x="${long(200)}"} zzz\nb 2\n`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  [
    'a short line with a syntax error, then an over-long one',
    `a{x=1} 1\nb{y="${long(200)}"} 2\n`,
    { format: 'text', maxLineLength: 64 },
    'INVALID_LABEL_VALUE',
  ],
  ['an over-long line, then a syntax error', `b{y="${long(200)}"} 2\na{x=1} 1\n`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  ['an over-long last line without a line feed', `b 1\nc{y="${long(200)}"} 2`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  ['a multi-line text value within the limit', `a{x="${'yy\n'.repeat(10)}"} 1\nb 2\n`, { format: 'text', maxLineLength: 64 }, 'ok'],
  [
    'a multi-line text value over the limit, every piece short',
    `a{x="${'yy\n'.repeat(40)}"} 1\nb 2\n`,
    { format: 'text', maxLineLength: 64 },
    'maxLineLength',
  ],
  ['a quoted metric name over raw line feeds', `{"${'yy\n'.repeat(40)}"} 1\n`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  ['an unclosed quote over many lines', `a{x="${'yy\n'.repeat(40)}`, { format: 'text', maxLineLength: 64 }, 'maxLineLength'],
  ['an unclosed quote, short', 'a{x="yy\nyy\n', { format: 'text', maxLineLength: 64 }, 'UNEXPECTED_END'],
  [
    'a multi-line value, then many short lines and an error',
    `a{x="${'yy\n'.repeat(10)}"} 1\n${'b 2\n'.repeat(30)}c{ 1\n`,
    { format: 'text', maxLineLength: 64 },
    'INVALID_LABEL_NAME',
  ],
  ['a NUL line over the limit ends the input', `a 1\n\0${long(300)}\nzzz\n`, { format: 'text', maxLineLength: 64 }, 'ok'],
  ['maxLabels on a short line', 'a{x="1",y="2",z="3"} 1\n', { format: 'text', maxLineLength: 64, maxLabels: 2 }, 'maxLabels'],
  [
    'maxLabels on an over-long line',
    `a{x="1",y="2",z="${long(100)}"} 1\n`,
    { format: 'text', maxLineLength: 64, maxLabels: 2 },
    'maxLineLength',
  ],
  ['a metric name over maxLabelValueLength', `${long(20)} 1\n`, { format: 'text', maxLabelValueLength: 10 }, 'maxLabelValueLength'],
  [
    'a quoted metric name over maxLabelValueLength',
    `{"${long(20)}"} 1\n`,
    { format: 'text', maxLabelValueLength: 10 },
    'maxLabelValueLength',
  ],
  ['maxSeries', 'a 1\nb 2\nc 3\n', { format: 'text', maxSeries: 2 }, 'maxSeries'],
  ['OpenMetrics: short lines', '# TYPE a gauge\na 1\n# EOF\n', { format: 'openmetrics', maxLineLength: 64 }, 'ok'],
  [
    'OpenMetrics: an over-long line',
    `# TYPE a gauge\na{x="${long(100)}"} 1\n# EOF\n`,
    { format: 'openmetrics', maxLineLength: 64 },
    'maxLineLength',
  ],
  [
    'OpenMetrics: an over-long line with an error',
    `# TYPE a gauge\na{x="${long(100)}",} 1\n# EOF\n`,
    { format: 'openmetrics', maxLineLength: 64 },
    'maxLineLength',
  ],
  [
    'OpenMetrics: short content after # EOF',
    '# TYPE a gauge\na 1\n# EOF\nb 1\n',
    { format: 'openmetrics', maxLineLength: 64 },
    'CONTENT_AFTER_EOF',
  ],
  [
    'OpenMetrics: long content after # EOF',
    `# TYPE a gauge\na 1\n# EOF\nb${long(100)}`,
    { format: 'openmetrics', maxLineLength: 64 },
    'maxLineLength',
  ],
  ['OpenMetrics: missing # EOF', '# TYPE a gauge\na 1\n', { format: 'openmetrics', maxLineLength: 64 }, 'MISSING_EOF'],
];

describe('parse() and parseStream() apply the same limits', () => {
  it.each(CASES)('%s', async (_what, payload, options, expected) => {
    const bytes = enc.encode(payload);
    const direct = viaParse(bytes, options);
    if (expected === 'ok') expect(direct).toHaveProperty('families');
    else if (expected.startsWith('max')) expect(direct).toEqual({ code: 'LIMIT_EXCEEDED', limit: expected });
    else expect(direct).toEqual({ code: expected, limit: undefined });
    for (const size of SIZES) expect([size, await viaStream(bytes, options, size)]).toEqual([size, direct]);
  });

  it('refuses a 1.5 MB text quoted metric name spread over raw line feeds through both, with the default limits', async () => {
    const bytes = enc.encode(`{"${'y'.repeat(1000).concat('\n').repeat(1500)}"} 1\n`);
    expect(bytes.length).toBeGreaterThan(DEFAULT_LIMITS.maxLineLength);
    const direct = viaParse(bytes, { format: 'text' });
    expect(direct).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'maxLineLength' });
    for (const size of SIZES) expect([size, await viaStream(bytes, { format: 'text' }, size)]).toEqual([size, direct]);
  }, 30_000);
});

describe('default limits refuse nothing Prometheus accepts by default', () => {
  it('has no label count or label length limit by default', () => {
    expect(DEFAULT_LIMITS.maxLabels).toBe(Infinity);
    expect(DEFAULT_LIMITS.maxLabelNameLength).toBe(Infinity);
    expect(DEFAULT_LIMITS.maxLabelValueLength).toBe(Infinity);
  });

  it('accepts a series with 500 labels', () => {
    const labels = Array.from({ length: 500 }, (_, i) => `l${i}="${i}"`).join(',');
    for (const format of ['text', 'openmetrics'] as const) {
      const fams = parse(`a{${labels}} 1\n${format === 'openmetrics' ? '# EOF\n' : ''}`, { format });
      expect(Object.keys(fams[0]!.samples[0]!.labels)).toHaveLength(500);
    }
  });

  it('accepts a 10,000-character label name and a 100,000-character label value', () => {
    const name = `n${'x'.repeat(9999)}`;
    const fams = parse(`a{${name}="${'v'.repeat(100_000)}"} 1\n`, { format: 'text' });
    expect(fams[0]!.samples[0]!.labels[name]).toHaveLength(100_000);
  });

  it('still applies a limit when one is set', () => {
    expect(() => parse('a{x="1",y="2"} 1\n', { format: 'text', maxLabels: 1 })).toThrow(/maxLabels/);
  });
});
