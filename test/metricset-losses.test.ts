/**
 * A MetricSet written by its own fast path (encode, encodeChunks: what the
 * handler serves it with) says what text and OpenMetrics 1.0 drop, with
 * the same words as the families path (`encode(set.collect())`), and the
 * handler passes it to its `onWarning`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { encode } from '../src/encode/encoder.js';
import { MetricSet } from '../src/metrics/index.js';
import { createNodeHandler } from '../src/toolkit/handler.js';

function lossySet(): MetricSet {
  const set = new MetricSet();
  set.counter({ name: 'req_seconds', help: 'Time serving.', unit: 'seconds' }).inc(1);
  const nat = set.histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['route'], native: { bucketFactor: 1.1 } });
  nat.labels({ route: '/a' }).observe(0.3);
  nat.labels({ route: '/b' }).observe(0.7);
  const both = set.histogram({ name: 'both_seconds', help: 'Both.', buckets: [0.1, 1], native: { bucketFactor: 1.1 } });
  both.observe(0.2);
  const st = set.stateset({ name: 'link', help: 'Link.', states: ['up', 'down'] });
  st.set('up');
  set.gauge({ name: 'plain', help: 'Nothing lost.' }).set(1);
  return set;
}

function warningsOf(run: (onWarning: (m: string) => void) => void): string[] {
  const out: string[] = [];
  run((m) => out.push(m));
  return out;
}

describe('MetricSet fast path: conversion warnings', () => {
  it.each(['text', 'openmetrics'] as const)('%s: encode() and encodeChunks() say what encode(collect()) says', (format) => {
    const set = lossySet();
    const families = warningsOf((onWarning) => encode(set.collect(), { format, onWarning }));
    expect(families.length).toBeGreaterThanOrEqual(format === 'text' ? 4 : 2);
    expect(warningsOf((onWarning) => set.encode({ format, onWarning }))).toEqual(families);
    expect(warningsOf((onWarning) => [...set.encodeChunks({ format, onWarning, chunkSize: 64 })])).toEqual(families);
    // Nothing is said without a listener, and the bytes do not change with one.
    expect(set.encode({ format, onWarning: () => {} })).toEqual(set.encode({ format }));
  });

  it('names each loss: the unit, the stateset type, native histograms with and without classic buckets', () => {
    const w = warningsOf((onWarning) => lossySet().encode({ format: 'text', onWarning }));
    expect(w).toEqual([
      '"req_seconds_total": unit "seconds" dropped: text 0.0.4 has no units',
      '"lat_seconds": 2 native histogram samples written as +Inf bucket, sum and count: text 0.0.4 has no native histograms',
      '"both_seconds": 1 native histogram sample left out (the classic buckets carry the series)',
      '"link": written as a gauge: text 0.0.4 has no stateset type (2 samples)',
    ]);
  });

  it('the handler serving a MetricSet passes them to onWarning, once per family and reason', async () => {
    const warnings: string[] = [];
    const handler = createNodeHandler({ metrics: lossySet(), onWarning: (m) => warnings.push(m) });
    const server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(url, { headers: { accept: 'text/plain;version=0.0.4' } });
        expect(res.status).toBe(200);
        await res.text();
      }
    } finally {
      server.close();
    }
    expect(warnings).toHaveLength(4);
    expect(warnings[1]).toContain('"lat_seconds": 2 native histogram samples written as +Inf bucket');
  });
});
