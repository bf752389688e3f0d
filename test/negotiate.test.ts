import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_TYPE_OPENMETRICS_0_0_1,
  CONTENT_TYPE_OPENMETRICS_1_0_0,
  CONTENT_TYPE_TEXT,
  DEFAULT_SCRAPE_PROTOCOLS,
  CONTENT_TYPE_PROTOBUF,
  PROMETHEUS_ACCEPT,
  PROMETHEUS_PROTO_ACCEPT,
  PROTO_FIRST_SCRAPE_PROTOCOLS,
  negotiate,
  scrapeAcceptHeader,
} from '../src/toolkit/negotiate.js';

const TEXT_U = 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores';
const OM1_U = 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores';
const PROTO_U = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores';
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

  it.each<[string | null | undefined, string, 'text' | 'openmetrics' | 'protobuf']>([
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
    // protobuf goes by its weight like the others
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3',
      PROTO_U,
      'protobuf',
    ],
    [
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.3,text/plain;version=0.0.4;q=0.7',
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

  describe('protobuf (expfmt NegotiateIncludingOpenMetrics, FmtProtoDelim)', () => {
    const PB = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily';

    it('the Content-Type is expfmt FmtProtoDelim', () => {
      expect(CONTENT_TYPE_PROTOBUF).toBe('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited');
    });

    it("Prometheus 3.5.3 with native histograms enabled gets protobuf, with expfmt's default escaping", () => {
      // cmd/prometheus/main.go: native-histograms sets DefaultProtoFirstScrapeProtocols; scrape.go acceptHeader
      expect(scrapeAcceptHeader(PROTO_FIRST_SCRAPE_PROTOCOLS, 'allow-utf-8')).toBe(PROMETHEUS_PROTO_ACCEPT);
      expect(PROMETHEUS_PROTO_ACCEPT).toBe(
        'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,' +
          'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,' +
          'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      );
      // the protobuf clause comes first and names no escaping: model.NameEscapingScheme (underscores)
      expect(negotiate(PROMETHEUS_PROTO_ACCEPT)).toEqual({ format: 'protobuf', contentType: PROTO_U, escaping: 'underscores' });
    });

    it.each<[string, string, string]>([
      // expfmt encode_test.go TestNegotiate / TestNegotiateOpenMetrics, as facts
      [`${PB};encoding=delimited`, 'protobuf', PROTO_U],
      [`${PB};encoding=delimited; escaping=allow-utf-8;`, 'protobuf', PROTO_U.replace('underscores', 'allow-utf-8')],
      [`${PB};encoding=delimited; escaping=dots`, 'protobuf', PROTO_U.replace('underscores', 'dots')],
      [`${PB};encoding=delimited; escaping=bogus`, 'protobuf', PROTO_U],
      // the text forms of the messages are not written: next clause, else text
      [`${PB};encoding=text`, 'text', TEXT_U],
      [`${PB};encoding=compact-text; escaping=allow-utf-8`, 'text', TEXT_U.replace('underscores', 'allow-utf-8')],
      [`${PB};encoding=compact-text,application/openmetrics-text;version=1.0.0;q=0.5`, 'openmetrics', OM1_U],
      // no encoding, another proto, no proto: no match
      [PB, 'text', TEXT_U],
      [`application/vnd.google.protobuf;proto=io.prometheus.client.Other;encoding=delimited`, 'text', TEXT_U],
      ['application/vnd.google.protobuf;encoding=delimited', 'text', TEXT_U],
      // the proto value is compared exactly (expfmt); type and parameter names are not
      [`application/vnd.google.protobuf;proto=IO.prometheus.client.MetricFamily;encoding=delimited`, 'text', TEXT_U],
      [`Application/Vnd.Google.Protobuf; Proto=io.prometheus.client.MetricFamily; Encoding=delimited`, 'protobuf', PROTO_U],
      // weights order the clauses, not their place in the header
      [`text/plain;version=0.0.4;q=0.5,${PB};encoding=delimited;q=0.9`, 'protobuf', PROTO_U],
      [`${PB};encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0`, 'openmetrics', OM1_U],
      [`${PB};encoding=delimited;q=0`, 'text', TEXT_U],
      // an escaping on an earlier clause that did not match carries over (expfmt)
      [
        `text/plain;version=1.0.0;escaping=allow-utf-8,${PB};encoding=delimited;q=0.5`,
        'protobuf',
        PROTO_U.replace('underscores', 'allow-utf-8'),
      ],
      // a wildcard never picks protobuf
      ['*/*', 'text', TEXT_U],
      ['application/*', 'text', TEXT_U],
    ])('%s', (accept, format, contentType) => {
      const r = negotiate(accept);
      expect(r.format).toBe(format);
      expect(r.contentType).toBe(contentType);
    });

    it('{ protobuf: false } passes the protobuf clause over, the rest unchanged', () => {
      expect(negotiate(PROMETHEUS_PROTO_ACCEPT, { protobuf: false })).toEqual({
        format: 'openmetrics',
        contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8',
        escaping: 'allow-utf-8',
      });
      expect(negotiate(`${PB};encoding=delimited`, { protobuf: false }).format).toBe('text');
    });
  });
});
