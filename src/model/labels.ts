/**
 * Writing into a `Labels` object: the one way every layer sets a label whose
 * name comes from data (a payload, a request, a user's label names).
 *
 * `__proto__` is a valid label name (Prometheus' `[a-zA-Z_][a-zA-Z0-9_]*`,
 * and any UTF-8 name in Prometheus 3), but `labels[name] = value` with that
 * name calls `Object.prototype`'s `__proto__` setter instead of making a
 * property, and the label is silently lost (a string is no prototype; so is
 * `Object.assign`, which assigns the same way). `setLabel` defines it as an
 * own enumerable property, as a label is everywhere else; object spread
 * (`{ ...labels }`) and `for...in` already handle such a property correctly.
 */
import type { Labels } from './index.js';

/** Sets label `name` to `value` on `out` (any valid name, `__proto__` included). */
export function setLabel(out: Labels, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

/** A copy of `labels` as a new object, without the label `omit` when one is given. */
export function copyLabels(labels: Labels, omit: string | null = null): Labels {
  const out: Labels = {};
  for (const k in labels) if (k !== omit) setLabel(out, k, labels[k]!);
  return out;
}
