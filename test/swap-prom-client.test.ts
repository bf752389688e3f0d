/**
 * The swap test (issue 12): one instrumented service written twice, with
 * prom-client 15 and with promwire as docs/migrating-from-prom-client.md
 * says, each served over HTTP on 127.0.0.1; the two /metrics bodies must
 * hold the same series names with the same label sets, and the same
 * family types and HELP texts, so a dashboard built on one reads the other.
 *
 * Families whose series follow the moment of the scrape (libuv handles,
 * requests and resources by `type`; GC durations by `kind`) are compared by
 * label names only: the two scrapes run at different instants, with
 * different sockets open, and prom-client observes only the first GC entry
 * of each batch.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricSet } from '../src/metrics/index.js';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { collectDefaultMetrics, type DefaultMetrics } from '../src/toolkit/default-metrics.js';
import { createNodeHandler } from '../src/toolkit/handler.js';

const servers: http.Server[] = [];
let defaults: DefaultMetrics | undefined;
afterAll(async () => {
  defaults?.stop();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

/** The traffic both services see. */
const REQUESTS: Array<[method: string, route: string, code: number, seconds: number]> = [
  ['GET', '/users', 200, 0.012],
  ['GET', '/users', 200, 0.3],
  ['POST', '/users', 201, 0.05],
  ['GET', '/orders', 500, 2.5],
];

/** The prom-client service. */
async function promClientService(): Promise<string> {
  const register = new client.Registry();
  client.collectDefaultMetrics({ register });
  const requests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests served.',
    labelNames: ['method', 'route', 'code'],
    registers: [register],
  });
  const jobs = new client.Counter({ name: 'jobs_processed', help: 'Jobs processed.', registers: [register] });
  const queue = new client.Gauge({ name: 'queue_depth', help: 'Jobs waiting.', labelNames: ['queue'], registers: [register] });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['route'],
    registers: [register],
  });
  const payload = new client.Summary({
    name: 'payload_bytes',
    help: 'Request payload sizes.',
    percentiles: [0.5, 0.9, 0.99],
    registers: [register],
  });
  const build = new client.Gauge({ name: 'app_build_info', help: 'Build.', labelNames: ['version'], registers: [register] });
  build.labels('1.4.2').set(1);
  new client.Gauge({
    name: 'cache_entries',
    help: 'Entries in the cache.',
    registers: [register],
    collect() {
      this.set(42);
    },
  });
  for (const [method, route, code, seconds] of REQUESTS) {
    requests.labels({ method, route, code }).inc();
    duration.labels({ route }).observe(seconds);
    payload.observe(seconds * 1000);
  }
  jobs.inc(3);
  queue.labels('email').set(4);
  queue.labels({ queue: 'sms' }).inc();
  return listen(async (_req, res) => {
    res.setHeader('content-type', register.contentType);
    res.end(await register.metrics());
  });
}

/** The same service with promwire. */
async function promwireService(): Promise<string> {
  // counterSuffix 'as-given': a counter named without _total keeps its name in text, as prom-client writes it.
  const set = new MetricSet({ counterSuffix: 'as-given' });
  defaults = collectDefaultMetrics(set);
  const requests = set.counter({ name: 'http_requests_total', help: 'HTTP requests served.', labelNames: ['method', 'route', 'code'] });
  const jobs = set.counter({ name: 'jobs_processed', help: 'Jobs processed.' });
  const queue = set.gauge({ name: 'queue_depth', help: 'Jobs waiting.', labelNames: ['queue'] });
  const duration = set.histogram({ name: 'http_request_duration_seconds', help: 'HTTP request duration.', labelNames: ['route'] });
  const payload = set.summary({ name: 'payload_bytes', help: 'Request payload sizes.', quantiles: [0.5, 0.9, 0.99] });
  set
    .gauge({ name: 'app_build_info', help: 'Build.', labelNames: ['version'] })
    .labels({ version: '1.4.2' })
    .set(1);
  set.gauge({
    name: 'cache_entries',
    help: 'Entries in the cache.',
    collect() {
      this.set(42);
    },
  });
  for (const [method, route, code, seconds] of REQUESTS) {
    requests.labels({ method, route, code }).inc();
    duration.labels({ route }).observe(seconds);
    payload.observe(seconds * 1000);
  }
  jobs.inc(3);
  queue.labels({ queue: 'email' }).set(4);
  queue.labels({ queue: 'sms' }).inc();
  const handler = createNodeHandler({ metrics: set });
  return listen((req, res) => void handler(req, res));
}

const BY_MOMENT = new Set(['nodejs_active_handles', 'nodejs_active_requests', 'nodejs_active_resources', 'nodejs_gc_duration_seconds']);

/** `name{k="v",...}` of every series (labels sorted), or `name{k,...}` (label names only) for the families that follow the moment. */
function seriesKeys(families: readonly MetricFamily[]): string[] {
  const out = new Set<string>();
  for (const f of families) {
    for (const s of f.samples) {
      const keys = Object.keys(s.labels).sort();
      if (BY_MOMENT.has(f.name)) {
        out.add(`${s.name}{${keys.filter((k) => k !== 'le').join(',')}}`);
      } else {
        out.add(`${s.name}{${keys.map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`);
      }
    }
  }
  return [...out].sort();
}

function metadata(families: readonly MetricFamily[]): string[] {
  return families.map((f) => `${f.name} ${f.type} ${f.help}`).sort();
}

describe('prom-client -> promwire swap', () => {
  it('serves the same series names and label sets, types and HELP', async () => {
    const [pcUrl, pwUrl] = await Promise.all([promClientService(), promwireService()]);
    // Short-lived garbage, so both GC histograms have series.
    let keep = 0;
    for (let i = 0; i < 300_000; i++) keep += { s: `x${i}` }.s.length;
    expect(keep).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const [pcRes, pwRes] = await Promise.all([fetch(pcUrl), fetch(pwUrl)]);
    expect(pwRes.headers.get('content-type')).toBe(pcRes.headers.get('content-type') + '; escaping=underscores');
    const pc = parse(await pcRes.text());
    const pw = parse(await pwRes.text());
    expect(metadata(pw)).toEqual(metadata(pc));
    const a = seriesKeys(pw);
    const b = seriesKeys(pc);
    expect({ onlyPromwire: a.filter((k) => !b.includes(k)), onlyPromClient: b.filter((k) => !a.includes(k)) }).toEqual({
      onlyPromwire: [],
      onlyPromClient: [],
    });
    expect(a.length).toBeGreaterThan(60);
  });
});
