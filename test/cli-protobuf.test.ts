/**
 * The CLI with protobuf in and out: parse, inspect, convert, lint, scrape
 * and serve. Protobuf output is read back with promwire's parser and with
 * protobufjs (test/helpers/pb-decode.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { looksLikeProtobuf } from '../src/cli/sniff.js';
import { encode } from '../src/encode/encoder.js';
import type { MetricFamily, NativeHistogram } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { warningKey } from '../src/toolkit/exposition.js';
import { createNodeHandler } from '../src/toolkit/handler.js';
import { PROMETHEUS_PROTO_ACCEPT } from '../src/toolkit/negotiate.js';
import { decodeDelimited } from './helpers/pb-decode.js';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE_EXPORTER = `${ROOT}fixtures/node_exporter.prom`;
const DIR = mkdtempSync(join(tmpdir(), 'promwire-cli-pb-'));

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
  negativeSpans: [],
  negativeBuckets: [],
};

const FAMILIES: MetricFamily[] = [
  {
    name: 'rpc_seconds',
    type: 'histogram',
    help: 'RPC latency.',
    unit: '',
    samples: [
      { name: 'rpc_seconds', labels: { m: 'get' }, value: NATIVE, timestamp: null },
      {
        name: 'rpc_seconds',
        labels: { m: 'put' },
        value: { ...NATIVE, count: 5, zeroCount: 0, positiveBuckets: [1, 1, 3] },
        timestamp: null,
      },
    ],
  },
  {
    name: 'up',
    type: 'gauge',
    help: 'Up.',
    unit: '',
    samples: [{ name: 'up', labels: {}, value: 1, timestamp: null }],
  },
];
const PB = encode(FAMILIES, { format: 'protobuf' });
const PB_FILE = join(DIR, 'native.pb');
writeFileSync(PB_FILE, PB);

const runInProcess = (argv: string[], stdin?: Uint8Array | Uint8Array[], outIsTTY = false) =>
  runCli(argv, { stdin, outIsTTY, bytes: true });

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function serveFamilies(families: MetricFamily[]): Promise<string> {
  const handler = createNodeHandler({ collect: () => families, onWarning: () => {} });
  const server = http.createServer((req, res) => void handler(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('CLI, protobuf', () => {
  it('looksLikeProtobuf tells a delimited MetricFamily stream from text', () => {
    expect(looksLikeProtobuf(PB)).toBe(true);
    expect(looksLikeProtobuf(readFileSync(NODE_EXPORTER))).toBe(false);
    expect(looksLikeProtobuf(Buffer.from('#\n# HELP x y\n'))).toBe(false);
    expect(looksLikeProtobuf(Buffer.from('a 1\n'))).toBe(false);
    expect(looksLikeProtobuf(new Uint8Array(0))).toBe(false);
  });

  it('convert --to protobuf writes what promwire and protobufjs read back as the same families', async () => {
    const r = await runInProcess(['convert', NODE_EXPORTER, '--to', 'protobuf']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const want = parse(readFileSync(NODE_EXPORTER), { format: 'text' });
    const back = parse(r.stdout, { format: 'protobuf' });
    expect(back.map((f) => [f.name, f.type, f.samples.length])).toEqual(want.map((f) => [f.name, f.type, f.samples.length]));
    const decoded = decodeDelimited(r.stdout);
    expect(decoded.map((f: { name: string }) => f.name)).toEqual(want.map((f) => f.name));
    // and back to text, the format read from the bytes (no --from)
    const t = await runInProcess(['convert', '--to', 'text'], r.stdout);
    expect(t.code).toBe(0);
    // (as plain JSON: the parsers' label objects differ in prototype, not in content)
    expect(JSON.stringify(parse(t.stdout, { format: 'text' }))).toBe(JSON.stringify(want));
  });

  it('refuses to write protobuf to a terminal (exit 2) unless -o FILE is given', async () => {
    const tty = await runInProcess(['convert', NODE_EXPORTER, '--to', 'protobuf'], undefined, true);
    expect(tty.code).toBe(2);
    expect(tty.stdout.byteLength).toBe(0);
    expect(tty.stderr).toContain('refusing to write binary protobuf to a terminal');
    const file = join(DIR, 'out.pb');
    const ok = await runInProcess(['convert', NODE_EXPORTER, '--to', 'protobuf', '-o', file], undefined, true);
    expect([ok.code, ok.stdout.byteLength]).toEqual([0, 0]);
    expect(parse(readFileSync(file), { format: 'protobuf' }).length).toBe(parse(readFileSync(NODE_EXPORTER)).length);
    // text to a terminal is fine
    expect((await runInProcess(['convert', PB_FILE, '--to', 'text'], undefined, true)).code).toBe(0);
  });

  it('convert of native histograms to text says what is lost on stderr, once per family', async () => {
    const r = await runInProcess(['convert', PB_FILE, '--to', 'text']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^promwire: warning: "rpc_seconds": /);
    expect(r.stdout.toString('utf8')).toContain('rpc_seconds_count{m="get"} 10\n');
    // protobuf to protobuf loses nothing
    const same = await runInProcess(['convert', PB_FILE, '--to', 'protobuf']);
    expect([same.code, same.stderr]).toEqual([0, '']);
    expect(parse(same.stdout, { format: 'protobuf' })).toEqual(parse(PB, { format: 'protobuf' }));
  });

  it('convert says each loss of a conversion once per family and reason (OpenMetrics to text 0.0.4)', async () => {
    const r = await runInProcess(['convert', `${ROOT}fixtures/python_client.om.txt`, '--to', 'text']);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^promwire: warning: "[^"]+": /);
    expect(new Set(lines.map(warningKey)).size).toBe(lines.length);
    expect(lines.some((l) => l.startsWith('promwire: warning: "demo_sent_bytes_total": ') && /exemplar/.test(l))).toBe(true);
  });

  it('parse --json shows a native histogram in the documented shape', async () => {
    for (const argv of [
      ['parse', PB_FILE, '--json'],
      ['parse', PB_FILE, '--json', '--format', 'protobuf'],
    ]) {
      const r = await runInProcess(argv);
      expect([r.code, r.stderr]).toEqual([0, '']);
      const fams = JSON.parse(r.stdout.toString('utf8')) as { name: string; samples: { value: unknown }[] }[];
      const v = fams[0]!.samples[0]!.value as Record<string, unknown>;
      expect(Object.keys(v)).toEqual([
        'kind',
        'schema',
        'zero_threshold',
        'zero_count',
        'count',
        'sum',
        'positive_spans',
        'positive_buckets',
        'negative_spans',
        'negative_buckets',
      ]);
      expect(v).toEqual({
        kind: 'integer',
        schema: 2,
        zero_threshold: '0.001',
        zero_count: 3,
        count: 10,
        sum: '12.5',
        positive_spans: [
          { offset: -1, length: 2 },
          { offset: 2, length: 1 },
        ],
        positive_buckets: [2, 1, 4],
        negative_spans: [],
        negative_buckets: [],
      });
    }
    // the summary form reads protobuf from standard input too, however it is cut into chunks
    const s = await runInProcess(['parse'], PB);
    expect(s.stdout.toString('utf8')).toContain('2 families, 3 samples\n');
    // a double whose bytes hold "\n\0": a text reader would stop at that NUL
    const odd = new DataView(new Uint8Array([0x0a, 0x00, 0, 0, 0, 0, 0xf0, 0x3f]).buffer).getFloat64(0, true);
    const withNul = encode(
      [
        ...FAMILIES,
        { name: 'odd', type: 'gauge', help: '', unit: '', samples: [{ name: 'odd', labels: {}, value: odd, timestamp: null }] },
      ],
      {
        format: 'protobuf',
      },
    );
    expect(Buffer.from(withNul).includes(Buffer.from([0x0a, 0x00]))).toBe(true);
    for (const cut of [0, 1, 2, 3, 7]) {
      const c = await runInProcess(['parse', '--json'], [withNul.subarray(0, cut), withNul.subarray(cut)]);
      expect([cut, c.code, c.stderr]).toEqual([cut, 0, '']);
      const fams = JSON.parse(c.stdout.toString('utf8')) as { name: string; samples: { value: string }[] }[];
      expect(fams.map((f) => f.name)).toEqual(['rpc_seconds', 'up', 'odd']);
      expect(Number(fams[2]!.samples[0]!.value)).toBe(odd);
    }
  });

  it('inspect names the protobuf format and counts native histograms and their buckets', async () => {
    const r = await runInProcess(['inspect', PB_FILE, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout.toString('utf8'));
    expect([rep.format, rep.formatFrom]).toEqual(['protobuf', 'payload']);
    expect(rep.nativeHistograms).toEqual({ samples: 2, families: 1, buckets: 6, maxBuckets: 3, schemas: [2] });
    const t = await runInProcess(['inspect', PB_FILE]);
    const text = t.stdout.toString('utf8');
    expect(text).toContain(
      'format     Prometheus protobuf (delimited MetricFamily) (detected: starts as a length-delimited MetricFamily message)',
    );
    expect(text).toContain('native histograms  2 in 1 family, 6 buckets (at most 3 in one), schema 2');
    const none = await runInProcess(['inspect', NODE_EXPORTER]);
    expect(none.stdout.toString('utf8')).toContain('native histograms  none');
  });

  it('lint reads protobuf', async () => {
    const r = await runInProcess(['lint', PB_FILE, '--format', 'protobuf']);
    expect(r.stderr).toBe('');
    expect([0, 3]).toContain(r.code);
  });

  it('scrape --format protobuf reads native histograms; --json, --to protobuf -o FILE, --to text with a warning', async () => {
    const url = await serveFamilies(FAMILIES);
    const j = await runInProcess(['scrape', url, '--format', 'protobuf', '--json']);
    expect(j.code).toBe(0);
    expect(j.stderr).toMatch(/read as protobuf, \d+ bytes, 2 families, 3 samples \(2 native histograms\)\n$/);
    const fams = JSON.parse(j.stdout.toString('utf8')) as { samples: { value: { count: number } }[] }[];
    expect(fams[0]!.samples.map((s) => s.value.count)).toEqual([10, 5]);

    const file = join(DIR, 'scraped.pb');
    const o = await runInProcess(['scrape', url, '--protocols', 'PrometheusProto,OpenMetricsText1.0.0', '-o', file], undefined, true);
    expect(o.code).toBe(0);
    expect(parse(readFileSync(file), { format: 'protobuf' })).toEqual(parse(PB, { format: 'protobuf' }));

    // served protobuf with no --to is binary: not for a terminal
    const tty = await runInProcess(['scrape', url, '--format', 'protobuf'], undefined, true);
    expect(tty.code).toBe(2);
    expect(tty.stderr).toContain('refusing to write binary protobuf to a terminal');

    const t = await runInProcess(['scrape', url, '--format', 'protobuf', '--to', 'text'], undefined, true);
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/promwire: warning: "rpc_seconds": /);
    expect(t.stdout.toString('utf8')).toContain('up 1\n');

    const bad = await runInProcess(['scrape', url, '--protocols', 'PrometheusProto,Bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --protocols: unknown scrape protocol "Bogus"');
  });

  it('serve a protobuf file: protobuf to Prometheus 3.5.3 with native histograms, text to a plain scraper with one warning', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', PB_FILE, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const base = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', () => {
          const m = / at (http:\/\/127\.0\.0\.1:\d+)\/metrics\n/.exec(stderr);
          if (m !== null) resolve(m[1]!);
        });
        child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
      });
      const p = await fetch(`${base}/metrics`, { headers: { accept: PROMETHEUS_PROTO_ACCEPT } });
      expect(p.headers.get('content-type')).toBe(
        'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores',
      );
      const body = new Uint8Array(await p.arrayBuffer());
      expect(parse(body, { format: 'protobuf' })).toEqual(parse(PB, { format: 'protobuf' }));
      expect(decodeDelimited(body)[0].metric[0].histogram.schema).toBe(2);
      for (let i = 0; i < 2; i++) {
        const t = await fetch(`${base}/metrics`);
        expect(await t.text()).toContain('rpc_seconds_count{m="put"} 5\n');
      }
      expect(stderr.match(/promwire: warning: "rpc_seconds"/g)).toHaveLength(1);
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
      expect(code).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});
