/**
 * promwire pushes to a real Pushgateway (1.11.2 from Debian sid): PUT, POST, DELETE,
 * grouping keys with `/` in them (the `@base64` URL form), a templated job
 * name and a periodic pusher. The gateway's /metrics is read back with
 * promwire's own scrape client, and a real Prometheus 3.5.3 scraping the gateway
 * (`honor_labels: true`, as the Pushgateway README prescribes) sees the
 * pushed series with their grouping labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatSample, Labels, MetricFamily } from '../../src/model/index.js';
import { HttpError } from '../../src/toolkit/http.js';
import { expandJobTemplate, push, startPusher } from '../../src/toolkit/push.js';
import { scrape } from '../../src/toolkit/scrape.js';
import { Cleanup, startPrometheus, startPushgateway, waitFor } from './helpers.js';
import type { Prometheus } from './helpers.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

let gateway: string;
let prom: Prometheus;

beforeAll(async () => {
  const gw = await startPushgateway(cleanup);
  gateway = gw.base;
  const port = new URL(gateway).port;
  prom = await startPrometheus(
    cleanup,
    `  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:${port}']
`,
  );
});

function s(name: string, labels: Labels, value: number): FloatSample {
  return { name, labels, value, timestamp: null };
}

function batchFamilies(records: number): MetricFamily[] {
  return [
    {
      name: 'pw_batch_records_processed_total',
      type: 'counter',
      help: 'Records processed by the batch job.',
      unit: '',
      samples: [
        s('pw_batch_records_processed_total', { kind: 'orders' }, records),
        s('pw_batch_records_processed_total', { kind: 'Zürich "quoted"' }, records * 2),
      ],
    },
    {
      name: 'pw_batch_last_success_timestamp_seconds',
      type: 'gauge',
      help: 'When the batch job last succeeded.',
      unit: '',
      samples: [s('pw_batch_last_success_timestamp_seconds', {}, 1_700_000_000.5)],
    },
    {
      name: 'pw_batch_duration_seconds',
      type: 'histogram',
      help: 'Batch duration.',
      unit: '',
      samples: [
        s('pw_batch_duration_seconds_bucket', { le: '1' }, 1),
        s('pw_batch_duration_seconds_bucket', { le: '10' }, 3),
        s('pw_batch_duration_seconds_bucket', { le: '+Inf' }, 4),
        s('pw_batch_duration_seconds_sum', {}, 25.5),
        s('pw_batch_duration_seconds_count', {}, 4),
      ],
    },
  ];
}

/** The gateway's series whose labels include `match`, as name{labels} -> value. */
async function gatewaySeries(match: Labels): Promise<Map<string, number>> {
  const r = await scrape(gateway + '/metrics', { timeout: 10_000 });
  expect(r.format).toBe('text');
  const out = new Map<string, number>();
  for (const f of r.families) {
    for (const smp of f.samples) {
      if (Object.entries(match).every(([k, v]) => smp.labels[k] === v)) {
        const { ...labels } = smp.labels;
        for (const k of Object.keys(match)) delete labels[k];
        const keys = Object.keys(labels).sort();
        out.set(`${smp.name}{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`, smp.value as number);
      }
    }
  }
  return out;
}

const GROUP = { job: 'pw_batch', instance: 'host-a/worker 1', path: '/var/lib/batch' };

describe('a real Pushgateway', () => {
  it('PUT with a grouping key holding "/" stores the series under those grouping labels', async () => {
    const r = await push({
      url: gateway,
      job: GROUP.job,
      groupingKey: { instance: GROUP.instance, path: GROUP.path },
      body: batchFamilies(10),
    });
    expect(r.status).toBe(200);
    expect(r.url).toContain('/instance@base64/');
    expect(r.url).toContain('/path@base64/');
    const got = await gatewaySeries(GROUP);
    expect(got.get('pw_batch_records_processed_total{kind="orders"}')).toBe(10);
    expect(got.get('pw_batch_records_processed_total{kind="Zürich \\"quoted\\""}')).toBe(20);
    expect(got.get('pw_batch_last_success_timestamp_seconds{}')).toBe(1_700_000_000.5);
    // Read as Prometheus 3 reads it: le normalised (the gateway writes le="10").
    expect(got.get('pw_batch_duration_seconds_bucket{le="10.0"}')).toBe(3);
    expect(got.get('pw_batch_duration_seconds_sum{}')).toBe(25.5);
    expect(got.get('pw_batch_duration_seconds_count{}')).toBe(4);
    // The gateway's own bookkeeping series for the group.
    expect(got.get('push_time_seconds{}')).toBeGreaterThan(1_600_000_000);
  });

  it('POST replaces only the metrics it names; PUT replaces the whole group', async () => {
    const key = { instance: GROUP.instance, path: GROUP.path };
    await push({
      url: gateway,
      job: GROUP.job,
      groupingKey: key,
      method: 'POST',
      body: [{ name: 'pw_batch_extra', type: 'gauge', help: 'Extra.', unit: '', samples: [s('pw_batch_extra', {}, 7)] }],
    });
    let got = await gatewaySeries(GROUP);
    expect(got.get('pw_batch_extra{}')).toBe(7);
    expect(got.get('pw_batch_records_processed_total{kind="orders"}')).toBe(10);

    await push({ url: gateway, job: GROUP.job, groupingKey: key, method: 'POST', body: batchFamilies(11).slice(0, 1) });
    got = await gatewaySeries(GROUP);
    expect(got.get('pw_batch_records_processed_total{kind="orders"}')).toBe(11);
    expect(got.get('pw_batch_extra{}')).toBe(7);
    expect(got.get('pw_batch_duration_seconds_count{}')).toBe(4);

    await push({ url: gateway, job: GROUP.job, groupingKey: key, method: 'PUT', body: batchFamilies(12).slice(0, 1) });
    got = await gatewaySeries(GROUP);
    expect(got.get('pw_batch_records_processed_total{kind="orders"}')).toBe(12);
    expect(got.has('pw_batch_extra{}')).toBe(false);
    expect(got.has('pw_batch_duration_seconds_count{}')).toBe(false);
  });

  it("an inconsistent push is refused with the gateway's 400 and its explanation", async () => {
    // The same name as a gauge in another group clashes with the counter above.
    const err = await push({
      url: gateway,
      job: 'pw_other',
      body: [
        {
          name: 'pw_batch_records_processed_total',
          type: 'gauge',
          help: 'Clash.',
          unit: '',
          samples: [s('pw_batch_records_processed_total', {}, 1)],
        },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const h = err as HttpError;
    expect(h.status).toBe(400);
    expect(h.body).toMatch(/pw_batch_records_processed_total/);
    expect(h.message).toContain('server returned HTTP status 400');
  });

  it('a real Prometheus scraping the gateway sees the pushed series and grouping labels', async () => {
    const rows = await waitFor(
      'Prometheus to scrape the pushed series',
      async () => {
        const r = await prom.query('pw_batch_records_processed_total{job="pw_batch"}');
        return r.length === 2 && r.every((x) => x.value === 12 || x.value === 24) ? r : undefined;
      },
      30_000,
      250,
    );
    const byKind = new Map(rows.map((r) => [r.metric['kind'], r]));
    expect(byKind.get('orders')?.metric).toMatchObject({ instance: GROUP.instance, path: GROUP.path, job: 'pw_batch' });
    expect(byKind.get('orders')?.value).toBe(12);
    expect(byKind.get('Zürich "quoted"')?.value).toBe(24);
    const targets = await prom.targets('pushgateway');
    expect(targets[0]?.health).toBe('up');
    expect(targets[0]?.lastError).toBe('');
  });

  it('DELETE removes the group', async () => {
    const r = await push({ url: gateway, job: GROUP.job, groupingKey: { instance: GROUP.instance, path: GROUP.path }, method: 'DELETE' });
    expect(r.status).toBeGreaterThanOrEqual(200);
    expect(r.status).toBeLessThan(300);
    const got = await gatewaySeries(GROUP);
    expect(got.size).toBe(0);
  });

  it('a templated job name and an empty grouping value', async () => {
    const { job, groupingKey } = expandJobTemplate('${name}/instance/${name}~${host}', { name: 'emqx', host: 'node1@10.0.0.7' });
    await push({ url: gateway, job, groupingKey: { ...groupingKey, zone: '' }, body: 'pw_templated 1\n' });
    const got = await gatewaySeries({ job: 'emqx', instance: 'emqx~node1@10.0.0.7' });
    // `zone@base64/=` is the empty value: the gateway writes the label with "".
    expect(got.get('pw_templated{zone=""}')).toBe(1);
    await push({ url: gateway, job, groupingKey: { ...groupingKey, zone: '' }, method: 'DELETE' });
    expect((await gatewaySeries({ job: 'emqx' })).size).toBe(0);
  });

  it('a periodic pusher keeps the group fresh and deletes it on stop', async () => {
    let n = 0;
    const pushed: number[] = [];
    const pusher = startPusher({
      url: gateway,
      job: 'pw_periodic',
      groupingKey: { instance: 'a/b' },
      interval: 150,
      source: () => {
        n++;
        return [{ name: 'pw_ticks_total', type: 'counter', help: 'Ticks.', unit: '', samples: [s('pw_ticks_total', {}, n)] }];
      },
      onPush: () => pushed.push(n),
      onStop: 'delete',
      onError: (e) => {
        throw e;
      },
    });
    const seen = await waitFor(
      'three pushes to reach the gateway',
      async () => {
        const got = await gatewaySeries({ job: 'pw_periodic', instance: 'a/b' });
        const v = got.get('pw_ticks_total{}');
        return v !== undefined && v >= 3 ? v : undefined;
      },
      10_000,
      50,
    );
    expect(seen).toBeGreaterThanOrEqual(3);
    await pusher.stop();
    expect(pusher.failures).toBe(0);
    expect(pushed.length).toBeGreaterThanOrEqual(3);
    expect((await gatewaySeries({ job: 'pw_periodic' })).size).toBe(0);
  });
});
