/**
 * The direct MetricSet path of encodeWriteRequest(s) (each series' label
 * bytes rendered once, values written in place) against the families path
 * (`encodeWriteRequest(set.collect(), ...)`): the same bytes, request for
 * request.
 */
import { describe, expect, it, vi } from 'vitest';
import { encodeWriteRequest, encodeWriteRequests, MetricSet, type MetricSetOptions } from '../src/index.js';

const T = 1_700_000_000_123;

function build(options: MetricSetOptions = {}): MetricSet {
  const set = new MetricSet(options);
  const c = set.counter({ name: 'http_requests', help: 'Requests.', labelNames: ['method', 'code'] });
  c.labels({ method: 'GET', code: '200' }).inc(3);
  c.labels({ method: 'POST', code: '500' }).inc(0.5);
  c.labels({ method: '', code: 'é ü 日本 𝄞' }).inc();
  set.counter({ name: 'plain', help: '' }).inc(-0 + 0);
  const g = set.gauge({ name: 'temperature', help: 'Degrees.', unit: 'celsius', labelNames: ['zone'] });
  g.labels({ zone: 'a' }).set(-0);
  g.labels({ zone: 'b' }).set(Number.NaN);
  g.labels({ zone: 'c' }).set(Number.POSITIVE_INFINITY);
  g.labels({ zone: 'x'.repeat(200) }).set(1e300);
  const h = set.histogram({ name: 'latency_seconds', help: 'Latency.', labelNames: ['path'], buckets: [0.005, 0.1, 1, 10] });
  for (const v of [0.001, 0.05, 0.5, 2, 20, Number.NaN]) h.labels({ path: '/a' }).observe(v);
  h.labels({ path: '/b' });
  const s = set.summary({ name: 'rpc_seconds', help: 'RPC.', quantiles: [0.5, 0.99], labelNames: ['svc'] });
  s.labels({ svc: 'x' }).set({ quantiles: [0.1, 0.9], sum: 12, count: 40 });
  set.info({ name: 'build', help: 'Build.', labelNames: ['version', 'a'] }).labels({ version: '1.2.3', a: 'z' });
  const st = set.stateset({ name: 'mode', help: 'Mode.', states: ['on', 'off', 'auto'], labelNames: ['dev'] });
  st.labels({ dev: 'd1' }).set('off');
  set.gauge({ name: 'empty_family', help: 'No series.', labelNames: ['k'] });
  const n = set.histogram({ name: 'native_seconds', help: 'Native.', labelNames: ['k'], native: { bucketFactor: 1.1 } });
  for (const v of [0, 0.001, 0.5, 1, 1.5, 3, -2, 100]) n.labels({ k: 'v' }).observe(v);
  n.labels({ k: 'empty' });
  const both = set.histogram({ name: 'both_seconds', help: '', buckets: [1, 2], native: { bucketFactor: 2 } });
  for (const v of [0.5, 1.5, 2.5]) both.observe(v);
  return set;
}

function buildUtf8(): MetricSet {
  const set = new MetricSet({ nameValidation: 'utf-8', defaultLabels: { 'host.name': 'h1', zone: 'eu', Ä: 'ü' } });
  const c = set.counter({ name: 'my.requests', help: 'UTF-8 name.', labelNames: ['http.method', 'A', '\u{ff5e}', '\u{1f600}'] });
  c.labels({ 'http.method': 'GET', A: 'b', '\u{ff5e}': 'x', '\u{1f600}': 'y' }).inc(7);
  const h = set.histogram({ name: 'lat.seconds', help: '', labelNames: ['p.q'], buckets: [0.25, 1] });
  h.labels({ 'p.q': 'r' }).observe(0.3);
  const st = set.stateset({ name: 'state.x', help: '', states: ['a.b', 'c'] });
  st.set('c');
  return set;
}

const sets: Array<[string, () => MetricSet]> = [
  ['every type', () => build()],
  ['default labels', () => build({ defaultLabels: { job: 'api', instance: 'host:9100', aaa: '', zzz: 'last' } })],
  ['UTF-8 names and labels', buildUtf8],
  ['an empty set', () => new MetricSet()],
];

describe('encodeWriteRequest(MetricSet): the direct path writes what the families path writes', () => {
  for (const [name, make] of sets) {
    for (const version of ['1.0', '2.0'] as const) {
      for (const metadata of [true, false]) {
        it(`${name}, ${version}, metadata ${metadata}`, () => {
          const set = make();
          const o = { version, timestamp: T, metadata };
          const collect = vi.spyOn(set, 'collect');
          const direct = encodeWriteRequest(set, o);
          expect(collect).not.toHaveBeenCalled();
          collect.mockRestore();
          expect(Buffer.from(direct).equals(Buffer.from(encodeWriteRequest(set.collect(), o)))).toBe(true);
          // Twice: the second encode writes the cached label bytes.
          expect(Buffer.from(encodeWriteRequest(set, o)).equals(Buffer.from(direct))).toBe(true);
        });
      }
      for (const max of [1, 2, 3, 7, 1000]) {
        it(`${name}, ${version}, maxSamplesPerRequest ${max}`, () => {
          const set = make();
          const o = { version, timestamp: T, maxSamplesPerRequest: max };
          const direct = [...encodeWriteRequests(set, o)];
          const families = [...encodeWriteRequests(set.collect(), o)];
          expect(direct.map((r) => ({ ...r, body: Buffer.from(r.body).toString('hex') }))).toEqual(
            families.map((r) => ({ ...r, body: Buffer.from(r.body).toString('hex') })),
          );
          if (name !== 'an empty set' && max < 1000) expect(direct.length).toBeGreaterThan(1);
        });
      }
    }
  }

  it('sees values changed after the labels were cached, and series added and removed', () => {
    const set = build({ defaultLabels: { job: 'j' } });
    encodeWriteRequest(set, { version: '1.0', timestamp: T });
    encodeWriteRequest(set, { version: '2.0', timestamp: T });
    const c = set.get('http_requests_total') as ReturnType<MetricSet['counter']>;
    c.labels({ method: 'GET', code: '200' }).inc(10);
    c.labels({ method: 'PUT', code: '201' }).inc();
    c.remove({ method: 'POST', code: '500' });
    for (const version of ['1.0', '2.0'] as const) {
      const o = { version, timestamp: T };
      expect(Buffer.from(encodeWriteRequest(set, o)).equals(Buffer.from(encodeWriteRequest(set.collect(), o)))).toBe(true);
    }
  });
});
