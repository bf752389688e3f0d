/**
 * What `collectDefaultMetrics` costs a scrape: a MetricSet holding the
 * default metrics, refreshed and encoded (a handler's scrape), against its
 * encode alone (values left by the refresh, no callback run) and against
 * prom-client's `await registry.metrics()` with its own default metrics.
 *
 *   npm run bench -- --only default-metrics
 *
 * The rows run interleaved, round after round, in one process, and the
 * table shows each row's median time per scrape over the rounds; the
 * ratio column divides by the encode alone. `refresh()` alone is shown
 * too: the collection's own cost, which the issue bounds by the encode's.
 *
 * A second table proves the readers' choices, each against the way
 * prom-client reads the same figure, interleaved the same way (Linux
 * only): /proc/self/status at offset 0 of a kept descriptor against
 * readFileSync + split; fstat of a kept /proc/self/fd against readdirSync;
 * V8's heap statistics against process.memoryUsage().
 */
import { readdirSync, readFileSync } from 'node:fs';
import client from 'prom-client';
import { MetricSet } from '../src/index.js';
import { collectDefaultMetrics } from '../src/node.js';
import { heapFigures, ProcReader, type ProcStatus } from '../src/toolkit/runtime-stats.js';
import { median } from './table.js';

interface Row {
  name: string;
  /** Runs `n` scrapes; returns the bytes of the last body (checked by the caller). */
  run(n: number): Promise<number>;
}

export async function defaultMetricsTable(quick: boolean): Promise<string> {
  const set = new MetricSet();
  const dm = collectDefaultMetrics(set);
  const reg = new client.Registry();
  client.collectDefaultMetrics({ register: reg });
  const rows: Row[] = [
    {
      name: 'promwire refresh() + encode() (a scrape)',
      async run(n) {
        let bytes = 0;
        for (let i = 0; i < n; i++) {
          await set.refresh();
          bytes = set.encode().length;
        }
        return bytes;
      },
    },
    {
      name: 'promwire refresh() alone (the collection)',
      async run(n) {
        for (let i = 0; i < n; i++) await set.refresh();
        return 1;
      },
    },
    {
      name: 'promwire encode() alone (values as the last refresh left them)',
      async run(n) {
        await set.refresh();
        // Same task as the refresh: the set reads the values it left, no callback runs.
        let bytes = 0;
        for (let i = 0; i < n; i++) bytes = set.encode().length;
        return bytes;
      },
    },
    {
      name: 'prom-client await registry.metrics() (its default metrics)',
      async run(n) {
        let bytes = 0;
        for (let i = 0; i < n; i++) bytes = (await reg.metrics()).length;
        return bytes;
      },
    },
  ];
  const n = quick ? 20 : 50;
  const rounds = quick ? 10 : 60;
  const times: number[][] = rows.map(() => []);
  // Checked, then warmed: the first thousands of encodes run before V8 has optimised them (7x slower).
  for (const r of rows) if ((await r.run(3)) <= 0) throw new Error(`${r.name}: empty body`);
  for (const r of rows) await r.run(n * 10);
  for (let round = 0; round < rounds; round++) {
    for (const [i, r] of rows.entries()) {
      const t = performance.now();
      await r.run(n);
      times[i]!.push(((performance.now() - t) * 1000) / n);
    }
    // Let the loop turn (setImmediate callbacks of the lag gauge, GC observer entries).
    await new Promise((res) => setTimeout(res, 1));
  }
  dm.stop();
  const encodeAlone = median(times[2]!);
  const readers = process.platform === 'linux' ? readersTable(quick) : '(reader rows: Linux only)';
  const out = ['| scrape of the default metrics (median of rounds) | µs per scrape | vs encode() alone |', '| --- | --- | --- |'];
  for (const [i, r] of rows.entries()) {
    const us = median(times[i]!);
    out.push(`| ${r.name} | ${us.toFixed(1)} | ${(us / encodeAlone).toFixed(2)}x |`);
  }
  return `${out.join('\n')}\n\n${readers}`;
}

/** prom-client osMemoryHeapLinux.js's parse, for the comparison row. */
function promClientStatus(): number {
  const text = readFileSync('/proc/self/status', 'utf8');
  let rss = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('VmRSS')) rss = Number(line.split(':')[1]!.trim().slice(0, -3)) * 1024;
  }
  return rss;
}

function readersTable(quick: boolean): string {
  const proc = new ProcReader();
  const status: ProcStatus = { rss: 0, virtual: 0, data: 0 };
  const figures = { total: 0, used: 0, external: 0 };
  const pairs: Array<[string, () => number, string, () => number]> = [
    [
      'ProcReader.readStatus (kept fd, read at 0, bytes)',
      () => (proc.readStatus(status) ? status.rss : 0),
      "readFileSync('/proc/self/status') + split (prom-client)",
      promClientStatus,
    ],
    [
      'ProcReader.openFds (fstat of a kept fd)',
      () => proc.openFds() ?? 0,
      "readdirSync('/proc/self/fd') (prom-client)",
      () => readdirSync('/proc/self/fd').length - 1,
    ],
    [
      'heapFigures (v8.getHeapStatistics)',
      () => heapFigures(figures).used,
      'process.memoryUsage() (prom-client)',
      () => process.memoryUsage().heapUsed,
    ],
  ];
  const n = quick ? 200 : 1000;
  const rounds = quick ? 5 : 20;
  const out = ["| reader (µs per call, median of rounds) | promwire | prom-client's way | ratio |", '| --- | --- | --- | --- |'];
  for (const [ours, a, theirs, b] of pairs) {
    if (!(a() > 0 && b() > 0)) throw new Error(`${ours}: no figure`);
    const ta: number[] = [];
    const tb: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      for (let i = 0; i < n; i++) a();
      ta.push(((performance.now() - t) * 1000) / n);
      t = performance.now();
      for (let i = 0; i < n; i++) b();
      tb.push(((performance.now() - t) * 1000) / n);
    }
    const ma = median(ta);
    const mb = median(tb);
    out.push(`| ${ours} vs ${theirs} | ${ma.toFixed(2)} | ${mb.toFixed(2)} | ${(mb / ma).toFixed(2)}x faster |`);
  }
  proc.close();
  return out.join('\n');
}
