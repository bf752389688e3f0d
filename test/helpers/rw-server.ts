/**
 * A local stand-in for a remote-write receiver: a node:http server on
 * 127.0.0.1 that records every request (headers and raw body) and answers
 * with `reply`. Used by the client and writer tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeWriteRequest } from '../../src/remote-write/index.js';
import type { WriteRequestData } from '../../src/remote-write/index.js';
import { snappyDecompress } from '../../src/snappy/index.js';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export type Reply = (req: SeenRequest, res: http.ServerResponse, index: number) => void;

export interface RwServer {
  base: string;
  url: string;
  seen: SeenRequest[];
  server: http.Server;
  maxActive(): number;
  close(): Promise<void>;
}

/** Starts a recording server; `reply` defaults to 204. */
export async function rwServer(reply: Reply = (_r, res) => res.writeHead(204).end()): Promise<RwServer> {
  const seen: SeenRequest[] = [];
  let active = 0;
  let maxActive = 0;
  const server = http.createServer((req, res) => {
    active++;
    maxActive = Math.max(maxActive, active);
    res.on('close', () => active--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      seen.push(s);
      reply(s, res, seen.length - 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: `${base}/api/v1/write`,
    seen,
    server,
    maxActive: () => maxActive,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Decodes a recorded body as the version its Content-Type names. */
export function decodeSeen(s: SeenRequest): WriteRequestData {
  const v2 = String(s.headers['content-type']).includes('io.prometheus.write.v2.Request');
  return decodeWriteRequest(snappyDecompress(s.body), v2 ? '2.0' : '1.0');
}

/** A 2.0 answer confirming `n` samples. */
export function confirm(res: http.ServerResponse, samples: number, histograms = 0, exemplars = 0): void {
  res.setHeader('X-Prometheus-Remote-Write-Samples-Written', String(samples));
  res.setHeader('X-Prometheus-Remote-Write-Histograms-Written', String(histograms));
  res.setHeader('X-Prometheus-Remote-Write-Exemplars-Written', String(exemplars));
  res.writeHead(204).end();
}
