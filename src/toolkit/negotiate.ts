import { isEscapingScheme } from '../core/names.js';
import type { EscapingScheme } from '../core/names.js';
import type { Format } from '../model/index.js';

/**
 * Content negotiation for a metrics endpoint, as client_golang's promhttp
 * does it (prometheus/common expfmt `NegotiateIncludingOpenMetrics`, now
 * `NegotiateAccept(h, FmtOpenMetrics_1_0_0, FmtOpenMetrics_0_0_1, ..., FmtText)`):
 *
 * - the Accept header is split into clauses and sorted by weight, highest
 *   first, a concrete type before a wildcard (munnerz/goautoneg ParseAccept);
 * - walking the clauses in that order, an `escaping=` parameter with a known
 *   scheme sets the escaping (the last one seen up to the match wins, as in
 *   expfmt); the first clause that matches a served format picks it:
 *   `application/openmetrics-text` with `version=1.0.0` gives OpenMetrics
 *   1.0.0, with `version=0.0.1` or no version OpenMetrics 0.0.1 (the same
 *   exposition, labelled 0.0.1); `text/plain` with `version=0.0.4` or no
 *   version gives text 0.0.4 (any other version, such as Prometheus 3's
 *   `text/plain;version=1.0.0`, does not match, as in expfmt);
 * - with no match, text 0.0.4;
 * - the escaping defaults to `underscores` (model.NameEscapingScheme);
 * - the Content-Type is expfmt's Format string plus `; escaping=<scheme>`,
 *   e.g. `text/plain; version=0.0.4; charset=utf-8; escaping=underscores`.
 *
 * Where this differs from expfmt, on purpose: a clause with `q=0` means
 * "not acceptable" (RFC 9110 section 12.4.2) and is skipped (goautoneg keeps
 * it, last); media types and parameter names are compared case-insensitively
 * (RFC 9110 section 8.3.1); the sort is stable, so equal weights keep the
 * header's order. It never throws: a malformed header gives text 0.0.4.
 */

export interface Negotiated {
  format: Format;
  /** The exact Content-Type to send. */
  contentType: string;
  /** The escaping to encode with (pass to `encode`, `MetricSet.encode`). */
  escaping: EscapingScheme;
}

/** Content-Type strings of prometheus/common expfmt (FmtText, FmtOpenMetrics_1_0_0, FmtOpenMetrics_0_0_1). */
export const CONTENT_TYPE_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
export const CONTENT_TYPE_OPENMETRICS_1_0_0 = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const CONTENT_TYPE_OPENMETRICS_0_0_1 = 'application/openmetrics-text; version=0.0.1; charset=utf-8';

/** The escaping a server uses when the scraper names none (prometheus/common model.NameEscapingScheme). */
export const DEFAULT_ESCAPING: EscapingScheme = 'underscores';

/**
 * The Accept header Prometheus 3 sends on a scrape with its defaults
 * (scrape/scrape.go `acceptHeader` over config.DefaultScrapeProtocols,
 * escaping `allow-utf-8`: weights start at 0.6 because the protocol table
 * has five entries).
 */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,' +
  'application/openmetrics-text;version=0.0.1;q=0.5,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,' +
  'text/plain;version=0.0.4;q=0.3,' +
  '*/*;q=0.2';

interface Clause {
  type: string;
  subtype: string;
  q: number;
  params: Map<string, string>;
  index: number;
}

/**
 * Picks the exposition format, Content-Type and name escaping for a scrape
 * from its Accept header. Never throws.
 */
export function negotiate(accept?: string | null): Negotiated {
  let escaping: EscapingScheme = DEFAULT_ESCAPING;
  const clauses = typeof accept === 'string' ? parseAccept(accept) : [];
  for (const c of clauses) {
    const e = c.params.get('escaping');
    if (e !== undefined && isEscapingScheme(e)) escaping = e;
    const picked = match(c);
    if (picked !== undefined) {
      return {
        format: picked === CONTENT_TYPE_TEXT ? 'text' : 'openmetrics',
        contentType: `${picked}; escaping=${escaping}`,
        escaping,
      };
    }
  }
  return { format: 'text', contentType: `${CONTENT_TYPE_TEXT}; escaping=${escaping}`, escaping };
}

/**
 * The served format a clause matches, in expfmt's order of preference
 * (OpenMetrics 1.0.0, OpenMetrics 0.0.1, text 0.0.4), or undefined.
 * expfmt matchFormat: type and subtype equal or `*`; every parameter of the
 * served format but charset must equal the clause's, where a missing
 * version means 0.0.1 for `application/openmetrics-text` and 0.0.4 for
 * `text/plain` (only when the clause names that exact type).
 */
function match(c: Clause): string | undefined {
  let version = c.params.get('version');
  if (version === undefined && c.type === 'application' && c.subtype === 'openmetrics-text') version = '0.0.1';
  if (version === undefined && c.type === 'text' && c.subtype === 'plain') version = '0.0.4';
  const fits = (type: string, subtype: string): boolean =>
    (c.type === '*' || c.type === type) && (c.subtype === '*' || c.subtype === subtype);
  if (fits('application', 'openmetrics-text')) {
    if (version === '1.0.0') return CONTENT_TYPE_OPENMETRICS_1_0_0;
    if (version === '0.0.1') return CONTENT_TYPE_OPENMETRICS_0_0_1;
  }
  if (fits('text', 'plain') && version === '0.0.4') return CONTENT_TYPE_TEXT;
  return undefined;
}

/** goautoneg ParseAccept, minus its quirks listed above. */
function parseAccept(header: string): Clause[] {
  const out: Clause[] = [];
  const parts = header.split(',');
  for (let index = 0; index < parts.length; index++) {
    const segs = parts[index]!.split(';');
    const range = segs[0]!.trim().toLowerCase();
    const slash = range.indexOf('/');
    let type: string;
    let subtype: string;
    if (slash < 0) {
      if (range !== '*') continue; // goautoneg accepts a bare `*` as `*/*`
      type = '*';
      subtype = '*';
    } else {
      type = range.slice(0, slash).trim();
      subtype = range.slice(slash + 1).trim();
      if (type === '' || subtype === '' || subtype.includes('/')) continue;
    }
    const params = new Map<string, string>();
    let q = 1;
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i]!;
      const eq = seg.indexOf('=');
      if (eq < 0) continue;
      const key = seg.slice(0, eq).trim().toLowerCase();
      let value = seg.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (key === 'q') {
        const n = Number(value);
        // goautoneg: an unreadable weight is 0.
        q = value !== '' && Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      } else params.set(key, value);
    }
    if (q <= 0) continue;
    out.push({ type, subtype, q, params, index });
  }
  out.sort((a, b) => {
    if (a.q !== b.q) return b.q - a.q;
    const aw = (a.type === '*' ? 2 : 0) + (a.subtype === '*' ? 1 : 0);
    const bw = (b.type === '*' ? 2 : 0) + (b.subtype === '*' ? 1 : 0);
    if (aw !== bw) return aw - bw;
    return a.index - b.index;
  });
  return out;
}
