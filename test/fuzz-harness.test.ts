/**
 * The fuzzer's own machinery (fuzz/): inputs are a pure function of (seed,
 * iteration), and the finding checks tell a PromwireError with a true
 * position from everything else. The fuzz run itself is `npm run fuzz`.
 */
import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/index.js';
import { Rng } from '../bench/generate.js';
import { MAX_INPUT, makeInput, makeSeed } from '../fuzz/mutate.js';
import { loadCorpus } from '../fuzz/seeds.js';
import { Positions, canon, checkError } from '../fuzz/target.js';

const enc = new TextEncoder();

describe('fuzz/mutate', () => {
  const corpus = loadCorpus();

  it('loads the fixtures, the edge lines and a generated payload', () => {
    const names = corpus.map((s) => s.name);
    expect(names).toContain('fixtures/node_exporter.prom');
    expect(names).toContain('fuzz/corpus/text-edge.prom');
    expect(names).toContain('generated.om.txt');
  });

  it('makes the same input for the same seed and iteration, and mostly different ones otherwise', () => {
    const a = Array.from({ length: 200 }, (_, i) => makeInput(corpus, 7, i));
    const b = Array.from({ length: 200 }, (_, i) => makeInput(corpus, 7, i));
    expect(b).toEqual(a);
    const c = Array.from({ length: 200 }, (_, i) => makeInput(corpus, 8, i));
    const same = a.filter((x, i) => Buffer.from(x).equals(Buffer.from(c[i]!))).length;
    expect(same).toBeLessThan(20);
    const distinct = new Set(a.map((x) => Buffer.from(x).toString('base64')));
    expect(distinct.size).toBeGreaterThan(180);
  });

  it('keeps inputs under the size cap and uses the interesting bytes', () => {
    let backslash = 0;
    let highBytes = 0;
    for (let i = 0; i < 2000; i++) {
      const x = makeInput(corpus, 1, i);
      expect(x.length).toBeLessThanOrEqual(MAX_INPUT);
      if (x.includes(0x5c)) backslash++;
      if (x.some((b) => b >= 0x80)) highBytes++;
    }
    expect(backslash).toBeGreaterThan(100);
    expect(highBytes).toBeGreaterThan(100);
  });

  it('indexes seed lines', () => {
    expect(makeSeed('x', enc.encode('a\nbb\n\nc'), false).lines).toEqual([0, 2, 5, 6]);
  });
});

describe('fuzz/target', () => {
  it('Positions gives the 1-based line and byte column of any offset', () => {
    const rng = new Rng(3);
    const bytes = new Uint8Array(3000).map(() => (rng.chance(0.05) ? 0x0a : 0x61));
    const pos = new Positions(bytes);
    for (let k = 0; k < 300; k++) {
      const off = rng.int(bytes.length + 1);
      let line = 1;
      let start = 0;
      for (let i = 0; i < off; i++) {
        if (bytes[i] === 0x0a) {
          line++;
          start = i + 1;
        }
      }
      expect(pos.of(off)).toEqual({ line, column: off - start + 1 });
    }
  });

  it('checkError: a PromwireError whose position matches its offset is fine', () => {
    const bytes = enc.encode('a 1\nb x\n');
    const e = new PromwireError('INVALID_VALUE', 'expected a number', { line: 2, column: 3, offset: 6 });
    expect(checkError(e, bytes, 'text', 'parse')).toBeNull();
  });

  it('checkError: anything else is a finding', () => {
    const bytes = enc.encode('a 1\nb x\n');
    expect(checkError(new TypeError('x is undefined'), bytes, 'text', 'parse')?.kind).toBe('crash');
    expect(checkError('a string', bytes, 'text', 'parse')?.kind).toBe('crash');
    const noPos = new PromwireError('INVALID_VALUE', 'expected a number');
    expect(checkError(noPos, bytes, 'text', 'parse')?.kind).toBe('bad-error');
    const wrongLine = new PromwireError('INVALID_VALUE', 'expected a number', { line: 1, column: 3, offset: 6 });
    const f = checkError(wrongLine, bytes, 'text', 'lenient');
    expect(f?.kind).toBe('bad-error');
    expect(f?.message).toContain('which is 2:3');
    const outside = new PromwireError('INVALID_VALUE', 'expected a number', { line: 3, column: 1, offset: 99 });
    expect(checkError(outside, bytes, 'text', 'parse')?.message).toContain('outside the input');
  });

  it('canon spells out NaN, infinities and negative zero, so two parses compare exactly', () => {
    const fam = (v: number) => [
      { name: 'a', type: 'gauge' as const, help: '', unit: '', samples: [{ name: 'a', labels: {}, value: v, timestamp: null }] },
    ];
    expect(canon(fam(NaN))).toContain('"NaN"');
    expect(canon(fam(-0))).not.toBe(canon(fam(0)));
    expect(canon(fam(Infinity))).not.toBe(canon(fam(-Infinity)));
  });
});
