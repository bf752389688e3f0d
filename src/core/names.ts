/**
 * Metric and label names: the legacy character sets, Prometheus 3 UTF-8
 * names, and the escaping schemes that turn a UTF-8 name into a legacy one
 * for a scraper that cannot read quoted names.
 *
 * A leaf module (no imports) so that the parser and the encoder can share it.
 *
 * - Legacy metric names (Prometheus data model, exposition_formats.md):
 *   `[a-zA-Z_:][a-zA-Z0-9_:]*`.
 * - Legacy label names: `[a-zA-Z_][a-zA-Z0-9_]*` (no colon).
 * - Prometheus 3 (UTF-8 names): any non-empty valid UTF-8 string; a name
 *   outside the legacy set is written in double quotes (`{"my.metric"}`,
 *   `{"my.label"="v"}`) with the label-value escapes.
 * - Escaping schemes (prometheus/common model/metric.go `EscapeName`, and
 *   the escaping_schemes page of the Prometheus docs): `allow-utf-8` leaves
 *   names as they are (quoted when needed), `underscores` replaces every
 *   invalid character by `_`, `dots` writes `_` as `__`, `.` as `_dot_` and
 *   any other invalid character as `__`, and `values` writes `U__` followed
 *   by the name with `_` doubled and every invalid character as
 *   `_<hex code point>_`.
 */

/** The escaping schemes of Prometheus 3, as spelled in the `escaping=` media-type parameter. */
export type EscapingScheme = 'allow-utf-8' | 'underscores' | 'dots' | 'values';

/** Every escaping scheme, in the order prometheus/common lists them. */
export const ESCAPING_SCHEMES: readonly EscapingScheme[] = ['allow-utf-8', 'underscores', 'dots', 'values'];

/** Whether a string names an escaping scheme (`allow-utf-8`, `underscores`, `dots`, `values`). */
export function isEscapingScheme(s: string): s is EscapingScheme {
  return s === 'allow-utf-8' || s === 'underscores' || s === 'dots' || s === 'values';
}

/** What a name is for: metric names may hold `:`, label names may not. */
export type NameKind = 'metric' | 'label';

function isLegacyChar(c: number, first: boolean, colon: boolean): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    c === 0x5f || // _
    (colon && c === 0x3a) || // :
    (!first && c >= 0x30 && c <= 0x39) // 0-9, not first
  );
}

/** Legacy metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*` (Prometheus data model). */
export function isValidMetricName(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    if (!isLegacyChar(s.charCodeAt(i), i === 0, true)) return false;
  }
  return true;
}

/** Legacy label name: `[a-zA-Z_][a-zA-Z0-9_]*` (Prometheus data model). */
export function isValidLabelName(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    if (!isLegacyChar(s.charCodeAt(i), i === 0, false)) return false;
  }
  return true;
}

/**
 * Prometheus 3 name validity (model.UTF8Validation): a non-empty string of
 * valid UTF-8. In JavaScript terms, a non-empty string with no lone
 * surrogate (a lone surrogate has no UTF-8 encoding).
 */
export function isValidUtf8Name(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false; // low surrogate without a high one
    const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    if (d < 0xdc00 || d > 0xdfff) return false;
    i++;
  }
  return true;
}

/**
 * Whether a name must be written in double quotes in an exposition that
 * allows UTF-8 names: a metric name outside the legacy metric set, or a
 * label name outside the legacy label set (so `a:b` is quoted as a label
 * name, as Prometheus' lexer reads no colon there). Defaults to `metric`.
 */
export function needsQuoting(name: string, kind: NameKind = 'metric'): boolean {
  return kind === 'metric' ? !isValidMetricName(name) : !isValidLabelName(name);
}

/**
 * Escapes a name by a Prometheus 3 escaping scheme, as prometheus/common
 * `model.EscapeName` does: `allow-utf-8` returns the name as it is;
 * `underscores` and `values` return a name that is already valid unchanged;
 * `dots` always rewrites (it doubles underscores so that it can be undone).
 * The empty string is returned as it is.
 *
 * `kind: 'label'` also treats `:` as invalid (Go checks label names against
 * the metric-name set, which would leave `a:b` unescaped and so unreadable
 * as a legacy label name). Defaults to `metric`.
 */
export function escapeName(name: string, scheme: EscapingScheme, kind: NameKind = 'metric'): string {
  if (name.length === 0 || scheme === 'allow-utf-8') return name;
  const colon = kind === 'metric';
  const valid = colon ? isValidMetricName(name) : isValidLabelName(name);
  if (valid && scheme !== 'dots') return name;
  let out = scheme === 'values' ? 'U__' : '';
  let first = true; // Go's isValidLegacyRune(b, i) tests the byte index i > 0: only the first rune
  for (let i = 0; i < name.length; i++) {
    let cp = name.charCodeAt(i);
    let lone = false;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < name.length) {
      const lo = name.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      } else lone = true;
    } else if (cp >= 0xd800 && cp <= 0xdfff) lone = true;
    const ok = !lone && cp < 0x80 && isLegacyChar(cp, first, colon);
    first = false;
    switch (scheme) {
      case 'underscores':
        out += ok ? String.fromCharCode(cp) : '_';
        break;
      case 'dots':
        if (cp === 0x5f) out += '__';
        else if (cp === 0x2e) out += '_dot_';
        else out += ok ? String.fromCharCode(cp) : '__';
        break;
      default: // values
        if (cp === 0x5f) out += '__';
        else if (ok) out += String.fromCharCode(cp);
        else if (lone)
          out += '_FFFD_'; // Go: !utf8.ValidRune(b)
        else out += '_' + cp.toString(16) + '_';
    }
  }
  return out;
}

/**
 * Undoes `escapeName` where the scheme allows it (prometheus/common
 * `model.UnescapeName`): `dots` and `values` are reversible, `underscores`
 * is not (returned as it is). A malformed `values` name is returned as it is.
 */
export function unescapeName(name: string, scheme: EscapingScheme): string {
  if (name.length === 0) return name;
  switch (scheme) {
    case 'allow-utf-8':
    case 'underscores':
      return name;
    case 'dots':
      return name.replaceAll('_dot_', '.').replaceAll('__', '_');
    default:
      break;
  }
  if (!name.startsWith('U__')) return name;
  let out = '';
  const s = name.slice(3);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x5f) {
      out += s[i];
      continue;
    }
    i++;
    if (i >= s.length) return name;
    if (s.charCodeAt(i) === 0x5f) {
      out += '_';
      continue;
    }
    // `_<hex>_`: at most 6 hex digits (U+10FFFF).
    let cp = 0;
    let j = 0;
    for (;;) {
      if (i >= s.length || j > 6) return name;
      if (s.charCodeAt(i) === 0x5f) break;
      const h = s.charCodeAt(i) | 0x20; // lower-case a hex letter
      let d: number;
      if (h >= 0x30 && h <= 0x39) d = h - 0x30;
      else if (h >= 0x61 && h <= 0x66) d = h - 0x61 + 10;
      else return name;
      cp = cp * 16 + d;
      i++;
      j++;
    }
    if (j === 0 || j > 6 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return name;
    out += String.fromCodePoint(cp);
  }
  return out;
}
