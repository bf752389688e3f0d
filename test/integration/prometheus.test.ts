/**
 * A real Prometheus (3.5.3 from Debian sid, fetched by .ci/sid-tools.sh)
 * scrapes promwire's node:http handler, and promwire's scrape client reads
 * real endpoints. Debian 12's Prometheus 2.42 scrapes the same handler once,
 * for the one difference that matters to users still on 2.x: it stores `le`
 * and `quantile` as written, where 3.x normalises them (`10` -> `10.0`).
 *
 * - 10,000+ series of every metric type, with default labels and escaped
 *   and UTF-8 label values, served on a custom path: once as OpenMetrics
 *   (Prometheus' own Accept), once as text 0.0.4 (`?format=prometheus`
 *   through `params:` in the scrape config), once behind basic auth. Every
 *   series is read back through the HTTP API and compared value for value;
 *   the targets must be up with no scrape error.
 * - The scrape client reads Prometheus' own /metrics, and a 50 MB payload
 *   served gzipped by the handler; a body over `bodyLimit` is refused in a
 *   child process whose peak memory is measured.
 *
 * UTF-8 is tested in label values here (the handler's UTF-8 names are
 * negotiated separately).
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricSet } from '../../src/metrics/index.js';
import type { FloatSample, Labels, MetricFamily } from '../../src/model/index.js';
import { normalizeNumber } from '../../src/model/rules.js';
import { createNodeHandler } from '../../src/toolkit/handler.js';
import { scrape, scrapeEach } from '../../src/toolkit/scrape.js';
import { BIN, Cleanup, normalizeLabel, serve, startPrometheus, waitFor, withTimeout } from './helpers.js';
import type { Prometheus } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

/** Label values that need escaping or are not ASCII. */
const ODD_VALUES = [
  'plain',
  'quote"inside',
  'back\\slash',
  'new\nline',
  'Zürich',
  '東京',
  'emoji 🚀',
  'all\\"\n三',
  'tab\there',
  ' spaced ',
];

function s(name: string, labels: Labels, value: number): FloatSample {
  return { name, labels, value, timestamp: null };
}

/** The served families: every metric type, 10,000+ series. */
function buildFamilies(): MetricFamily[] {
  const fams: MetricFamily[] = [];
  const reqs: FloatSample[] = [];
  for (let i = 0; i < 2000; i++) {
    reqs.push(s('pw_requests_total', { code: String(200 + (i % 7)), path: `/api/${ODD_VALUES[i % ODD_VALUES.length]}/${i}` }, i * 3 + 0.5));
  }
  // OpenMetrics-style counter family name (no _total); the encoder writes `pw_requests_total` in text.
  fams.push({ name: 'pw_requests', type: 'counter', help: 'Requests "served"\nby code.', unit: '', samples: reqs });

  const temps: FloatSample[] = [];
  const specials = [NaN, Infinity, -Infinity, -0.000123, 1e21, 1.5e-7, 123456789.125, -42];
  for (let i = 0; i < 2000; i++) {
    temps.push(
      s(
        'pw_temperature_celsius',
        { sensor: `s${i}`, city: ODD_VALUES[(i * 3) % ODD_VALUES.length]! },
        i < specials.length ? specials[i]! : i / 8 - 100,
      ),
    );
  }
  fams.push({ name: 'pw_temperature_celsius', type: 'gauge', help: 'Temperature.', unit: 'celsius', samples: temps });

  const hist: FloatSample[] = [];
  const les = ['0.005', '0.25', '2.5', '10', '+Inf'];
  for (let r = 0; r < 200; r++) {
    const labels = { route: `/r/${r}/${ODD_VALUES[r % ODD_VALUES.length]}` };
    let cum = 0;
    for (let b = 0; b < les.length; b++) {
      cum += (r + b) % 5;
      hist.push(s('pw_latency_seconds_bucket', { ...labels, le: les[b]! }, cum));
    }
    hist.push(s('pw_latency_seconds_sum', labels, r * 0.75));
    hist.push(s('pw_latency_seconds_count', labels, cum));
  }
  fams.push({ name: 'pw_latency_seconds', type: 'histogram', help: 'Latency.', unit: 'seconds', samples: hist });

  const summ: FloatSample[] = [];
  for (let i = 0; i < 200; i++) {
    const labels = { svc: `svc-${i}` };
    summ.push(s('pw_rpc_seconds', { ...labels, quantile: '0.5' }, i * 0.01));
    summ.push(s('pw_rpc_seconds', { ...labels, quantile: '0.9' }, i * 0.02));
    summ.push(s('pw_rpc_seconds', { ...labels, quantile: '0.99' }, i * 0.03));
    summ.push(s('pw_rpc_seconds_sum', labels, i * 1.5));
    summ.push(s('pw_rpc_seconds_count', labels, i));
  }
  fams.push({ name: 'pw_rpc_seconds', type: 'summary', help: 'RPC time.', unit: 'seconds', samples: summ });

  const legacy: FloatSample[] = [];
  for (let i = 0; i < 1000; i++) legacy.push(s('pw_legacy_value', { k: `k${i}` }, i * 1000));
  fams.push({ name: 'pw_legacy_value', type: 'unknown', help: '', unit: '', samples: legacy });

  fams.push({
    name: 'pw_build',
    type: 'info',
    help: 'Build information.',
    unit: '',
    samples: [s('pw_build_info', { version: '1.2.3', revision: 'abc"def', branch: 'main/ü' }, 1)],
  });

  const states: FloatSample[] = [];
  for (let i = 0; i < 100; i++) {
    for (const st of ['on', 'off', 'degraded']) {
      states.push(s('pw_feature', { flag: `f${i}`, pw_feature: st }, st === ['on', 'off', 'degraded'][i % 3] ? 1 : 0));
    }
  }
  fams.push({ name: 'pw_feature', type: 'stateset', help: 'Feature states.', unit: '', samples: states });

  const gh: FloatSample[] = [];
  for (let q = 0; q < 100; q++) {
    const labels = { queue: `q${q}` };
    gh.push(s('pw_queue_size_bucket', { ...labels, le: '10' }, q % 4));
    gh.push(s('pw_queue_size_bucket', { ...labels, le: '100' }, (q % 4) + 2));
    gh.push(s('pw_queue_size_bucket', { ...labels, le: '+Inf' }, (q % 4) + 3));
    gh.push(s('pw_queue_size_gcount', labels, (q % 4) + 3));
    gh.push(s('pw_queue_size_gsum', labels, q * 10.5));
  }
  fams.push({ name: 'pw_queue_size', type: 'gaugehistogram', help: 'Queue sizes.', unit: '', samples: gh });

  const bytes: FloatSample[] = [];
  for (let i = 0; i < 2000; i++) {
    bytes.push(s('pw_bytes_total', { shard: String(i % 100), dir: i < 1000 ? 'rx' : 'tx', host: `h${Math.floor(i / 100)}` }, i * 1024));
  }
  fams.push({ name: 'pw_bytes_total', type: 'counter', help: 'Bytes moved.', unit: 'bytes', samples: bytes });
  return fams;
}

const DEFAULT_LABELS = { region: 'eu-west-1', exporter: 'promwire ✓' };

/** The application-manager shape: a live MetricSet (its encodeChunks fast path) on its own port. */
function buildMetricSet(): MetricSet {
  const set = new MetricSet({ prefix: 'pw_app_', defaultLabels: { manager: 'am-1', site: 'Zürich "HQ"' } });
  const apps = set.gauge({ name: 'apps', help: 'Applications by state.', labelNames: ['state'] });
  const deploys = set.counter({ name: 'deployments_total', help: 'Deployments.', labelNames: ['result'] });
  const time = set.histogram({ name: 'deployment_duration_seconds', help: 'Deployment time.', buckets: [1, 5, 15, 60] });
  const rpc = set.summary({ name: 'rpc_seconds', help: 'RPC time.', quantiles: [0.5, 0.99] });
  const build = set.info({ name: 'build', help: 'Build.', labelNames: ['version'] });
  const mode = set.stateset({ name: 'mode', help: 'Mode.', states: ['active', 'standby'] });
  for (let i = 0; i < 50; i++) apps.labels({ state: `s${i}\n"${'ü'.repeat(i % 3)}` }).set(i * 1.25);
  deploys.labels({ result: 'ok' }).inc(41);
  deploys.labels({ result: 'failed' }).inc(2);
  for (const v of [0.5, 3, 7.5, 20, 100]) time.observe(v);
  rpc.set({ quantiles: [0.012, 0.3], sum: 12.5, count: 250 });
  build.labels({ version: '2.0.1' });
  mode.set('active');
  return set;
}
const AUTH = { username: 'scraper', password: 'pä55:wörd"' };

function seriesKey(name: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return name + '{' + keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',') + '}';
}

/**
 * The labels Prometheus 3.5 stores for a sample of a family of `type`
 * served in `format`: `le` of a histogram and `quantile` of a summary in
 * OpenMetrics float form (model/textparse normalizeFloatsInLabelValues). The
 * text encoder writes a gaugehistogram as a histogram, so there its `le` is
 * normalised too; in OpenMetrics a gaugehistogram's `le` is stored as written.
 */
function stored(type: MetricFamily['type'], format: 'text' | 'openmetrics', labels: Labels): Labels {
  const t = format === 'text' && type === 'gaugehistogram' ? 'histogram' : type;
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) {
    // The OpenMetrics encoder writes a gauge histogram's le canonically (the
    // spec requires it), and Prometheus 3.5 stores it as written.
    out[k] = format === 'openmetrics' && type === 'gaugehistogram' && k === 'le' ? normalizeNumber(v) : normalizeLabel(t, k, v);
  }
  return out;
}

function sameValue(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b;
}

interface Served {
  url: string;
  status: number;
  accept: string;
  contentType: string;
}

describe('a real Prometheus scrapes the handler', () => {
  const families = buildFamilies();
  const metricSet = buildMetricSet();
  const seriesCount = families.reduce((n, f) => n + f.samples.length, 0);
  const served: Served[] = [];
  let prom: Prometheus;
  const errors: unknown[] = [];

  const record =
    (h: ReturnType<typeof createNodeHandler>) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      void h(req, res).then(() => {
        served.push({
          url: req.url ?? '',
          status: res.statusCode,
          accept: String(req.headers.accept ?? ''),
          contentType: String(res.getHeader('content-type') ?? ''),
        });
      });
    };

  beforeAll(async () => {
    expect(seriesCount).toBeGreaterThanOrEqual(10_000);
    const open = await serve(
      cleanup,
      record(
        createNodeHandler({
          collect: () => families,
          path: '/custom/exposition',
          defaultLabels: DEFAULT_LABELS,
          onError: (e) => errors.push(e),
        }),
      ),
    );
    const secure = await serve(
      cleanup,
      record(
        createNodeHandler({
          collect: async () => families,
          path: '/secure/metrics',
          defaultLabels: DEFAULT_LABELS,
          basicAuth: AUTH,
          onError: (e) => errors.push(e),
        }),
      ),
    );
    const app = await serve(
      cleanup,
      record(createNodeHandler({ metrics: metricSet, path: '/app/metrics', onError: (e) => errors.push(e) })),
    );
    const yamlString = (v: string) => JSON.stringify(v); // JSON strings are YAML double-quoted strings
    prom = await startPrometheus(
      cleanup,
      `  - job_name: pw_om
    metrics_path: /custom/exposition
    static_configs:
      - targets: ['127.0.0.1:${open.port}']
  - job_name: pw_text
    metrics_path: /custom/exposition
    params:
      format: [prometheus]
    static_configs:
      - targets: ['127.0.0.1:${open.port}']
  - job_name: pw_auth
    metrics_path: /secure/metrics
    basic_auth:
      username: ${yamlString(AUTH.username)}
      password: ${yamlString(AUTH.password)}
    static_configs:
      - targets: ['127.0.0.1:${secure.port}']
  - job_name: pw_auth_wrong
    metrics_path: /secure/metrics
    basic_auth:
      username: ${yamlString(AUTH.username)}
      password: wrong
    static_configs:
      - targets: ['127.0.0.1:${secure.port}']
  - job_name: pw_app
    metrics_path: /app/metrics
    static_configs:
      - targets: ['127.0.0.1:${app.port}']
`,
      // Generous for 2 busy cores: the handler shares its process with the test runner.
      '3s',
    );
  });

  for (const job of ['pw_om', 'pw_text', 'pw_auth']) {
    it(`job ${job}: the target is up with no error and every series reads back exactly`, async () => {
      const target = await waitFor(
        `${job} target up`,
        async () => {
          const ts = await prom.targets(job);
          return ts.length === 1 && ts[0]!.health === 'up' ? ts[0] : undefined;
        },
        60_000,
        250,
      );
      expect(target.lastError).toBe('');
      console.log(`${job}: last scrape took ${target.lastScrapeDuration.toFixed(3)} s`);
      const instance = target.labels['instance']!;

      const expected = new Map<string, number>();
      const format = job === 'pw_text' ? 'text' : 'openmetrics';
      for (const f of families) {
        for (const smp of f.samples) {
          expected.set(
            seriesKey(smp.name, { ...DEFAULT_LABELS, ...stored(f.type, format, smp.labels), job, instance }),
            smp.value as number,
          );
        }
      }
      expect(expected.size).toBe(seriesCount);

      // The first scrape may still be in flight when the target turns up: wait for all series.
      const got = await waitFor(
        `${seriesCount} series of job ${job}`,
        async () => {
          const r = await prom.query(`{job="${job}",__name__=~"pw_.+"}`);
          return r.length >= seriesCount ? r : undefined;
        },
        30_000,
        500,
      );
      expect(got.length).toBe(seriesCount);
      const mismatches: string[] = [];
      for (const { metric, value } of got) {
        const { __name__: name, ...labels } = metric;
        const key = seriesKey(name!, labels);
        const want = expected.get(key);
        if (want === undefined) mismatches.push(`unexpected series ${key}`);
        else if (!sameValue(want, value)) mismatches.push(`${key}: want ${want}, got ${value}`);
      }
      expect(mismatches.slice(0, 10).map((m) => m.slice(0, 300))).toEqual([]);

      const up = await prom.query(`up{job="${job}"}`);
      expect(
        up.map((u) => u.value),
        JSON.stringify(await prom.targets(job)),
      ).toEqual([1]);
      const samples = await prom.query(`scrape_samples_scraped{job="${job}"}`);
      expect(samples.map((u) => u.value)).toEqual([seriesCount]);
    });
  }

  it('job pw_auth_wrong: wrong credentials leave the target down with a 401', async () => {
    const target = await waitFor(
      'pw_auth_wrong to be scraped',
      async () => {
        const ts = await prom.targets('pw_auth_wrong');
        return ts.length === 1 && ts[0]!.health !== 'unknown' ? ts[0] : undefined;
      },
      60_000,
      250,
    );
    expect(target.health).toBe('down');
    expect(target.lastError).toContain('401 Unauthorized');
  });

  it('job pw_app: a live MetricSet reads back exactly, default labels and all', async () => {
    const target = await waitFor(
      'pw_app target up',
      async () => {
        const ts = await prom.targets('pw_app');
        return ts.length === 1 && ts[0]!.health === 'up' ? ts[0] : undefined;
      },
      60_000,
      250,
    );
    expect(target.lastError).toBe('');
    const instance = target.labels['instance']!;
    const expected = new Map<string, number>();
    for (const f of metricSet.collect()) {
      for (const smp of f.samples)
        expected.set(seriesKey(smp.name, { ...stored(f.type, 'openmetrics', smp.labels), job: 'pw_app', instance }), smp.value as number);
    }
    expect(expected.size).toBeGreaterThan(60);
    const got = await prom.query('{job="pw_app",__name__=~"pw_app_.+"}');
    const actual = new Map(
      got.map(({ metric, value }) => {
        const { __name__: name, ...labels } = metric;
        return [seriesKey(name!, labels), value];
      }),
    );
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [k, v] of expected) expect(sameValue(actual.get(k)!, v), k).toBe(true);
    expect(
      actual.get(seriesKey('pw_app_deployments_total', { manager: 'am-1', site: 'Zürich "HQ"', result: 'ok', job: 'pw_app', instance })),
    ).toBe(41);
  });

  it('served OpenMetrics to Prometheus, text 0.0.4 for ?format=prometheus, 401 only to wrong credentials', () => {
    const om = served.filter((x) => x.url === '/custom/exposition');
    const text = served.filter((x) => x.url === '/custom/exposition?format=prometheus');
    const secure = served.filter((x) => x.url === '/secure/metrics' && x.status === 200);
    const refused = served.filter((x) => x.url === '/secure/metrics' && x.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((x) => x.status === 401)).toBe(true);
    expect([...om, ...text].every((x) => x.status === 200)).toBe(true);
    expect(om.length).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(0);
    expect(secure.length).toBeGreaterThan(0);
    expect(om.every((x) => x.contentType.startsWith('application/openmetrics-text; version=1.0.0'))).toBe(true);
    expect(om[0]!.accept).toContain('application/openmetrics-text');
    // Prometheus 3 asks for UTF-8 names unescaped, and the handler says it honoured that.
    expect(om[0]!.accept).toContain('escaping=allow-utf-8');
    expect(om.every((x) => x.contentType.endsWith('; escaping=allow-utf-8'))).toBe(true);
    expect(text.every((x) => x.contentType.startsWith('text/plain; version=0.0.4'))).toBe(true);
    expect(secure.every((x) => x.contentType.startsWith('application/openmetrics-text'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("the scrape client reads Prometheus' own /metrics", async () => {
    const r = await scrape(prom.base + '/metrics', { timeout: 10_000 });
    expect(r.status).toBe(200);
    // Prometheus 3.5.3 (like 2.42) answers text 0.0.4 even to an OpenMetrics
    // Accept; 3.x echoes the name escaping the client asked for (allow-utf-8).
    expect(r.format).toBe('text');
    expect(r.contentType).toBe('text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8');
    expect(r.contentEncoding).toBe('gzip');
    const byName = new Map(r.families.map((f) => [f.name, f]));
    expect(byName.get('prometheus_build_info')?.samples[0]?.labels['version']).toMatch(/^3\.5\.3/);
    expect(byName.get('prometheus_target_scrapes_exceeded_sample_limit_total')?.type).toBe('counter');
    expect(byName.get('prometheus_http_request_duration_seconds')?.type).toBe('histogram');
    // It has seen our scrapes: the scrape pool metrics name our jobs.
    const pools = byName.get('prometheus_target_scrape_pools_total');
    expect(pools?.samples[0]?.value).toBeGreaterThanOrEqual(1);
  });
});

describe('Prometheus 2.42 (Debian 12) stores le and quantile as written; 3.5.3 normalises them', () => {
  // Users still on 2.x query `le="10"`; after moving to 3.x the same bucket is
  // `le="10.0"`. The same handler output, scraped by both, shows the split.
  const fams: MetricFamily[] = [
    {
      name: 'pw_split_seconds',
      type: 'histogram',
      help: 'Buckets with integer bounds.',
      unit: 'seconds',
      samples: [
        s('pw_split_seconds_bucket', { le: '1' }, 1),
        s('pw_split_seconds_bucket', { le: '10' }, 2),
        s('pw_split_seconds_bucket', { le: '+Inf' }, 3),
        s('pw_split_seconds_sum', {}, 12),
        s('pw_split_seconds_count', {}, 3),
      ],
    },
    {
      name: 'pw_split_rpc',
      type: 'summary',
      help: 'Quantile one.',
      unit: '',
      samples: [s('pw_split_rpc', { quantile: '1' }, 7), s('pw_split_rpc_sum', {}, 7), s('pw_split_rpc_count', {}, 1)],
    },
  ];

  async function storedLabels(binary: string): Promise<string[]> {
    const srv = await serve(cleanup, (req, res) => void createNodeHandler({ collect: () => fams })(req, res));
    const prom = await startPrometheus(
      cleanup,
      `  - job_name: split
    static_configs:
      - targets: ['127.0.0.1:${srv.port}']
`,
      '1s',
      binary,
    );
    const got = await waitFor(
      'the split series',
      async () => {
        const r = await prom.query('{job="split",__name__=~"pw_split_seconds_bucket|pw_split_rpc"}');
        return r.length === 4 ? r : undefined;
      },
      60_000,
      250,
    );
    await prom.proc.stop();
    return got
      .map((r) => `${r.metric['__name__']}{${r.metric['le'] !== undefined ? `le=${r.metric['le']}` : `quantile=${r.metric['quantile']}`}}`)
      .sort();
  }

  it('2.42: verbatim, and promwire writes OpenMetrics bounds canonically, so 2.42 stores what 3.5.3 stores', async () => {
    // 2.42 asks for OpenMetrics; the OpenMetrics spec requires canonical
    // numbers in le/quantile (client_python writes them so), so a 2.x user
    // sees the same series names as after the move to 3.x.
    expect(await storedLabels(BIN.prometheus242)).toEqual([
      'pw_split_rpc{quantile=1.0}',
      'pw_split_seconds_bucket{le=+Inf}',
      'pw_split_seconds_bucket{le=1.0}',
      'pw_split_seconds_bucket{le=10.0}',
    ]);
  });

  it('3.5.3: OpenMetrics float form', async () => {
    expect(await storedLabels(BIN.prometheus)).toEqual([
      'pw_split_rpc{quantile=1.0}',
      'pw_split_seconds_bucket{le=+Inf}',
      'pw_split_seconds_bucket{le=1.0}',
      'pw_split_seconds_bucket{le=10.0}',
    ]);
  });
});

describe('UTF-8 metric and label names: Prometheus 3.5.3 stores them as they are, 2.42 gets them escaped', () => {
  // Prometheus 3 asks for `escaping=allow-utf-8` and accepts UTF-8 names by
  // default (metric_name_validation_scheme: utf8); 2.42 sends no escaping, so
  // the handler escapes with underscores (model.NameEscapingScheme).
  function utf8Set(): MetricSet {
    const set = new MetricSet({ nameValidation: 'utf-8', defaultLabels: { 'service.name': 'api ✓' } });
    set
      .counter({ name: 'http.server.requests', help: 'Requests.', labelNames: ['http.method'] })
      .labels({ 'http.method': 'GET' })
      .inc(3);
    set.gauge({ name: 'temp°', help: 'Temperature.' }).set(20);
    return set;
  }

  async function stored(binary: string): Promise<string[]> {
    const set = utf8Set();
    const srv = await serve(cleanup, (req, res) => void createNodeHandler({ metrics: set })(req, res));
    const prom = await startPrometheus(
      cleanup,
      `  - job_name: utf8\n    static_configs:\n      - targets: ['127.0.0.1:${srv.port}']\n`,
      '1s',
      binary,
    );
    const got = await waitFor(
      'the UTF-8 series',
      async () => {
        const r = await prom.query('{job="utf8",__name__!~"up|scrape_.*"}');
        return r.length === 2 ? r : undefined;
      },
      60_000,
      250,
    );
    await prom.proc.stop();
    return got
      .map(({ metric, value }) => {
        const { __name__: name, job: _job, instance: _instance, ...labels } = metric;
        return `${seriesKey(name!, labels)} ${value}`;
      })
      .sort();
  }

  it('3.5.3: the names as written', async () => {
    expect(await stored(BIN.prometheus)).toEqual([
      'http.server.requests_total{http.method="GET",service.name="api ✓"} 3',
      'temp°{service.name="api ✓"} 20',
    ]);
  });

  it('2.42: escaped with underscores', async () => {
    expect(await stored(BIN.prometheus242)).toEqual([
      'http_server_requests_total{http_method="GET",service_name="api ✓"} 3',
      'temp_{service_name="api ✓"} 20',
    ]);
  });
});

describe('the scrape client against a 50 MB payload served gzipped by the handler', () => {
  const SAMPLES = 400_000;
  let url: string;
  const finished: boolean[] = [];

  beforeAll(async () => {
    const samples: FloatSample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      samples.push(
        s('big_payload_bytes', { shard: String(i % 1000), key: `k-${i}-${'x'.repeat(60)}`, zone: i % 2 === 0 ? 'zürich-1' : 'tokyo"2' }, i),
      );
    }
    const fams: MetricFamily[] = [{ name: 'big_payload_bytes', type: 'gauge', help: 'A big payload.', unit: '', samples }];
    const h = createNodeHandler({ collect: () => fams, path: '/big' });
    const srv = await serve(cleanup, (req, res) => {
      res.on('close', () => finished.push(res.writableFinished));
      void h(req, res);
    });
    url = srv.base + '/big';
  });

  it('reads all of it, streaming through gunzip and the parser', async () => {
    let count = 0;
    let sum = 0;
    let zones = 0;
    const r = await withTimeout(
      scrapeEach(url, { timeout: 120_000 }, (f) => {
        for (const smp of f.samples) {
          count++;
          sum += smp.value as number;
          if (smp.labels['zone'] === 'tokyo"2') zones++;
        }
      }),
      150_000,
      '50 MB scrape',
    );
    expect(r.contentEncoding).toBe('gzip');
    expect(r.bytes).toBeGreaterThan(50_000_000);
    expect(count).toBe(SAMPLES);
    expect(sum).toBe((SAMPLES * (SAMPLES - 1)) / 2);
    expect(zones).toBe(SAMPLES / 2);
  });

  it('refuses it over bodyLimit with a clear error, aborting the download, in bounded memory', async () => {
    // In a child process, so that its peak memory is its own.
    const script = `
      import { scrape } from ${JSON.stringify(path.join(ROOT, 'src/toolkit/scrape.ts'))};
      const t0 = Date.now();
      try {
        await scrape(${JSON.stringify(url)}, { bodyLimit: 4 * 1024 * 1024 });
        console.log(JSON.stringify({ ok: true }));
      } catch (e) {
        console.log(JSON.stringify({ code: e.code, limit: e.limit, message: e.message, ms: Date.now() - t0,
          maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
      }`;
    const before = finished.length;
    const out = await withTimeout(
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`))));
        cleanup.add(() => {
          if (child.exitCode === null) child.kill('SIGKILL');
        });
      }),
      60_000,
      'child scrape',
    );
    const result = JSON.parse(out.trim().split('\n').pop()!) as { code: string; limit: string; message: string; maxRssMiB: number };
    expect(result.code).toBe('LIMIT_EXCEEDED');
    expect(result.limit).toBe('bodyLimit');
    expect(result.message).toMatch(/body exceeds bodyLimit of 4194304 bytes .*request aborted/);
    // A 50 MB payload held whole would take several hundred MiB as families;
    // the refused scrape stays near the runtime's own footprint.
    expect(result.maxRssMiB).toBeLessThan(250);
    console.log(`bodyLimit refusal: child peak RSS ${result.maxRssMiB.toFixed(0)} MiB`);
    // The handler saw its response closed before it finished writing.
    await waitFor('the server side to close', () => finished.length > before, 10_000, 50);
    expect(finished[finished.length - 1]).toBe(false);
  });
});
