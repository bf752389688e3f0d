/**
 * Ad hoc measurement of the protobuf encoder against the text encoder and
 * protobufjs, on the LARGE generated payload, in one run:
 *
 *   node --expose-gc --import tsx bench/protobuf-encode.ts
 *
 * Each row is the fastest of 15 interleaved timed runs (the machine is shared: the fastest is the least disturbed); the
 * protobufjs row encodes the same messages, built once as protobufjs
 * Message objects beforehand (only the encode is timed).
 */
import { encode, parse } from '../src/index.js';
import { decodeDelimited, MetricFamilyType } from '../test/helpers/pb-decode.js';
import protobuf from 'protobufjs';
import { generatePayload, LARGE } from './generate.js';
import { buildMetricSet } from './metricset.js';

const { text } = generatePayload(LARGE);
const families = parse(text, { format: 'text' });
const om = parse(encode(families, { format: 'openmetrics' }), { format: 'openmetrics' });
const pbBytes = encode(families, { format: 'protobuf' });
const messages = decodeDelimited(pbBytes).map((o) => MetricFamilyType.fromObject(o));
const ms = buildMetricSet(generatePayload(LARGE).model);
let round = 0;

const rows: Array<[string, () => Uint8Array]> = [
  ['encode(families) text', () => encode(families, { format: 'text' })],
  ['encode(families) openmetrics', () => encode(om, { format: 'openmetrics' })],
  ['encode(families) protobuf', () => encode(families, { format: 'protobuf' })],
  [
    'protobufjs encodeDelimited (same messages)',
    () => {
      const w = protobuf.Writer.create();
      for (const m of messages) MetricFamilyType.encodeDelimited(m, w);
      return w.finish();
    },
  ],
  ['MetricSet.encode() text', () => ms.set.encode({ format: 'text' })],
  ['MetricSet.encode() protobuf', () => ms.set.encode({ format: 'protobuf' })],
];

const times = new Map<string, number[]>(rows.map(([n]) => [n, []]));
const sizes = new Map<string, number>();
for (let i = 0; i < 3; i++) for (const [n, f] of rows) sizes.set(n, f().length);
for (let i = 0; i < 15; i++) {
  ms.mutate(++round);
  for (const [n, f] of rows) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = process.hrtime.bigint();
    f();
    times.get(n)!.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}
const fastest = (xs: number[]) => Math.min(...xs);
console.log(`LARGE: ${families.length} families, ${families.reduce((n, f) => n + f.samples.length, 0)} samples; node ${process.version}`);
for (const [n] of rows) {
  const t = fastest(times.get(n)!);
  const mb = sizes.get(n)! / 1e6;
  console.log(
    `${n.padEnd(44)} ${t.toFixed(2).padStart(8)} ms  ${mb.toFixed(2).padStart(6)} MB  ${(mb / (t / 1000)).toFixed(0).padStart(5)} MB/s`,
  );
}
