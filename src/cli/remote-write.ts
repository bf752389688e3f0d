/**
 * The remote-write commands: `remote-write FILE --url URL` sends a payload
 * file, `scrape URL --remote-write URL` forwards a scrape, and `receive`
 * listens and prints every request that arrives (what a Prometheus sends,
 * say). The library does the protocol (src/remote-write, the client and
 * the receiver in src/toolkit); this file wires flags to it and prints.
 */
import http from 'node:http';
import { formatFloat } from '../core/number.js';
import type { MetricFamily } from '../model/index.js';
import { writeRequestFamilies } from '../remote-write/index.js';
import type { WriteRequestData, WriteSeries } from '../remote-write/index.js';
import { remoteWrite } from '../toolkit/remote-write-client.js';
import type { RemoteWriteOptions, RemoteWriteResult } from '../toolkit/remote-write-client.js';
import { createRemoteWriteHandler } from '../toolkit/remote-write-handler.js';
import type { RemoteWriteVersion } from '../toolkit/remote-write-protocol.js';
import { UsageError, basicAuthFlag, headerFlags, integerFlag } from './args.js';
import type { CommandName, Flags } from './args.js';
import { formatFlag, parseInput, startServing, warner } from './common.js';
import type { Serving } from './common.js';
import { BatchWriter, readInput } from './io.js';
import type { CliIO } from './io.js';
import { familyToJson, histogramJson } from './json.js';

/** A URL flag, checked: http or https (a usage error otherwise). */
export function checkRemoteWriteUrl(command: CommandName, value: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`invalid ${flag} '${value}' (expected e.g. http://127.0.0.1:9090/api/v1/write)`, command);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`invalid ${flag} '${value}' (expected an http or https URL)`, command);
  }
  return value;
}

/** The client options the flags of `remote-write` (and `scrape --remote-write`, through `prefix`) give. */
function clientOptions(command: CommandName, flags: Flags, version: string | undefined): RemoteWriteOptions {
  const timeout = integerFlag(command, flags, 'timeout', { min: 1, max: 2 ** 31 - 1 });
  const retries = integerFlag(command, flags, 'retries', { min: 0, max: 100 });
  const max = integerFlag(command, flags, 'max-samples', { min: 1, max: 2 ** 31 - 1 });
  const timestamp = integerFlag(command, flags, 'timestamp', { min: 0, max: Number.MAX_SAFE_INTEGER });
  const basicAuth = basicAuthFlag(command, flags);
  const token = flags['bearer-token'];
  if (basicAuth !== undefined && typeof token === 'string') {
    throw new UsageError('--user and --bearer-token cannot be used together', command);
  }
  return {
    version: version === '2.0' ? '2.0' : '1.0',
    fallback: flags['fallback'] === true,
    headers: headerFlags(command, flags),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(max !== undefined ? { maxSamplesPerRequest: max } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(basicAuth !== undefined ? { basicAuth } : {}),
    ...(typeof token === 'string' ? { bearerToken: token } : {}),
  };
}

/** One line on stderr saying what was sent and what the receiver said. */
function describeResult(r: RemoteWriteResult): string {
  const s = r.sent;
  const written =
    r.written === undefined
      ? ''
      : `; the receiver wrote ${r.written.samples} samples, ${r.written.histograms} histograms, ${r.written.exemplars} exemplars`;
  return (
    `promwire: remote write ${r.version}${r.fellBack ? ' (fell back from 2.0)' : ''} to ${r.url}: ${r.status}, ` +
    `${s.samples} samples, ${s.histograms} histograms, ${s.exemplars} exemplars in ${r.requests} request${r.requests === 1 ? '' : 's'} ` +
    `(${r.bytes} bytes snappy, ${r.uncompressedBytes} uncompressed${r.retries > 0 ? `, ${r.retries} retries` : ''})${written}\n`
  );
}

/**
 * `remote-write [FILE|-] --url URL [--version 1.0|2.0] [--format F] ...`:
 * parses the payload (as `parse` does: the format flag, or sniffed) and
 * sends its families. Samples without a timestamp get the time of the
 * call (`--timestamp MS` to choose).
 */
export async function runRemoteWrite(file: string | undefined, flags: Flags, io: CliIO): Promise<number> {
  const url = flags['url'];
  if (typeof url !== 'string') throw new UsageError('missing --url URL', 'remote-write');
  checkRemoteWriteUrl('remote-write', url, '--url');
  const options = clientOptions('remote-write', flags, flags['version'] as string | undefined);
  const input = await readInput('remote-write', file, io, undefined, formatFlag(flags));
  const { families } = parseInput(input, flags, io);
  const r = await remoteWrite(url, families, options);
  io.err(describeResult(r));
  auditRemoteWrite(families, r.version, warner(io));
  return 0;
}

/**
 * What the remote-write request could not carry, said on stderr once per
 * family (as `convert` says what a format drops): 1.0 has no start
 * timestamps (2.0's `created_timestamp` has), and both take integer
 * milliseconds (Prometheus truncates: from-families.ts wholeMillis).
 */
function auditRemoteWrite(families: readonly MetricFamily[], version: RemoteWriteVersion, warn: (m: string) => void): void {
  for (const f of families) {
    let starts = 0;
    let fractional = 0;
    for (const x of f.samples) {
      if (x.startTimestamp !== undefined) starts++;
      if (x.timestamp !== null && !Number.isInteger(x.timestamp)) fractional++;
    }
    const name = JSON.stringify(f.name);
    const n = (k: number): string => `${k} sample${k === 1 ? '' : 's'}`;
    if (version === '1.0' && starts > 0) warn(`${name}: start timestamps dropped: remote write 1.0 has none (2.0 has; ${n(starts)})`);
    if (fractional > 0)
      warn(`${name}: timestamps truncated to whole milliseconds: remote write timestamps are integers (${n(fractional)})`);
  }
}

/**
 * `scrape URL --remote-write URL [--rw-version V] [--rw-fallback]`: sends what the scrape read
 * to `url` (the --remote-write URL, which runScrape checked before the scrape); see runScrape.
 */
export async function forwardScrape(
  url: string,
  families: readonly MetricFamily[],
  scrapedAt: number,
  flags: Flags,
  io: CliIO,
): Promise<void> {
  const version = flags['rw-version'];
  const r = await remoteWrite(url, families, {
    version: version === '2.0' ? '2.0' : '1.0',
    fallback: flags['rw-fallback'] === true,
    // As Prometheus stamps a scrape: samples without a timestamp get the scrape's time.
    timestamp: scrapedAt,
  });
  io.err(describeResult(r));
  auditRemoteWrite(families, r.version, warner(io));
}

/** `HOST:PORT` (`[v6]:PORT` for IPv6), or just `PORT` for 127.0.0.1. */
function listenFlag(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new UsageError(`invalid --listen '${value}' (expected HOST:PORT, e.g. 127.0.0.1:9201)`, 'receive');
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/** The versions `--versions` accepts: `1.0`, `2.0` or `1.0,2.0`. */
function versionsFlag(flags: Flags): RemoteWriteVersion[] {
  const v = flags['versions'];
  if (typeof v !== 'string') return ['1.0', '2.0'];
  const out: RemoteWriteVersion[] = [];
  for (const p of v.split(',').map((x) => x.trim())) {
    if (p !== '1.0' && p !== '2.0') throw new UsageError(`invalid --versions '${v}' (expected 1.0, 2.0 or 1.0,2.0)`, 'receive');
    out.push(p);
  }
  return out;
}

/** `name{a="1",b="2"}`: a series as Prometheus prints it (label values JSON-quoted). */
function seriesName(s: WriteSeries): string {
  const parts: string[] = [];
  for (const k in s.labels) if (k !== '__name__') parts.push(`${k}=${JSON.stringify(s.labels[k])}`);
  return parts.length === 0 ? s.name : `${s.name}{${parts.join(',')}}`;
}

/**
 * The human form of one request: a `#` line saying what arrived, then for
 * each series its metadata (2.0) and one line per sample, `series value
 * timestamp_ms` as in the text format, a native histogram's value as the
 * JSON object of `parse --json`.
 */
function writeRequestText(data: WriteRequestData, bytes: number, write: (s: string) => void): void {
  let samples = 0;
  let histograms = 0;
  let exemplars = 0;
  for (const s of data.series) {
    samples += s.samples.length;
    histograms += s.histograms.length;
    exemplars += s.exemplars.length;
  }
  write(
    `# remote write ${data.version}: ${data.series.length} series, ${samples} samples, ${histograms} histograms, ` +
      `${exemplars} exemplars, ${bytes} bytes\n`,
  );
  for (const m of data.metadata) {
    write(`# metadata ${m.familyName} ${m.type}${m.unit !== '' ? ` unit=${m.unit}` : ''} ${JSON.stringify(m.help)}\n`);
  }
  for (const s of data.series) {
    const name = seriesName(s);
    const md = s.metadata;
    if (md !== undefined) write(`# metadata ${name} ${md.type}${md.unit !== '' ? ` unit=${md.unit}` : ''} ${JSON.stringify(md.help)}\n`);
    if (s.startTimestamp !== undefined) write(`# start ${name} ${s.startTimestamp}\n`);
    for (const x of s.samples) write(`${name} ${formatFloat(x.value)} ${x.timestamp}\n`);
    for (const x of s.histograms) write(`${name} ${JSON.stringify(histogramJson(x.value))} ${x.timestamp}\n`);
    for (const e of s.exemplars) {
      write(`# exemplar ${name} ${JSON.stringify(e.labels)} ${formatFloat(e.value)}${e.timestamp !== null ? ` ${e.timestamp}` : ''}\n`);
    }
  }
}

/**
 * `receive --listen HOST:PORT [--path P] [--json] [--versions V] [--max-requests N]`:
 * a remote-write receiver that prints what arrives, until SIGINT or SIGTERM
 * (or N requests). Answers as Prometheus 3.5's receiver does (204, and for
 * 2.0 the written-count headers; 400/413/415 for what it refuses, said on
 * stderr). `--json`: each request as families, one JSON object a line, in
 * the form of `parse --json` (writeRequestFamilies: type, help and unit
 * from the request's metadata).
 */
export async function runReceive(flags: Flags, io: CliIO): Promise<number> {
  const listen = flags['listen'];
  if (typeof listen !== 'string') throw new UsageError('missing --listen HOST:PORT', 'receive');
  const { host, port } = listenFlag(listen);
  const path = flags['path'];
  if (typeof path === 'string' && !path.startsWith('/')) {
    throw new UsageError(`invalid --path '${path}' (expected it to start with "/")`, 'receive');
  }
  const maxRequests = integerFlag('receive', flags, 'max-requests', { min: 1, max: Number.MAX_SAFE_INTEGER });
  const maxDecoded = integerFlag('receive', flags, 'max-decoded-bytes', { min: 1, max: 2 ** 31 - 1 });
  const json = flags['json'] === true;
  let count = 0;
  let serving: Serving | undefined;
  const handler = createRemoteWriteHandler(
    (data, info) => {
      const w = new BatchWriter((s) => io.out(s));
      if (json) for (const f of writeRequestFamilies(data)) w.push(`${familyToJson(f)}\n`);
      else writeRequestText(data, info.bytes, (s) => w.push(s));
      w.flush();
      count++;
      if (maxRequests !== undefined && count >= maxRequests)
        setImmediate(() => serving?.stop(`${count} request${count === 1 ? '' : 's'} received`));
    },
    {
      versions: versionsFlag(flags),
      ...(typeof path === 'string' ? { path } : {}),
      ...(maxDecoded !== undefined ? { maxDecodedBytes: maxDecoded } : {}),
      onError: (e) => io.err(`promwire: receive: ${e instanceof Error ? e.message : String(e)}\n`),
    },
  );
  const server = http.createServer((req, res) => void handler(req, res));
  serving = await startServing(
    server,
    port,
    host,
    io,
    (origin) => `receiving remote write at ${origin}${typeof path === 'string' ? path : '/ (any path)'}`,
  );
  return await serving.stopped;
}
