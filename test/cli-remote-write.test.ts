/**
 * The remote-write commands of the CLI, run in-process against local
 * receivers: `remote-write FILE --url`, `scrape URL --remote-write`, and
 * `receive` (fed by promwire's own client and by hand-made bad requests).
 * What a receiver got is compared with what `parse` reads from the same
 * payload, series by series.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricFamily } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import type { WriteRequestData } from '../src/remote-write/index.js';
import { snappyCompress } from '../src/snappy/index.js';
import { createNodeHandler } from '../src/toolkit/handler.js';
import { remoteWrite } from '../src/toolkit/remote-write-client.js';
import { createRemoteWriteHandler } from '../src/toolkit/remote-write-handler.js';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = `${ROOT}fixtures/python_client.om.txt`;
const TS = 1_700_000_000_000;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process; `onErr` sees stderr as it is written (to learn a listening port). */
const cli = (argv: string[], onErr?: (s: string) => void): Promise<Result> => runCli(argv, { onErr });

const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A promwire receiver that keeps every decoded request. */
async function receiver(): Promise<{ url: string; got: WriteRequestData[] }> {
  const got: WriteRequestData[] = [];
  const h = createRemoteWriteHandler((data) => {
    got.push(data);
  });
  const base = await listen((req, res) => void h(req, res));
  return { url: `${base}/api/v1/write`, got };
}

/** Every float sample of the families as `name{labels}` -> [value, timestamp]. */
function floatSamples(families: readonly MetricFamily[], ts: number): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const f of families) {
    for (const s of f.samples) {
      if (typeof s.value !== 'number') continue;
      const labels = Object.keys(s.labels)
        .sort()
        .map((k) => `${k}=${JSON.stringify(s.labels[k])}`);
      out.set(`${s.name}{${labels.join(',')}}`, [s.value, s.timestamp ?? ts]);
    }
  }
  return out;
}

function receivedSamples(got: readonly WriteRequestData[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const r of got) {
    for (const s of r.series) {
      const labels = Object.keys(s.labels)
        .filter((k) => k !== '__name__')
        .sort()
        .map((k) => `${k}=${JSON.stringify(s.labels[k])}`);
      for (const x of s.samples) out.set(`${s.name}{${labels.join(',')}}`, [x.value, x.timestamp]);
    }
  }
  return out;
}

describe('promwire remote-write FILE --url URL', () => {
  const families = parse(readFileSync(FIXTURE), { format: 'openmetrics' });

  for (const version of ['1.0', '2.0'] as const) {
    it(`sends every sample of the file as ${version}; the receiver gets exactly them`, async () => {
      const rx = await receiver();
      const r = await cli([
        'remote-write',
        FIXTURE,
        '--url',
        rx.url,
        '--version',
        version,
        '--timestamp',
        String(TS),
        '--max-samples',
        '7',
      ]);
      expect(r.stderr).toContain(`remote write ${version} to ${rx.url}: 204`);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      // The fixture's _created lines are start timestamps: 1.0 cannot carry them, and says so.
      const starts = families.filter((f) => f.samples.some((x) => x.startTimestamp !== undefined));
      expect(starts.length).toBeGreaterThan(0);
      const said = r.stderr.split('\n').filter((l) => l.includes('start timestamps dropped: remote write 1.0 has none'));
      expect(said).toHaveLength(version === '1.0' ? starts.length : 0);
      const want = floatSamples(families, TS);
      expect(want.size).toBeGreaterThan(10);
      expect(receivedSamples(rx.got)).toEqual(want);
      // --max-samples 7: several requests.
      expect(rx.got.length).toBe(Math.ceil(want.size / 7));
      if (version === '2.0') {
        expect(r.stderr).toMatch(/the receiver wrote \d+ samples/);
        // 2.0 carries each series' metadata: the family's type and help.
        const counter = families.find((f) => f.type === 'counter')!;
        const s = rx.got.flatMap((g) => g.series).find((x) => x.name === counter.samples[0]!.name)!;
        expect(s.metadata).toEqual({ type: 'counter', help: counter.help, unit: counter.unit });
      }
    });
  }

  it("exits 1 with the receiver's message when it refuses the data (400, not retried)", async () => {
    let calls = 0;
    const base = await listen((req, res) => {
      calls++;
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('out of order sample for series foo');
      });
    });
    const r = await cli(['remote-write', FIXTURE, '--url', `${base}/w`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('400');
    expect(r.stderr).toContain('out of order sample for series foo');
    expect(calls).toBe(1);
  });

  it('usage errors: no --url, a bad --version, a bad URL, --user with --bearer-token', async () => {
    expect((await cli(['remote-write', FIXTURE])).code).toBe(2);
    const bad = await cli(['remote-write', FIXTURE, '--url', 'http://127.0.0.1:1/w', '--version', '3.0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid value '3.0' for --version (expected one of: 1.0, 2.0)");
    expect((await cli(['remote-write', FIXTURE, '--url', 'ftp://x/y'])).code).toBe(2);
    expect((await cli(['remote-write', FIXTURE, '--url', 'http://127.0.0.1:1/w', '--user', 'a:b', '--bearer-token', 't'])).code).toBe(2);
  });
});

describe('promwire scrape URL --remote-write URL', () => {
  it('forwards what it scraped, stamped with the scrape time, and prints nothing on stdout', async () => {
    const families = parse(readFileSync(FIXTURE), { format: 'openmetrics' });
    const target = await listen(createNodeHandler({ collect: () => families }));
    const rx = await receiver();
    const before = Date.now();
    const r = await cli(['scrape', `${target}/metrics`, '--remote-write', rx.url, '--rw-version', '2.0']);
    expect(r.stderr).toContain(`remote write 2.0 to ${rx.url}: 204`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const got = receivedSamples(rx.got);
    const want = floatSamples(families, 0);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, [v, t]] of got) {
      expect(v, k).toBe(want.get(k)![0]);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(Date.now());
    }
  });

  it('--rw-version without --remote-write is a usage error', async () => {
    expect((await cli(['scrape', 'http://127.0.0.1:1/metrics', '--rw-version', '2.0'])).code).toBe(2);
  });
});

/** Starts `receive` in-process; resolves its base URL once it listens, and the promise of its result. */
async function startReceive(args: string[]): Promise<{ base: string; done: Promise<Result> }> {
  let resolveBase: (b: string) => void = () => {};
  const baseP = new Promise<string>((r) => (resolveBase = r));
  const done = cli(['receive', '--listen', '127.0.0.1:0', ...args], (err) => {
    const m = /receiving remote write at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
    if (m !== null) resolveBase(m[1]!);
  });
  return { base: await baseP, done };
}

describe('promwire receive', () => {
  const families: MetricFamily[] = [
    {
      name: 'pw_jobs',
      type: 'counter',
      help: 'Jobs done.',
      unit: '',
      samples: [{ name: 'pw_jobs_total', labels: { queue: 'a' }, value: 5, timestamp: TS }],
    },
    {
      name: 'pw_temp_celsius',
      type: 'gauge',
      help: 'Temperature.',
      unit: 'celsius',
      samples: [{ name: 'pw_temp_celsius', labels: {}, value: -1.5, timestamp: TS + 1 }],
    },
  ];

  it('--json prints each request as families, one a line; stops after --max-requests', async () => {
    const rx = await startReceive(['--json', '--max-requests', '2']);
    await remoteWrite(`${rx.base}/api/v1/write`, families, { version: '2.0' });
    await remoteWrite(`${rx.base}/api/v1/write`, families, { version: '1.0' });
    const r = await rx.done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const v2 = lines
      .slice(0, 2)
      .map((l) => JSON.parse(l) as { name: string; type: string; help: string; unit?: string; samples: unknown[] });
    // 2.0 carries type, help and unit on each series; a family is named after its series (as protobuf names a counter, with _total).
    expect(v2).toEqual([
      {
        name: 'pw_jobs_total',
        type: 'counter',
        help: 'Jobs done.',
        samples: [{ name: 'pw_jobs_total', labels: { queue: 'a' }, value: '5', timestamp_ms: TS }],
      },
      {
        name: 'pw_temp_celsius',
        type: 'gauge',
        help: 'Temperature.',
        unit: 'celsius',
        samples: [{ name: 'pw_temp_celsius', labels: {}, value: '-1.5', timestamp_ms: TS + 1 }],
      },
    ]);
    expect(JSON.parse(lines[2]!).samples).toEqual(v2[0]!.samples);
    expect(r.stderr).toContain('2 requests received, stopping');
  });

  it('prints a line per request and per sample in the human form', async () => {
    const rx = await startReceive(['--max-requests', '1']);
    await remoteWrite(`${rx.base}/x`, families, { version: '2.0' });
    const r = await rx.done;
    expect(r.stdout).toBe(
      '# remote write 2.0: 2 series, 2 samples, 0 histograms, 0 exemplars, ' +
        `${/(\d+) bytes/.exec(r.stdout)![1]} bytes\n` +
        '# metadata pw_jobs_total{queue="a"} counter "Jobs done."\n' +
        `pw_jobs_total{queue="a"} 5 ${TS}\n` +
        '# metadata pw_temp_celsius gauge unit=celsius "Temperature."\n' +
        `pw_temp_celsius -1.5 ${TS + 1}\n`,
    );
  });

  it('answers a corrupt body 400 and an unknown message 415, says so on stderr, and keeps receiving', async () => {
    const rx = await startReceive(['--max-requests', '1', '--versions', '1.0']);
    const post = (ct: string, body: Uint8Array) =>
      fetch(`${rx.base}/api/v1/write`, {
        method: 'POST',
        headers: { 'content-type': ct, 'content-encoding': 'snappy' },
        body: Buffer.from(body),
      });
    expect((await post('application/x-protobuf', snappyCompress(new Uint8Array([0x0a, 0x80, 0x80, 0x80, 0x80, 0x01])))).status).toBe(400);
    // --versions 1.0: a 2.0 request is refused as Prometheus refuses an unaccepted message.
    expect((await post('application/x-protobuf;proto=io.prometheus.write.v2.Request', snappyCompress(new Uint8Array(0)))).status).toBe(415);
    await remoteWrite(`${rx.base}/api/v1/write`, families, { version: '1.0' });
    const r = await rx.done;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/receive: .*400/);
    expect(r.stderr).toMatch(/receive: .*415/);
    expect(r.stdout).toContain(`pw_jobs_total{queue="a"} 5 ${TS}`);
  });

  it('usage errors: no --listen, a bad --listen, a bad --versions', async () => {
    expect((await cli(['receive'])).code).toBe(2);
    expect((await cli(['receive', '--listen', 'nowhere'])).code).toBe(2);
    expect((await cli(['receive', '--listen', '127.0.0.1:0', '--versions', '3.0'])).code).toBe(2);
  });
});

describe('help', () => {
  it('lists the commands and documents their flags', async () => {
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/\n {2}remote-write +send a payload file to a remote-write receiver/);
    expect(top.stdout).toMatch(/\n {2}receive +receive remote write/);
    const rw = await cli(['remote-write', '--help']);
    for (const flag of ['--url URL', '--version V', '--fallback', '--header', '--bearer-token', '--retries', '--max-samples']) {
      expect(rw.stdout).toContain(flag);
    }
    const rcv = await cli(['receive', '--help']);
    for (const flag of [
      '--listen HOST:PORT',
      '--json',
      '--versions',
      '--max-requests',
      'protobuf_message: io.prometheus.write.v2.Request',
    ]) {
      expect(rcv.stdout).toContain(flag);
    }
    const sc = await cli(['scrape', '--help']);
    for (const flag of ['--remote-write URL', '--rw-version', '--rw-fallback']) expect(sc.stdout).toContain(flag);
  });
});
