import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type MetricFamily, type ParserOptions, PromwireError, parse, parseStream } from '../src/index.js';

const FIXTURES = join(__dirname, '..', 'fixtures');
const REAL = join(__dirname, '..', '..', 'shared', 'fixtures-real');

function payloads(): [string, Uint8Array, ParserOptions][] {
  const out: [string, Uint8Array, ParserOptions][] = [];
  const dir = existsSync(REAL) ? REAL : FIXTURES;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.prom') && !f.endsWith('.om.txt')) continue;
    out.push([f, readFileSync(join(dir, f)), { format: f.endsWith('.om.txt') ? 'openmetrics' : 'text' }]);
  }
  // The bodies pushed to the Pushgateway before capture (text 0.0.4).
  if (existsSync(join(REAL, 'inputs'))) {
    for (const f of readdirSync(join(REAL, 'inputs'))) out.push([`inputs/${f}`, readFileSync(join(REAL, 'inputs', f)), { format: 'text' }]);
  }
  return out;
}

async function collect(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, options: ParserOptions): Promise<MetricFamily[]> {
  const out: MetricFamily[] = [];
  for await (const f of parseStream(source, options)) out.push(f);
  return out;
}

async function* chunks(bytes: Uint8Array, size: number, first = size): AsyncGenerator<Uint8Array> {
  let i = 0;
  if (first > 0 && first < size) {
    yield bytes.subarray(0, first);
    i = first;
  }
  for (; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}

const equalNaN = (a: unknown, b: unknown) => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

describe('real payloads', () => {
  const all = payloads();
  it('are all there', () => {
    expect(all.length).toBeGreaterThanOrEqual(6);
  });

  it.each(all.map(([n, b, o]) => [n, b, o] as const))('%s parses, with every sample', (name, bytes, options) => {
    const fams = parse(bytes, options);
    const text = new TextDecoder().decode(bytes);
    // OpenMetrics `_created` lines are start timestamps of their series, not samples.
    const om = name.endsWith('.om.txt');
    const sampleLines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !(om && /^[^{ ]*_created[{ ]/.test(l))).length;
    expect(fams.reduce((n, f) => n + f.samples.length, 0)).toBe(sampleLines);
    expect(name).toBeTruthy();
  });

  it.each(all.map(([n, b, o]) => [n, b, o] as const))(
    '%s gives the same families streamed one byte at a time and split at every position',
    async (_name, bytes, options) => {
      const whole = parse(bytes, options);
      equalNaN(await collect(chunks(bytes, 1), options), whole);
      // Chunks of 7 starting at every offset 0..6 put a split at every byte position.
      for (let first = 1; first <= 7; first++) equalNaN(await collect(chunks(bytes, 7, first), options), whole);
      equalNaN(await collect(chunks(bytes, 4096, 1000), options), whole);
    },
  );
});

describe.skipIf(!existsSync(join(REAL, 'derived')))('derived expfmt re-encodings (not valid OpenMetrics)', () => {
  const dir = join(REAL, 'derived');
  const files = existsSync(dir) ? readdirSync(dir) : [];
  it.each(files)('%s is rejected as OpenMetrics, as the Python parser rejects it', (f) => {
    // expfmt drops `_total` from counter family names, so a counter and a
    // gauge end up sharing a family name.
    expect(() => parse(readFileSync(join(dir, f)), { format: 'openmetrics' })).toThrow(PromwireError);
  });
});

describe('parseStream sources', () => {
  const body = new TextEncoder().encode('# TYPE a gauge\na{x="é"} 1\nb 2\n');
  const expected = parse(body);

  it('reads a Node Readable', async () => {
    equalNaN(await collect(Readable.from([body.subarray(0, 20), body.subarray(20)]), {}), expected);
  });

  it('reads a WHATWG ReadableStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(body.subarray(0, 21)); // inside the two-byte "é"
        c.enqueue(body.subarray(21));
        c.close();
      },
    });
    equalNaN(await collect(stream, {}), expected);
  });

  it('reads strings', async () => {
    async function* s() {
      yield '# TYPE a gauge\na{x="';
      yield 'é"} 1\nb 2\n';
    }
    equalNaN(await collect(s() as AsyncIterable<Uint8Array>, {}), expected);
  });

  it('keeps a text label value with raw line feeds across chunks', async () => {
    const b = new TextEncoder().encode('a{x="one\ntwo\nthree"} 1\nb 2\n');
    equalNaN(await collect(chunks(b, 3), { format: 'text' }), parse(b, { format: 'text' }));
  });

  it('yields families as they complete, before the body ends', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    async function* slow() {
      yield new TextEncoder().encode('a 1\nb 2\n');
      await gate;
      yield new TextEncoder().encode('c 3\n');
    }
    const it = parseStream(slow(), { format: 'text' });
    const first = await it.next();
    expect(first.value).toMatchObject({ name: 'a' });
    release();
    const rest: string[] = [];
    for await (const f of it) rest.push(f.name);
    expect(rest).toEqual(['b', 'c']);
  });

  it('grows the carry-over buffer for a long line fed one byte at a time', async () => {
    const value = 'é'.repeat(20_000) + 'x'.repeat(10_000);
    const b = new TextEncoder().encode(`a 1\nb{x="${value}"} 2\nc 3\n`);
    const fams = await collect(chunks(b, 1), { format: 'text' });
    expect(fams.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(fams[1]!.samples[0]!.labels.x).toBe(value);
  });

  it('reads a text label value spread over many line-feed chunks as parse() does', async () => {
    const parts = ['a{x="', ...Array.from({ length: 2000 }, () => `${'x'.repeat(15)}\n`), '"} 1\nb 2\n'];
    async function* src() {
      for (const p of parts) yield new TextEncoder().encode(p);
    }
    const whole = parse(parts.join(''), { format: 'text' });
    equalNaN(await collect(src(), { format: 'text' }), whole);
    expect(whole[0]!.samples[0]!.labels.x).toHaveLength(32_000);
    // Unclosed: the same error either way.
    async function* open() {
      for (const p of parts.slice(0, -1)) yield new TextEncoder().encode(p);
    }
    await expect(collect(open(), { format: 'text' })).rejects.toMatchObject({ code: 'UNEXPECTED_END', line: 1, column: 5 });
    expect(() => parse(parts.slice(0, -1).join(''), { format: 'text' })).toThrow(/closing quote/);
  });

  it('stops reading at a NUL at a line start, as parse() does', async () => {
    const b = new TextEncoder().encode(`a 1\n\0junk\n${'c 1\n'.repeat(400_000)}`);
    const fams = await collect(chunks(b, 4096), { format: 'text' });
    expect(fams.map((f) => f.name)).toEqual(['a']);
    expect(parse(b, { format: 'text' }).map((f) => f.name)).toEqual(['a']);
  });

  it('bounds memory by maxLineLength when no line feed comes', async () => {
    async function* endless() {
      const junk = new Uint8Array(1024).fill(0x61);
      for (let i = 0; i < 10_000; i++) yield junk;
    }
    await expect(collect(endless(), { maxLineLength: 64 * 1024 })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      limit: 'maxLineLength',
    });
  });

  it('bounds the body by maxBodyBytes', async () => {
    async function* many() {
      for (let i = 0; i < 1000; i++) yield new TextEncoder().encode(`m${i} 1\n`);
    }
    await expect(collect(many(), { maxBodyBytes: 100 })).rejects.toBeInstanceOf(PromwireError);
  });

  it('reports errors with whole-payload line and offset', async () => {
    const b = new TextEncoder().encode('a 1\nb 2\nc x\n');
    await expect(collect(chunks(b, 2), { format: 'text' })).rejects.toMatchObject({ line: 3, column: 3, offset: 10 });
  });

  it('checks OpenMetrics # EOF at the end of the stream', async () => {
    const b = new TextEncoder().encode('a 1\n# EOF\n');
    expect(await collect(chunks(b, 3), { format: 'openmetrics' })).toHaveLength(1);
    await expect(collect(chunks(b.subarray(0, 4), 3), { format: 'openmetrics' })).rejects.toMatchObject({ code: 'MISSING_EOF' });
    const after = new TextEncoder().encode('a 1\n# EOF\nb 2\n');
    await expect(collect(chunks(after, 3), { format: 'openmetrics' })).rejects.toMatchObject({ code: 'CONTENT_AFTER_EOF', line: 3 });
  });
});
