/**
 * TLS and proxies for scrape and push, against real TLS on 127.0.0.1
 * (certificates made with the system `openssl` at test time) and a small
 * proxy in the test (CONNECT tunnels and absolute-form requests). Checked:
 * verification with a CA file, refusal without it, skipping it, a client
 * certificate the server requires, and that credentials go to the target's
 * origin only: never to the proxy (which gets the proxy URL's own as
 * Proxy-Authorization), never across a redirect to another origin.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../src/toolkit/http.js';
import { push } from '../src/toolkit/push.js';
import { scrape } from '../src/toolkit/scrape.js';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'promwire-tls-'));
const servers: net.Server[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=promwire test CA',
  );
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', 'promwire-client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  }
}

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  clientCN: string | undefined;
}

const PAYLOAD = '# TYPE up gauge\nup 1\n';

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

/** An https exporter (and gateway: PUT answers 200) that records each request and the client certificate's CN. */
async function httpsTarget(requireClientCert: boolean): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = https.createServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem')),
      ca: readFileSync(join(dir, 'ca.pem')),
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, clientCN: peer?.subject?.CN as string | undefined });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(req.method === 'GET' ? PAYLOAD : '');
      });
    },
  );
  const port = await listen(server);
  return { base: `https://127.0.0.1:${port}`, seen };
}

/** A plain http target: /redirect sends to `redirectTo`, anything else serves the payload. */
async function httpTarget(redirectTo?: () => string): Promise<{ base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const port = await listen(
    http.createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, clientCN: undefined });
      if (req.url === '/redirect' && redirectTo !== undefined) {
        res.writeHead(302, { location: redirectTo() }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(PAYLOAD);
    }),
  );
  return { base: `http://127.0.0.1:${port}`, seen };
}

interface ProxyLog {
  connects: { target: string; headers: http.IncomingHttpHeaders }[];
  forwards: { url: string; headers: http.IncomingHttpHeaders }[];
}

/** A small proxy: CONNECT tunnels, and absolute-form requests forwarded (without its own Proxy-Authorization). */
async function proxy(): Promise<{ url: string; log: ProxyLog }> {
  const log: ProxyLog = { connects: [], forwards: [] };
  const server = http.createServer((req, res) => {
    log.forwards.push({ url: req.url ?? '', headers: { ...req.headers } });
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request(target, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    log.connects.push({ target: req.url ?? '', headers: { ...req.headers } });
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return { url: `http://proxyuser:proxy%20pass@127.0.0.1:${port}`, log };
}

const b64 = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;

beforeAll(() => makeCertificates(), 60_000);
afterAll(() => {
  for (const s of servers) {
    (s as http.Server).closeAllConnections?.();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('verifies with a CA file, refuses without it (saying what to do), and skips verification when asked', async () => {
    const t = await httpsTarget(false);
    const ok = await scrape(`${t.base}/metrics`, { tls: { caFile: join(dir, 'ca.pem') } });
    expect(ok.families.map((f) => f.name)).toEqual(['up']);
    await expect(scrape(`${t.base}/metrics`)).rejects.toThrow(/certificate.*--ca-file/);
    const skipped = await scrape(`${t.base}/metrics`, { tls: { insecureSkipVerify: true } });
    expect(skipped.families).toHaveLength(1);
    // PEM text works as well as a file; a wrong server name fails verification.
    const pem = readFileSync(join(dir, 'ca.pem'), 'utf8');
    expect((await scrape(`${t.base}/metrics`, { tls: { ca: pem, serverName: 'localhost' } })).families).toHaveLength(1);
    await expect(scrape(`${t.base}/metrics`, { tls: { ca: pem, serverName: 'other.example' } })).rejects.toThrow(/other\.example/);
  });

  it('sends the client certificate a server requires, for scrape and push', async () => {
    const t = await httpsTarget(true);
    const tls = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client.key') };
    await scrape(`${t.base}/metrics`, { tls });
    const r = await push({ url: t.base, job: 'j', body: PAYLOAD, tls });
    expect(r.status).toBe(200);
    expect(t.seen.map((s) => [s.method, s.clientCN])).toEqual([
      ['GET', 'promwire-client'],
      ['PUT', 'promwire-client'],
    ]);
    await expect(scrape(`${t.base}/metrics`, { tls: { caFile: join(dir, 'ca.pem') } })).rejects.toThrow();
    await expect(scrape(`${t.base}/metrics`, { tls: { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'client.pem') } })).rejects.toThrow(
      /needs both cert/,
    );
  });

  it('the CLI flags: scrape and push with --ca-file, --cert-file, --key-file; --insecure-skip-verify', async () => {
    const t = await httpsTarget(true);
    const flags = ['--ca-file', join(dir, 'ca.pem'), '--cert-file', join(dir, 'client.pem'), '--key-file', join(dir, 'client.key')];
    const s = await runCli(['scrape', `${t.base}/metrics`, ...flags]);
    expect(s.stderr).toContain(': 200, Content-Type');
    expect([s.code, s.stdout]).toEqual([0, PAYLOAD]);
    const p = await runCli(['push', '-', '--url', t.base, '--job', 'cli', ...flags]);
    expect(p.code).toBe(0);
    expect(p.stderr).toBe(`promwire: PUT ${t.base}/metrics/job/cli: 200, 0 families, 0 bytes\n`);
    const open = await httpsTarget(false);
    const k = await runCli(['scrape', `${open.base}/metrics`, '--insecure-skip-verify']);
    expect(k.code).toBe(0);
    const bad = await runCli(['scrape', `${open.base}/metrics`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^promwire: .*certificate/);
    const usage = await runCli(['scrape', `${open.base}/metrics`, '--cert-file', 'x.pem']);
    expect(usage.code).toBe(2);
  });
});

describe('proxy', () => {
  it('https through a CONNECT tunnel: the proxy gets its own credentials only, the target gets the basic auth', async () => {
    const t = await httpsTarget(false);
    const p = await proxy();
    const r = await scrape(`${t.base}/metrics`, {
      proxy: p.url,
      tls: { caFile: join(dir, 'ca.pem') },
      basicAuth: { username: 'scraper', password: 'secret' },
      headers: { 'Proxy-Authorization': 'Basic c3RvbGVu' },
    });
    expect(r.families).toHaveLength(1);
    expect(p.log.connects).toHaveLength(1);
    const c = p.log.connects[0]!;
    expect(c.target).toBe(new URL(t.base).host);
    expect(c.headers['proxy-authorization']).toBe(b64('proxyuser:proxy pass'));
    expect(c.headers['authorization']).toBeUndefined();
    const seen = t.seen[0]!;
    expect(seen.headers['authorization']).toBe(b64('scraper:secret'));
    expect(seen.headers['proxy-authorization']).toBeUndefined();
  });

  it('http in absolute form; a redirect to another origin through the proxy carries no credentials', async () => {
    const other = await httpTarget();
    const t = await httpTarget(() => `${other.base}/elsewhere`);
    const p = await proxy();
    const r = await scrape(`${t.base}/redirect`, { proxy: p.url, basicAuth: { username: 'u', password: 'p' }, headers: { Cookie: 'c=1' } });
    expect(r.families).toHaveLength(1);
    expect(p.log.forwards.map((f) => f.url)).toEqual([`${t.base}/redirect`, `${other.base}/elsewhere`]);
    for (const f of p.log.forwards) expect(f.headers['proxy-authorization']).toBe(b64('proxyuser:proxy pass'));
    expect(t.seen[0]!.headers['authorization']).toBe(b64('u:p'));
    expect(t.seen[0]!.headers['proxy-authorization']).toBeUndefined();
    expect(other.seen[0]!.headers['authorization']).toBeUndefined();
    expect(other.seen[0]!.headers['cookie']).toBeUndefined();
    expect(p.log.connects).toHaveLength(0);
  });

  it('push and the CLI through a proxy; a 407 says how to give credentials', async () => {
    const t = await httpsTarget(false);
    const p = await proxy();
    const r = await runCli(['push', '-', '--url', t.base, '--job', 'j', '--ca-file', join(dir, 'ca.pem'), '--proxy', p.url]);
    expect(r.code).toBe(0);
    expect(p.log.connects).toHaveLength(1);
    const refusing = http.createServer();
    refusing.on('connect', (_req, socket: net.Socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    const port = await listen(refusing);
    await expect(scrape(`${t.base}/metrics`, { proxy: `http://127.0.0.1:${port}`, tls: { insecureSkipVerify: true } })).rejects.toThrow(
      /407.*http:\/\/user:pass@host:port/,
    );
    const usage = await runCli(['scrape', t.base, '--proxy', 'socks5://x:1']);
    expect(usage.code).toBe(2);
  });

  it('from the environment, as Go reads it: HTTPS_PROXY/HTTP_PROXY by scheme, NO_PROXY, never loopback', () => {
    const env = { HTTPS_PROXY: 'proxy.corp:3128', http_proxy: 'http://p2:8080', NO_PROXY: '.internal.example,10.0.0.0/8,db:5432,[::2]' };
    const via = (u: string): string | undefined => proxyFor(new URL(u), 'environment', env)?.href;
    expect(via('https://api.example.com/metrics')).toBe('http://proxy.corp:3128/');
    expect(via('http://api.example.com/metrics')).toBe('http://p2:8080/');
    expect(via('http://a.internal.example/')).toBeUndefined();
    expect(via('http://internal.example/')).toBeUndefined();
    expect(via('http://notinternal.example/')).toBe('http://p2:8080/');
    expect(via('http://10.1.2.3:9100/')).toBeUndefined();
    expect(via('http://11.1.2.3:9100/')).toBe('http://p2:8080/');
    expect(via('http://db:5432/')).toBeUndefined();
    expect(via('http://db:5433/')).toBe('http://p2:8080/');
    expect(via('http://[::2]:9100/')).toBeUndefined();
    expect(via('http://127.0.0.1:9100/')).toBeUndefined();
    expect(via('http://localhost:9100/')).toBeUndefined();
    expect(via('http://[::1]:9100/')).toBeUndefined();
    expect(proxyFor(new URL('http://x/'), 'environment', { HTTP_PROXY: 'http://p', NO_PROXY: '*' })).toBeUndefined();
    expect(proxyFor(new URL('http://x/'), 'environment', {})).toBeUndefined();
    // Not asked: no proxy, whatever the environment holds.
    expect(proxyFor(new URL('http://x/'), undefined, { HTTP_PROXY: 'http://p' })).toBeUndefined();
    // An explicit proxy is used for loopback targets too (as Go's http.ProxyURL).
    expect(proxyFor(new URL('http://127.0.0.1/'), 'http://p:1')?.host).toBe('p:1');
  });
});
