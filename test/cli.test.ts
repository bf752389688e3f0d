import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../src/cli/args.js';
import { run } from '../src/cli/cli.js';
import type { CliIO } from '../src/cli/io.js';
import { familyToJson, writeFamiliesJson } from '../src/cli/json.js';
import type { MetricFamily } from '../src/model.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = `${ROOT}fixtures/`;

// ---------------------------------------------------------------------------
// Helpers: the CLI in-process (fake IO) and as a child process.

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function runInProcess(argv: string[], stdin = ''): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdin: (async function* () {
      if (stdin !== '') yield Buffer.from(stdin, 'utf8');
    })(),
    out: (c) => out.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')),
    err: (c) => err.push(c),
  };
  const code = await run(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

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
    name: 'http_requests',
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
        exemplar: { labels: { trace_id: 'KOO5S4vxi0o' }, value: 1e-5, timestamp: 1520879607789.5 },
      },
      { name: 'http_requests_created', labels: {}, value: 1520430000.123, timestamp: null },
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
  { name: 'empty', type: 'untyped', help: 'no samples', unit: '', samples: [] },
];

describe('JSON printer', () => {
  it('writes the exact shape and key order of issue 2', () => {
    expect(familyToJson(FAMILIES[0]!)).toBe(
      '{"name":"http_requests","type":"counter","help":"Requests \\"served\\"\\nby code","samples":[' +
        '{"name":"http_requests_total","labels":{"code":"200","method":"get"},"value":"1e+06","timestamp_ms":null},' +
        '{"name":"http_requests_total","labels":{"code":"500","path":"a\\\\b\\"c\\nd","label.utf8":"ü→"},"value":"0.0001","timestamp_ms":1520879607789,' +
        '"exemplar":{"labels":{"trace_id":"KOO5S4vxi0o"},"value":"1e-05","timestamp_ms":1520879607789.5}},' +
        '{"name":"http_requests_created","labels":{},"value":"1.520430000123e+09","timestamp_ms":null}]}',
    );
  });

  it('writes unit only when non-empty and spells every float special as Go does', () => {
    const o = JSON.parse(familyToJson(FAMILIES[1]!)) as { unit?: string; samples: Array<{ value: string; timestamp_ms: unknown }> };
    expect(o.unit).toBe('celsius');
    expect(o.samples.map((s) => s.value)).toEqual(['NaN', '+Inf', '-Inf', '-0', '123456', '1.5e-07']);
    expect(o.samples[0]!.timestamp_ms).toBe(-5);
    expect('unit' in (JSON.parse(familyToJson(FAMILIES[0]!)) as object)).toBe(false);
    expect('exemplar' in (JSON.parse(familyToJson(FAMILIES[1]!)) as { samples: object[] }).samples[0]!).toBe(false);
  });

  it('writes one JSON array with one family per line', () => {
    let out = '';
    writeFamiliesJson(FAMILIES, (s) => (out += s));
    const fams = jsonLines(out);
    expect(fams.map((f) => f['name'])).toEqual(['http_requests', 'temp', 'empty']);
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
    [['parse', '--format', 'xml'], /invalid value 'xml' for --format \(expected one of: auto, text, openmetrics\)/],
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
