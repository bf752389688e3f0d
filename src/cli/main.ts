/**
 * Entry point of the `promwire` executable (built to dist/cli.js with a
 * shebang by tsup). Argument parsing, dispatch and printing live in cli.ts.
 */
import { run } from './cli.js';
import { processIO } from './io.js';

run(process.argv.slice(2), processIO()).then(
  (code) => {
    // Let pending output drain instead of calling process.exit().
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`promwire: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
