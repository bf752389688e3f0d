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

  it('rejects a batch size that is not a positive number', async () => {
    await expect(pieces('a 1\n', 'text', 0)).rejects.toThrow(/expected batchSamples to be a positive number/);
  });
});
