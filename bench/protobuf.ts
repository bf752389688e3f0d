/**
 * The protobuf rows of `npm run bench`: the large generated payload
 * converted to the protobuf exposition (delimited MetricFamily messages,
 * about 11 MB), read and written by promwire, and the same messages decoded
 * and encoded by protobufjs and @bufbuild/protobuf (dev dependencies only;
 * their schema is test/proto/metrics.proto). The competitors build their
 * own message objects, as their users get them; promwire's `parse()` builds
 * families and its pull API walks every name, label and value.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import protobuf from 'protobufjs';
import { encode, encodeChunks, parse } from '../src/index.js';
import type { MetricFamily } from '../src/index.js';
import { type BufMetricFamily, MetricFamilySchema, PbMetricFamily } from '../test/proto/schema.js';
import { generatePayload, LARGE } from './generate.js';
import { buildMetricSet } from './metricset.js';
import { type Case, expect, parseCases } from './cases.js';
import { sampleCount } from './walk.js';

/** The large payload as protobuf, with its sample and family counts as promwire reads them. */
export function largeProtobuf(): { bytes: Uint8Array; families: MetricFamily[]; samples: number } {
  const { text } = generatePayload(LARGE);
  const fromText = parse(text, { format: 'text' });
  const bytes = encode(fromText, { format: 'protobuf', onWarning: () => {} });
  const families = parse(bytes, { format: 'protobuf' });
  return { bytes, families, samples: sampleCount(families) };
}

/** Message bodies of a delimited stream (the varint walk is part of every decoder's cost). */
function* delimited(bytes: Uint8Array): Generator<Uint8Array> {
  let pos = 0;
  while (pos < bytes.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    yield bytes.subarray(pos, pos + len);
    pos += len;
  }
}

export function protobufDecodeCases(): Case[] {
  const { bytes, families, samples } = largeProtobuf();
  const payload = 'large protobuf';
  const cases = parseCases(payload, bytes, 'protobuf', samples, families.length, true).filter((c) => c.kind !== 'floor');
  const base = { area: 'parse' as const, payload, bytes: bytes.length, samples };
  const checkFamilies = (n: number): string => {
    expect(n === families.length, `decoded ${n} MetricFamily messages, expected ${families.length}`);
    return 'message objects (strings made for every field)';
  };
  cases.push(
    {
      ...base,
      row: 'protobufjs decodeDelimited',
      kind: 'competitor',
      run: () => {
        const r = protobuf.Reader.create(bytes);
        let n = 0;
        while (r.pos < r.len) {
          PbMetricFamily.decodeDelimited(r);
          n++;
        }
        return n;
      },
      check: (r) => checkFamilies(r as number),
    },
    {
      ...base,
      row: '@bufbuild/protobuf fromBinary',
      kind: 'competitor',
      run: () => {
        let n = 0;
        for (const m of delimited(bytes)) {
          fromBinary(MetricFamilySchema, m);
          n++;
        }
        return n;
      },
      check: (r) => checkFamilies(r as number),
    },
  );
  return cases;
}

export function protobufEncodeCases(): Case[] {
  const payload = 'large (100k series)';
  const { bytes, families, samples } = largeProtobuf();
  const checkOutput = (r: unknown): string => {
    const got = sampleCount(parse(r as Uint8Array, { format: 'protobuf' }));
    expect(got === samples, `the output parses to ${got} samples, expected ${samples}`);
    return '';
  };
  const pbMessages = [...delimited(bytes)].map((m) => PbMetricFamily.decode(m));
  const bufMessages: BufMetricFamily[] = [...delimited(bytes)].map((m) => create(MetricFamilySchema, fromBinary(MetricFamilySchema, m)));
  const ms = buildMetricSet(generatePayload(LARGE).model);
  let round = 0;
  // proto3 libraries leave out fields holding their default (a zero value,
  // an empty help), so the bytes differ from promwire's, which writes what
  // the model holds: the check is that promwire reads the same samples back.
  const sameSamples = (r: unknown): string => {
    checkOutput(r);
    return `${(r as Uint8Array).length} bytes (promwire: ${bytes.length})`;
  };
  return [
    {
      area: 'encode',
      payload,
      group: 'protobuf',
      row: 'promwire MetricSet.encode() protobuf',
      kind: 'promwire',
      bytes: 0,
      samples,
      before: () => ms.mutate(++round),
      run: () => ms.set.encode({ format: 'protobuf', onWarning: () => {} }),
      check: (r) => {
        const got = sampleCount(parse(r as Uint8Array, { format: 'protobuf' }));
        expect(got === ms.samples, `the output parses to ${got} samples, expected ${ms.samples}`);
        return '';
      },
      chunks: () => ms.set.encodeChunks({ format: 'protobuf', onWarning: () => {} })[Symbol.iterator](),
    },
    {
      area: 'encode',
      payload,
      group: 'protobuf',
      row: 'promwire encode(families) protobuf',
      kind: 'promwire',
      bytes: bytes.length,
      samples,
      run: () => encode(families, { format: 'protobuf' }),
      check: checkOutput,
      chunks: () => encodeChunks(families, { format: 'protobuf' })[Symbol.iterator](),
    },
    {
      area: 'encode',
      payload,
      group: 'protobuf',
      row: 'protobufjs encodeDelimited (same messages)',
      kind: 'competitor',
      bytes: bytes.length,
      samples,
      run: () => {
        const w = protobuf.Writer.create();
        for (const m of pbMessages) PbMetricFamily.encodeDelimited(m, w);
        return w.finish();
      },
      check: sameSamples,
    },
    {
      area: 'encode',
      payload,
      group: 'protobuf',
      row: '@bufbuild/protobuf toBinary (same messages)',
      kind: 'competitor',
      bytes: bytes.length,
      samples,
      run: () => {
        const parts = bufMessages.map((m) => toBinary(MetricFamilySchema, m));
        const w = protobuf.Writer.create();
        for (const p of parts) w.bytes(p);
        return w.finish();
      },
      check: sameSamples,
    },
  ];
}
