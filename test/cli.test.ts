import { normalizeNumber } from '../src/model/rules.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../src/cli/args.js';
import { familyToJson, writeFamiliesJson } from '../src/cli/json.js';
import type { MetricFamily } from '../src/model/index.js';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = `${ROOT}fixtures/`;

// ---------------------------------------------------------------------------
// Helpers: the CLI in-process (fake IO) and as a child process.

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const runInProcess = (argv: string[], stdin = ''): Promise<Result> => runCli(argv, { stdin });

function runChild(argv: string[], stdin?: string | Buffer): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (stdin !== undefined) child.stdin.end(stdin);
    else child.stdin.end();
  });
}

/** Parses the `parse --json` output, checking the one-family-per-line layout on the way. */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  const lines = stdout.split('\n');
  expect(lines.at(-1)).toBe('');
  lines.pop();
  if (lines.length === 1) {
    expect(lines[0]).toBe('[]');
    return [];
  }
  expect(lines[0]).toBe('[');
  expect(lines.at(-1)).toBe(']');
  const body = lines.slice(1, -1);
  const fams = body.map((l, i) => {
    const text = i < body.length - 1 ? l.replace(/,$/, '') : l;
    return JSON.parse(text) as Record<string, unknown>;
  });
  // The whole output is also one valid JSON array with the same content.
  expect(JSON.parse(stdout)).toEqual(fams);
  return fams;
}

// ---------------------------------------------------------------------------
// The JSON printer, on hand-built families.

const FAMILIES: MetricFamily[] = [
  {
    name: 'http_requests_total',
    type: 'counter',
    help: 'Requests "served"\nby code',
    unit: '',
    samples: [
      { name: 'http_requests_total', labels: { code: '200', method: 'get' }, value: 1e6, timestamp: null },
      {
        name: 'http_requests_total',
        labels: { code: '500', path: 'a\\b"c\nd', 'label.utf8': 'ü→' },
        value: 0.0001,
        timestamp: 1520879607789,
        startTimestamp: 1520430000123,
        exemplars: [{ labels: { trace_id: 'KOO5S4vxi0o' }, value: 1e-5, timestamp: 1520879607789.5 }],
      },
    ],
  },
  {
    name: 'temp',
    type: 'gauge',
    help: '',
    unit: 'celsius',
    samples: [
      { name: 'temp_celsius', labels: {}, value: NaN, timestamp: -5 },
      { name: 'temp_celsius', labels: { x: 'y' }, value: Infinity, timestamp: null },
      { name: 'temp_celsius', labels: { x: 'z' }, value: -Infinity, timestamp: null },
      { name: 'temp_celsius', labels: { x: 'w' }, value: -0, timestamp: null },
      { name: 'temp_celsius', labels: { x: 'v' }, value: 123456, timestamp: null },
      { name: 'temp_celsius', labels: { x: 'u' }, value: 1.5e-7, timestamp: null },
    ],
  },
  { name: 'empty', type: 'unknown', help: 'no samples', unit: '', samples: [] },
];

describe('JSON printer', () => {
  it('writes the exact shape and key order documented in src/cli/json.ts', () => {
    expect(familyToJson(FAMILIES[0]!)).toBe(
      '{"name":"http_requests_total","type":"counter","help":"Requests \\"served\\"\\nby code","samples":[' +
        '{"name":"http_requests_total","labels":{"code":"200","method":"get"},"value":"1e+06","timestamp_ms":null},' +
        '{"name":"http_requests_total","labels":{"code":"500","path":"a\\\\b\\"c\\nd","label.utf8":"ü→"},"value":"0.0001","timestamp_ms":1520879607789,' +
        '"start_timestamp_ms":1520430000123,"exemplars":[{"labels":{"trace_id":"KOO5S4vxi0o"},"value":"1e-05","timestamp_ms":1520879607789.5}]}]}',
    );
  });

  it('writes unit only when non-empty and spells every float special as Go does', () => {
    const o = JSON.parse(familyToJson(FAMILIES[1]!)) as { unit?: string; samples: Array<{ value: string; timestamp_ms: unknown }> };
    expect(o.unit).toBe('celsius');
    expect(o.samples.map((s) => s.value)).toEqual(['NaN', '+Inf', '-Inf', '-0', '123456', '1.5e-07']);
    expect(o.samples[0]!.timestamp_ms).toBe(-5);
    expect('unit' in (JSON.parse(familyToJson(FAMILIES[0]!)) as object)).toBe(false);
    expect('exemplars' in (JSON.parse(familyToJson(FAMILIES[1]!)) as { samples: object[] }).samples[0]!).toBe(false);
  });

  it('writes one JSON array with one family per line', () => {
    let out = '';
    writeFamiliesJson(FAMILIES, (s) => (out += s));
    const fams = jsonLines(out);
    expect(fams.map((f) => f['name'])).toEqual(['http_requests_total', 'temp', 'empty']);
    expect(out.split('\n')).toHaveLength(FAMILIES.length + 3);
    expect(out.split('\n')[1]!.endsWith(',')).toBe(true);
  });

  it('writes [] for no families', () => {
    let out = '';
    writeFamiliesJson([], (s) => (out += s));
    expect(out).toBe('[]\n');
    expect(JSON.parse(out)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Argument parsing.

describe('argument parsing', () => {
  it('reads commands, positionals, flags and defaults', () => {
    expect(parseCommandLine(['parse', '-', '--json'])).toEqual({
      kind: 'command',
      command: 'parse',
      positionals: ['-'],
      flags: { json: true, format: 'auto' },
    });
    expect(parseCommandLine(['convert', 'x.prom', '--to=openmetrics'])).toMatchObject({
      flags: { to: 'openmetrics', from: 'auto' },
    });
    expect(parseCommandLine(['scrape', 'http://a/', '--header', 'A: 1', '--header', 'B: 2'])).toMatchObject({
      flags: { header: ['A: 1', 'B: 2'] },
    });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['lint', '--help'])).toEqual({ kind: 'help', command: 'lint' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', command: undefined });
  });

  it.each([
    [[], /no command/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['--frob'], /unknown option '--frob'/],
    [['parse', '--frob'], /unknown option '--frob'/],
    [['parse', '--format', 'xml'], /invalid value 'xml' for --format \(expected one of: auto, text, openmetrics, protobuf\)/],
    [['parse', 'a', 'b'], /unexpected argument 'b'/],
    [['convert', '--to'], /--to/],
    [['scrape'], /missing URL/],
    [['serve'], /missing FILE/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});

// ---------------------------------------------------------------------------
// Usage errors, help and version (in-process: no payload needed).

describe('usage, help and version', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
    const r = await runInProcess(['--version']);
    expect(r).toEqual({ code: 0, stdout: `promwire ${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every command and exits 0', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['parse', 'inspect', 'convert', 'lint', 'scrape', 'serve']) expect(r.stdout).toContain(`  ${c} `);
  });

  it('a command --help prints its own usage', async () => {
    const r = await runInProcess(['convert', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: promwire convert \[FILE\|-\] --to text\|openmetrics/);
  });

  it.each([
    [['nope'], 'unknown command'],
    [['parse', '--nope'], "unknown option '--nope'"],
    [['convert', 'x'], 'missing --to'],
    [['serve', 'f.prom'], 'missing --port'],
    [['serve', 'f.prom', '--port', '99999'], 'expected 0 to 65535'],
    [['scrape', 'not a url'], "invalid URL 'not a url'"],
    [['scrape', 'http://127.0.0.1:1/', '--json', '--to', 'text'], 'cannot be used together'],
  ])('%j exits 2 with the usage on stderr', async (argv, message) => {
    const r = await runInProcess(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Usage: promwire');
  });

  it('a missing file exits 1 naming it', async () => {
    const r = await runInProcess(['parse', 'no/such/file.prom', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('promwire: cannot read no/such/file.prom: ENOENT\n');
  });
});

// ---------------------------------------------------------------------------
// Commands over the real payloads in fixtures/ (child processes: argv, stdin,
// stdout, stderr and exit status as a user sees them).

interface SampleJson {
  name: string;
  labels: Record<string, string>;
  value: string;
  timestamp_ms: number | null;
  start_timestamp_ms?: number;
  exemplars?: { labels: Record<string, string>; value: string; timestamp_ms: number | null }[];
}
interface FamilyJson {
  name: string;
  type: string;
  help: string;
  unit?: string;
  samples: SampleJson[];
}

/**
 * The sample lines of a text payload, read independently of promwire:
 * name, value token and timestamp token. Good enough for the fixtures, whose
 * label values hold no `}` and no ` # `.
 */
function sampleLines(text: string): Array<{ name: string; value: string; ts: string | undefined }> {
  const out: Array<{ name: string; value: string; ts: string | undefined }> = [];
  for (const full of text.split('\n')) {
    if (full === '' || full.startsWith('#')) continue;
    // Drop an OpenMetrics exemplar (` # {...} v ts`); no label value in the fixtures holds " # ".
    const hash = full.indexOf(' # ');
    const line = hash >= 0 ? full.slice(0, hash) : full;
    const brace = line.indexOf('{');
    const close = line.lastIndexOf('}');
    const name = brace >= 0 ? line.slice(0, brace) : line.slice(0, line.indexOf(' '));
    const rest = (close >= 0 ? line.slice(close + 1) : line.slice(name.length)).trim().split(' ');
    out.push({ name, value: rest[0]!, ts: rest[1] });
  }
  return out;
}

describe('promwire parse', () => {
  it.each(['node_exporter.prom', 'prometheus.prom', 'federate.prom', 'pushgateway.prom'])(
    '--json on %s gives every sample in order, values spelled exactly as the Go exporter wrote them',
    async (file) => {
      const r = await runChild(['parse', `fixtures/${file}`, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const fams = jsonLines(r.stdout) as unknown as FamilyJson[];
      const samples = fams.flatMap((f) => f.samples);
      const expected = sampleLines(readFileSync(`${FIXTURES}${file}`, 'utf8'));
      expect(samples.map((s) => s.name)).toEqual(expected.map((e) => e.name));
      // Go writes values with strconv.FormatFloat(v, 'g', -1, 64), which is the form the JSON must use.
      expect(samples.map((s) => s.value)).toEqual(expected.map((e) => e.value));
      expect(samples.map((s) => s.timestamp_ms)).toEqual(expected.map((e) => (e.ts === undefined ? null : Number(e.ts))));
      for (const f of fams) {
        expect(Object.keys(f)).toEqual(['name', 'type', 'help', 'samples']);
        for (const s of f.samples) expect(Object.keys(s)).toEqual(['name', 'labels', 'value', 'timestamp_ms']);
      }
    },
  );

  it('--json on the OpenMetrics fixture keeps units, exemplars, created series and OpenMetrics type words', async () => {
    const r = await runChild(['parse', 'fixtures/python_client.om.txt', '--json']);
    expect(r.code).toBe(0);
    const fams = jsonLines(r.stdout) as unknown as FamilyJson[];
    const sent = fams.find((f) => f.name === 'demo_sent_bytes_total')!;
    expect(sent).toEqual({
      name: 'demo_sent_bytes_total',
      type: 'counter',
      help: 'Bytes sent.',
      unit: 'bytes',
      samples: [
        {
          name: 'demo_sent_bytes_total',
          labels: {},
          value: '61725',
          timestamp_ms: null,
          // `_created` is the series' start timestamp, in milliseconds.
          start_timestamp_ms: 1795354795559.27,
          exemplars: [{ labels: { trace_id: 'abc049' }, value: '1234.5', timestamp_ms: 1795354795564.8257 }],
        },
      ],
    });
    // Values are re-spelled as Go would (Python wrote 1.79933184e+08 and 405.0).
    const vm = fams.find((f) => f.name === 'process_virtual_memory_bytes')!;
    expect(vm.samples[0]!.value).toBe('1.79933184e+08');
    const gc = fams.find((f) => f.name === 'python_gc_objects_collected_total')!;
    expect(gc.samples.map((s) => [s.labels['generation'], s.value])).toEqual([
      ['0', '405'],
      ['1', '144'],
      ['2', '0'],
    ]);
    // Every sample line of the file is there, in order (`_created` lines are start timestamps).
    const expected = sampleLines(readFileSync(`${FIXTURES}python_client.om.txt`, 'utf8')).filter((e) => !e.name.endsWith('_created'));
    expect(fams.flatMap((f) => f.samples.map((s) => s.name))).toEqual(expected.map((e) => e.name));
  });

  it('prints exactly the lines that the README shows as its example of the JSON form', async () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const block = /### The JSON form of `parse --json`[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const lines = block![1]!.trimEnd().split('\n');
    expect(lines[0]).toBe('[');
    expect(lines.at(-1)).toBe(']');
    expect(JSON.parse(block![1]!)).toHaveLength(lines.length - 2);
    const om = await runInProcess(['parse', 'fixtures/python_client.om.txt', '--json']);
    const text = await runInProcess(['parse', 'fixtures/node_exporter.prom', '--json']);
    const printed = new Set([...om.stdout.split('\n'), ...text.stdout.split('\n')].map((l) => l.replace(/,$/, '')));
    for (const l of lines.slice(1, -1)) expect(printed).toContain(l.replace(/,$/, ''));
  });

  it('reads standard input when FILE is "-" or absent', async () => {
    const payload = '# TYPE a gauge\na{x="1"} 1e6\nb 2 5\n';
    for (const argv of [
      ['parse', '-', '--json'],
      ['parse', '--json'],
    ]) {
      const r = await runChild(argv, payload);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        '[\n' +
          '{"name":"a","type":"gauge","help":"","samples":[{"name":"a","labels":{"x":"1"},"value":"1e+06","timestamp_ms":null}]},\n' +
          '{"name":"b","type":"unknown","help":"","samples":[{"name":"b","labels":{},"value":"2","timestamp_ms":5}]}\n' +
          ']\n',
      );
    }
  });

  it('an empty payload prints []', async () => {
    const r = await runChild(['parse', '--json'], '');
    expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('an invalid payload exits 1 with "SOURCE: line L column C: message" on stderr and nothing on stdout', async () => {
    const r = await runChild(['parse', '--json'], 'ok 1\nbad{x="1"} 12abc\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // The position, the parser's reason, then the line with a caret under the column.
    expect(r.stderr).toBe(
      'standard input: line 2 column 12: expected a number as value, got "12abc"\n  bad{x="1"} 12abc\n             ^\n',
    );
  });

  it('--format text rejects the OpenMetrics fixture on its first exemplar, as promtool does (line 46)', async () => {
    const r = await runChild(['parse', 'fixtures/python_client.om.txt', '--format', 'text', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^.+: line 46 column \d+: /);
  });

  it('--format openmetrics rejects a text payload (no # EOF)', async () => {
    const r = await runInProcess(['parse', 'fixtures/pushgateway.prom', '--format', 'openmetrics', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^.+: line \d+ column \d+: /);
  });

  it('--lenient skips bad lines, reports each, prints the rest and exits 1', async () => {
    const r = await runInProcess(['parse', '--json', '--lenient'], 'a 1\nb{ 2\nc 3\nd x\n');
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).map((f) => f['name'])).toEqual(['a', 'c']);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('standard input: line '));
    expect(lines.map((l) => l.slice(16, 23))).toEqual(['line 2 ', 'line 4 ']);
  });

  it('without --json prints one line per family and the totals', async () => {
    const r = await runInProcess(['parse', 'fixtures/python_client.om.txt']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TYPE\s+SAMPLES\s+NAME\s+HELP$/);
    expect(lines.find((l) => l.includes(' demo_sent_bytes_total ')!)).toMatch(
      /^counter\s+1\s+demo_sent_bytes_total\s+Bytes sent\. \[unit: bytes\]$/,
    );
    // `_created` lines are start timestamps, not samples.
    const expected = sampleLines(readFileSync(`${FIXTURES}python_client.om.txt`, 'utf8')).filter(
      (e) => !e.name.endsWith('_created'),
    ).length;
    expect(lines.at(-1)).toMatch(new RegExp(`^\\d+ families, ${expected} samples$`));
  });

  it('stops quietly when the reader closes the pipe early', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'parse', 'fixtures/federate.prom', '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(timer);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('promwire inspect', () => {
  it('reports format, families by type, series, samples, the top 10 and with --bench throughput (text)', async () => {
    const r = await runChild(['inspect', 'fixtures/node_exporter.prom', '--bench']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = r.stdout;
    const samples = sampleLines(readFileSync(`${FIXTURES}node_exporter.prom`, 'utf8')).length;
    expect(text).toContain('format     Prometheus text 0.0.4 (detected: no "# EOF" at the end)');
    expect(text).toMatch(new RegExp(`^samples    ${samples.toLocaleString('en-US')}, 0 with a timestamp, 0 with an exemplar$`, 'm'));
    expect(text).toMatch(/^by type +families +series$/m);
    expect(text).toMatch(/^ {2}counter +\d+ +[\d,]+$/m);
    expect(text).toContain('top 10 families by series count');
    const top = text.split('\n').filter((l) => /^ +\d+\. /.test(l));
    expect(top).toHaveLength(10);
    expect(text).toMatch(/pull API \(name, labels, value\) +[\d,.]+ MB\/s +[\d,]+ samples\/s/);
    expect(text).toMatch(/parse\(\) to families +[\d,.]+ MB\/s/);
  });

  it('--json gives numbers that agree with the payload', async () => {
    const r = await runInProcess(['inspect', 'fixtures/federate.prom', '--json', '--bench']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      format: string;
      families: number;
      series: number;
      samples: number;
      withTimestamp: number;
      byType: Array<{ type: string; families: number; series: number }>;
      topFamilies: Array<{ name: string; series: number }>;
      throughput: { pullApi: { mbPerSec: number }; families: { mbPerSec: number } };
    };
    const text = readFileSync(`${FIXTURES}federate.prom`, 'utf8');
    const lines = sampleLines(text);
    expect(rep.format).toBe('text');
    expect(rep.samples).toBe(lines.length);
    expect(rep.series).toBe(lines.length);
    // federate writes every sample with a timestamp and every family as untyped.
    expect(rep.withTimestamp).toBe(lines.length);
    expect(rep.families).toBe(text.split('\n').filter((l) => l.startsWith('# TYPE ')).length);
    expect(rep.byType).toEqual([{ type: 'unknown', families: rep.families, series: rep.series }]);
    // Top 10: most series first, and the first one really is the largest family.
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l.name, (counts.get(l.name) ?? 0) + 1);
    const max = Math.max(...counts.values());
    expect(rep.topFamilies).toHaveLength(10);
    expect(rep.topFamilies[0]!.series).toBe(max);
    for (let i = 1; i < 10; i++) expect(rep.topFamilies[i]!.series).toBeLessThanOrEqual(rep.topFamilies[i - 1]!.series);
    expect(rep.throughput.pullApi.mbPerSec).toBeGreaterThan(0);
    expect(rep.throughput.families.mbPerSec).toBeGreaterThan(0);
  });

  it('detects OpenMetrics from # EOF and counts exemplars', async () => {
    const r = await runInProcess(['inspect', 'fixtures/python_client.om.txt', '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as { format: string; formatFrom: string; withExemplar: number };
    expect(rep.format).toBe('openmetrics');
    expect(rep.formatFrom).toBe('payload');
    const exemplars = readFileSync(`${FIXTURES}python_client.om.txt`, 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.includes(' # {')).length;
    expect(rep.withExemplar).toBe(exemplars);
    expect(exemplars).toBeGreaterThan(0);
  });

  it('exits 1 with the position on an invalid payload', async () => {
    const r = await runInProcess(['inspect'], 'a{b="c} 1\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^.+: line 1 column \d+: /);
  });
});

describe('promwire convert', () => {
  it('text to OpenMetrics and back keeps every sample (and re-encoding is a fixed point)', async () => {
    const om = await runChild(['convert', 'fixtures/node_exporter.prom', '--to', 'openmetrics']);
    expect(om.stderr).toBe('');
    expect(om.code).toBe(0);
    expect(om.stdout.endsWith('# EOF\n')).toBe(true);
    const back = await runChild(['convert', '-', '--to', 'text', '--from', 'openmetrics'], om.stdout);
    expect(back.code).toBe(0);
    const a = await runInProcess(['parse', 'fixtures/node_exporter.prom', '--json']);
    const b = await runInProcess(['parse', '--json'], back.stdout);
    const flat = (s: string) => (jsonLines(s) as unknown as FamilyJson[]).flatMap((f) => f.samples);
    expect(flat(b.stdout)).toEqual(flat(a.stdout));
    const again = await runInProcess(['convert', '--to', 'text'], back.stdout);
    expect(again.stdout).toBe(back.stdout);
  });

  it('OpenMetrics to OpenMetrics keeps exemplars and units', async () => {
    const r = await runInProcess(['convert', 'fixtures/python_client.om.txt', '--to', 'openmetrics']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# UNIT demo_sent_bytes bytes\n');
    expect(r.stdout).toMatch(/^demo_sent_bytes_total 61725 # \{trace_id="abc049"\} 1234\.5 \S+$/m);
    // Exemplars, units and every value survive: the re-encoded payload parses to the same families
    // (up to `le` and `quantile` values, which the encoder writes canonically, `1.0` as `1`).
    const canon = (fams: FamilyJson[]) =>
      fams.map((f) => ({
        ...f,
        samples: f.samples.map((x) => ({
          ...x,
          labels: { ...x.labels, ...(x.labels['le'] !== undefined ? { le: normalizeNumber(x.labels['le']) } : {}) },
        })),
      }));
    const again = jsonLines((await runInProcess(['parse', '--json'], r.stdout)).stdout) as unknown as FamilyJson[];
    const orig = jsonLines((await runInProcess(['parse', 'fixtures/python_client.om.txt', '--json'])).stdout) as unknown as FamilyJson[];
    expect(canon(again)).toEqual(canon(orig));
    expect(again.flatMap((f) => f.samples).filter((x) => x.exemplars !== undefined).length).toBeGreaterThan(0);
  });

  it('keeps Prometheus 3 UTF-8 names quoted, or escapes them with --escaping', async () => {
    const payload = '{"my.metric", "label.name"="v"} 1\n';
    const quoted = await runInProcess(['convert', '--to', 'text'], payload);
    expect(quoted).toEqual({ code: 0, stdout: '# TYPE "my.metric" untyped\n{"my.metric","label.name"="v"} 1\n', stderr: '' });
    const escaped = await runInProcess(['convert', '--to', 'openmetrics', '--escaping', 'underscores'], payload);
    expect(escaped.stdout).toBe('# TYPE my_metric unknown\nmy_metric{label_name="v"} 1\n# EOF\n');
    const bad = await runInProcess(['convert', '--to', 'text', '--escaping', 'rot13'], payload);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid value 'rot13' for --escaping (expected one of: allow-utf-8, underscores, dots, values)");
  });

  it('exits 1 on an invalid payload and writes nothing', async () => {
    const r = await runInProcess(['convert', '--to', 'text'], 'a 1\na{ 2\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^.+: line 2 column \d+: /);
  });
});

describe('promwire lint', () => {
  it('exits 3 with the findings promtool reports on node_exporter.prom (66 camelCase, 2 bits; see shared fixtures README)', async () => {
    const r = await runChild(['lint', 'fixtures/node_exporter.prom']);
    expect(r.code).toBe(3);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(68);
    expect(lines.filter((l) => /^node_\S+ metric names should be written in 'snake_case' not 'camelCase'$/.test(l))).toHaveLength(66);
    expect(lines).toContain("node_memory_AnonPages_bytes metric names should be written in 'snake_case' not 'camelCase'");
    expect(lines.filter((l) => /^node_entropy_\S+ .*"bytes".*"bits"/.test(l))).toHaveLength(2);
  });

  it('exits 0 and prints nothing on a clean payload (prometheus.prom)', async () => {
    const r = await runInProcess(['lint', 'fixtures/prometheus.prom']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('names the families without help in pushgateway.prom', async () => {
    const r = await runInProcess(['lint', 'fixtures/pushgateway.prom']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('batch_untyped_thing no help text\nsecond_job_items no help text\n');
  });

  it('exits 1 when the payload does not parse (as promtool does)', async () => {
    const r = await runInProcess(['lint', 'fixtures/python_client.om.txt', '--format', 'text']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^.+: line 46 column \d+: /);
  });
});

// ---------------------------------------------------------------------------
// scrape and serve, on 127.0.0.1 with free ports.

async function withServer(handler: http.RequestListener, fn: (base: string) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('promwire scrape', () => {
  const om = readFileSync(`${FIXTURES}python_client.om.txt`);
  const text = readFileSync(`${FIXTURES}python_client.prom`);
  const seen: Array<{ accept: string | undefined; auth: string | undefined; x: string | undefined }> = [];
  const exporter: http.RequestListener = (req, res) => {
    seen.push({ accept: req.headers.accept, auth: req.headers.authorization, x: req.headers['x-test'] as string | undefined });
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page\n');
      return;
    }
    if (req.url === '/slow') return; // never answers
    const wantOm = (req.headers.accept ?? '').includes('application/openmetrics-text');
    res.writeHead(200, {
      'content-type': wantOm ? 'application/openmetrics-text; version=1.0.0; charset=utf-8' : 'text/plain; version=0.0.4; charset=utf-8',
    });
    res.end(wantOm ? om : text);
  };

  it('asks for OpenMetrics as Prometheus does, and prints what was served re-encoded in its format', async () => {
    await withServer(exporter, async (base) => {
      seen.length = 0;
      const r = await runInProcess(['scrape', `${base}/metrics`, '--header', 'X-Test: yes', '--user', 'u:p:w']);
      expect(r.code).toBe(0);
      expect(seen[0]!.accept).toContain('application/openmetrics-text');
      expect(seen[0]!.x).toBe('yes');
      expect(seen[0]!.auth).toBe('Basic ' + Buffer.from('u:p:w').toString('base64'));
      expect(r.stderr).toMatch(
        /^promwire: http:\/\/127\.0\.0\.1:\d+\/metrics: 200, Content-Type "application\/openmetrics-text; version=1\.0\.0; charset=utf-8" read as openmetrics/,
      );
      expect(r.stdout.endsWith('# EOF\n')).toBe(true);
      const direct = await runInProcess(['convert', 'fixtures/python_client.om.txt', '--to', 'openmetrics']);
      expect(r.stdout).toBe(direct.stdout);
    });
  });

  it('--json prints the families as parse --json does; --to text re-encodes', async () => {
    await withServer(exporter, async (base) => {
      const r = await runInProcess(['scrape', `${base}/metrics`, '--json']);
      expect(r.code).toBe(0);
      const direct = await runInProcess(['parse', 'fixtures/python_client.om.txt', '--json']);
      expect(r.stdout).toBe(direct.stdout);
      const t = await runInProcess(['scrape', `${base}/metrics`, '--to', 'text']);
      expect(t.code).toBe(0);
      expect(t.stdout).not.toContain('# EOF');
      expect(t.stdout).toContain('demo_sent_bytes_total 61725\n');
    });
  });

  it('a non-2xx answer, a timeout and a refused connection exit 1 with a clear message', async () => {
    await withServer(exporter, async (base) => {
      const nf = await runInProcess(['scrape', `${base}/missing`]);
      expect(nf.code).toBe(1);
      expect(nf.stdout).toBe('');
      expect(nf.stderr).toMatch(/^promwire: .*404/);
      const slow = await runInProcess(['scrape', `${base}/slow`, '--timeout', '300']);
      expect(slow.code).toBe(1);
      expect(slow.stderr).toMatch(/^promwire: .*timeout of 300 ms/);
    });
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const refused = await runInProcess(['scrape', `http://127.0.0.1:${port}/metrics`, '--timeout', '2000']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^promwire: .*ECONNREFUSED/);
  });

  it('--body-limit refuses a larger body', async () => {
    await withServer(exporter, async (base) => {
      const r = await runInProcess(['scrape', `${base}/metrics`, '--body-limit', '100']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^promwire: .*100/);
    });
  });
});

describe('promwire serve', () => {
  it('serves a payload file on the given path until SIGTERM, negotiating the format', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        'fixtures/python_client.om.txt',
        '--port',
        '0',
        '--path',
        '/metric-service/metrics',
        '--user',
        'admin:s3cret',
        '--label',
        'site=lab 1',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const base = await new Promise<string>((resolve, reject) => {
        const onData = (): void => {
          const m = /serving fixtures\/python_client\.om\.txt at (http:\/\/127\.0\.0\.1:\d+)\/metric-service\/metrics\n/.exec(stderr);
          if (m !== null) resolve(m[1]!);
        };
        child.stderr.on('data', onData);
        child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
      });
      const auth = 'Basic ' + Buffer.from('admin:s3cret').toString('base64');
      const url = `${base}/metric-service/metrics`;

      const noAuth = await fetch(url);
      expect(noAuth.status).toBe(401);
      expect(noAuth.headers.get('www-authenticate')).toMatch(/^Basic /);

      const t = await fetch(url, { headers: { authorization: auth, accept: 'text/plain;version=0.0.4' } });
      expect(t.status).toBe(200);
      expect(t.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const tBody = await t.text();
      expect(tBody).toContain('demo_sent_bytes_total{site="lab 1"} 61725\n');

      const o = await fetch(url, { headers: { authorization: auth, accept: 'application/openmetrics-text;version=1.0.0' } });
      expect(o.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
      const oBody = await o.text();
      // The same families as the file, with the default label on every series.
      const served = jsonLines((await runInProcess(['parse', '--json'], oBody)).stdout) as unknown as FamilyJson[];
      const canonical = (await runInProcess(['convert', 'fixtures/python_client.om.txt', '--to', 'openmetrics'])).stdout;
      const direct = jsonLines((await runInProcess(['parse', '--json'], canonical)).stdout) as unknown as FamilyJson[];
      for (const f of direct) for (const smp of f.samples) smp.labels = { ...smp.labels, site: 'lab 1' };
      expect(served).toEqual(direct);

      const q = await fetch(`${url}?format=prometheus`, {
        headers: { authorization: auth, accept: 'application/openmetrics-text;version=1.0.0' },
      });
      expect(q.headers.get('content-type')).toMatch(/^text\/plain/);
      await q.text();

      const other = await fetch(`${base}/metrics`, { headers: { authorization: auth } });
      expect(other.status).toBe(404);
      await other.text();

      child.kill('SIGTERM');
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code).toBe(0);
      expect(stderr).toContain('SIGTERM, stopping');
    } finally {
      clearTimeout(killer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses to start on an invalid payload file, naming the position', async () => {
    const r = await runChild(['serve', 'fixtures/python_client.om.txt', '--format', 'text', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^.+: line 46 column \d+: /);
  });
});
