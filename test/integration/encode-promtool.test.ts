/**
 * The encoder's output is accepted by the reference tools, not just by
 * promwire's own parser:
 * - text 0.0.4: `promtool check metrics` (promtool 3.5.3 from Debian sid, the
 *   expfmt text parser plus promlint) reads it with no parse error, and
 *   re-encoding a real payload keeps promtool's findings exactly as they were;
 * - OpenMetrics: the Python client's parser (Debian python3-prometheus-client,
 *   `prometheus_client.openmetrics.parser`, strict about metadata order,
 *   clashing names, grouping, histogram consistency and exemplar placement)
 *   reads it, and finds the same families and samples as promwire's parser.
 * Inputs: every real payload in fixtures/ (in both formats, so every format
 * conversion is checked), the large generated payload, and a MetricSet with
 * every metric type.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE, generatePayload } from '../../bench/generate.js';
import { encode } from '../../src/encode/encoder.js';
import { MetricSet } from '../../src/metrics/index.js';
import type { Format, Labels, MetricFamily, Sample } from '../../src/model/index.js';
import { omName, reservedLabel } from '../../src/model/rules.js';
import { parse } from '../../src/parse/families.js';
import { BIN, type Run, runWithStdin as run } from './helpers.js';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = [
  'node_exporter.prom',
  'prometheus.prom',
  'pushgateway.prom',
  'federate.prom',
  'python_client.prom',
  'python_client.om.txt',
];

/** Every sample the Python parser reads: [family, type, sample, labels, value, timestamp, exemplar]. */
const PY_SAMPLES = `
import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
def num(v):
    return repr(float(v))
def ts(t):
    if t is None:
        return None
    if hasattr(t, 'sec'):
        return '%d.%09d' % (t.sec, t.nsec) if t.sec >= 0 else repr(float(t.sec) + t.nsec / 1e9)
    return repr(float(t))
out = []
for f in text_string_to_metric_families(sys.stdin.buffer.read().decode('utf-8')):
    for s in f.samples:
        e = s.exemplar
        out.append([f.name, f.type, s.name, s.labels, num(s.value), ts(s.timestamp),
                    None if e is None else [e.labels, num(e.value), ts(e.timestamp)]])
print(json.dumps(out))
`;

type PySample = [
  string,
  string,
  string,
  Record<string, string>,
  string,
  string | null,
  [Record<string, string>, string, string | null] | null,
];

function pyNumber(r: string): number {
  return r === 'nan' ? NaN : r === 'inf' ? Infinity : r === '-inf' ? -Infinity : Number(r);
}

/**
 * A timestamp as whole nanoseconds. Python keeps the digits written, cut at
 * nanoseconds (`sec.nnnnnnnnn`); promwire keeps milliseconds as a double
 * whose shortest spelling is those digits with the point moved.
 */
function nanos(secondsOrMs: string, unit: 'ms' | 's'): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(secondsOrMs);
  if (m === null) return BigInt(Math.round(Number(secondsOrMs) * (unit === 'ms' ? 1e6 : 1e9)));
  const places = unit === 'ms' ? 6 : 9;
  const frac = (m[3] ?? '').padEnd(places, '0').slice(0, places);
  const n = BigInt(m[2]! + frac);
  return m[1] === '-' ? -n : n;
}

const nsOfMs = (t: number | null): bigint | null => (t === null ? null : nanos(String(t), 'ms'));
const nsOfPy = (t: string | null): bigint | null => (t === null ? null : nanos(t, 's'));

/**
 * The same view of promwire's own parse, for comparison: the Python parser
 * names families as OpenMetrics does (`http_requests` for the model's
 * `http_requests_total`), keeps `_created` lines as samples (the model's
 * start timestamps, written after the last sample of their series) and one
 * exemplar a sample.
 */
function ours(fams: MetricFamily[]): unknown[] {
  const out: unknown[] = [];
  for (const f of fams) {
    const fam = omName(f);
    const omit = reservedLabel(f);
    const point = (l: Labels): string => JSON.stringify(Object.entries(l).filter(([k]) => k !== omit));
    const samples = f.samples as Sample[];
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const e = s.exemplars?.[0];
      out.push([
        fam,
        f.type,
        s.name,
        s.labels,
        s.value,
        nsOfMs(s.timestamp),
        e === undefined ? null : [e.labels, e.value, nsOfMs(e.timestamp)],
      ]);
      const next = samples[i + 1];
      const endsPoint = f.type === 'counter' || next === undefined || point(next.labels) !== point(s.labels);
      if (s.startTimestamp !== undefined && endsPoint) {
        const labels = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== omit));
        // Whole milliseconds: the model keeps a start timestamp as a double of milliseconds.
        out.push([fam, f.type, `${fam}_created`, labels, Math.floor(s.startTimestamp), nsOfMs(s.timestamp), null]);
      }
    }
  }
  return out;
}

function theirs(py: PySample[]): unknown[] {
  return py.map(([fam, type, name, labels, value, t, e]) => [
    fam,
    type,
    name,
    labels,
    name === `${fam}_created` && ['counter', 'histogram', 'summary'].includes(type) ? Math.floor(pyNumber(value) * 1000) : pyNumber(value),
    nsOfPy(t),
    e === null ? null : [e[0], pyNumber(e[1]), nsOfPy(e[2])],
  ]);
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'promwire-encode-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function promtool(name: string, bytes: Uint8Array): Promise<Run> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return run(BIN.promtool, ['check', 'metrics'], file);
}

async function pythonSamples(name: string, bytes: Uint8Array): Promise<PySample[]> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  const r = await run(BIN.python, ['-c', PY_SAMPLES], file);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PySample[];
}

/** Asserts the Python parser reads an OpenMetrics payload as promwire does. */
async function expectPythonAgrees(name: string, bytes: Uint8Array): Promise<void> {
  const py = await pythonSamples(name, bytes);
  const mine = ours(parse(bytes, { format: 'openmetrics' }));
  expect(py.length).toBe(mine.length);
  expect(theirs(py)).toEqual(mine);
}

describe('text 0.0.4 output and promtool check metrics', () => {
  it.each(FIXTURES)('%s: no parse error; a text payload keeps exactly its findings', async (file) => {
    const original = readFileSync(path.join(ROOT, 'fixtures', file));
    const encoded = encode(parse(original), { format: 'text' });
    const r = await promtool(`${file}.encoded.prom`, encoded);
    expect(r.stderr).not.toContain('error while linting');
    expect([0, 3]).toContain(r.code);
    if (file.endsWith('.prom')) {
      const before = await promtool(`${file}.original.prom`, original);
      expect(r.code).toBe(before.code);
      expect(r.stderr).toBe(before.stderr);
    } else {
      // Python's OpenMetrics output becomes Python's (clean) text output.
      expect(r.code).toBe(0);
    }
  });

  it('the large generated payload (100k samples): clean', async () => {
    const p = generatePayload(LARGE);
    const fromText = encode(parse(p.text, { format: 'text' }), { format: 'text' });
    const r1 = await promtool('large.prom', fromText);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    // and converted from its OpenMetrics twin
    const fromOm = encode(parse(p.openmetrics, { format: 'openmetrics' }), { format: 'text' });
    const r2 = await promtool('large-from-om.prom', fromOm);
    expect(r2.stderr).not.toContain('error while linting');
    expect([0, 3]).toContain(r2.code);
  });

  it('a MetricSet with every metric type: clean', async () => {
    const r = await promtool('metricset.prom', everyType().encode({ format: 'text' }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('UTF-8 names escaped for a legacy scraper (underscores, dots, values): no parse error', async () => {
    const set = utf8Set();
    for (const escaping of ['underscores', 'dots', 'values'] as const) {
      const r = await promtool(`utf8-${escaping}.prom`, set.encode({ format: 'text', escaping }));
      expect(r.stderr).not.toContain('error while linting');
      expect([0, 3]).toContain(r.code);
    }
  });

  it('UTF-8 names unescaped (allow-utf-8): promtool 3.5.3 still refuses them, though the 3.5.3 server stores them', async () => {
    // `promtool check metrics` parses with legacy name validation (3.5.3 has
    // no flag for UTF-8), so it cannot be the oracle for this output; the
    // server side is checked in prometheus.test.ts (UTF-8 metric and label names).
    const r = await promtool('utf8-allow.prom', utf8Set().encode({ format: 'text', escaping: 'allow-utf-8' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/text format parsing error in line 1: invalid metric name/);
  });
});

describe('OpenMetrics output and the Python client parser', () => {
  it.each(FIXTURES)('%s: accepted, same samples', async (file) => {
    const original = readFileSync(path.join(ROOT, 'fixtures', file));
    await expectPythonAgrees(`${file}.encoded.om.txt`, encode(parse(original), { format: 'openmetrics' }));
  });

  it('the large generated payload (100k samples), from either format', async () => {
    const p = generatePayload(LARGE);
    for (const format of ['openmetrics', 'text'] as Format[]) {
      const bytes = format === 'openmetrics' ? p.openmetrics : p.text;
      await expectPythonAgrees(`large-from-${format}.om.txt`, encode(parse(bytes, { format }), { format: 'openmetrics' }));
    }
  });

  it('a MetricSet with every metric type: accepted, same samples as collect()', async () => {
    const set = everyType();
    const bytes = set.encode({ format: 'openmetrics' });
    await expectPythonAgrees('metricset.om.txt', bytes);
    expect(parse(bytes, { format: 'openmetrics' })).toEqual(set.collect());
  });

  it('UTF-8 names escaped for a legacy scraper: accepted', async () => {
    const set = utf8Set();
    for (const escaping of ['underscores', 'dots', 'values'] as const) {
      await expectPythonAgrees(`utf8-${escaping}.om.txt`, set.encode({ format: 'openmetrics', escaping }));
    }
  });
});

function everyType(): MetricSet {
  const set = new MetricSet({ defaultLabels: { instance: 'host-1:9100', zone: 'eu "west" \\ 1\nb' } });
  const c = set.counter({ name: 'http_requests_total', help: 'Requests handled.', labelNames: ['method', 'code'] });
  c.labels({ method: 'GET', code: 200 }).inc(41);
  c.labels({ method: 'POST', code: 500 }).inc(0.5);
  set.counter({ name: 'sent_bytes_total', help: 'Bytes sent.', unit: 'bytes' }).inc(1e9);
  const g = set.gauge({
    name: 'temperature_celsius',
    help: 'Temperature with "quotes" and \\ backslash.',
    unit: 'celsius',
    labelNames: ['room'],
  });
  g.labels({ room: 'lab "B"\\x ✓' }).set(-0.00425);
  g.labels({ room: 'kitchen' }).set(21.5);
  set.gauge({ name: 'queue_depth', help: 'Depth.' }).set(NaN);
  const h = set.histogram({ name: 'request_latency_seconds', help: 'Latency.', labelNames: ['route'], buckets: [0.005, 0.01, 0.1, 1, 10] });
  for (let i = 0; i < 100; i++) h.labels({ route: i % 3 ? '/api' : '/health' }).observe(i / 40);
  const s = set.summary({ name: 'response_size_bytes', help: 'Sizes.', unit: 'bytes', quantiles: [0.5, 0.9, 0.99] });
  s.observe(100);
  s.observe(300);
  s.set({ quantiles: [100, 290, 299] });
  set.info({ name: 'build', help: 'Build information.', labelNames: ['version', 'commit'] }).labels({ version: '1.2.3', commit: 'abc' });
  set
    .stateset({ name: 'state', help: 'Current state.', labelNames: ['worker'], states: ['starting', 'running', 'stopped'] })
    .labels({ worker: 'w1' })
    .set('running');
  return set;
}

function utf8Set(): MetricSet {
  const set = new MetricSet({ nameValidation: 'utf-8', defaultLabels: { 'service.name': 'api' } });
  set
    .counter({ name: 'http.server.requests', help: 'Requests.', labelNames: ['http.method'] })
    .labels({ 'http.method': 'GET' })
    .inc(3);
  set.histogram({ name: 'http.server.duration', help: 'Duration.', unit: 'seconds', buckets: [0.1, 1] }).observe(0.5);
  set.gauge({ name: 'temp°', help: 'Temperature.' }).set(20);
  return set;
}
