/**
 * Escaping of label values and HELP text, both directions.
 *
 * - Text 0.0.4 (exposition_formats.md): label values escape `\` `"` and
 *   line feed as `\\` `\"` `\n`; HELP escapes only `\` and line feed. On
 *   reading, Prometheus' promparse replaces exactly those pairs and keeps any
 *   other backslash pair verbatim (`\t` stays two characters).
 * - OpenMetrics 1.0: label values and HELP both use `\\` `\"` `\n`. Any
 *   other pair is kept as it is, as the official suite's `escaping` case and
 *   the Python reference parser do: read both with `unescapeText(s, true)`.
 */

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const N = 0x6e;

/** Escapes a label value (both formats): `\` -> `\\`, `"` -> `\"`, LF -> `\n`. */
export function escapeLabelValue(s: string): string {
  // Fast path: most values need nothing (one scan, no allocation).
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH || c === QUOTE || c === 0x0a) break;
  }
  if (i === s.length) return s;
  return s.replace(/[\\"\n]/g, replaceLabelChar);
}

function replaceLabelChar(c: string): string {
  return c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n';
}

/** Escapes HELP text: text 0.0.4 escapes `\` and LF; OpenMetrics also `"`. */
export function escapeHelp(s: string, openMetrics: boolean): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH || c === 0x0a || (openMetrics && c === QUOTE)) break;
  }
  if (i === s.length) return s;
  return openMetrics ? s.replace(/[\\"\n]/g, replaceLabelChar) : s.replace(/[\\\n]/g, replaceLabelChar);
}

/**
 * Unescapes a decoded string per text 0.0.4 rules: `\\`, `\n`, and (for
 * label values, `quotes` true) `\"`; every other backslash pair is kept as it
 * is, as promparse's strings.Replacer does.
 */
export function unescapeText(s: string, quotes: boolean): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== BACKSLASH || i + 1 >= s.length) continue;
    const n = s.charCodeAt(i + 1);
    let rep: string | undefined;
    if (n === BACKSLASH) rep = '\\';
    else if (n === N) rep = '\n';
    else if (n === QUOTE && quotes) rep = '"';
    if (rep === undefined) continue;
    out += s.slice(last, i) + rep;
    i++;
    last = i + 1;
  }
  return out + s.slice(last);
}
