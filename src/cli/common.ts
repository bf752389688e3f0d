/**
 * Helpers shared by the commands: reading the format flags, parsing an input
 * with the library, and printing a `PromwireError` as the CLI promises.
 */
import type { PromwireError } from '../errors.js';
import type { Format, MetricFamily } from '../model/index.js';
import { detectFormat } from '../parse/detect.js';
import { looksLikeProtobuf } from './sniff.js';
import { parse } from '../parse/families.js';
import type { ParserOptions } from '../parse/options.js';
import type { Flags } from './args.js';
import type { CliIO } from './io.js';

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
 * are reported on stderr and skipped; `skipped` counts them.
 */
export function parseInput(
  bytes: Uint8Array,
  flags: Flags,
  io: CliIO,
  formatName = 'format',
): { families: MetricFamily[]; skipped: number } {
  const opts: { -readonly [K in keyof ParserOptions]: ParserOptions[K] } = { format: payloadFormat(flags, bytes, formatName) };
  let skipped = 0;
  if (flags['lenient'] === true) {
    opts.onError = (err) => {
      skipped++;
      io.err(describePromwireError(err));
    };
  }
  return { families: parse(bytes, opts), skipped };
}
