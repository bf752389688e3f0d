/**
 * A real Prometheus 3.5.3 scrapes a promwire service serving
 * `collectDefaultMetrics` (createNodeHandler, every second, in both the
 * protobuf Prometheus negotiates by default and OpenMetrics), and every
 * default series comes up: `up == 1`, and each family the set serves is
 * found by a query, with the same number of series as the handler serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricSet } from '../../src/metrics/index.js';
import { parse } from '../../src/parse/families.js';
import { collectDefaultMetrics } from '../../src/toolkit/default-metrics.js';
import { createNodeHandler } from '../../src/toolkit/handler.js';
import { Cleanup, type Prometheus, serve, startPrometheus, waitFor } from './helpers.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

let prom: Prometheus;
let set: MetricSet;

beforeAll(async () => {
  set = new MetricSet();
  const dm = collectDefaultMetrics(set, { labels: { service: 'swap' } });
  cleanup.add(() => dm.stop());
  // Short-lived garbage, so that scavenges run and the GC histogram has series to query.
  let keep = 0;
  for (let i = 0; i < 300_000; i++) keep += { s: `x${i}` }.s.length;
  expect(keep).toBeGreaterThan(0);
  const handler = createNodeHandler({ metrics: set });
  const { port } = await serve(cleanup, (req, res) => void handler(req, res));
  // Two jobs: Prometheus' default Accept (protobuf first), and OpenMetrics text only.
  prom = await startPrometheus(
    cleanup,
    [
      `  - job_name: defaults`,
      `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
      `  - job_name: defaults_om`,
      `    scrape_protocols: [OpenMetricsText1.0.0]`,
      `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
      '',
    ].join('\n'),
  );
});

describe('Prometheus 3.5.3 scrapes collectDefaultMetrics', () => {
  it('up == 1 on both jobs, and every default series is queryable', async () => {
    for (const job of ['defaults', 'defaults_om']) {
      await waitFor(
        `up{job="${job}"} == 1`,
        async () => {
          const r = await prom.query(`up{job="${job}"}`);
          return r.length === 1 && r[0]!.value === 1 ? r : undefined;
        },
        60_000,
      );
    }
    // What the handler serves now: the family names, and their series names.
    await set.refresh();
    const families = parse(set.encode());
    const seriesNames = new Set<string>();
    for (const f of families) for (const s of f.samples) seriesNames.add(s.name);
    expect(seriesNames.size).toBeGreaterThanOrEqual(25);
    expect(seriesNames).toContain('nodejs_gc_duration_seconds_bucket');
    // Each series name must have arrived through each job (a family without series, such as the GC histogram before a GC, has none to query).
    for (const job of ['defaults', 'defaults_om']) {
      let lacking: string[] = [...seriesNames];
      await waitFor(
        `every default series on job ${job}`,
        async () => {
          const r = await prom.query(`count by (__name__) ({job="${job}", service="swap"})`);
          const got = new Set(r.map((x) => x.metric['__name__']!));
          lacking = [...seriesNames].filter((n) => !got.has(n));
          return lacking.length === 0;
        },
        60_000,
      ).catch(() => undefined);
      expect(lacking).toEqual([]);
    }
    const cpu = await prom.query('process_cpu_seconds_total{job="defaults"}');
    expect(cpu[0]!.value).toBeGreaterThan(0);
    const version = await prom.query('nodejs_version_info{job="defaults"}');
    expect(version[0]!.metric['version']).toBe(process.version);
    // Values read at scrape time: the resident memory Prometheus holds is a real figure.
    const rss = await prom.query('process_resident_memory_bytes{job="defaults_om"}');
    expect(rss[0]!.value).toBeGreaterThan(1e6);
  });
});
