/**
 * Review of issue 9: native histograms in MetricSet. Each test pins a
 * defect found in review (each failed before its fix).
 */
import { describe, expect, it } from 'vitest';
import { MetricSet } from '../src/index.js';

describe('review: MetricSet native histogram reset timer', () => {
  it('a minResetDuration over 2^31 - 1 ms (~24.8 days) does not reset the series at once', async () => {
    // Over maxBuckets, limitBuckets arms setTimeout(reset, lastReset + minResetDuration - now).
    // Node (and browsers) run a delay over 2^31 - 1 ms after 1 ms instead
    // (TimeoutOverflowWarning): the series is wiped a millisecond later.
    const set = new MetricSet();
    const h = set.histogram({
      name: 'lat',
      help: 'x',
      native: { bucketFactor: 2, maxBuckets: 2, minResetDuration: 30 * 24 * 3600 * 1000 },
    });
    for (const v of [1, 4, 16, 64]) h.observe(v);
    expect(h.labels({}).nativeSnapshot()?.count).toBe(4);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.labels({}).nativeSnapshot()?.count).toBe(4);
  });
});
