import { describe, expect, it } from 'vitest';
import type { MetricFamily, Sample } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { parseStream } from '../src/parse/stream.js';

async function pieces(payload: string, format: 'text' | 'openmetrics', batchSamples: number): Promise<MetricFamily[]> {
  const out: MetricFamily[] = [];
  async function* one(): AsyncGenerator<string> {
    yield payload;
  }
  for await (const f of parseStream(one(), { format, batchSamples })) out.push(f);
  return out;
}

describe('parseStream batchSamples', () => {
  const om = [
    '# TYPE lat histogram',
    '# HELP lat Latency.',
    ...['a', 'b', 'c'].flatMap((r) => [
      `lat_bucket{r="${r}",le="1"} 1`,
      `lat_bucket{r="${r}",le="+Inf"} 2`,
      `lat_count{r="${r}"} 2`,
      `lat_sum{r="${r}"} 3`,
      `lat_created{r="${r}"} 1700000000`,
    ]),
    '# TYPE c counter',
    ...[1, 2, 3, 4, 5].flatMap((i) => [`c_total{i="${i}"} ${i}`, `c_created{i="${i}"} 1700000000`]),
    '# EOF',
    '',
  ].join('\n');

  it('hands a family over in pieces that never split a series, with the metadata on each', async () => {
    const whole = parse(om, { format: 'openmetrics' });
    const got = await pieces(om, 'openmetrics', 2);
    // Histogram: each series (4 samples) is a piece, since a piece ends only where a new series starts.
    expect(got.map((f) => [f.name, f.help, f.samples.length])).toEqual([
      ['lat', 'Latency.', 4],
      ['lat', 'Latency.', 4],
      ['lat', 'Latency.', 4],
      ['c_total', '', 2],
      ['c_total', '', 2],
      ['c_total', '', 1],
    ]);
    // Joined, the pieces are the whole families, start timestamps included.
    const joined = (fs: MetricFamily[]): Sample[] => fs.flatMap((f) => f.samples as Sample[]);
    expect(joined(got)).toEqual(joined(whole));
    expect(joined(got).every((s) => s.startTimestamp === 1.7e12)).toBe(true);
  });

  it('cuts a run of one series at many timestamps too (each sample of a gauge is its own point)', async () => {
    let body = '';
    for (let i = 0; i < 1000; i++) body += `a 1 ${i}\n`;
    const got = await pieces(body, 'text', 100);
    expect(got.map((f) => f.samples.length)).toEqual(new Array(10).fill(100));
    // A histogram's run of identical points is cut at twice the batch size at the latest.
    let h = '# TYPE h histogram\n';
    for (let i = 0; i < 3000; i++) h += 'h_sum 1\n';
    const hs = await pieces(h, 'text', 100);
    expect(Math.max(...hs.map((f) => f.samples.length))).toBeLessThanOrEqual(2 * 100 + 1024 + 1);
    expect(hs.reduce((n, f) => n + f.samples.length, 0)).toBe(3000);
  });

  it('rejects a batch size that is not a positive number', async () => {
    await expect(pieces('a 1\n', 'text', 0)).rejects.toThrow(/expected batchSamples to be a positive number/);
  });
});
