/**
 * lint() against the real `promtool check metrics` 3.5.3 (Debian sid's
 * promtool, fetched by .ci/sid-tools.sh): on every real payload in
 * fixtures/ and fixtures/lint/, the cluster fixtures, the rules payload, and
 * on the text promwire's encoder writes for model families of every kind,
 * both tools must report the same findings (same metric, same text, same
 * order), and promtool's exit status (0 clean, 3 findings, 1 unreadable)
 * must follow from lint()'s result. The unit test compares with recorded
 * goldens; this one asks the program itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode } from '../../src/encode/encoder.js';
import { PromwireError } from '../../src/errors.js';
import { makeFamily, type Labels, type MetricFamily, type MetricType, type Sample } from '../../src/model/index.js';
import { parse } from '../../src/parse/families.js';
import { formatFindings, lint, promtoolReadError } from '../../src/toolkit/lint.js';

const ROOT = path.resolve(__dirname, '../..');

/**
 * promtool 3.5.3: $PROMTOOL, else the sid cache of .ci/sid-tools.sh
 * ($PROMWIRE_TOOLS/bin/promtool, default /var/cache/promwire-tools). Missing
 * or another version fails the tests (they are never skipped).
 */
function promtoolPath(): string {
  const file = process.env['PROMTOOL'] ?? path.join(process.env['PROMWIRE_TOOLS'] ?? '/var/cache/promwire-tools', 'bin', 'promtool');
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: run 'bash .ci/sid-tools.sh' (fetches promtool 3.5.3 from Debian sid) or set PROMTOOL=/path/to/promtool`,
    );
  }
  const v = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const first = `${v.stdout}${v.stderr}`.split('\n')[0] ?? '';
  if (!/version 3\.5\.3\b/.test(first)) throw new Error(`${file} is not promtool 3.5.3: '${first}'`);
  return file;
}

let promtool: string | undefined;

interface PromtoolResult {
  code: number;
  stderr: string;
}

/** Runs `promtool check metrics < payload`, bounded to 30 s. */
function promtoolCheck(payload: Uint8Array): Promise<PromtoolResult> {
  const file = (promtool ??= promtoolPath());
  return new Promise((resolve, reject) => {
    const child = spawn(file, ['check', 'metrics'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('promtool check metrics: no exit within 30 s'));
    }, 30_000);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stderr });
    });
    child.stdin.on('error', () => {}); // promtool may exit before reading everything
    child.stdin.end(payload);
  });
}

/** Both tools on one set of families: promtool reads promwire's text 0.0.4 of them. */
async function compareOnEncoded(families: MetricFamily[]): Promise<{ theirs: PromtoolResult; ours: string }> {
  const theirs = await promtoolCheck(encode(families, { format: 'text' }));
  const ours = formatFindings(lint(families, { structural: false }));
  return { theirs, ours };
}

const REAL = [
  'lint/prometheus-3.5.3.prom',
  'lint/pushgateway-1.11.2.prom',
  'lint/node_exporter-1.11.1.prom',
  'lint/victoria-metrics-1.145.prom',
  'lint/rules.prom',
  'node_exporter.prom',
  'prometheus.prom',
  'pushgateway.prom',
  'federate.prom',
  'python_client.prom',
];
const CLUSTER = ['cluster/node1.prom', 'cluster/node2.prom', 'cluster/node3.prom'];

type S = [name: string, labels: Labels, value: number, timestamp?: number];

function fam(name: string, type: MetricType, help: string, samples: S[]): MetricFamily {
  return makeFamily({
    name,
    type,
    help,
    unit: '',
    samples: samples.map(([n, labels, value, ts]): Sample => ({ name: n, labels, value, timestamp: ts ?? null })),
  });
}

/** Model families of every kind, as a library user builds them; each set is encoded and given to promtool. */
const BUILT: [string, MetricFamily[]][] = [
  [
    'every type, well named',
    [
      fam('http_requests_total', 'counter', 'x', [['http_requests_total', { code: '200' }, 1]]),
      fam('temp_celsius', 'gauge', 'x', [['temp_celsius', {}, 1]]),
      fam('lat_seconds', 'histogram', 'x', [
        ['lat_seconds_bucket', { le: '1' }, 1],
        ['lat_seconds_bucket', { le: '+Inf' }, 2],
        ['lat_seconds_sum', {}, 1],
        ['lat_seconds_count', {}, 2],
      ]),
      fam('rpc_seconds', 'summary', 'x', [
        ['rpc_seconds', { quantile: '0.5' }, 1],
        ['rpc_seconds_sum', {}, 1],
        ['rpc_seconds_count', {}, 1],
      ]),
      fam('queue_seconds', 'gaugehistogram', 'x', [
        ['queue_seconds_bucket', { le: '+Inf' }, 1],
        ['queue_seconds_gcount', {}, 1],
        ['queue_seconds_gsum', {}, 1],
      ]),
      fam('build_info', 'info', 'x', [['build_info', { version: '1' }, 1]]),
      fam('door_state', 'stateset', 'x', [
        ['door_state', { door_state: 'open' }, 1],
        ['door_state', { door_state: 'shut' }, 0],
      ]),
      fam('thing_total', 'unknown', '', [['thing_total', { le: '1' }, 1]]),
    ],
  ],
  [
    'start timestamps',
    [
      makeFamily({
        name: 'jobs_total',
        type: 'counter',
        help: 'x',
        unit: '',
        samples: [
          { name: 'jobs_total', labels: { q: 'a' }, value: 1, timestamp: null, startTimestamp: 1.7e12 },
          { name: 'jobs_total', labels: { q: 'b' }, value: 1, timestamp: null, startTimestamp: 1.7e12 },
        ],
      }),
      makeFamily({
        name: 'rpc_duration_seconds',
        type: 'summary',
        help: 'x',
        unit: '',
        samples: [
          { name: 'rpc_duration_seconds', labels: { quantile: '0.5' }, value: 1, timestamp: null, startTimestamp: 1.7e12 },
          { name: 'rpc_duration_seconds_count', labels: {}, value: 1, timestamp: null, startTimestamp: 1.7e12 },
        ],
      }),
    ],
  ],
  [
    'names that break rules',
    [
      fam('requests', 'counter', 'x', [['requests', {}, 1]]),
      // Header `ops`, samples `ops_total`: promtool files them as an untyped family without help.
      fam('ops', 'counter', 'x', [['ops_total', { someLabel: 'a' }, 1]]),
      fam('mem_kilobits', 'gauge', 'x', [['mem_kilobits', { le: '1', quantile: '0.5' }, 1]]),
      fam('x_gauge_histogram_y', 'gauge', 'x', [['x_gauge_histogram_y', {}, 1]]),
      fam('lat_summary', 'histogram', 'x', [
        ['lat_summary_bucket', { le: '+Inf' }, 1],
        ['lat_summary_count', {}, 1],
      ]),
      fam('foo_hours_bits', 'gauge', 'x', [['foo_hours_bits', {}, 1]]),
      fam('a:b_ms', 'gauge', 'x', [['a:b_ms', {}, 1]]),
      fam('gauge_count', 'stateset', 'x', [['gauge_count', { gauge_count: 'a' }, 1]]),
      fam('weird_gauge_info', 'info', '', [['weird_gauge_info', {}, 1]]),
      fam('hourCount_total', 'unknown', 'x', [['hourCount_total', { le: 'x' }, 1]]),
    ],
  ],
  [
    'duplicate series: in one family, labels reordered, at other timestamps, empty label',
    [
      fam('dup_total', 'counter', 'x', [
        ['dup_total', { a: '1' }, 1],
        ['dup_total', { a: '1' }, 2],
        ['dup_total', { a: '1' }, 3],
        ['dup_total', { a: '1', b: '2' }, 1],
        ['dup_total', { b: '2', a: '1' }, 1],
        ['dup_total', { a: '2' }, 1, 1000],
        ['dup_total', { a: '2' }, 1, 2000],
      ]),
      fam('h_seconds', 'histogram', 'x', [
        ['h_seconds_bucket', { le: '+Inf' }, 1],
        ['h_seconds_count', {}, 1],
        ['h_seconds_bucket', { le: '+Inf' }, 1],
        ['h_seconds_count', {}, 1],
      ]),
      fam('e_bytes', 'gauge', 'x', [
        ['e_bytes', { x: '' }, 1],
        ['e_bytes', {}, 1],
      ]),
    ],
  ],
];

describe('lint() matches promtool check metrics 3.5.3', () => {
  it.each([...REAL, ...CLUSTER])('%s: same findings in the same order, same exit status', async (file) => {
    const bytes = readFileSync(path.join(ROOT, 'fixtures', file));
    const theirs = await promtoolCheck(bytes);
    expect(theirs.code === 0 || theirs.code === 3, theirs.stderr).toBe(true);
    const findings = lint(parse(bytes, { format: 'text' }), { structural: false });
    expect(formatFindings(findings)).toBe(theirs.stderr);
    expect(theirs.code).toBe(findings.length === 0 ? 0 : 3);
  });

  it.each([...REAL, ...CLUSTER])("%s: the same again on promwire's re-encoding of it", async (file) => {
    const families = parse(readFileSync(path.join(ROOT, 'fixtures', file)), { format: 'text' });
    const { theirs, ours } = await compareOnEncoded(families);
    const names = families.map((f) => f.name);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    if (repeated.length > 0) {
      // A block repeated without HELP and TYPE lines (VictoriaMetrics does
      // that) is one family for promtool, two for the parser; the encoder
      // writes each with a TYPE line, which promtool refuses.
      expect(theirs.code).toBe(1);
      expect(theirs.stderr).toMatch(/^error while linting: text format parsing error in line \d+: second TYPE line for metric name "/);
      expect(repeated).toContain(/"([^"]+)"/.exec(theirs.stderr)![1]);
      return;
    }
    expect(ours).toBe(theirs.stderr);
    expect(theirs.code).toBe(ours === '' ? 0 : 3);
  });

  it('promtool still finds what the goldens say it finds (guards against a promtool that finds nothing)', async () => {
    const counts: Record<string, number> = {};
    for (const f of [
      'lint/node_exporter-1.11.1.prom',
      'lint/victoria-metrics-1.145.prom',
      'lint/rules.prom',
      'lint/prometheus-3.5.3.prom',
    ]) {
      counts[f] = (await promtoolCheck(readFileSync(path.join(ROOT, 'fixtures', f)))).stderr.split('\n').length - 1;
    }
    expect(counts).toEqual({
      'lint/node_exporter-1.11.1.prom': 66,
      'lint/victoria-metrics-1.145.prom': 244,
      'lint/rules.prom': 34,
      'lint/prometheus-3.5.3.prom': 0,
    });
  });

  it.each(BUILT)('built families (%s): promtool on the encoded text says what lint() says', async (_name, families) => {
    const { theirs, ours } = await compareOnEncoded(families);
    expect(ours).toBe(theirs.stderr);
    expect(theirs.code).toBe(ours === '' ? 0 : 3);
  });

  it('the built sets do trip the rules they are meant to (not a comparison of two empty outputs)', async () => {
    const byName = new Map(BUILT);
    const dup = formatFindings(
      lint(byName.get('duplicate series: in one family, labels reordered, at other timestamps, empty label')!, { structural: false }),
    );
    expect(dup).toBe('dup_total metric not unique\n'.repeat(3));
    const names = formatFindings(lint(byName.get('names that break rules')!, { structural: false }));
    expect(names.split('\n').length).toBeGreaterThan(12);
    // The split-off gauges (a gauge histogram's _gcount/_gsum, start timestamps' _created) carry the family's HELP.
    expect(formatFindings(lint(byName.get('every type, well named')!, { structural: false }))).toBe('thing_total no help text\n');
    expect(formatFindings(lint(byName.get('start timestamps')!, { structural: false }))).toBe('');
    expect(new TextDecoder().decode(encode(byName.get('start timestamps')!, { format: 'text' }))).toMatch(/^# TYPE jobs_created gauge$/m);
  });

  // A family's block repeated: promtool files a block without HELP and TYPE
  // lines under the family met first (so a series in both is "not unique"),
  // and stops at a second HELP line or a TYPE line after samples.
  const REPEATED: [string, string][] = [
    ['headerless repeat', '# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n'],
    [
      'headerless repeat, labels',
      '# HELP a x\n# TYPE a gauge\na{x="1"} 1\na{x="2"} 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x="1"} 2\na{x="2"} 2\na{x="3"} 2\n',
    ],
    ['HELP after samples, none before', 'a 1\n# HELP a x\na 2\n'],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\na 2\n'],
    ['second HELP', '# HELP a x\n# TYPE a gauge\na{x="1"} 1\n# HELP a x\na{x="1"} 2\n'],
    ['second HELP of a family without samples', '# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\nb 1\n# HELP a x\na 2\n'],
    ['second TYPE', '# HELP a x\na 1\nb 1\n# TYPE a gauge\na 2\n'],
    ['HELP-only family, TYPE later', '# HELP a x\n# HELP b x\n# TYPE b gauge\nb 1\n# TYPE a gauge\na 1\n'],
    ["gauge named as a summary's count", '# HELP s x\n# TYPE s summary\ns_count 1\n# HELP s_count x\n# TYPE s_count gauge\ns_count 2\n'],
    [
      'repeated histogram block',
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n# HELP b x\n# TYPE b gauge\nb 1\nh_bucket{le="+Inf"} 1\nh_count 1\n',
    ],
  ];
  it.each(REPEATED)('a repeated block (%s): same findings, or the same reason not to lint', async (_name, text) => {
    const bytes = new TextEncoder().encode(text);
    const theirs = await promtoolCheck(bytes);
    const families = parse(bytes, { format: 'text' });
    const unreadable = promtoolReadError(families);
    if (theirs.code === 1) {
      expect(unreadable).toBeDefined();
      expect(theirs.stderr).toContain(unreadable);
    } else {
      expect(unreadable).toBeUndefined();
      const ours = formatFindings(lint(families, { structural: false }));
      expect(ours).toBe(theirs.stderr);
      expect(theirs.code).toBe(ours === '' ? 0 : 3);
    }
  });

  it('the repeated blocks give both outcomes (not a comparison of two empty outputs)', async () => {
    const codes = [];
    for (const [, text] of REPEATED) codes.push((await promtoolCheck(new TextEncoder().encode(text))).code);
    expect(codes).toEqual([3, 3, 3, 1, 1, 1, 1, 0, 1, 0]);
  });

  it('python_client.om.txt: promtool cannot read OpenMetrics (exit 1), nor can the text parser; read as OpenMetrics, lint() says what promtool says of its text', async () => {
    const om = readFileSync(path.join(ROOT, 'fixtures', 'python_client.om.txt'));
    const theirs = await promtoolCheck(om);
    expect(theirs.code).toBe(1);
    expect(theirs.stderr).toMatch(/^error while linting: text format parsing error in line 46/);
    expect(() => parse(om, { format: 'text' })).toThrow(PromwireError);
    const { theirs: onText, ours } = await compareOnEncoded(parse(om, { format: 'openmetrics' }));
    // Written as text, start timestamps are `_created` gauges with the family's HELP, as the Python
    // client's own text output has them: promtool finds nothing, and neither does lint().
    expect(onText.code).toBe(0);
    expect(ours).toBe(onText.stderr);
  });

  it('a name outside the legacy set: promtool 3.5.3 cannot read it (exit 1), promtoolReadError names it', async () => {
    const families = [fam('my.metric', 'gauge', 'x', [['my.metric', {}, 1]])];
    const theirs = await promtoolCheck(encode(families, { format: 'text' }));
    expect(theirs.code).toBe(1);
    expect(theirs.stderr).toContain('invalid metric name "my.metric"');
    expect(promtoolReadError(families)).toBe('invalid metric name "my.metric"');
    const labels = [fam('ok', 'gauge', 'x', [['ok', { 'my.label': '1' }, 1]])];
    const theirs2 = await promtoolCheck(encode(labels, { format: 'text' }));
    expect(theirs2.code).toBe(1);
    expect(theirs2.stderr).toContain('invalid label name "my.label"');
    expect(promtoolReadError(labels)).toBe('invalid label name "my.label"');
  });

  it('a payload promtool rejects is rejected by the parser too', async () => {
    const bytes = new TextEncoder().encode('# HELP foo x\n# TYPE foo gauge\nfoo 1 x\n');
    const theirs = await promtoolCheck(bytes);
    expect(theirs.code).toBe(1);
    expect(() => parse(bytes, { format: 'text' })).toThrow(PromwireError);
  });
});
