import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_TYPE_OPENMETRICS_0_0_1,
  CONTENT_TYPE_OPENMETRICS_1_0_0,
  CONTENT_TYPE_TEXT,
  DEFAULT_SCRAPE_PROTOCOLS,
  PROMETHEUS_ACCEPT,
  negotiate,
  scrapeAcceptHeader,
} from '../src/toolkit/negotiate.js';

const TEXT_U = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores';
const OM1_U = 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores';
const OM0_U = 'application/openmetrics-text; version=0.0.1; charset=utf-8; escaping=underscores';

describe('negotiate', () => {
  it('content types are expfmt Format strings', () => {
    expect(CONTENT_TYPE_TEXT).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(CONTENT_TYPE_OPENMETRICS_1_0_0).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(CONTENT_TYPE_OPENMETRICS_0_0_1).toBe('application/openmetrics-text; version=0.0.1; charset=utf-8');
  });

  it("Prometheus 3's default Accept gets OpenMetrics 1.0.0 with UTF-8 names", () => {
    expect(PROMETHEUS_ACCEPT).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
    // scrape/scrape.go acceptHeader over config.DefaultScrapeProtocols, escaping allow-utf-8
    expect(scrapeAcceptHeader(DEFAULT_SCRAPE_PROTOCOLS, 'allow-utf-8')).toBe(PROMETHEUS_ACCEPT);
    // ...and over DefaultProtoFirstScrapeProtocols with escaping underscores: weights still start at 0.6
    expect(scrapeAcceptHeader(['PrometheusProto', ...DEFAULT_SCRAPE_PROTOCOLS], 'underscores')).toBe(
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,' +
        'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,' +
        'text/plain;version=1.0.0;escaping=underscores;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
    );
    expect(negotiate(PROMETHEUS_ACCEPT)).toEqual({
      format: 'openmetrics',
      contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8',
      escaping: 'allow-utf-8',
    });
  });

  it.each<[string | null | undefined, string, 'text' | 'openmetrics']>([
    [undefined, TEXT_U, 'text'],
    [null, TEXT_U, 'text'],
    ['', TEXT_U, 'text'],
    ['*/*', TEXT_U, 'text'],
    ['text/plain', TEXT_U, 'text'],
    ['text/plain;version=0.0.4', TEXT_U, 'text'],
    ['text/plain; version=0.0.4; charset=utf-8', TEXT_U, 'text'],
    // Prometheus 3's text 1.0.0 is not served by expfmt: falls back to 0.0.4
    ['text/plain;version=1.0.0', TEXT_U, 'text'],
    ['application/openmetrics-text', OM0_U, 'openmetrics'],
    ['application/openmetrics-text; version=0.0.1', OM0_U, 'openmetrics'],
    ['application/openmetrics-text;version=1.0.0', OM1_U, 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', OM1_U, 'openmetrics'],
    ['application/openmetrics-text;version=2.0.0', TEXT_U, 'text'],
    ['application/json', TEXT_U, 'text'],
    ['text/html', TEXT_U, 'text'],
    // wildcards match no served format in expfmt: the text default
    ['application/*;version=1.0.0', TEXT_U, 'text'],
    ['*/*;version=1.0.0,text/plain;version=9;q=0.5', TEXT_U, 'text'],
    ['text/*;q=0.9,application/openmetrics-text;q=0.5', OM0_U, 'openmetrics'],
    // Prometheus 2.x
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      OM1_U,
      'openmetrics',
    ],
    ['application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', OM0_U, 'openmetrics'],
    // weights decide, not order
    ['text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5', TEXT_U, 'text'],
    ['text/plain;q=0.3,application/openmetrics-text;version=1.0.0;q=0.5', OM1_U, 'openmetrics'],
    // q=0 is "not acceptable" (RFC 9110)
    ['application/openmetrics-text;version=1.0.0;q=0', TEXT_U, 'text'],
    // a concrete type sorts before a wildcard of the same weight
    ['*/*,application/openmetrics-text;version=1.0.0', OM1_U, 'openmetrics'],
    // media types are case-insensitive
    ['Application/OpenMetrics-Text; Version=1.0.0', OM1_U, 'openmetrics'],
    // the protobuf format is not served
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3',
      TEXT_U,
      'text',
    ],
  ])('%j', (accept, contentType, format) => {
    const r = negotiate(accept);
    expect(r.contentType).toBe(contentType);
    expect(r.format).toBe(format);
  });

  it('escaping parameter: known schemes only, the last seen before the match wins', () => {
    expect(negotiate('text/plain;version=0.0.4;escaping=dots').escaping).toBe('dots');
    expect(negotiate('text/plain;version=0.0.4;escaping=values').contentType).toBe(
      'text/plain; version=0.0.4; charset=utf-8; escaping=values',
    );
    expect(negotiate('text/plain;version=0.0.4;escaping=bogus').escaping).toBe('underscores');
    // expfmt keeps an escaping seen on a higher-weight clause that did not match
    expect(negotiate('text/plain;version=1.0.0;escaping=allow-utf-8;q=0.9,text/plain;version=0.0.4;q=0.5')).toEqual({
      format: 'text',
      contentType: 'text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8',
      escaping: 'allow-utf-8',
    });
    // ...but not one on a lower-weight clause after the match
    expect(negotiate('application/openmetrics-text;version=1.0.0;q=0.9,text/plain;escaping=dots;q=0.1').escaping).toBe('underscores');
  });

  it('malformed headers give the default and never throw', () => {
    for (const h of [',,,', ';;;', 'text', '/', 'a/b/c', 'text/plain;q=abc', ';q=1', 'application/openmetrics-text;q=NaN']) {
      expect(negotiate(h).format).toBe('text');
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (h) => {
        const r = negotiate(h);
        expect(['text', 'openmetrics']).toContain(r.format);
        expect(r.contentType.endsWith(`; escaping=${r.escaping}`)).toBe(true);
      }),
    );
    expect(negotiate(42 as unknown as string).format).toBe('text');
  });
});
