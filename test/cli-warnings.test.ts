/**
 * Every CLI command that encodes says on stderr what the output format
 * drops, once per family and kind: convert, scrape --to (push and merge:
 * test/integration/cli-push.test.ts, test/cli-merge.test.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const OM = `# TYPE http_requests counter
# UNIT http_requests requests
http_requests_total{code="200"} 1 # {trace_id="a"} 1
http_requests_total{code="500"} 2 # {trace_id="b"} 1
# TYPE build info
build_info{v="1"} 1
# TYPE link stateset
link{link="up"} 1
link{link="down"} 0
# TYPE plain gauge
plain 1
# EOF
`;

const cli = (argv: string[], stdin = '') => runCli(argv, { stdin });

const EXPECTED_TEXT_LOSSES = [
  'promwire: warning: "http_requests_total": unit "requests" dropped: text 0.0.4 has no units',
  'promwire: warning: "http_requests_total": exemplars dropped: text 0.0.4 has none (2 samples)',
  'promwire: warning: "build_info": written as a gauge: text 0.0.4 has no info type (1 sample)',
  'promwire: warning: "link": written as a gauge: text 0.0.4 has no stateset type (2 samples)',
];

describe('conversion losses on stderr', () => {
  it('convert OpenMetrics to text names each loss once per family; to OpenMetrics nothing', async () => {
    const r = await cli(['convert', '--to', 'text'], OM);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual(EXPECTED_TEXT_LOSSES);
    expect(r.stdout).toContain('plain 1');
    const same = await cli(['convert', '--to', 'openmetrics'], OM);
    expect(same.stderr).toBe('');
  });

  it('scrape --to text says the same', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0' });
      res.end(OM);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      const r = await cli(['scrape', url, '--to', 'text']);
      expect(r.code).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('promwire: warning:'))).toEqual(EXPECTED_TEXT_LOSSES);
    } finally {
      server.close();
    }
  });
});
