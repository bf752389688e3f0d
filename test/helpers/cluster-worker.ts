/**
 * A worker for test/cluster.test.ts, run as a `node:cluster` worker or a
 * worker thread (with tsx): a small instrumented set whose values depend
 * on the worker's number, answered to the primary through serveToPrimary.
 * `mode` 'silent' never answers (a hung worker); 'fail' answers with an
 * error (a collect callback that throws).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MetricSet } from '../../src/index.js';
import { serveToPrimary } from '../../src/toolkit/cluster.js';

const data = (isMainThread ? JSON.parse(process.env.PROMWIRE_TEST_WORKER ?? '{}') : workerData) as { n: number; mode?: string };
const n = data.n;
const set = new MetricSet();
set
  .counter({ name: 'jobs_total', help: 'Jobs done.', labelNames: ['kind'] })
  .labels({ kind: 'a' })
  .inc(n);
set.gauge({ name: 'queue_depth', help: 'Queue depth.' }).set(10 * n);
const h = set.histogram({ name: 'latency_seconds', help: 'Latency.', buckets: [0.1, 1] });
for (let i = 0; i < n; i++) h.observe(0.5);
set.gauge({ name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.' }).set(1000 + n);
set
  .gauge({ name: 'nodejs_version_info', help: 'Node.js version info.', labelNames: ['version'] })
  .labels({ version: 'v20' })
  .set(1);
if (data.mode === 'fail') {
  set.gauge({
    name: 'broken',
    help: '',
    collect() {
      throw new Error('disk on fire');
    },
  });
}
if (data.mode !== 'silent') serveToPrimary(set);
// Tell the test the worker is ready (the aggregator ignores messages that are not answers).
if (isMainThread && process.send !== undefined) process.send({ ready: true });
if (!isMainThread) {
  parentPort!.postMessage({ ready: true });
  // Keep a silent thread alive (a served port keeps it alive by its listener).
  if (data.mode === 'silent') setInterval(() => {}, 60_000);
}
