// Child process for test/memory.test.ts: parses a hostile payload with the
// default options (or those given) and prints what happened and the peak
// heap, as JSON on stdout. Run with `node --import tsx`.
import v8 from 'node:v8';
import { parse, parseStream, PromwireError } from '../../src/index.js';

const [shape, countArg, optionsArg] = process.argv.slice(2);
const count = Number(countArg);
const options = optionsArg === undefined ? {} : (JSON.parse(optionsArg) as Record<string, number>);

let peak = 0;
const sample = (): void => {
  const u = v8.getHeapStatistics().used_heap_size;
  if (u > peak) peak = u;
};
const timer = setInterval(sample, 5);

function payload(): Buffer {
  switch (shape) {
    case 'tiny':
      // `a 1\n` repeated: the cheapest sample per byte.
      return Buffer.alloc(count * 4, 'a 1\n');
    case 'oneFamily': {
      // One family of `count` samples, each a new series.
      const lines: string[] = ['# TYPE big gauge'];
      for (let i = 0; i < count; i++) lines.push(`big{i="${i}"} ${i}`);
      return Buffer.from(lines.join('\n') + '\n');
    }
    default:
      throw new Error(`unknown shape ${shape}`);
  }
}

async function main(): Promise<void> {
  const bytes = payload();
  sample();
  const base = v8.getHeapStatistics().used_heap_size;
  let outcome = 'ok';
  let samples = 0;
  try {
    if (options.stream === 1) {
      const { stream: _s, ...rest } = options;
      async function* chunks(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < bytes.length; i += 65536) {
          sample();
          yield bytes.subarray(i, i + 65536);
        }
      }
      for await (const f of parseStream(chunks(), { format: 'text', ...rest })) samples += f.samples.length;
    } else {
      const fams = parse(bytes, { format: 'text', ...options });
      sample();
      for (const f of fams) samples += f.samples.length;
    }
  } catch (e) {
    outcome = e instanceof PromwireError ? `${e.code}:${e.limit ?? ''}` : `crash:${String(e)}`;
  }
  sample();
  clearInterval(timer);
  process.stdout.write(JSON.stringify({ outcome, samples, peakHeapMB: Math.round((peak - base) / 1048576) }) + '\n');
}

void main();
