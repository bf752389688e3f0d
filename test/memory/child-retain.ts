// Child process for test/families-retain.test.ts, run with
// `node --expose-gc --import tsx`: parses a payload whose families are small
// next to its bytes (most of the input is comment lines in text, and
// 2000-digit spellings of sample values in OpenMetrics, which has no free
// comments: neither is kept as text in a family), keeps only the families, and prints as JSON how much heap they
// hold after a full GC, with the input's size. A family string that is a
// slice of a string of the whole input keeps that string (one byte per input
// byte) alive, which shows as retained >= input.
import v8 from 'node:v8';
import { parse, parseStream } from '../../src/index.js';
import type { MetricFamily } from '../../src/index.js';

declare const gc: () => void;

const [format, mode] = process.argv.slice(2) as ['text' | 'openmetrics', 'parse' | 'stream'];

function payload(): Uint8Array {
  const lines: string[] = [];
  const pad = `# ${'x'.repeat(2000)}`;
  const zeros = '0'.repeat(2000);
  for (let f = 0; f < 20; f++) {
    const name = `retained_family_number_${f}_seconds`;
    lines.push(`# HELP ${name} A help text long enough to be a slice of the input string, family ${f}.`);
    lines.push(`# TYPE ${name} gauge`);
    for (let i = 0; i < 100; i++) {
      // Every value is new and longer than 13 characters (a V8 slice, not a copy, at that length).
      const value = format === 'text' ? `${i}` : `${i}.${zeros}`;
      lines.push(`${name}{instance_name_label="host-${f}-${i}.example.internal:9100",path="/var/lib/data/${i}/${f}"} ${value}`);
      if (format === 'text') lines.push(pad);
    }
  }
  if (format === 'openmetrics') lines.push('# EOF');
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  let bytes: Uint8Array | undefined = payload();
  const input = bytes.length;
  gc();
  const base = v8.getHeapStatistics().used_heap_size;
  let fams: MetricFamily[] = [];
  if (mode === 'stream') {
    const b = bytes;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < b.length; i += 1 << 20) yield b.subarray(i, i + (1 << 20));
    }
    for await (const f of parseStream(chunks(), { format })) fams.push(f);
  } else {
    fams = parse(bytes, { format });
  }
  bytes = undefined;
  gc();
  gc();
  const retained = v8.getHeapStatistics().used_heap_size - base;
  let samples = 0;
  for (const f of fams) samples += f.samples.length;
  process.stdout.write(`${JSON.stringify({ input, retained, samples, families: fams.length })}\n`);
}

await main();
