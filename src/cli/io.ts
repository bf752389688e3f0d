/**
 * Input and output for the CLI: payloads are read as bytes (never decoded
 * here; the parser takes a Uint8Array), output goes through a small batching
 * writer so that a large JSON dump is not one giant string.
 */
import { readFile } from 'node:fs/promises';
import { UsageError, type CommandName } from './args.js';

/** Where the CLI reads and writes; injectable for tests. */
export interface CliIO {
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  /** Writes a chunk to standard output. */
  out(chunk: string | Uint8Array): void;
  /** Writes a chunk to standard error. */
  err(chunk: string): void;
}

/** An input payload and the name to show for it. */
export interface Input {
  bytes: Uint8Array;
  /** The file name, or `-` for standard input. */
  source: string;
}

/**
 * Reads FILE, or standard input when FILE is `-` or absent. Refuses to wait
 * on an interactive terminal when no FILE was given (a usage error).
 */
export async function readInput(command: CommandName, file: string | undefined, io: CliIO): Promise<Input> {
  if (file !== undefined && file !== '-') {
    const buf = await readFile(file);
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), source: file };
  }
  if (file === undefined && io.stdin.isTTY === true) {
    throw new UsageError('no input: give a FILE, or "-" to read the terminal, or pipe a payload in', command);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of io.stdin) {
    const b = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
    chunks.push(b);
    total += b.byteLength;
  }
  const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks, total);
  return { bytes, source: '-' };
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
    err: (chunk) => {
      process.stderr.write(chunk);
    },
  };
}
