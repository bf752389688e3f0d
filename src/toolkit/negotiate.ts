import { isEscapingScheme } from '../core/names.js';
import type { EscapingScheme } from '../core/names.js';
import { PromwireError } from '../errors.js';
import type { Format } from '../model/index.js';

/**
 * Content negotiation for a metrics endpoint, as client_golang's promhttp
 * does it with OpenMetrics enabled (prometheus/common v0.65-v0.70 expfmt
 * `NegotiateIncludingOpenMetrics`, used by Prometheus 3.5 and client_golang
 * v1.22-v1.24):
 *
 * - the Accept header is split into clauses and sorted by weight, highest
 *   first, a concrete type before a wildcard (munnerz/goautoneg ParseAccept);
 * - walking the clauses in that order, an `escaping=` parameter with a known
 *   scheme sets the escaping (the last one seen up to the match wins, as in
 *   expfmt); the first clause that matches a served format picks it:
 *   `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily`
 *   and `encoding=delimited` gives the protobuf format (expfmt FmtProtoDelim);
 *   `application/openmetrics-text` with `version=1.0.0` gives OpenMetrics
 *   1.0.0, with `version=0.0.1` or no version OpenMetrics 0.0.1 (the same
 *   exposition, labelled 0.0.1); `text/plain` with `version=0.0.4` or no
 *   version gives text 0.0.4 (any other version, such as Prometheus 3's
 *   `text/plain;version=1.0.0`, does not match, as in expfmt); wildcards
 *   match nothing;
 * - with no match, text 0.0.4: whatever the Accept header (`application/json`,
 *   `text/html`), the answer is text, never a 406; promhttp has no 406
 *   answer at all;
 * - the escaping defaults to `underscores` (model.NameEscapingScheme):
 *   a scraper that names none gets legacy names, `allow-utf-8` gets UTF-8
 *   names unescaped (expfmt Format.ToEscapingScheme, NewEncoder). It applies
 *   to protobuf too (expfmt NewEncoder runs model.EscapeMetricFamily before
 *   protodelim.MarshalTo): Prometheus 3.5 names no escaping on its protobuf
 *   clause (scrape.go acceptHeader adds it to the 1.0.0 text formats only),
 *   so with native histograms enabled it gets protobuf with `underscores`;
 * - the Content-Type is expfmt's Format string plus `; escaping=<scheme>`,
 *   e.g. `text/plain; version=0.0.4; charset=utf-8; escaping=underscores`,
 *   `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores`.
 *
 * Where this differs from expfmt, on purpose: a clause with `q=0` means
 * "not acceptable" (RFC 9110 section 12.4.2) and is skipped (goautoneg keeps
 * it, last); media types and parameter names are compared case-insensitively
 * (RFC 9110 section 8.3.1); the sort is stable, so equal weights keep the
 * header's order; the protobuf clause with `encoding=text` or
 * `encoding=compact-text` (expfmt FmtProtoText, FmtProtoCompact: Go's
 * debugging text forms of the messages, which Prometheus never asks for)
 * is passed over, and so is every protobuf clause when protobuf is not
 * offered (`{ protobuf: false }`). It never throws: a malformed header gives
 * text 0.0.4. (prometheus/common's unreleased `NegotiateAccept` lets `*\/*`
 * pick the first served format; no released version does.)
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
/** expfmt FmtProtoDelim: length-delimited MetricFamily messages. */
export const CONTENT_TYPE_PROTOBUF = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** The escaping a server uses when the scraper names none (prometheus/common model.NameEscapingScheme). */
export const DEFAULT_ESCAPING: EscapingScheme = 'underscores';

/**
 * Prometheus' scrape protocols and the media range each one asks for
 * (prometheus/prometheus v3.5 config/config.go `ScrapeProtocolsHeaders`).
 */
export const SCRAPE_PROTOCOL_HEADERS = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  PrometheusText0_0_4: 'text/plain;version=0.0.4',
  PrometheusText1_0_0: 'text/plain;version=1.0.0',
  OpenMetricsText0_0_1: 'application/openmetrics-text;version=0.0.1',
  OpenMetricsText1_0_0: 'application/openmetrics-text;version=1.0.0',
} as const;

export type ScrapeProtocol = keyof typeof SCRAPE_PROTOCOL_HEADERS;

/** Prometheus 3.5's default `scrape_protocols` (config/config.go `DefaultScrapeProtocols`), in order of preference. */
export const DEFAULT_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  'OpenMetricsText1_0_0',
  'OpenMetricsText0_0_1',
  'PrometheusText1_0_0',
  'PrometheusText0_0_4',
];

/**
 * The `scrape_protocols` Prometheus 3.5 uses by default when started with
 * `--enable-feature=native-histograms` (or created-timestamp-zero-ingestion):
 * protobuf first (config/config.go `DefaultProtoFirstScrapeProtocols`, set by
 * cmd/prometheus/main.go).
 */
export const PROTO_FIRST_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  'PrometheusProto',
  'OpenMetricsText1_0_0',
  'OpenMetricsText0_0_1',
  'PrometheusText1_0_0',
  'PrometheusText0_0_4',
];

/**
 * The Accept header Prometheus sends for a list of scrape protocols
 * (prometheus/prometheus v3.5 scrape/scrape.go `acceptHeader`): each
 * protocol's media range in order, `escaping=<scheme>` on the two formats
 * that carry UTF-8 names (text 1.0.0, OpenMetrics 1.0.0), weights counting
 * down from `q=0.<n+1>` where n is the size of the whole protocol table (5,
 * so the first weight is 0.6 whatever the list), then `*\/*` one step lower.
 *
 * Throws INVALID_ARGUMENT on an unknown protocol or one given twice, as
 * Prometheus' config validation refuses them (config/config.go
 * `validateAcceptScrapeProtocols`: "unknown scrape protocol", "duplicated
 * protocol in scrape_protocols"). With distinct protocols the list holds at
 * most the 5 of the table, so every weight stays between 0.1 and 0.6.
 */
export function scrapeAcceptHeader(protocols: readonly ScrapeProtocol[], escaping: EscapingScheme = 'allow-utf-8'): string {
  const seen = new Set<string>();
  for (const p of protocols) {
    if (!Object.hasOwn(SCRAPE_PROTOCOL_HEADERS, p)) {
      throw new PromwireError(
        'INVALID_ARGUMENT',
        `unknown scrape protocol ${JSON.stringify(p)}: expected one of ${Object.keys(SCRAPE_PROTOCOL_HEADERS).join(', ')}`,
      );
    }
    if (seen.has(p)) throw new PromwireError('INVALID_ARGUMENT', `duplicated protocol in scrape_protocols: ${p}`);
    seen.add(p);
  }
  let weight = Object.keys(SCRAPE_PROTOCOL_HEADERS).length + 1;
  const vals: string[] = [];
  for (const p of protocols) {
    let val: string = SCRAPE_PROTOCOL_HEADERS[p];
    if (p === 'PrometheusText1_0_0' || p === 'OpenMetricsText1_0_0') val += `;escaping=${escaping}`;
    vals.push(`${val};q=0.${weight}`);
    weight--;
  }
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(',');
}

/**
 * The Accept header Prometheus 3.5 sends on a scrape with its defaults:
 * `scrapeAcceptHeader(DEFAULT_SCRAPE_PROTOCOLS, 'allow-utf-8')`, the
 * escaping being config.go's default `metric_name_escaping_scheme`
 * (`model.AllowUTF8`) under UTF-8 name validation.
 */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,' +
  'application/openmetrics-text;version=0.0.1;q=0.5,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,' +
  'text/plain;version=0.0.4;q=0.3,' +
  '*/*;q=0.2';

/**
 * The Accept header Prometheus 3.5 sends with native histograms enabled:
 * `scrapeAcceptHeader(PROTO_FIRST_SCRAPE_PROTOCOLS, 'allow-utf-8')`.
 */
export const PROMETHEUS_PROTO_ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,' +
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,' +
  'application/openmetrics-text;version=0.0.1;q=0.4,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,' +
  'text/plain;version=0.0.4;q=0.2,' +
  '*/*;q=0.1';

export type NegotiateOptions = Partial<
  Readonly<{
    /** Serve protobuf to a scraper that asks for it. Defaults to true. */
    protobuf: boolean;
  }>
>;

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
export function negotiate(accept?: string | null, options: NegotiateOptions = {}): Negotiated {
  let escaping: EscapingScheme = DEFAULT_ESCAPING;
  const protobuf = options.protobuf ?? true;
  const clauses = typeof accept === 'string' ? parseAccept(accept) : [];
  for (const c of clauses) {
    const e = c.params.get('escaping');
    if (e !== undefined && isEscapingScheme(e)) escaping = e;
    const picked = match(c, protobuf);
    if (picked !== undefined) {
      return {
        format: picked === CONTENT_TYPE_TEXT ? 'text' : picked === CONTENT_TYPE_PROTOBUF ? 'protobuf' : 'openmetrics',
        contentType: `${picked}; escaping=${escaping}`,
        escaping,
      };
    }
  }
  return { format: 'text', contentType: `${CONTENT_TYPE_TEXT}; escaping=${escaping}`, escaping };
}

/**
 * The served format a clause matches, or undefined (prometheus/common
 * v0.65 expfmt `NegotiateIncludingOpenMetrics`): exactly
 * `application/vnd.google.protobuf` with `proto=io.prometheus.client.MetricFamily`
 * (the value compared exactly, as expfmt does) and `encoding=delimited`
 * gives protobuf, checked first as in expfmt; exactly `text/plain` with
 * `version=0.0.4` or no version gives text 0.0.4; exactly
 * `application/openmetrics-text` with `version=1.0.0` gives OpenMetrics
 * 1.0.0, with `version=0.0.1` or none OpenMetrics 0.0.1. Wildcards match
 * nothing (`*\/*` ends in the text 0.0.4 default). A protobuf clause with
 * another encoding (`text`, `compact-text`, none) matches nothing.
 */
function match(c: Clause, protobuf: boolean): string | undefined {
  if (c.type === 'application' && c.subtype === 'vnd.google.protobuf') {
    return protobuf && c.params.get('proto') === 'io.prometheus.client.MetricFamily' && c.params.get('encoding') === 'delimited'
      ? CONTENT_TYPE_PROTOBUF
      : undefined;
  }
  const version = c.params.get('version') ?? '';
  if (c.type === 'text' && c.subtype === 'plain') return version === '0.0.4' || version === '' ? CONTENT_TYPE_TEXT : undefined;
  if (c.type === 'application' && c.subtype === 'openmetrics-text') {
    if (version === '1.0.0') return CONTENT_TYPE_OPENMETRICS_1_0_0;
    if (version === '0.0.1' || version === '') return CONTENT_TYPE_OPENMETRICS_0_0_1;
  }
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
