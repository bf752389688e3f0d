/**
 * What the encoder accepts: a `MetricFamily[]` as the model defines it. Input
 * that comes from JavaScript (or JSON) may be anything, so each family and
 * sample is checked before a byte is written, and anything else is a
 * `PromwireError` naming the family and the sample, never a raw TypeError
 * nor output that does not parse back.
 */

import { isValidUtf8Name } from '../core/names.js';
import { PromwireError } from '../errors.js';
import { type MetricFamily, METRIC_TYPES } from '../model/index.js';
import { belongsTo, reservedLabel } from '../model/rules.js';
import { validateNativeHistogram } from '../model/native-histogram.js';

const TYPES = new Set<string>(METRIC_TYPES);

function fail(message: string): never {
  throw new PromwireError('INVALID_ARGUMENT', `encode: ${message}`);
}

/** Throws a PromwireError unless `f` is a valid family of the model. */
export function validateFamily(f: MetricFamily): void {
  if (f === null || typeof f !== 'object') fail(`expected a metric family object, got ${describe(f)}`);
  const name = f.name;
  if (typeof name !== 'string' || !isValidUtf8Name(name)) fail(`expected a non-empty UTF-8 family name, got ${describe(name)}`);
  const where = `family ${JSON.stringify(name)}`;
  if (!TYPES.has(f.type)) {
    const hint = (f.type as string) === 'untyped' ? " (the model calls text's untyped 'unknown')" : '';
    fail(`${where}: expected type ${METRIC_TYPES.join(', ')}, got ${describe(f.type)}${hint}`);
  }
  if (typeof f.help !== 'string') fail(`${where}: expected help to be a string, got ${describe(f.help)}`);
  if (typeof f.unit !== 'string') fail(`${where}: expected unit to be a string, got ${describe(f.unit)}`);
  // OpenMetrics 1.0 ABNF: a unit is metric-name characters; anything else
  // (a line feed above all) would let the UNIT line write lines of its own.
  if (!/^[a-zA-Z0-9_:]*$/.test(f.unit)) fail(`${where}: expected unit to hold only [a-zA-Z0-9_:], got ${describe(f.unit)}`);
  const samples = f.samples as unknown;
  if (!Array.isArray(samples)) fail(`${where}: expected samples to be an array, got ${describe(samples)}`);
  const histogram = f.type === 'histogram' || f.type === 'gaugehistogram';
  const reserved = f.type === 'stateset' ? reservedLabel(f) : null;
  let lastName = '';
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Record<string, unknown> | null;
    const at = `${where} sample ${i}`;
    if (s === null || typeof s !== 'object') fail(`${at}: expected a sample object, got ${describe(s)}`);
    const sn = s.name;
    if (typeof sn !== 'string' || sn === '') fail(`${at}: expected a non-empty sample name, got ${describe(sn)}`);
    // A sample that does not belong to its family would be read back as
    // another family: the output would not mean what the model said.
    const nativeSample = histogram && sn === name && typeof s.value !== 'number';
    if (sn !== lastName && !nativeSample && !belongsTo('openmetrics', f, sn) && !belongsTo('text', f, sn)) {
      fail(`${at}: sample name ${JSON.stringify(sn)} does not belong to the ${f.type} family ${JSON.stringify(name)}`);
    }
    lastName = sn;
    const labels = s.labels as Record<string, unknown> | null;
    if (labels === null || typeof labels !== 'object') fail(`${at} (${sn}): expected labels to be an object, got ${describe(labels)}`);
    for (const k in labels) {
      const v = labels[k];
      if (k === '' || k === '__name__') fail(`${at} (${sn}): label name ${JSON.stringify(k)} is not allowed`);
      if (typeof v !== 'string') fail(`${at} (${sn}): expected label ${JSON.stringify(k)} to be a string, got ${describe(v)}`);
    }
    if (reserved !== null && typeof labels[reserved] !== 'string') {
      fail(`${at} (${sn}): a stateset sample needs its state in the label ${JSON.stringify(reserved)}`);
    }
    const v = s.value;
    if (typeof v !== 'number') {
      if (!histogram || v === null || typeof v !== 'object') {
        fail(`${at} (${sn}): expected a number${histogram ? ' or a native histogram' : ''} as value, got ${describe(v)}`);
      }
      if (sn !== name) fail(`${at}: a native histogram sample is named as its family (${JSON.stringify(name)}), got ${JSON.stringify(sn)}`);
      const problem = validateNativeHistogram(v as never);
      if (problem !== null) fail(`${at} (${sn}): invalid native histogram: ${problem}`);
    }
    const ts = s.timestamp;
    if (ts !== null && (typeof ts !== 'number' || !Number.isFinite(ts))) {
      fail(`${at} (${sn}): expected timestamp to be finite milliseconds or null, got ${describe(ts)}`);
    }
    const st = s.startTimestamp;
    if (st !== undefined && (typeof st !== 'number' || !Number.isFinite(st))) {
      fail(`${at} (${sn}): expected startTimestamp to be finite milliseconds, got ${describe(st)}`);
    }
    const ex = s.exemplars;
    if (ex !== undefined) {
      if (!Array.isArray(ex)) fail(`${at} (${sn}): expected exemplars to be an array, got ${describe(ex)}`);
      for (const e of ex as unknown[]) {
        const el = e as Record<string, unknown> | null;
        if (el === null || typeof el !== 'object' || typeof el.value !== 'number' || el.labels === null || typeof el.labels !== 'object') {
          fail(`${at} (${sn}): expected each exemplar to be { labels, value, timestamp }, got ${describe(e)}`);
        }
        for (const k in el.labels as object) {
          if (typeof (el.labels as Record<string, unknown>)[k] !== 'string')
            fail(`${at} (${sn}): exemplar label ${JSON.stringify(k)} is not a string`);
        }
      }
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}
