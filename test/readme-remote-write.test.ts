/**
 * The README's remote-write recipes run as written: each TypeScript block
 * of "Forwarding a service's metrics to a remote-write store" and
 * "Receiving remote write" is taken from README.md, its `promwire` imports
 * pointed at src/, its fixed ports at free ones, and run as a module. The
 * forwarding recipe sends to a promwire receiver; the receiving recipe is
 * fed by promwire's client. What each prints and receives is checked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { WriteRequestData } from '../src/remote-write/index.js';
import { createRemoteWriteHandler } from '../src/toolkit/remote-write-handler.js';
import { remoteWrite } from '../src/toolkit/remote-write-client.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');
const dir = mkdtempSync(path.join(os.tmpdir(), 'promwire-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ```ts blocks of the README section under `heading` (up to the next ### or ## heading). */
function tsBlocks(heading: string): string[] {
  const start = README.indexOf(`\n### ${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const rest = README.slice(start + heading.length + 6);
  const end = rest.search(/\n#{2,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Writes a recipe as a module importing src/ instead of the package, with `replace` applied, and imports it. */
async function runRecipe(name: string, code: string, replace: [string, string][], tail = ''): Promise<Record<string, unknown>> {
  let src = code
    .replaceAll("from 'promwire/node'", `from '${ROOT}src/node.ts'`)
    .replaceAll("from 'promwire'", `from '${ROOT}src/index.ts'`);
  for (const [a, b] of replace) {
    expect(src, `${name} uses ${a}`).toContain(a);
    src = src.replaceAll(a, b);
  }
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, src + tail);
  return (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('README: remote-write recipes', () => {
  it("forwarding a service's metrics: the one-shot write and the periodic writer reach the receiver", async () => {
    const [code] = tsBlocks("Forwarding a service's metrics to a remote-write store");
    expect(code).toBeDefined();
    const got: { data: WriteRequestData; tenant: string | undefined }[] = [];
    const h = createRemoteWriteHandler((data, info) => {
      got.push({ data, tenant: info.header('x-scope-orgid') });
    });
    const server = http.createServer((req, res) => void h(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await runRecipe('forward', code!, [['127.0.0.1:9009', `127.0.0.1:${port}`]]);
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
        '1 samples in 1 request(s): 204',
        expect.stringMatching(/^[1-9]\d* samples sent, 0 dropped$/),
      ]);
    } finally {
      log.mockRestore();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    expect(got.every((g) => g.tenant === 'team-a')).toBe(true);
    // The one-shot write: jobs_total{queue="mail"} 1, as 1.0.
    expect(got[0]!.data.version).toBe('1.0');
    expect(got[0]!.data.series.map((s) => [s.name, s.labels['queue'], s.samples.map((x) => x.value)])).toEqual([
      ['jobs_total', 'mail', [1]],
    ]);
    // The writer: 2.0 with metadata, and at stop the last collection holds the sms queue too.
    const last = got[got.length - 1]!.data;
    expect(last.version).toBe('2.0');
    const sms = last.series.find((s) => s.labels['queue'] === 'sms');
    expect(sms?.samples.map((x) => x.value)).toEqual([3]);
    expect(sms?.metadata).toEqual({ type: 'counter', help: 'Jobs processed.', unit: '' });
  });

  it('receiving remote write: the handler prints each sample and native histogram it gets', async () => {
    const [code] = tsBlocks('Receiving remote write');
    expect(code).toBeDefined();
    const port = await freePort();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let server: http.Server | undefined;
    try {
      const mod = await runRecipe('receive', code!, [['9201', String(port)]], '\nexport { server };\n');
      server = mod['server'] as http.Server;
      await new Promise<void>((r) => (server!.listening ? r() : server!.once('listening', () => r())));
      const r = await remoteWrite(
        `http://127.0.0.1:${port}/api/v1/write`,
        [
          {
            name: 'pw_up',
            type: 'gauge',
            help: '',
            unit: '',
            samples: [{ name: 'pw_up', labels: { job: 'a' }, value: 1, timestamp: 1_700_000_000_000 }],
          },
          {
            name: 'pw_lat_seconds',
            type: 'histogram',
            help: '',
            unit: '',
            samples: [
              {
                name: 'pw_lat_seconds',
                labels: {},
                timestamp: 1_700_000_000_000,
                value: {
                  kind: 'integer',
                  schema: 0,
                  zeroThreshold: 0,
                  zeroCount: 0,
                  count: 2,
                  sum: 3,
                  positiveSpans: [{ offset: 1, length: 1 }],
                  positiveBuckets: [2],
                  negativeSpans: [],
                  negativeBuckets: [],
                },
              },
            ],
          },
        ],
        { version: '2.0' },
      );
      expect(r.status).toBe(204);
      expect(log.mock.calls).toEqual([
        ['pw_up', { __name__: 'pw_up', job: 'a' }, 1, 1_700_000_000_000],
        ['pw_lat_seconds', { __name__: 'pw_lat_seconds' }, 'native histogram, count 2', 1_700_000_000_000],
      ]);
    } finally {
      log.mockRestore();
      if (server !== undefined) {
        server.closeAllConnections();
        await new Promise((r) => server!.close(r));
      }
    }
  });
});
