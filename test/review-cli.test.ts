/**
 * Review of issue 9: the CLI's JSON form of a native histogram. Fails on
 * the code under review.
 */
import { describe, expect, it } from 'vitest';
import { familyToJson } from '../src/cli/json.js';
import { parse } from '../src/index.js';
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
    expect(json).not.toContain('null');
  });
});
