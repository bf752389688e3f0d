/**
 * The `promwire` command: dispatch and exit statuses. Every format decision
 * is the library's; the commands only wire arguments to it.
 *
 * Exit statuses: 0 success, 1 invalid payload or other failure, 2 usage
 * error, 3 lint findings (as `promtool check metrics`).
 */
import pkg from '../../package.json' with { type: 'json' };
import { PromwireError } from '../errors.js';
import { UsageError, commandUsage, parseCommandLine, usage } from './args.js';
import { runConvert, runInspect, runLint, runParse, runScrape, runServe } from './commands.js';
import { CliFailure, InputError, describeInputError, describePromwireError } from './common.js';
import type { CliIO } from './io.js';
import { runMerge } from './merge.js';
import { runPush } from './push.js';
import { runReceive, runRemoteWrite } from './remote-write.js';

export const VERSION: string = pkg.version;

/** Runs one command line; resolves to the exit status. Never throws for a user's mistake. */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const inv = parseCommandLine(argv);
    if (inv.kind === 'version') {
      io.out(`promwire ${VERSION}\n`);
      return 0;
    }
    if (inv.kind === 'help') {
      io.out(inv.command === undefined ? usage() : commandUsage(inv.command));
      return 0;
    }
    const { command, positionals, flags } = inv;
    const arg = positionals[0];
    switch (command) {
      case 'parse':
        return await runParse(arg, flags, io);
      case 'inspect':
        return await runInspect(arg, flags, io);
      case 'convert':
        return await runConvert(arg, flags, io);
      case 'lint':
        return await runLint(arg, flags, io);
      case 'scrape':
        return await runScrape(arg!, flags, io);
      case 'serve':
        return await runServe(arg!, flags, io);
      case 'push':
        return await runPush(arg, flags, io);
      case 'merge':
        return await runMerge(positionals, flags, io);
      case 'remote-write':
        return await runRemoteWrite(arg, flags, io);
      case 'receive':
        return await runReceive(flags, io);
    }
  } catch (e) {
    return reportError(e, io);
  }
}

/** Prints an error the way the exit status promises and returns that status. */
export function reportError(e: unknown, io: CliIO): number {
  if (e instanceof UsageError) {
    io.err(`promwire: ${e.message}\n\n${e.command === undefined ? usage() : commandUsage(e.command)}`);
    return 2;
  }
  if (e instanceof InputError) {
    io.err(describeInputError(e));
    return 1;
  }
  if (e instanceof PromwireError) {
    io.err(describePromwireError(e));
    return 1;
  }
  if (e instanceof CliFailure) {
    io.err(`promwire: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ENOENT' || err?.code === 'EACCES' || err?.code === 'EISDIR') {
    io.err(`promwire: cannot read ${err.path ?? 'input'}: ${err.code}\n`);
    return 1;
  }
  io.err(`promwire: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}
