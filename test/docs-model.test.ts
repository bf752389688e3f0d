import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricFamily, Sample } from '../src/model/index.js';
import { validateNativeHistogram } from '../src/model/native-histogram.js';
import { parse } from '../src/parse/families.js';
import { encodeFamilies, type PbFamily } from './helpers/protobuf.js';

/** docs/model.md: every worked example reads as the document says. */
const doc = readFileSync(join(__dirname, '..', 'docs', 'model.md'), 'utf8');
const sections = doc.split('<!-- model-example: ').slice(1);

function block(section: string, lang: string): string {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (m === null) throw new Error(`no ${lang} block`);
  return m[1]!;
}

/** The series of a reading: name, labels and value of every float sample. */
const series = (fs: MetricFamily[]): string[] =>
  fs.flatMap((f) => (f.samples as Sample[]).map((s) => JSON.stringify([s.name, s.labels, s.value, s.timestamp])));

describe('docs/model.md', () => {
  it('has one example for each metric type', () => {
    expect(sections.map((s) => s.slice(0, s.indexOf(' ')))).toEqual([
      'counter',
      'gauge',
      'histogram',
      'gaugehistogram',
      'summary',
      'info',
      'stateset',
      'unknown',
    ]);
  });

  for (const section of sections) {
    const type = section.slice(0, section.indexOf(' '));
    it(`${type}: the OpenMetrics form is the model shown, the text form the same series`, () => {
      const om = parse(block(section, 'openmetrics'), { format: 'openmetrics' });
      expect(om).toEqual(JSON.parse(block(section, 'json')));
      expect(om[0]!.type).toBe(type);
      const text = parse(block(section, 'text'), { format: 'text' });
      expect(series(text)).toEqual(series(om));
    });
  }

  it('the native histogram shown is valid and holds what the text says', () => {
    const m = /## Native histograms[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)!;
    const s = JSON.parse(m[1]!) as Sample;
    expect(typeof s.value).toBe('object');
    if (typeof s.value === 'number') return;
    expect(validateNativeHistogram(s.value)).toBeNull();
    expect(s.value.positiveBuckets.reduce((a, b) => a + b, 0) + s.value.zeroCount + s.value.negativeBuckets[0]!).toBe(s.value.count);
  });

  it('the protobuf example reads to the model shown', () => {
    const section = doc.split('<!-- protobuf-example -->')[1]!;
    const message = JSON.parse(block(section, 'protobuf-json')) as PbFamily;
    const got = parse(encodeFamilies([message]), { format: 'protobuf' });
    expect(got).toEqual(JSON.parse(block(section, 'json')));
  });
});
