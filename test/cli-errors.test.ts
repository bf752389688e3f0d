/**
 * The CLI's errors name the input (file, standard input or URL) and say
 * what it looks like when that explains the failure (gzip, a byte order
 * mark, HTML, JSON, CRLF line endings); a busy port is one line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { describeInput } from '../src/cli/sniff.js';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'promwire-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runInProcess = (argv: string[], stdin: string | Uint8Array = '') => runCli(argv, { stdin });

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('describeInput', () => {
  it.each([
    ['gzip', gzipSync('a 1\n'), /gzip-compressed/],
    ['a BOM', Buffer.from('\ufeffa 1\n', 'utf8'), /byte order mark/],
    ['HTML', Buffer.from('\n  <!DOCTYPE html>\n<html></html>'), /HTML page/],
    ['HTML without doctype', Buffer.from('<HTML><body>x</body></HTML>'), /HTML page/],
    ['XML', Buffer.from('<?xml version="1.0"?><a/>'), /HTML or XML/],
    ['JSON', Buffer.from('{"status":"error"}'), /JSON/],
    ['CRLF', Buffer.from('# HELP a x\r\na 1\r\n'), /CRLF/],
  ])('recognises %s', (_what, bytes, re) => {
    expect(describeInput(bytes)).toMatch(re);
  });

  it('says nothing about an ordinary payload, or a lone \\r inside a line', () => {
    expect(describeInput(Buffer.from('# HELP a x\na{l="x\ry"} 1\n'))).toBeUndefined();
    expect(describeInput(new Uint8Array(0))).toBeUndefined();
  });
});

describe('payload errors name the input and say what it looks like', () => {
  it('a file with CRLF line endings', async () => {
    const p = file('crlf.prom', 'a 1\r\nb 2\r\n');
    const r = await runInProcess(['parse', p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(`${p}: line 1 column 3: expected a number as value, got "1?"`);
    expect(lines.at(-2)).toMatch(/^ {2}note: its lines end with CRLF \(\\r\\n\)/);
  });

  it('gzip on standard input', async () => {
    const r = await runInProcess(['convert', '--to', 'openmetrics'], gzipSync('a 1\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^standard input: line 1 column 1: expected metric name, got byte 0x1f\n/);
    expect(r.stderr).toContain('  note: it is gzip-compressed (it starts with the gzip magic bytes 1f 8b): decompress it first');
  });

  it('a UTF-8 byte order mark, for lint and inspect too', async () => {
    const p = file('bom.prom', '\ufeffa 1\n');
    for (const cmd of ['lint', 'inspect']) {
      const r = await runInProcess([cmd, p]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line 1 column 1: `));
      expect(r.stderr).toContain('note: it starts with a UTF-8 byte order mark (EF BB BF)');
    }
  });

  it('an HTML page', async () => {
    const p = file('login.html', '<!DOCTYPE html>\n<html><body>Sign in</body></html>\n');
    const r = await runInProcess(['parse', p, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${p}: line 1 column 1: expected metric name, got "<"`);
    expect(r.stderr).toContain('note: it is an HTML page, not metrics');
  });

  it('--lenient names the input on every skipped line; a plain error has no note', async () => {
    const r = await runInProcess(['parse', '--lenient'], 'ok 1\nbad{ 1\nok2 2\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^standard input: line 2 column \d+: /);
    const plain = await runInProcess(['parse'], 'ok 1\nbad{ 1\n');
    expect(plain.stderr).toMatch(/^standard input: line 2 column \d+: /);
    expect(plain.stderr).not.toContain('note:');
  });

  it('a scrape whose body does not parse names the URL', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('ok 1\nbad{ 1\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      const r = await runInProcess(['scrape', url, '--json']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^${url.replace(/[.]/g, '\\.')}: line 2 column \\d+: `));
    } finally {
      server.close();
    }
  });
});

describe('a busy port is one line', () => {
  it.each([
    ['serve', (port: number) => ['serve', 'fixtures/node_exporter.prom', '--port', String(port)]],
    ['receive', (port: number) => ['receive', '--listen', `127.0.0.1:${port}`]],
  ])('%s', async (_cmd, argv) => {
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv(port)], { cwd: ROOT });
      const err: Buffer[] = [];
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code).toBe(1);
      expect(Buffer.concat(err).toString('utf8')).toBe(`promwire: port ${port} is in use (listening on 127.0.0.1:${port})\n`);
    } finally {
      busy.close();
    }
  });
});
