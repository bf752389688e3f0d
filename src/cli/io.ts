/**
 * Input and output for the CLI: payloads are read as bytes (never decoded
 * here; the parser takes a Uint8Array), output goes through a small batching
 * writer so that a large JSON dump is not one giant string.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PromwireError } from '../errors.js';
import { DEFAULT_LIMITS } from '../parse/options.js';
import type { Format } from '../model/index.js';
import { UsageError, type CommandName } from './args.js';
import { looksLikeProtobuf } from './sniff.js';

/** Where the CLI reads and writes; injectable for tests. */
export interface CliIO {
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  /** Writes a chunk to standard output. */
  out(chunk: string | Uint8Array): void;
  /** Is standard output a terminal (where binary output is refused)? */
  outIsTTY?: boolean;
  /** Writes a chunk to standard error. */
  err(chunk: string): void;
  /** Is standard error a terminal (where progress lines are shown)? */
  errIsTTY?: boolean;
}

/** An input payload and the name to show for it. */
export interface Input {
  bytes: Uint8Array;
  /** The file name, or `-` for standard input. */
  source: string;
}

/**
 * Reads FILE, or standard input when FILE is `-` or absent, with a bound:
 * reading stops with LIMIT_EXCEEDED (`maxBodyBytes`, naming the source) as
 * soon as more than `limit` bytes came in, so `/dev/urandom` or an endless
 * pipe costs at most the limit, never all memory. Reading also stops at a
 * NUL byte at the start of a line: the parser ends the input there (text
 * 0.0.4, as promlex does) or fails there (OpenMetrics), so nothing after it
 * matters; `/dev/zero` is an empty payload at once. Not for protobuf
 * (`format` 'protobuf', or 'auto' with a first chunk that looks like it),
 * where NUL is an ordinary byte. A pipe that never
 * closes and never sends is waited on, as any filter does. Refuses to wait
 * on an interactive terminal when no FILE was given (a usage error).
 */
export async function readInput(
  command: CommandName,
  file: string | undefined,
  io: CliIO,
  limit: number = DEFAULT_LIMITS.maxBodyBytes,
  format: Format | 'auto' = 'auto',
): Promise<Input> {
  let source: AsyncIterable<Uint8Array | string>;
  let name: string;
  if (file !== undefined && file !== '-') {
    const st = await stat(file);
    if (st.isFile() && st.size > limit) throw tooLarge(file, limit);
    source = createReadStream(file);
    name = file;
  } else {
    if (file === undefined && io.stdin.isTTY === true) {
      throw new UsageError('no input: give a FILE, or "-" to read the terminal, or pipe a payload in', command);
    }
    source = io.stdin;
    name = '-';
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let atLineStart = true;
  let binary: boolean | undefined = format === 'auto' ? undefined : format === 'protobuf';
  for await (const c of source) {
    let b: Uint8Array = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
    if (b.byteLength === 0) continue;
    // Decided on the first chunk that holds a frame's start (a length, a tag,
    // a name length and a byte of name); a tinier first chunk is kept whole.
    if (binary === undefined && total + b.byteLength >= 5)
      binary = looksLikeProtobuf(total === 0 ? b : concat([...chunks, b], total + b.byteLength));
    const nul = binary !== false ? -1 : nulAtLineStart(b, atLineStart);
    if (nul >= 0) b = b.subarray(0, nul);
    if (total + b.byteLength > limit) {
      if (source !== io.stdin) (source as { destroy?: () => void }).destroy?.();
      throw tooLarge(name === '-' ? 'standard input' : name, limit);
    }
    chunks.push(b);
    total += b.byteLength;
    if (nul >= 0) {
      if (source !== io.stdin) (source as { destroy?: () => void }).destroy?.();
      break;
    }
    atLineStart = b[b.byteLength - 1] === 0x0a;
  }
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, total);
  return { bytes, source: name };
}

/** Index of the first NUL at the start of a line in `b` (the chunk starts a line when `atLineStart`), or -1. */
function nulAtLineStart(b: Uint8Array, atLineStart: boolean): number {
  if (atLineStart && b[0] === 0) return 0;
  for (let i = b.indexOf(0); i > 0; i = b.indexOf(0, i + 1)) if (b[i - 1] === 0x0a) return i;
  return -1;
}

function tooLarge(source: string, limit: number): PromwireError {
  return new PromwireError('LIMIT_EXCEEDED', `${source} is over ${limit} bytes (maxBodyBytes)`, undefined, 'maxBodyBytes');
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/** Above this many UTF-16 units, buffered text is flushed (one write per ~64 KiB, not per family). */
const FLUSH_AT = 1 << 16;

/** Collects small strings and writes them in batches. */
export class BatchWriter {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly write: (s: string) => void) {}

  push(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.size === 0 && this.buf.length === 0) return;
    this.write(this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
}

/** The real process streams. EPIPE on stdout (e.g. `| head`) ends the process quietly. */
export function processIO(): CliIO {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  return {
    stdin: process.stdin,
    out: (chunk) => {
      process.stdout.write(chunk);
    },
    outIsTTY: process.stdout.isTTY === true,
    err: (chunk) => {
      process.stderr.write(chunk);
    },
    errIsTTY: process.stderr.isTTY === true,
  };
}

/** Progress shows only after this many milliseconds: a quick command prints nothing extra. */
const PROGRESS_AFTER_MS = 1500;

/**
 * A progress line on standard error for a long command: shown only when
 * stderr is a terminal (a log file or a pipe gets no progress, so its
 * content is the same on every run), only once the command has run for
 * 1.5 s, rewritten in place (`\r`) at most 10 times a second, and erased by
 * `done()`.
 */
export class Progress {
  private readonly start = Date.now();
  private last = 0;
  private shown = false;
  constructor(private readonly io: CliIO) {}

  /** Shows `text` (one short line) if the command has been running long enough. */
  update(text: string): void {
    if (this.io.errIsTTY !== true) return;
    const now = Date.now();
    if (now - this.start < PROGRESS_AFTER_MS || now - this.last < 100) return;
    this.last = now;
    this.shown = true;
    this.io.err(`\r\x1b[K${text}`);
  }

  /** Erases the progress line, if one was shown. */
  done(): void {
    if (this.shown) this.io.err('\r\x1b[K');
    this.shown = false;
  }
}
