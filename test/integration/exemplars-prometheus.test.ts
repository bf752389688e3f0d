/**
 * Prometheus 3.5.3 (Debian sid), started with
 * `--enable-feature=exemplar-storage,native-histograms`, scrapes a
 * MetricSet's exemplars (incWithExemplar, observeWithExemplar) in
 * OpenMetrics 1.0 (one job, scrape_protocols [OpenMetricsText1.0.0]) and in
 * protobuf (another, [PrometheusProto]), and /api/v1/query_exemplars returns
 * them: the counter's, each classic bucket's last one (+Inf included), and
 * in protobuf the native histogram's list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricSet } from '../../src/metrics/index.js';
import { CONTENT_TYPE_PROTOBUF } from '../../src/toolkit/negotiate.js';
import { Cleanup, serve, startPrometheus, waitFor } from './helpers.js';
import type { Prometheus } from './helpers.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

interface ExemplarResult {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

function buildSet(now: number): MetricSet {
  const set = new MetricSet();
  const c = set.counter({ name: 'pw_ex_requests', help: 'Requests.', labelNames: ['code'] });
  c.labels({ code: '200' }).incWithExemplar(3, { labels: { trace_id: 'c200' }, timestamp: now });
  const h = set.histogram({ name: 'pw_ex_seconds', help: 'Latency.', buckets: [0.1, 1] });
  h.observeWithExemplar(0.05, { labels: { trace_id: 'old' }, timestamp: now - 10 });
  h.observeWithExemplar(0.07, { labels: { trace_id: 'b01', span_id: 's' }, timestamp: now });
  h.observeWithExemplar(7, { labels: { trace_id: 'binf' }, timestamp: now + 1 });
  const n = set.histogram({ name: 'pw_ex_native_seconds', help: 'Native.', native: { bucketFactor: 1.1 } });
  n.observeWithExemplar(0.25, { labels: { trace_id: 'n1' }, timestamp: now });
  n.observeWithExemplar(4, { labels: { trace_id: 'n2' }, timestamp: now + 2 });
  return set;
}

let prom: Prometheus;
const now = Date.now();

beforeAll(async () => {
  const set = buildSet(now);
  const { port } = await serve(cleanup, (req: IncomingMessage, res: ServerResponse) => {
    const pb = (req.url ?? '').startsWith('/pb');
    const body = set.encode({ format: pb ? 'protobuf' : 'openmetrics' });
    res.writeHead(200, {
      'Content-Type': pb ? CONTENT_TYPE_PROTOBUF : 'application/openmetrics-text; version=1.0.0; charset=utf-8',
    });
    res.end(body);
  });
  const job = (name: string, path: string, protocol: string) =>
    `  - job_name: ${name}\n    metrics_path: ${path}\n    scrape_protocols: [${protocol}]\n` +
    `    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`;
  prom = await startPrometheus(cleanup, job('om', '/om', 'OpenMetricsText1.0.0') + job('pb', '/pb', 'PrometheusProto'), '1s', undefined, [
    '--enable-feature=exemplar-storage,native-histograms',
  ]);
}, 120_000);

async function exemplars(expr: string): Promise<ExemplarResult[]> {
  const start = (now - 3_600_000) / 1000;
  const end = (now + 3_600_000) / 1000;
  return prom.api<ExemplarResult[]>(`/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`);
}

function byJob(rs: ExemplarResult[], job: string): ExemplarResult[] {
  return rs.filter((r) => r.seriesLabels['job'] === job);
}

describe('Prometheus 3.5 stores a MetricSet exemplars', () => {
  it('both jobs are up', async () => {
    await waitFor(
      'both targets up',
      async () => {
        const t = [...(await prom.targets('om')), ...(await prom.targets('pb'))];
        return t.length === 2 && t.every((x) => x.health === 'up') ? t : undefined;
      },
      60_000,
    );
  }, 90_000);

  it('the counter exemplar, in OpenMetrics and protobuf', async () => {
    const rs = await waitFor(
      'counter exemplars',
      async () => {
        const r = await exemplars('pw_ex_requests_total');
        return byJob(r, 'om').length > 0 && byJob(r, 'pb').length > 0 ? r : undefined;
      },
      60_000,
    );
    for (const job of ['om', 'pb']) {
      const [r] = byJob(rs, job);
      expect(r!.seriesLabels['code']).toBe('200');
      expect(r!.exemplars[0]!.labels).toEqual({ trace_id: 'c200' });
      expect(Number(r!.exemplars[0]!.value)).toBe(3);
      expect(Math.round(r!.exemplars[0]!.timestamp * 1000)).toBe(now);
    }
  }, 90_000);

  it('the last exemplar of each classic bucket, +Inf included', async () => {
    const rs = await waitFor(
      'bucket exemplars',
      async () => {
        const r = await exemplars('pw_ex_seconds_bucket');
        return byJob(r, 'om').length >= 2 && byJob(r, 'pb').length >= 2 ? r : undefined;
      },
      60_000,
    );
    for (const job of ['om', 'pb']) {
      const got = byJob(rs, job)
        .map((r) => [r.seriesLabels['le'], r.exemplars.map((e) => e.labels['trace_id'])])
        .sort();
      expect(got).toEqual([
        ['+Inf', ['binf']],
        ['0.1', ['b01']],
      ]);
    }
    const b01 = byJob(rs, 'om').find((r) => r.seriesLabels['le'] === '0.1')!;
    expect(b01.exemplars[0]!.labels).toEqual({ trace_id: 'b01', span_id: 's' });
    expect(Number(b01.exemplars[0]!.value)).toBe(0.07);
  }, 90_000);

  it("a native histogram's exemplars, in protobuf", async () => {
    const rs = await waitFor(
      'native exemplars',
      async () => {
        const r = byJob(await exemplars('pw_ex_native_seconds'), 'pb');
        return r.length > 0 && r[0]!.exemplars.length >= 2 ? r : undefined;
      },
      60_000,
    );
    expect(rs[0]!.exemplars.map((e) => [e.labels['trace_id'], Number(e.value)])).toEqual([
      ['n1', 0.25],
      ['n2', 4],
    ]);
  }, 90_000);
});
