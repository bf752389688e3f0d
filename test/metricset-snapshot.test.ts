import { describe, expect, it } from 'vitest';
import { type Gauge, type Histogram, MetricSet } from '../src/metrics/index.js';
import type { Format } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';

const decoder = new TextDecoder();

/** Every sample line of a body, counted (comments and # EOF left out). */
function lineCounts(body: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const key = line.slice(0, line.lastIndexOf(' '));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function build(): { set: MetricSet; g: Gauge<'k'>; h: Histogram<'k'> } {
  const set = new MetricSet();
  set.counter({ name: 'before_total', help: '' }).inc();
  const g = set.gauge<'k'>({ name: 'g', help: 'G.', labelNames: ['k'] });
  for (let i = 0; i < 40; i++) g.labels({ k: String(i) }).set(i);
  const h = set.histogram<'k'>({ name: 'h', help: '', buckets: [1, 10], labelNames: ['k'] });
  for (let i = 0; i < 10; i++) h.labels({ k: String(i) }).observe(i);
  set.gauge({ name: 'after', help: '' }).set(1);
  return { set, g, h };
}

describe('MetricSet.encodeChunks: a body is a snapshot, each series at most once, in its family', () => {
  for (const format of ['text', 'openmetrics'] as Format[]) {
    it(`${format}: series removed and created again between chunks are written once`, () => {
      const { set, g, h } = build();
      // chunkSize 1: the generator yields after every series, so the test
      // drives it one series at a time.
      const it = set.encodeChunks({ format, chunkSize: 1 });
      const parts: string[] = [];
      let step = 0;
      // A live Map iterator would meet the re-created series again and
      // again and never end: 1000 steps is far past the ~100 a snapshot takes.
      for (let r = it.next(); r.done !== true && step < 1000; r = it.next()) {
        parts.push(decoder.decode(r.value));
        step++;
        // Remove and re-create a series already written and one not yet
        // written: both move to the end of the metric's Map, where a live
        // Map iterator would meet them again.
        const done = String(step % 40);
        const ahead = String((step + 7) % 40);
        g.remove({ k: done });
        g.labels({ k: done }).set(-step);
        g.remove({ k: ahead });
        g.labels({ k: ahead }).set(step);
        h.remove({ k: String(step % 10) });
        h.labels({ k: String(step % 10) }).observe(step);
        // A metric removed and defined again mid-body is not written twice.
        if (step === 3) {
          set.remove('after');
          set.gauge({ name: 'after', help: '' }).set(2);
        }
      }
      expect(step).toBeGreaterThan(50);
      expect(step).toBeLessThan(1000);
      const body = parts.join('');
      for (const [line, n] of lineCounts(body)) expect({ line, n }).toEqual({ line, n: 1 });
      // every series of the snapshot is there, once
      const counts = lineCounts(body);
      for (let i = 0; i < 40; i++) expect(counts.get(`g{k="${i}"}`)).toBe(1);
      expect(counts.get('after')).toBe(1);
      // and the strict parser takes it (OpenMetrics rejects a family seen twice: INTERLEAVED_FAMILY)
      const families = parse(body, { format });
      expect(families.map((f) => f.name)).toEqual(['before_total', 'g', 'h', 'after']);
      expect(families[1]!.samples).toHaveLength(40);
    });
  }

  it('series created after the first chunk wait for the next scrape; the next scrape has them', () => {
    const { set, g } = build();
    const it = set.encodeChunks({ chunkSize: 1 });
    const parts: string[] = [decoder.decode(it.next().value as Uint8Array)];
    g.labels({ k: 'new' }).set(5);
    for (let r = it.next(); r.done !== true; r = it.next()) parts.push(decoder.decode(r.value));
    expect(parts.join('')).not.toContain('k="new"');
    expect(set.encodeToString()).toContain('g{k="new"} 5\n');
    expect(Buffer.concat([...set.encodeChunks({ chunkSize: 7 })]).toString()).toBe(set.encodeToString());
  });
});
