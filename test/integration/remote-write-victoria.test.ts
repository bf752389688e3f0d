/**
 * promwire sends remote write 1.0 to a real VictoriaMetrics 1.145 (Debian
 * sid's single-node binary, `/api/v1/write`), and every series, value and
 * timestamp read back through its export API (`/api/v1/export`, JSON lines)
 * equals what was sent: 20k series in two rounds, split over many requests.
 *
 * VictoriaMetrics 1.145 does not speak 2.0: a 2.0 body sent with the 2.0
 * Content-Type is answered 204 without any written-count header, and nothing
 * is stored (it reads the body as a 1.0 WriteRequest, whose fields 4 and 5
 * it does not know). promwire's client sees the missing headers and fails,
 * or, with `fallback`, sends the same data again as 1.0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteWrite } from '../../src/toolkit/remote-write-client.js';
import { Cleanup } from './helpers.js';
import { bulkFamilies, seriesKey, seriesOfFamilies, startVictoriaMetrics } from './rw-reference.js';
import type { VictoriaMetrics } from './rw-reference.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

let vm: VictoriaMetrics;
beforeAll(async () => {
  vm = await startVictoriaMetrics(cleanup);
}, 120_000);

/** Whole seconds, a minute apart, recent enough for any retention. */
const T0 = Math.floor(Date.now() / 1000) * 1000 - 180_000;
const T1 = T0 + 60_000;

/**
 * Values VictoriaMetrics stores exactly. It keeps a float64 as a decimal
 * mantissa and exponent (lib/decimal), so integers and short decimals come
 * back bit for bit; a value with 17 significant digits (1/3) may not, and
 * is left out on purpose.
 */
const value0 = (f: number, s: number): number => f * 100_000 + s + 0.25;
const value1 = (f: number, s: number): number => -(f * 100_000 + s + 1) * 1.5;

describe('promwire -> VictoriaMetrics 1.145, remote write 1.0', () => {
  it('every one of 20k series, two samples each, reads back through /api/v1/export as sent', async () => {
    const round0 = bulkFamilies('pw_vm', 20, 1000, T0, value0);
    const round1 = bulkFamilies('pw_vm', 20, 1000, T1, value1);
    for (const fams of [round0, round1]) {
      const r = await remoteWrite(`${vm.base}/api/v1/write`, fams, { version: '1.0', maxSamplesPerRequest: 5000 });
      expect(r.version).toBe('1.0');
      expect(r.sent.samples).toBe(20_000);
      expect(r.requests).toBe(4);
      expect(r.status).toBe(204);
    }
    const want = seriesOfFamilies([...round0, ...round1]);
    const got = await vm.exportSeries('{__name__=~"pw_vm_.+"}');
    expect(got.size).toBe(20_000);
    let compared = 0;
    for (const [k, w] of want) {
      const g = got.get(k);
      expect(g, k).toBeDefined();
      expect(g!.samples, k).toEqual(w.samples);
      compared++;
    }
    expect(compared).toBe(20_000);
    // One spot check written out, so a reader sees the shape.
    expect(got.get(seriesKey({ __name__: 'pw_vm_f3_total', series: '17', zone: 'z3' }))).toBeUndefined();
    expect(got.get(seriesKey({ __name__: 'pw_vm_f3', series: '17', zone: 'z3' }))?.samples).toEqual([
      [T0, 300_017.25],
      [T1, -450_027],
    ]);
  });

  it('2.0 is answered 2xx without written-count headers: the client fails clearly, or falls back to 1.0 when asked', async () => {
    const fams = bulkFamilies('pw_vm2', 2, 50, T1, (f, s) => f + s);
    await expect(remoteWrite(`${vm.base}/api/v1/write`, fams, { version: '2.0' })).rejects.toThrow(/written|2\.0/);
    expect((await vm.exportSeries('{__name__=~"pw_vm2_.+"}')).size).toBe(0);

    const r = await remoteWrite(`${vm.base}/api/v1/write`, fams, { version: '2.0', fallback: true });
    expect(r.fellBack).toBe(true);
    expect(r.version).toBe('1.0');
    const got = await vm.exportSeries('{__name__=~"pw_vm2_.+"}');
    expect(got.size).toBe(100);
    for (const [k, w] of seriesOfFamilies(fams)) expect(got.get(k)?.samples, k).toEqual(w.samples);
  });
});
