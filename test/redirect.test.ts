/**
 * Redirects in the HTTP client shared by scrape and push: credentials never
 * leave their origin (scheme, host, port), and a write is never reported as
 * done when a redirect turned it into a GET. Real servers on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../src/toolkit/http.js';
import { push } from '../src/toolkit/push.js';
import { scrape } from '../src/toolkit/scrape.js';

const TEXT_CT = 'text/plain; version=0.0.4; charset=utf-8';
const TEXT = '# TYPE up gauge\nup 1\n';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

function record(seen: Seen[], reply: (s: Seen, res: http.ServerResponse) => void): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      reply(s, res);
    });
  };
}

async function serve(seen: Seen[], reply: (s: Seen, res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer(record(seen, reply));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const okText = (_s: Seen, res: http.ServerResponse): void => {
  res.writeHead(200, { 'content-type': TEXT_CT }).end(TEXT);
};

describe('credentials stay with their origin', () => {
  it('scrape: Authorization and Cookie headers (any case) are not sent after a redirect to another port', async () => {
    const seenTarget: Seen[] = [];
    const target = await serve(seenTarget, okText);
    const seenStart: Seen[] = [];
    const start = await serve(seenStart, (s, res) => {
      if (s.url === '/metrics') res.writeHead(302, { location: '/moved' }).end();
      else res.writeHead(302, { location: `${target}/metrics` }).end();
    });
    const r = await scrape(`${start}/metrics`, {
      headers: { Authorization: 'Bearer s3cret', COOKIE: 'session=abc', 'proxy-authorization': 'Basic eA==', 'X-Scope': 'a' },
    });
    expect(r.url).toBe(`${target}/metrics`);
    // Same origin (a relative redirect): credentials still go.
    expect(seenStart.map((s) => s.headers['authorization'])).toEqual(['Bearer s3cret', 'Bearer s3cret']);
    expect(seenStart[1]!.headers['cookie']).toBe('session=abc');
    // Another port: none of them, but the other headers do.
    expect(seenTarget).toHaveLength(1);
    expect(seenTarget[0]!.headers['authorization']).toBeUndefined();
    expect(seenTarget[0]!.headers['cookie']).toBeUndefined();
    expect(seenTarget[0]!.headers['proxy-authorization']).toBeUndefined();
    expect(seenTarget[0]!.headers['x-scope']).toBe('a');
  });

  it('scrape: once dropped, credentials stay dropped even when a redirect comes back to the first origin', async () => {
    const seenStart: Seen[] = [];
    let other = '';
    const start = await serve(seenStart, (s, res) => {
      if (s.url === '/metrics') res.writeHead(302, { location: `${other}/bounce` }).end();
      else okText(s, res);
    });
    other = await serve([], (_s, res) => res.writeHead(307, { location: `${start}/back` }).end());
    await scrape(`${start}/metrics`, { basicAuth: { username: 'u', password: 'p' } });
    expect(seenStart.map((s) => [s.url, s.headers['authorization'] !== undefined])).toEqual([
      ['/metrics', true],
      ['/back', false],
    ]);
  });

  it('push: Authorization is not sent after a 307 to another port; the body is', async () => {
    const seenTarget: Seen[] = [];
    const target = await serve(seenTarget, (_s, res) => res.writeHead(200).end());
    const seenStart: Seen[] = [];
    const start = await serve(seenStart, (s, res) => res.writeHead(307, { location: `${target}${s.url}` }).end());
    const r = await push({
      url: start,
      job: 'j',
      body: TEXT,
      headers: { authorization: 'Bearer s3cret' },
      basicAuth: { username: 'u', password: 'p' },
    });
    expect(r.status).toBe(200);
    expect(seenStart[0]!.headers['authorization']).toBeDefined();
    expect(seenTarget).toHaveLength(1);
    expect(seenTarget[0]!.method).toBe('PUT');
    expect(seenTarget[0]!.body).toBe(TEXT);
    expect(seenTarget[0]!.headers['authorization']).toBeUndefined();
  });

  it('push: userinfo in the gateway URL is not sent after a redirect to another port', async () => {
    const seenTarget: Seen[] = [];
    const target = await serve(seenTarget, (_s, res) => res.writeHead(202).end());
    const seenStart: Seen[] = [];
    const start = await serve(seenStart, (s, res) => res.writeHead(308, { location: `${target}${s.url}` }).end());
    await push({ url: start.replace('http://', 'http://user:pw@'), job: 'j', body: TEXT });
    expect(seenStart[0]!.headers['authorization']).toBe('Basic ' + Buffer.from('user:pw').toString('base64'));
    expect(seenTarget[0]!.headers['authorization']).toBeUndefined();
  });

  describe('https -> http on the same host and port', () => {
    let dir = '';
    let cert: Buffer;
    let key: Buffer;
    let savedCa: unknown;
    beforeAll(() => {
      // A throwaway self-signed certificate for 127.0.0.1, trusted through
      // the global agent's `ca` (merged into every https request's options).
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promwire-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      cert = fs.readFileSync(path.join(dir, 'cert.pem'));
      key = fs.readFileSync(path.join(dir, 'key.pem'));
      savedCa = https.globalAgent.options.ca;
      https.globalAgent.options.ca = cert;
    });
    afterAll(() => {
      https.globalAgent.options.ca = savedCa as typeof https.globalAgent.options.ca;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /**
     * One port that speaks TLS or plain HTTP: a TCP front that looks at the
     * first byte (0x16 starts a TLS handshake) and relays the connection to
     * an https or an http server.
     */
    async function dualServer(seen: Seen[], reply: (s: Seen, res: http.ServerResponse, tls: boolean) => void): Promise<number> {
      const plain = http.createServer(record(seen, (s, res) => reply(s, res, false)));
      const secure = https.createServer(
        { cert, key },
        record(seen, (s, res) => reply(s, res, true)),
      );
      const sockets = new Set<net.Socket>();
      const track = (s: net.Socket): void => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      };
      const front = net.createServer((socket) => {
        track(socket);
        socket.once('data', (first: Buffer) => {
          const backend = (first[0] === 0x16 ? secure : plain).address() as AddressInfo;
          const upstream = net.connect(backend.port, '127.0.0.1');
          track(upstream);
          upstream.write(first);
          socket.pipe(upstream).pipe(socket);
          upstream.on('close', () => socket.destroy());
          socket.on('close', () => upstream.destroy());
        });
      });
      for (const s of [plain, secure, front]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      closers.push(async () => {
        for (const s of sockets) s.destroy();
        plain.closeAllConnections();
        secure.closeAllConnections();
        for (const s of [plain, secure, front]) await new Promise<void>((r) => s.close(() => r()));
      });
      return (front.address() as AddressInfo).port;
    }

    it('scrape: basic auth is not sent in clear text after the downgrade', async () => {
      const seen: Seen[] = [];
      let port = 0;
      const tlsFlags: boolean[] = [];
      port = await dualServer(seen, (s, res, tls) => {
        tlsFlags.push(tls);
        if (tls) res.writeHead(302, { location: `http://127.0.0.1:${port}${s.url}` }).end();
        else okText(s, res);
      });
      const r = await scrape(`https://127.0.0.1:${port}/metrics`, {
        basicAuth: { username: 'u', password: 'p' },
        headers: { Cookie: 'c=1' },
      });
      expect(r.url).toBe(`http://127.0.0.1:${port}/metrics`);
      expect(tlsFlags).toEqual([true, false]);
      expect(seen[0]!.headers['authorization']).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
      expect(seen[1]!.headers['authorization']).toBeUndefined();
      expect(seen[1]!.headers['cookie']).toBeUndefined();
    });
  });
});

describe('a write is never reported done when it did not happen', () => {
  it.each([301, 302, 303])('push PUT and POST answered %i fail, naming the redirect, and are not re-sent as GET', async (status) => {
    const seenTarget: Seen[] = [];
    const target = await serve(seenTarget, (_s, res) => res.writeHead(200).end());
    const start = await serve([], (_s, res) => res.writeHead(status, { location: `${target}/elsewhere` }).end());
    for (const method of ['PUT', 'POST'] as const) {
      const err = (await push({ url: start, job: 'j', method, body: TEXT }).catch((e: unknown) => e)) as HttpError;
      expect(err).toBeInstanceOf(HttpError);
      expect(err.code).toBe('HTTP_ERROR');
      expect(err.status).toBe(status);
      expect(err.method).toBe(method);
      expect(err.message).toContain(`answered ${status}`);
      expect(err.message).toContain(`Location ${target}/elsewhere`);
    }
    expect(seenTarget).toHaveLength(0);
  });

  it('push DELETE answered 302 fails', async () => {
    const seenTarget: Seen[] = [];
    const target = await serve(seenTarget, (_s, res) => res.writeHead(200).end());
    const start = await serve([], (_s, res) => res.writeHead(302, { location: target }).end());
    const err = (await push({ url: start, job: 'j', method: 'DELETE', retries: 2, retryDelay: 1 }).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(302);
    expect(seenTarget).toHaveLength(0);
  });

  it('push follows 307 and 308 on the same origin with method and body', async () => {
    for (const status of [307, 308]) {
      const seen: Seen[] = [];
      const base = await serve(seen, (s, res) => {
        if (s.url.startsWith('/metrics')) res.writeHead(status, { location: `/gw${s.url}` }).end();
        else res.writeHead(200).end();
      });
      const r = await push({ url: base, job: 'j', method: 'POST', body: TEXT, basicAuth: { username: 'u', password: 'p' } });
      expect(r.status).toBe(200);
      expect(seen.map((s) => [s.method, s.url, s.body, s.headers['authorization'] !== undefined])).toEqual([
        ['POST', '/metrics/job/j', TEXT, true],
        ['POST', '/gw/metrics/job/j', TEXT, true],
      ]);
    }
  });
});
