/**
 * Harness for the integration tests: free ports, temporary directories, real
 * programs started on 127.0.0.1 with every wait bounded, and everything
 * stopped at the end (`Cleanup.run()` in afterAll).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where .ci/sid-tools.sh keeps the programs it fetched from Debian sid
 * (Prometheus 3.5.3, promtool 3.5.3, Pushgateway 1.11.2, node_exporter
 * 1.11.1, VictoriaMetrics 1.145): `$PROMWIRE_TOOLS/bin`, default
 * /var/cache/promwire-tools/bin.
 */
export const TOOLS_DIR = process.env['PROMWIRE_TOOLS'] ?? '/var/cache/promwire-tools';

/** The programs of .ci/sid-tools.sh, by the names it links them under in `$PROMWIRE_TOOLS/bin`. */
export type ToolName = 'prometheus' | 'promtool' | 'pushgateway' | 'node_exporter' | 'victoria-metrics' | 'go';

/**
 * The path of a program fetched by .ci/sid-tools.sh; throws, naming the
 * command that fetches it, when it is missing (the tests are never skipped).
 */
export function tool(name: ToolName): string {
  const file = path.join(TOOLS_DIR, 'bin', name);
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: run 'bash .ci/sid-tools.sh' (fetches Prometheus 3.5.3, promtool, Pushgateway 1.11.2, ` +
        `Go 1.26 and the client_golang sources from Debian sid into ${TOOLS_DIR}; set PROMWIRE_TOOLS to use another folder)`,
    );
  }
  return file;
}

/**
 * The programs the tests run. The default Prometheus, promtool and
 * Pushgateway are sid's (resolved when first used, so a missing one fails
 * the test that needs it with the setup command). `prometheus242` is Debian
 * 12's Prometheus 2.42, kept only for the tests of behaviour that differs on
 * 2.x and matters to users still on it.
 */
export const BIN = {
  get prometheus(): string {
    return tool('prometheus');
  },
  get promtool(): string {
    return tool('promtool');
  },
  get pushgateway(): string {
    return tool('pushgateway');
  },
  prometheus242: '/usr/bin/prometheus',
  python: '/usr/bin/python3',
};

/** Fails with a clear message when a program is missing (the tests are never skipped). */
export function requireBinary(file: string): void {
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: run 'bash .ci/integration-setup.sh' (installs Debian 12's prometheus 2.42 and ` +
        `python3-prometheus-client, and runs .ci/sid-tools.sh)`,
    );
  }
}

/** Things to undo at the end, in reverse order; each bounded and never throwing. */
export class Cleanup {
  private readonly tasks: (() => Promise<void>)[] = [];

  add(task: () => Promise<void> | void): void {
    this.tasks.push(async () => {
      await task();
    });
  }

  async run(): Promise<void> {
    while (this.tasks.length > 0) {
      const t = this.tasks.pop()!;
      try {
        await withTimeout(t(), 15_000, 'cleanup step');
      } catch (err) {
        console.error('cleanup:', err);
      }
    }
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    }),
  ]);
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A fresh temporary directory, removed by `cleanup`. */
export async function tempDir(cleanup: Cleanup, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `promwire-${prefix}-`));
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}` +
          (last !== undefined ? `; last error: ${last instanceof Error ? last.message : String(last)}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET a URL with a bounded wait; resolves status and body text. */
export function httpGet(
  url: string,
  timeoutMs = 5000,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** The last 64 KiB of the process' stdout and stderr. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts a program and registers its stop with `cleanup`; the caller waits for readiness. */
export function startProcess(cleanup: Cleanup, file: string, args: string[], cwd?: string): RunningProcess {
  requireBinary(file);
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (b: Buffer): void => {
    log += b.toString('utf8');
    if (log.length > 65536) log = log.slice(-65536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitedP = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitedP;
    clearTimeout(timer);
  };
  cleanup.add(stop);
  return { child, log: () => log, stop };
}

/** Waits until `url` answers 200, failing early (with the log) if the process exits. */
export async function waitReady(proc: RunningProcess, url: string, timeoutMs: number, what: string): Promise<void> {
  await waitFor(
    `${what} at ${url}`,
    async () => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
        throw new Error(`${what} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.log()}`);
      }
      const r = await httpGet(url, 2000);
      return r.status === 200;
    },
    timeoutMs,
    100,
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ${what} log ---\n${proc.log().slice(-4000)}`);
  });
}

/** Serves a node:http handler on 127.0.0.1 on a free port; closed by `cleanup`. */
export async function serve(cleanup: Cleanup, handler: http.RequestListener): Promise<{ server: http.Server; port: number; base: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { server, port, base: `http://127.0.0.1:${port}` };
}

export interface Prometheus {
  base: string;
  proc: RunningProcess;
  /** GET an HTTP API path (e.g. `/api/v1/metadata`); returns `data`, throwing unless `status` is success. */
  api<T>(apiPath: string): Promise<T>;
  /** Runs an instant query; returns the vector's [labels, value] pairs. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** The active targets of a job. */
  targets(
    job: string,
  ): Promise<{ health: string; lastError: string; lastScrapeDuration: number; scrapeUrl: string; labels: Record<string, string> }[]>;
}

/**
 * Starts a real Prometheus (by default sid's 3.5.3) on a free port with its
 * own storage, with the given scrape configs (YAML list items, already
 * indented by 2 spaces).
 */
export async function startPrometheus(
  cleanup: Cleanup,
  scrapeConfigsYaml: string,
  scrapeInterval = '1s',
  binary: string = BIN.prometheus,
  /** More command-line flags, e.g. `--enable-feature=native-histograms`. */
  extraArgs: string[] = [],
): Promise<Prometheus> {
  requireBinary(binary);
  const dir = await tempDir(cleanup, 'prometheus');
  const port = await freePort();
  const config =
    `global:\n  scrape_interval: ${scrapeInterval}\n  scrape_timeout: ${scrapeInterval}\n` + `scrape_configs:\n${scrapeConfigsYaml}`;
  await writeFile(path.join(dir, 'prometheus.yml'), config);
  const proc = startProcess(
    cleanup,
    binary,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...extraArgs,
    ],
    dir,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${base}/-/ready`, 60_000, 'prometheus');
  const api = async <T>(p: string): Promise<T> => {
    const r = await httpGet(base + p, 30_000);
    if (r.status !== 200) throw new Error(`prometheus ${p}: HTTP ${r.status}: ${r.body.slice(0, 500)}`);
    const j = JSON.parse(r.body) as { status: string; data: T; error?: string };
    if (j.status !== 'success') throw new Error(`prometheus ${p}: ${j.error ?? r.body.slice(0, 500)}`);
    return j.data;
  };
  return {
    base,
    proc,
    api,
    async query(expr) {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map((r) => ({ metric: r.metric, value: parsePromValue(r.value[1]) }));
    },
    async targets(job) {
      const data = await api<{
        activeTargets: {
          health: string;
          lastError: string;
          lastScrapeDuration: number;
          scrapeUrl: string;
          labels: Record<string, string>;
          scrapePool: string;
        }[];
      }>('/api/v1/targets?state=active');
      return data.activeTargets.filter((t) => t.labels['job'] === job || t.scrapePool === job);
    },
  };
}

/** Prometheus' API spells values as strings: "NaN", "+Inf", "-Inf", decimals. */
export function parsePromValue(s: string): number {
  if (s === 'NaN') return NaN;
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Starts a real Pushgateway on a free port with no persistence. */
export async function startPushgateway(cleanup: Cleanup): Promise<{ base: string; proc: RunningProcess }> {
  requireBinary(BIN.pushgateway);
  const dir = await tempDir(cleanup, 'pushgateway');
  const port = await freePort();
  const proc = startProcess(
    cleanup,
    BIN.pushgateway,
    [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'],
    dir,
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(proc, `${base}/-/ready`, 30_000, 'pushgateway');
  return { base, proc };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with a file on stdin, bounded to 120 s. */
export function runWithStdin(file: string, args: string[], stdinFile: string): Promise<Run> {
  requireBinary(file);
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `exec "$0" "$@" < "${stdinFile}"`, file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file}: no exit within 120 s`));
    }, 120_000);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/**
 * Go's strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form
 * when the exponent is below -4 or at least 6 (strconv/ftoa.go: eprec = 6 for
 * the shortest form). Checked against 3.5.3: le="1234567" is stored as
 * "1.234567e+06", le="123456" as "123456.0", le="1e-5" as "1e-05".
 */
function goFormatG(f: number): string {
  const [mant, expStr] = f.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const digits = exp < 0 ? `-${String(-exp).padStart(2, '0')}` : `+${String(exp).padStart(2, '0')}`;
    return `${mant}e${digits}`;
  }
  return String(f);
}

/** model/labels FormatOpenMetricsFloat: Go's shortest 'g' form, with ".0" added when it has no "." or "e". */
export function formatOpenMetricsFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const s = goFormatG(f);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** normalizeFloatsInLabelValues: `le` of a histogram and `quantile` of a summary, when they parse as floats (Go ParseFloat). */
export function normalizeLabel(type: string, name: string, value: string): string {
  if ((type === 'histogram' && name === 'le') || (type === 'summary' && name === 'quantile')) {
    const t = value.trim();
    if (t !== value || t === '' || /[pP_xX]/.test(t)) return value;
    const lower = t.toLowerCase();
    const f =
      lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity'
        ? Infinity
        : lower === '-inf' || lower === '-infinity'
          ? -Infinity
          : lower === 'nan'
            ? NaN
            : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)
              ? Number(t)
              : undefined;
    if (f !== undefined) return formatOpenMetricsFloat(f);
  }
  return value;
}

/** The Go reference programs of test/integration/go/ (our own code, built against Debian sid's client_golang). */
export type GoProgramName = 'nh-observe' | 'expfmt-decode' | 'summary-observe' | 'snappy-decode';

const GO_SOURCES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'go');
const goBuilds = new Map<GoProgramName, Promise<string>>();

/**
 * Builds test/integration/go/NAME/main.go with Debian sid's Go
 * (`$PROMWIRE_TOOLS/bin/go`, the GOPATH-mode wrapper .ci/sid-tools.sh writes)
 * and resolves the binary's path. The binary is kept in
 * `$TMPDIR/promwire-go/NAME-HASH`, HASH covering the sources and the pinned
 * Go package versions, so each test run builds a program at most once (and
 * not at all while nothing changed); a concurrent build of the same program
 * is harmless (each writes its own file, then renames). Fails, naming the
 * setup command, when the toolchain is missing or the build fails.
 */
export function goProgram(name: GoProgramName): Promise<string> {
  let p = goBuilds.get(name);
  if (p === undefined) {
    p = buildGoProgram(name);
    goBuilds.set(name, p);
  }
  return p;
}

async function buildGoProgram(name: GoProgramName): Promise<string> {
  const go = tool('go');
  const versionsFile = path.join(TOOLS_DIR, 'go', 'VERSIONS');
  if (!existsSync(versionsFile)) {
    throw new Error(`${versionsFile} is missing: run 'bash .ci/sid-tools.sh' (fetches Go 1.26 and client_golang from Debian sid)`);
  }
  const dir = path.join(GO_SOURCES, name);
  const hash = createHash('sha256').update(readFileSync(versionsFile));
  for (const f of (await readdir(dir)).filter((f) => f.endsWith('.go')).sort()) {
    hash.update(f).update(readFileSync(path.join(dir, f)));
  }
  const outDir = path.join(os.tmpdir(), 'promwire-go');
  const out = path.join(outDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(out)) return out;
  await mkdir(outDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const r = await runProgram(go, ['build', '-o', tmp, '.'], '', { cwd: dir, timeoutMs: 300_000 });
  if (r.code !== 0) {
    throw new Error(
      `building test/integration/go/${name} with ${go} failed (exit ${r.code}); ` +
        `run 'bash .ci/sid-tools.sh' if the Go toolchain or sources are missing:\n${r.stderr}`,
    );
  }
  await rename(tmp, out);
  return out;
}

export interface BinaryRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a program with `input` on stdin, bounded (default 120 s); stdout as bytes. */
export function runProgram(
  file: string,
  args: string[],
  input: string | Uint8Array,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<BinaryRun> {
  requireBinary(file);
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr });
    });
    // A program that exits before reading all its input closes the pipe; its exit status tells.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Runs a Go reference program; throws with its stderr unless it exits 0. */
export async function runGo(name: GoProgramName, args: string[], input: string | Uint8Array): Promise<Buffer> {
  const file = await goProgram(name);
  const r = await runProgram(file, args, input);
  if (r.code !== 0) throw new Error(`${name} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}
