/**
 * The CLI run in-process with fake IO: stdin fed from memory, stdout and
 * stderr collected.
 */
import { run } from '../../src/cli/cli.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliRun<Out = string> {
  code: number;
  stdout: Out;
  stderr: string;
}

export interface CliRunOptions {
  /** Standard input: a string (UTF-8) or bytes as one chunk (none when empty), or these chunks as they are. */
  stdin?: string | Uint8Array | Uint8Array[] | undefined;
  /** Sees all of stderr so far each time it is written (to learn a listening port). */
  onErr?: ((stderr: string) => void) | undefined;
  outIsTTY?: boolean | undefined;
  /** stdout as the bytes written rather than as text. */
  bytes?: boolean;
}

function stdinChunks(stdin: CliRunOptions['stdin']): Uint8Array[] {
  if (stdin === undefined) return [];
  if (Array.isArray(stdin)) return stdin;
  if (stdin.length === 0) return [];
  return [typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin];
}

export function runCli(argv: string[], opts: CliRunOptions & { bytes: true }): Promise<CliRun<Buffer>>;
export function runCli(argv: string[], opts?: CliRunOptions & { bytes?: false }): Promise<CliRun>;
export async function runCli(argv: string[], opts: CliRunOptions = {}): Promise<CliRun<string | Buffer>> {
  const { stdin, onErr, outIsTTY, bytes = false } = opts;
  const out: string[] = [];
  const outBytes: Buffer[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdin: (async function* () {
      yield* stdinChunks(stdin);
    })(),
    out: (c) => {
      if (bytes) outBytes.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c));
      else out.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8'));
    },
    err: (c) => {
      err.push(c);
      onErr?.(err.join(''));
    },
    ...(outIsTTY === undefined ? {} : { outIsTTY }),
  };
  const code = await run(argv, io);
  return { code, stdout: bytes ? Buffer.concat(outBytes) : out.join(''), stderr: err.join('') };
}
