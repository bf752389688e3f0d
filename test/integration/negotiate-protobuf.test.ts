/**
 * Negotiation against the real thing: Prometheus 3.5.3 started with
 * `--enable-feature=native-histograms` sends exactly `PROMETHEUS_PROTO_ACCEPT`,
 * promwire's handler answers it with protobuf, and the native histogram it
 * serves is stored as served (count, sum, zero bucket and every bucket's
 * bounds and count, read back through the HTTP API). The same Prometheus
 * scraping with `scrape_protocols` of text only gets text, with a native
 * histogram reduced to client_golang's text form and a warning once.
 * promwire's scrape() reads the stored histogram back from /federate in
 * protobuf, identical to what was served.
 *
 * (The full native-histogram proofs against client_golang and Prometheus are
 * gotools' integration tests; this one pins the negotiation.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricFamily, NativeHistogram } from '../../src/model/index.js';
import { createNodeHandler } from '../../src/toolkit/handler.js';
import { CONTENT_TYPE_PROTOBUF, PROMETHEUS_PROTO_ACCEPT, PROTO_FIRST_SCRAPE_PROTOCOLS } from '../../src/toolkit/negotiate.js';
import { scrape } from '../../src/toolkit/scrape.js';
import { BIN, Cleanup, freePort, httpGet, requireBinary, serve, startProcess, tempDir, waitFor, waitReady } from './helpers.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

const NATIVE: NativeHistogram = {
  kind: 'integer',
  schema: 2,
  zeroThreshold: 0.001,
  zeroCount: 3,
  count: 10,
  sum: 12.5,
  positiveSpans: [
    { offset: -1, length: 2 },
    { offset: 2, length: 1 },
  ],
  positiveBuckets: [2, 1, 4],
  negativeSpans: [{ offset: 0, length: 1 }],
  negativeBuckets: [1],
};

const FAMILIES: MetricFamily[] = [
  {
    name: 'pwn_rpc_seconds',
    type: 'histogram',
    help: 'RPC latency.',
    unit: '',
    samples: [{ name: 'pwn_rpc_seconds', labels: { m: 'get' }, value: { ...NATIVE, count: 11 }, timestamp: null }],
  },
];

describe('Prometheus 3.5.3 with native histograms negotiates protobuf', () => {
  it('sends PROMETHEUS_PROTO_ACCEPT, gets protobuf, stores the native histogram as served; text-only scrape_protocols get text', async () => {
    requireBinary(BIN.prometheus);
    const seen: { url: string; accept: string; contentType: string }[] = [];
    const warnings: string[] = [];
    const handler = createNodeHandler({ collect: () => FAMILIES, onWarning: (m) => warnings.push(m) });
    const target = await serve(cleanup, (req: IncomingMessage, res: ServerResponse) => {
      void handler(req, res).then(() => {
        seen.push({
          url: req.url ?? '',
          accept: String(req.headers.accept ?? ''),
          contentType: String(res.getHeader('content-type') ?? ''),
        });
      });
    });
    const dir = await tempDir(cleanup, 'prometheus-nh');
    const port = await freePort();
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: pwn_proto
    static_configs:
      - targets: ['127.0.0.1:${target.port}']
  - job_name: pwn_text
    metrics_path: /metrics
    params:
      via: [text]
    scrape_protocols: [PrometheusText0.0.4]
    static_configs:
      - targets: ['127.0.0.1:${target.port}']
`,
    );
    const proc = startProcess(
      cleanup,
      BIN.prometheus,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--enable-feature=native-histograms',
        '--log.level=warn',
      ],
      dir,
    );
    const base = `http://127.0.0.1:${port}`;
    await waitReady(proc, `${base}/-/ready`, 60_000, 'prometheus');
    const query = async (
      expr: string,
    ): Promise<{ metric: Record<string, string>; value?: [number, string]; histogram?: [number, unknown] }[]> => {
      const r = await httpGet(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`, 30_000);
      return (JSON.parse(r.body) as { data: { result: [] } }).data.result;
    };

    const stored = await waitFor(
      'the native histogram of job pwn_proto',
      async () => {
        const r = await query('pwn_rpc_seconds{job="pwn_proto"}');
        return r.length === 1 && r[0]!.histogram !== undefined ? r[0]! : undefined;
      },
      60_000,
      250,
    );
    const proto = seen.find((s) => !s.url.includes('via=text'))!;
    expect(proto.accept).toBe(PROMETHEUS_PROTO_ACCEPT);
    expect(proto.contentType).toBe(`${CONTENT_TYPE_PROTOBUF}; escaping=underscores`);
    const h = stored.histogram![1] as { count: string; sum: string; buckets: [number, string, string, string][] };
    expect([h.count, h.sum]).toEqual(['11', '12.5']);
    // [boundary rule, lower, upper, count]: base 2^(1/4); the zero bucket [-0.001, 0.001]
    const b = 2 ** 0.25;
    const bounds = h.buckets.map(([, lo, hi, n]) => [Number(lo), Number(hi), Number(n)]);
    const want = [
      [-1, -1 / b, 1],
      [-0.001, 0.001, 3],
      [b ** -2, b ** -1, 2],
      [b ** -1, 1, 1],
      [b ** 2, b ** 3, 4],
    ];
    expect(bounds.length).toBe(want.length);
    for (const [i, w] of want.entries()) {
      expect(bounds[i]![0]).toBeCloseTo(w[0]!, 12);
      expect(bounds[i]![1]).toBeCloseTo(w[1]!, 12);
      expect(bounds[i]![2]).toBe(w[2]);
    }

    // and back: promwire's scrape() reads it from /federate in protobuf (expfmt.Negotiate there)
    const fed = await scrape(`${base}/federate?match[]=${encodeURIComponent('pwn_rpc_seconds{job="pwn_proto"}')}`, {
      protocols: PROTO_FIRST_SCRAPE_PROTOCOLS,
    });
    expect(fed.format).toBe('protobuf');
    const fs = fed.families.flatMap((f) => f.samples).filter((s) => s.name === 'pwn_rpc_seconds');
    expect(fs).toHaveLength(1);
    expect(fs[0]!.labels).toMatchObject({ m: 'get', job: 'pwn_proto' });
    // federate.go reads every histogram as a FloatHistogram (AtFloatHistogram) and writes
    // positive_count/negative_count: the same histogram, with float counts
    expect(fs[0]!.value).toEqual({ ...NATIVE, count: 11, kind: 'float' });

    // scrape_protocols: [PrometheusText0.0.4]: text, the histogram as client_golang writes a native-only one there
    const count = await waitFor(
      'pwn_rpc_seconds_count of job pwn_text',
      async () => {
        const r = await query('pwn_rpc_seconds_count{job="pwn_text"}');
        return r.length === 1 ? r[0]! : undefined;
      },
      60_000,
      250,
    );
    expect(count.value![1]).toBe('11');
    const text = seen.find((s) => s.url.includes('via=text'))!;
    expect(text.accept).toBe('text/plain;version=0.0.4;q=0.6,*/*;q=0.5');
    expect(text.contentType).toBe('text/plain; version=0.0.4; charset=utf-8; escaping=underscores');
    expect(warnings.filter((w) => w.startsWith('"pwn_rpc_seconds"'))).toHaveLength(1);
  });
});
