/**
 * Helpers shared by the commands: reading the format flags, parsing an input
 * with the library, and printing a `PromwireError` as the CLI promises.
 */
import { writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { PromwireError } from '../errors.js';
import type { Format, MetricFamily } from '../model/index.js';
import { detectFormat } from '../parse/detect.js';
import { describeInput, looksLikeProtobuf } from './sniff.js';
import { parse } from '../parse/families.js';
import type { ParserOptions } from '../parse/options.js';
import { onceEach } from '../toolkit/exposition.js';
import { UsageError, type CommandName, type Flags } from './args.js';
import type { CliIO, Input } from './io.js';

/**
 * A failure the CLI explains in one line (`promwire: message`, exit status
 * 1), without a stack: a busy port, an address that cannot be listened on.
 */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

/**
 * A payload error tied to its input: printed as `SOURCE: line L column C:
 * reason`, the snippet, and what the input looks like when that explains
 * the error (gzip, a byte order mark, HTML, JSON, CRLF: sniff.ts).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** The file name, `standard input`, or the URL. */
    readonly source: string,
    readonly error: PromwireError,
    /** What the input looks like, or undefined. */
    readonly looksLike: string | undefined,
  ) {
    super(`${source}: ${error.message}`);
  }
}

/** How an input is named in messages: the file name, or `standard input` for `-`. */
export function sourceName(source: string): string {
  return source === '-' ? 'standard input' : source;
}

/** `e` tied to the input it came from when it is a `PromwireError`; anything else unchanged. */
export function inputError(e: unknown, source: string, bytes: Uint8Array | undefined): unknown {
  if (!(e instanceof PromwireError) || e instanceof InputError) return e;
  return new InputError(sourceName(source), e, bytes === undefined ? undefined : describeInput(bytes));
}

/** The message of an `InputError`: the source, the position and reason, the snippet, then what the input looks like. */
export function describeInputError(e: InputError): string {
  const inner = describePromwireError(e.error);
  const head = inner.startsWith('promwire: ') ? `promwire: ${e.source}: ${inner.slice(10)}` : `${e.source}: ${inner}`;
  return e.looksLike === undefined ? head : `${head}  note: ${e.looksLike}\n`;
}

/**
 * Listens, turning the errors a user meets into one line each (a
 * `CliFailure`): the port in use, a port that needs privileges, an address
 * this machine does not have.
 */
export async function listen(server: http.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (e.code === 'EADDRINUSE') reject(new CliFailure(`port ${port} is in use (listening on ${where})`));
      else if (e.code === 'EACCES')
        reject(new CliFailure(`no permission to listen on port ${port} (${where}); ports below 1024 need privileges`));
      else if (e.code === 'EADDRNOTAVAIL') reject(new CliFailure(`cannot listen on ${where}: this machine has no address ${host}`));
      else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reject(new CliFailure(`cannot listen on ${where}: unknown host ${host}`));
      else reject(e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A server `serve` or `receive` runs: see {@link startServing}. */
export interface Serving {
  /** Stops it: says `promwire: WHY, stopping` and closes the server and its connections. */
  stop(why: string): void;
  /** 0 once the server has closed. */
  readonly stopped: Promise<number>;
}

/**
 * Listens on HOST:PORT (see {@link listen}), says `promwire: ` and what
 * `announce` makes of the server's `http://HOST:PORT` (`[v6]` for IPv6, the
 * port it got for 0), and serves until SIGINT or SIGTERM or `stop(why)`.
 */
export async function startServing(
  server: http.Server,
  port: number,
  host: string,
  io: CliIO,
  announce: (origin: string) => string,
): Promise<Serving> {
  await listen(server, port, host);
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  io.err(`promwire: ${announce(`http://${shownHost}:${actualPort}`)}\n`);

  let closed!: (code: number) => void;
  const stopped = new Promise<number>((resolve) => {
    closed = resolve;
  });
  const stop = (why: string): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    io.err(`promwire: ${why}, stopping\n`);
    server.close(() => closed(0));
    // Keep-alive connections (a scraper's, a sender's) would hold close() open.
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return { stop, stopped };
}

/**
 * `line L column C: reason` followed by the snippet the error carries, for a
 * payload error; `promwire: message` for an error not tied to a position.
 */
export function describePromwireError(e: PromwireError): string {
  if (e.line === 0) return `promwire: ${e.message}\n`;
  const head = `${e.reason} at line ${e.line} column ${e.column}`;
  const rest = e.message.startsWith(head) ? e.message.slice(head.length) : '';
  return `line ${e.line} column ${e.column}: ${e.reason}${rest}\n`;
}

/** The value of a `--format`-like flag: `auto`, `text`, `openmetrics` or `protobuf`. */
export function formatFlag(flags: Flags, name = 'format'): Format | 'auto' {
  const v = flags[name];
  return v === 'text' || v === 'openmetrics' || v === 'protobuf' ? v : 'auto';
}

/** The format to read `bytes` as: the flag's, or for `auto` protobuf when it looks like it, else from the text. */
export function payloadFormat(flags: Flags, bytes: Uint8Array, name = 'format'): Format {
  const f = formatFlag(flags, name);
  if (f !== 'auto') return f;
  return looksLikeProtobuf(bytes) ? 'protobuf' : detectFormat(undefined, bytes);
}

/**
 * Parses an input payload as the command asked. With `--lenient`, bad lines
 * are reported on stderr and skipped; `skipped` counts them. A failure is
 * an `InputError` naming the input.
 */
export function parseInput(input: Input, flags: Flags, io: CliIO, formatName = 'format'): { families: MetricFamily[]; skipped: number } {
  const { bytes, source } = input;
  const opts: { -readonly [K in keyof ParserOptions]: ParserOptions[K] } = { format: payloadFormat(flags, bytes, formatName) };
  let skipped = 0;
  if (flags['lenient'] === true) {
    opts.onError = (err) => {
      skipped++;
      io.err(`${sourceName(source)}: ${describePromwireError(err)}`);
    };
  }
  try {
    return { families: parse(bytes, opts), skipped };
  } catch (e) {
    throw inputError(e, source, bytes);
  }
}

/** The `--to` format, or undefined. */
export function toFlag(flags: Flags): Format | undefined {
  const to = flags['to'];
  return to === 'text' || to === 'openmetrics' || to === 'protobuf' ? to : undefined;
}

/**
 * Binary output goes to a terminal only through `-o FILE`: refused before
 * any work is done (a usage error), as `gzip` refuses to.
 */
export function checkBinaryOut(command: CommandName, format: Format | undefined, flags: Flags, io: CliIO): void {
  if (format === 'protobuf' && typeof flags['output'] !== 'string' && io.outIsTTY === true) {
    throw new UsageError('refusing to write binary protobuf to a terminal: redirect standard output, or give -o FILE', command);
  }
}

/** Writes the output to `-o FILE` or standard output. */
export async function emit(data: Uint8Array, flags: Flags, io: CliIO): Promise<void> {
  const file = flags['output'];
  if (typeof file === 'string') await writeFile(file, data);
  else io.out(data);
}

/**
 * What an encode drops (units, exemplars, native histograms, types the
 * output format lacks: encode/losses.ts) on stderr, once per family and
 * reason. Every command that encodes passes it as `onWarning`.
 */
export function warner(io: CliIO): (message: string) => void {
  return onceEach((m) => io.err(`promwire: warning: ${m}\n`));
}
