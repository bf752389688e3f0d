/**
 * Review of issue 9: the CLI's JSON form of a native histogram. A regression test
 * from the review (it failed before the fix).
 */
import { describe, expect, it } from 'vitest';
import { familyToJson } from '../src/cli/json.js';
import { looksLikeProtobuf } from '../src/cli/sniff.js';
import { parse, type ScrapeProtocol, scrapeAcceptHeader } from '../src/index.js';
import { encodeFamilies } from './helpers/protobuf.js';

describe('review: CLI JSON of a float native histogram', () => {
  it('writes an infinite count as a number string, not null (as sum and values are)', () => {
    // The parser and validateNativeHistogram accept +Inf float counts (as
    // Prometheus' FloatHistogram.Validate does); JSON.stringify turns them
    // into null, where the sample value and the sum say "+Inf".
    const bytes = encodeFamilies([
      {
        name: 'h',
        type: 4,
        metric: [
          {
            histogram: {
              sampleCountFloat: Infinity,
              sampleSum: Infinity,
              schema: 0,
              zeroThreshold: 0.001,
              zeroCountFloat: 1,
              positiveSpan: [{ offset: 0, length: 1 }],
              positiveCount: [Infinity],
            },
          },
        ],
      },
    ]);
    const json = familyToJson(parse(bytes, { format: 'protobuf' })[0]!);
    // "timestamp_ms":null is the documented form of "no timestamp"; the counts must not be null.
    const value = JSON.parse(json).samples[0].value;
    expect(value.count).toBe('+Inf');
    expect(value.positive_buckets).toEqual(['+Inf']);
    expect(value.zero_count).toBe(1);
  });
});

describe('review: CLI protobuf sniffing', () => {
  it('recognises a payload whose first family name is 128 bytes or longer', () => {
    // sniff.ts refuses a name length varint >= 0x80: a long (OTel-style)
    // name makes `promwire parse file.pb` read the bytes as text and fail.
    const bytes = encodeFamilies([{ name: 'a'.repeat(130), type: 0, metric: [{ counter: { value: 1 } }] }]);
    expect(looksLikeProtobuf(bytes)).toBe(true);
  });
});

describe('review: scrapeAcceptHeader', () => {
  it('never writes a weight of 0 or a negative one (Prometheus refuses duplicated scrape_protocols)', () => {
    const dup = Array.from({ length: 7 }, () => 'PrometheusProto' as ScrapeProtocol);
    let header = '';
    try {
      header = scrapeAcceptHeader(dup);
    } catch {
      return; // refusing the list, as Prometheus' config validation does, is a fix too
    }
    expect(header).not.toMatch(/q=0\.(-|0\b)/);
  });
});
