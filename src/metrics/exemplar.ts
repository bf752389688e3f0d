/**
 * Exemplars recorded by `incWithExemplar` (counters) and
 * `observeWithExemplar` (histograms), as client_golang keeps them: the last
 * one per counter and per classic bucket (ExemplarAdder.AddWithExemplar,
 * ExemplarObserver.ObserveWithExemplar), and for a native histogram a
 * bounded list spread over the observed values (nativeExemplars.addExemplar).
 * Separate methods, so the plain `inc()` / `observe()` keep their size and
 * speed (bench/observe.ts).
 */
import { isValidLabelName, isValidUtf8Name } from '../core/names.js';
import type { Exemplar, Labels } from '../model/index.js';
import { setLabel } from '../model/labels.js';
import { fail, q } from './definition.js';

/** An exemplar as given to `incWithExemplar` / `observeWithExemplar`. */
export interface ExemplarOptions {
  /** The exemplar's labels (a trace id, typically); names and values together at most 128 characters. */
  labels: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch. Defaults to `Date.now()` at the call (client_golang: `time.Now()`). */
  timestamp?: number;
}

/** OpenMetrics 1.0 "Exemplars": the label names and values together MUST NOT exceed 128 UTF-8 characters. */
export const EXEMPLAR_MAX_CHARACTERS = 128;

/** Code points of a string (what client_golang's utf8.RuneCountInString counts). */
function characters(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Checks an exemplar given at a call and builds it (client_golang
 * newExemplar: valid label names, at most 128 characters, a timestamp).
 * Fails with INVALID_EXEMPLAR naming the metric.
 */
export function makeExemplar(value: number, o: ExemplarOptions, metric: string, utf8: boolean): Exemplar {
  if (o === null || typeof o !== 'object' || o.labels === null || typeof o.labels !== 'object') {
    fail('INVALID_EXEMPLAR', `expected an exemplar { labels: {...}, timestamp? } for ${q(metric)}, got ${o === null ? 'null' : typeof o}`);
  }
  const given = o.labels;
  const labels: Labels = {};
  let chars = 0;
  for (const k of Object.keys(given)) {
    const v = given[k];
    if (!(utf8 ? isValidUtf8Name(k) : isValidLabelName(k))) {
      fail('INVALID_EXEMPLAR', `expected exemplar label names of ${q(metric)} to be valid label names, got ${q(k)}`);
    }
    if (typeof v !== 'string') fail('INVALID_EXEMPLAR', `expected exemplar label ${q(k)} of ${q(metric)} to be a string, got ${typeof v}`);
    chars += characters(k) + characters(v);
    setLabel(labels, k, v);
  }
  if (chars > EXEMPLAR_MAX_CHARACTERS) {
    fail(
      'INVALID_EXEMPLAR',
      `expected exemplar labels of ${q(metric)} of at most ${EXEMPLAR_MAX_CHARACTERS} characters (names and values together, OpenMetrics 1.0), got ${chars}`,
    );
  }
  const ts = o.timestamp ?? Date.now();
  if (typeof ts !== 'number' || !Number.isFinite(ts)) {
    fail('INVALID_EXEMPLAR', `expected the exemplar timestamp of ${q(metric)} in finite milliseconds, got ${String(ts)}`);
  }
  return { labels, value, timestamp: ts };
}

/** client_golang's defaults: NativeHistogramMaxExemplars 10, NativeHistogramExemplarTTL 5 minutes. */
export const NATIVE_MAX_EXEMPLARS = 10;
export const NATIVE_EXEMPLAR_TTL_MS = 5 * 60 * 1000;

/**
 * A native histogram's exemplars, at most NATIVE_MAX_EXEMPLARS, kept in
 * value order, as client_golang's nativeExemplars.addExemplar keeps them:
 * below the limit a new one is inserted in place; at the limit, the oldest
 * is replaced when it is older than the TTL, else the older of the closest
 * pair (by log value), or a neighbour of the insertion point when the new
 * one would make a closer pair, so the exemplars stay spread over the
 * observed values.
 */
export function addNativeExemplar(list: Exemplar[], e: Exemplar): void {
  if (list.length < NATIVE_MAX_EXEMPLARS) {
    let i = 0;
    while (i < list.length && !(e.value < list[i]!.value)) i++;
    list.splice(i, 0, e);
    return;
  }
  let oldest = 0;
  let oldestIdx = -1;
  let minDiff = -1;
  let insertAt = -1;
  let replace = -1;
  let cur = 0;
  for (let i = 0; i < list.length; i++) {
    const x = list[i]!;
    if (oldestIdx === -1 || x.timestamp! < oldest) {
      oldest = x.timestamp!;
      oldestIdx = i;
    }
    if (insertAt === -1 && e.value <= x.value) insertAt = i;
    const prev = cur;
    cur = Math.log(x.value);
    if (i === 0) continue;
    const diff = Math.abs(cur - prev);
    if (minDiff === -1 || diff < minDiff) {
      minDiff = diff;
      replace = x.timestamp! < list[i - 1]!.timestamp! ? i : i - 1;
    }
  }
  if (insertAt === -1) insertAt = list.length;
  if (oldestIdx !== -1 && e.timestamp! - oldest > NATIVE_EXEMPLAR_TTL_MS) replace = oldestIdx;
  else {
    const el = Math.log(e.value);
    if (insertAt > 0) {
      const diff = Math.abs(el - Math.log(list[insertAt - 1]!.value));
      if (diff < minDiff) {
        minDiff = diff;
        replace = insertAt - 1;
      }
    }
    if (insertAt < list.length) {
      const diff = Math.abs(Math.log(list[insertAt]!.value) - el);
      if (diff < minDiff) replace = insertAt;
    }
  }
  if (replace === insertAt) list[insertAt] = e;
  else if (replace < insertAt) {
    list.splice(replace, 1);
    list.splice(insertAt - 1, 0, e);
  } else {
    list.splice(replace, 1);
    list.splice(insertAt, 0, e);
  }
}

/** A copy for the model (collect()), so a caller's edits do not reach the set. */
export function copyExemplar(e: Exemplar): Exemplar {
  return { labels: { ...e.labels }, value: e.value, timestamp: e.timestamp };
}
