/**
 * The event-loop stall of the chunked encode, measured alone: a process that
 * holds only a 100k-series MetricSet (as a service would), encodes it with
 * `encodeChunks` yielding to the loop between chunks, and records the longest
 * synchronous chunk and the longest gap between two turns of a setImmediate
 * ticker. `npm run bench` measures the same with the other rows' heaps alive,
 * where a major collection of those heaps can land inside a chunk.
 *
 *   npm run bench:stall [-- --runs N]
 */
import { parse } from '../src/index.js';
import { encode, encodeChunks } from '../src/encode/encoder.js';
import { LARGE, generateModel, generatePayload } from './generate.js';
import { buildMetricSet } from './metricset.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;

async function measure(label: string, chunks: () => Iterator<Uint8Array>): Promise<void> {
  let maxChunk = 0;
  let maxGap = 0;
  for (let run = 0; run < RUNS; run++) {
    let last = performance.now();
    let stop = false;
    const tick = (): void => {
      const t = performance.now();
      if (t - last > maxGap) maxGap = t - last;
      last = t;
      if (!stop) setImmediate(tick);
    };
    setImmediate(tick);
    const it = chunks();
    for (;;) {
      const t = performance.now();
      const done = it.next().done === true;
      const d = performance.now() - t;
      if (d > maxChunk) maxChunk = d;
      if (done) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    stop = true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  console.log(
    `${label.padEnd(40)} longest chunk ${maxChunk.toFixed(2)} ms, longest event-loop gap ${maxGap.toFixed(2)} ms (${RUNS} encodes)`,
  );
}

const { set } = buildMetricSet(generateModel(LARGE));
for (let k = 0; k < 3; k++) set.encode({ format: 'text' });
await measure('MetricSet.encodeChunks() text', () => set.encodeChunks({ format: 'text' }));
await measure('MetricSet.encodeChunks() openmetrics', () => set.encodeChunks({ format: 'openmetrics' }));

const families = parse(generatePayload(LARGE).text, { format: 'text' });
encode(families, { format: 'text' });
await measure('encodeChunks(families) text', () => encodeChunks(families, { format: 'text' }));
