/**
 * The commands. Each reads its input, calls the library, and prints; each
 * returns its exit status or throws (a `UsageError` or a `PromwireError`,
 * turned into a message and a status by cli.ts).
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { isEscapingScheme, type EscapingScheme } from '../core/names.js';
import { encode } from '../encode/encoder.js';
import { PromwireError } from '../errors.js';
import type { MetricFamily } from '../model/index.js';
import { parse } from '../parse/families.js';
import { createNodeHandler } from '../toolkit/handler.js';
import { formatFindings, lint, promtoolReadError } from '../toolkit/lint.js';
import { HttpError } from '../toolkit/http.js';
import { scrape, scrapeProtocol, type ScrapeResult } from '../toolkit/scrape.js';
import { UsageError, basicAuthFlag, headerFlags, integerFlag, labelFlags, proxyFlags, tlsFlags, type Flags } from './args.js';
import { checkBinaryOut, emit, formatFlag, inputError, parseInput, payloadFormat, startServing, toFlag, warner } from './common.js';
import { formatReport, inspect, type InspectOptions, type InspectReport } from './inspect.js';
import { BatchWriter, Progress, readInput, type CliIO, type Input } from './io.js';
import { writeFamiliesJson } from './json.js';
import { checkRemoteWriteUrl, forwardScrape } from './remote-write.js';

/**
 * `parse [FILE|-] [--format F] [--json] [--lenient]`. The whole payload is
 * parsed before anything is printed (not streamed), so that an invalid
 * payload leaves stdout empty: a reader never sees half an array.
 */
export async function runParse(file: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  const limit = integerFlag('parse', flags, 'body-limit', { min: 1, max: Number.MAX_SAFE_INTEGER });
  const input = await readInput('parse', file, io, limit, formatFlag(flags));
  const { families, skipped } = parseInput(input, flags, io);
  const w = new BatchWriter((s) => io.out(s));
  if (flags['json'] === true) writeFamiliesJson(families, (s) => w.push(s));
  else writeSummary(families, (s) => w.push(s));
  w.flush();
  // The exit status is 0 only when the whole payload parsed.
  return skipped > 0 ? 1 : 0;
}

/** The human form of `parse`: one line per family (type, samples, name, help), then totals. */
function writeSummary(families: MetricFamily[], write: (s: string) => void): void {
  let samples = 0;
  let nameWidth = 4;
  for (const f of families) nameWidth = Math.max(nameWidth, Math.min(60, f.name.length));
  write(`${'TYPE'.padEnd(14)} ${'SAMPLES'.padStart(7)}  ${'NAME'.padEnd(nameWidth)}  HELP\n`);
  for (const f of families) {
    samples += f.samples.length;
    const help = f.help.length > 80 ? f.help.slice(0, 77) + '...' : f.help;
    const unit = f.unit === '' ? '' : ` [unit: ${f.unit}]`;
    // JSON-quote the help text so that a line feed in it cannot break the one-line-per-family layout.
    const shown = JSON.stringify(help).slice(1, -1);
    write(`${f.type.padEnd(14)} ${String(f.samples.length).padStart(7)}  ${f.name.padEnd(nameWidth)}  ${shown}${unit}\n`);
  }
  write(`${families.length} families, ${samples} samples\n`);
}

/** `inspect [FILE|-] [--format F] [--json] [--bench]` */
export async function runInspect(file: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  const input = await readInput('inspect', file, io, undefined, formatFlag(flags));
  const source = input.source === '-' ? '(stdin)' : input.source;
  const progress = new Progress(io);
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  let report: InspectReport;
  try {
    report = await inspectOrExplain(input, {
      format: formatFlag(flags),
      source,
      bench: flags['bench'] === true,
      onProgress: (p) =>
        progress.update(
          p.phase === 'count'
            ? `promwire: inspect ${source}: ${mb(p.done)} of ${mb(p.total)} MB read`
            : `promwire: inspect ${source}: timing the parsers (${p.done} of ${p.total})`,
        ),
    });
  } finally {
    progress.done();
  }
  io.out(flags['json'] === true ? JSON.stringify(report) + '\n' : formatReport(report));
  return 0;
}

/** `inspect`, with a payload error tied to the input (an `InputError`). */
async function inspectOrExplain(input: Input, opts: InspectOptions): Promise<InspectReport> {
  try {
    return await inspect(input.bytes, opts);
  } catch (e) {
    throw inputError(e, input.source, input.bytes);
  }
}

/** `convert [FILE|-] --to F [--from F] [--escaping S] [-o FILE]` */
export async function runConvert(file: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  const to = toFlag(flags);
  if (to === undefined) throw new UsageError('missing --to text|openmetrics|protobuf', 'convert');
  checkBinaryOut('convert', to, flags, io);
  const input = await readInput('convert', file, io, undefined, formatFlag(flags, 'from'));
  const { families } = parseInput(input, flags, io, 'from');
  const escaping = flags['escaping'];
  const bytes = encode(families, {
    format: to,
    escaping: isEscapingScheme(String(escaping)) ? (escaping as EscapingScheme) : 'allow-utf-8',
    onWarning: warner(io),
  });
  await emit(bytes, flags, io);
  return 0;
}

/**
 * `lint [FILE|-] [--format F] [--structural]`: the exit statuses of promtool
 * 3.5.3 `check metrics` (cmd/promtool/main.go CheckMetrics): 0 clean, 3
 * findings, 1 when the payload cannot be read, which for promtool 3.5.3
 * includes a name outside the legacy character set and a family's HELP or
 * TYPE line repeated (lint.ts promtoolReadError). `--structural` adds
 * promwire's own checks (not promtool's).
 */
export async function runLint(file: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  const input = await readInput('lint', file, io, undefined, formatFlag(flags));
  const { families } = parseInput(input, flags, io);
  const unreadable = promtoolReadError(families);
  if (unreadable !== undefined) {
    io.err(`promwire: lint: ${unreadable} (promtool 3.5.3 cannot read this payload, so it does not lint it)\n`);
    return 1;
  }
  const findings = lint(families, { structural: flags['structural'] === true });
  if (findings.length === 0) return 0;
  io.out(formatFindings(findings));
  return 3;
}

/** `scrape URL [--json | --to F] [--format F] [--protocols P,...] [--timeout MS] [--header "K: V"]... [--user U:P] [--body-limit B] [-o FILE]` */
export async function runScrape(url: string, flags: Flags, io: CliIO): Promise<number> {
  if (flags['json'] === true && flags['to'] !== undefined) {
    throw new UsageError('--json and --to cannot be used together', 'scrape');
  }
  const asked = formatFlag(flags);
  let protocols: string[] | undefined;
  if (typeof flags['protocols'] === 'string') {
    protocols = flags['protocols'].split(',').map((p) => p.trim());
    try {
      for (const p of protocols) scrapeProtocol(p);
    } catch (e) {
      throw new UsageError(`invalid --protocols: ${e instanceof Error ? e.message.replace(/^scrape: /, '') : String(e)}`, 'scrape');
    }
  }
  // Refuse binary for a terminal before the request: asked for with --to,
  // or the protobuf that --format protobuf asks for and no --to/--json rewrites.
  // With --remote-write and neither --json nor --to, nothing is printed.
  const forwardTo =
    typeof flags['remote-write'] === 'string' ? checkRemoteWriteUrl('scrape', flags['remote-write'], '--remote-write') : undefined;
  const forward = forwardTo !== undefined;
  if (flags['json'] !== true && !(forward && flags['to'] === undefined))
    checkBinaryOut('scrape', toFlag(flags) ?? (asked === 'protobuf' && protocols === undefined ? 'protobuf' : undefined), flags, io);
  try {
    new URL(url);
  } catch {
    throw new UsageError(`invalid URL '${url}' (expected e.g. http://127.0.0.1:9100/metrics)`, 'scrape');
  }
  const timeout = integerFlag('scrape', flags, 'timeout', { min: 1, max: 2 ** 31 - 1 });
  const bodyLimit = integerFlag('scrape', flags, 'body-limit', { min: 1, max: Number.MAX_SAFE_INTEGER });
  const basicAuth = basicAuthFlag('scrape', flags);
  const tls = tlsFlags('scrape', flags);
  const proxy = proxyFlags('scrape', flags);
  if (!forward && (flags['rw-version'] !== undefined || flags['rw-fallback'] === true)) {
    throw new UsageError('--rw-version and --rw-fallback go with --remote-write URL', 'scrape');
  }
  const scrapedAt = Date.now();
  let res: ScrapeResult;
  try {
    res = await scrape(url, {
      headers: headerFlags('scrape', flags),
      format: asked,
      ...(protocols !== undefined ? { protocols } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      ...(bodyLimit !== undefined ? { bodyLimit } : {}),
      ...(basicAuth !== undefined ? { basicAuth } : {}),
      ...(tls !== undefined ? { tls } : {}),
      ...(proxy !== undefined ? { proxy } : {}),
    });
  } catch (e) {
    // A payload error names the URL; an HTTP failure's message already does.
    throw e instanceof PromwireError && !(e instanceof HttpError) && e.line > 0 ? inputError(e, url, undefined) : e;
  }
  let samples = 0;
  let native = 0;
  for (const f of res.families) {
    samples += f.samples.length;
    for (const x of f.samples) if (typeof x.value !== 'number') native++;
  }
  io.err(
    `promwire: ${res.url}: ${res.status}, Content-Type "${res.contentType}" read as ${res.format}, ` +
      `${res.bytes} bytes, ${res.families.length} families, ${samples} samples` +
      `${native > 0 ? ` (${native} native histogram${native === 1 ? '' : 's'})` : ''}\n`,
  );
  if (forwardTo !== undefined) {
    await forwardScrape(forwardTo, res.families, scrapedAt, flags, io);
    if (flags['json'] !== true && flags['to'] === undefined) return 0;
  }
  if (flags['json'] === true) {
    const w = new BatchWriter((s) => io.out(s));
    writeFamiliesJson(res.families, (s) => w.push(s));
    w.flush();
    return 0;
  }
  const to = toFlag(flags) ?? res.format;
  checkBinaryOut('scrape', to, flags, io);
  await emit(encode(res.families, { format: to, onWarning: warner(io) }), flags, io);
  return 0;
}

/** `serve FILE --port N [--path P] [--host H] [--user U:P] [--label N=V]... [--format F]`: runs until SIGINT or SIGTERM. */
export async function runServe(file: string, flags: Flags, io: CliIO): Promise<number> {
  const port = integerFlag('serve', flags, 'port', { min: 0, max: 65535 });
  if (port === undefined) throw new UsageError('missing --port N', 'serve');
  const path = typeof flags['path'] === 'string' ? flags['path'] : '/metrics';
  if (!path.startsWith('/')) throw new UsageError(`invalid --path '${path}' (expected it to start with "/")`, 'serve');
  const host = typeof flags['host'] === 'string' ? flags['host'] : '127.0.0.1';
  const basicAuth = basicAuthFlag('serve', flags);
  const defaultLabels = labelFlags('serve', flags);
  const load = async (): Promise<MetricFamily[]> => {
    const bytes = await readFile(file);
    try {
      return parse(bytes, { format: payloadFormat(flags, bytes) });
    } catch (e) {
      throw inputError(e, file, bytes);
    }
  };
  // Check the payload once before listening, so a bad file fails fast with its position.
  await load();

  const handler = createNodeHandler({
    path,
    // Re-read on every scrape, so editing the file changes what is served.
    collect: load,
    defaultLabels,
    // A scrape that fails (the file became invalid or was removed) is a 500 for the scraper and a line here.
    onError: (e) => io.err(`promwire: scrape failed: ${e instanceof Error ? e.message : String(e)}\n`),
    // What a scraper's format cannot hold: once per family and reason (the handler dedupes).
    onWarning: (m) => io.err(`promwire: warning: ${m}\n`),
    ...(basicAuth !== undefined ? { basicAuth } : {}),
  });
  const server = http.createServer(handler);
  const serving = await startServing(server, port, host, io, (origin) => `serving ${file} at ${origin}${path}`);
  return await serving.stopped;
}
