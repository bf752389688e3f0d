import { basename } from 'node:path';
import { defineConfig, type Options } from 'tsup';

/**
 * The package's build (dist/, what `npm pack` ships; `prepack` runs it). One config, so that the
 * declarations are generated once for both formats.
 *
 * - ESM: the two library entries and the CLI in one esbuild run with splitting, so dist/cli.js
 *   imports the library's chunks instead of bundling it a second time.
 * - CommonJS: the two library entries only (the CLI is ESM only).
 * - `removeNodeProtocol: false`: built files import `node:zlib`, not `zlib` (tsup strips the
 *   prefix by default; edge bundlers and Deno need it). test/integration/package.test.ts checks.
 * - `keepNames`: functions and classes keep their names. tsup's CommonJS splitting (sucrase)
 *   rewrites a class with fields into `(_class = class extends Error {...}, _class)`, so
 *   `PromwireError.name` was `_class`; in ESM, esbuild renamed `function Parser` to `Parser2`.
 *   The cost is a `__name()` call where a named closure is created (none per token).
 * - No source maps: they were 1.17 MB of the 2 MB tarball, and the built files are not minified.
 */
const LIBRARY = { index: 'src/index.ts', node: 'src/node.ts' };

/** The shebang on dist/cli.js alone (a `banner` would put it on every chunk too), made executable. */
const cliShebang: NonNullable<Options['plugins']>[number] = {
  name: 'cli-shebang',
  renderChunk(code, info) {
    if (basename(info.path) !== 'cli.js') return undefined;
    info.mode = 0o755;
    return { code: code.startsWith('#!') ? code : `#!/usr/bin/env node\n${code}` };
  },
};

export default defineConfig({
  entry: { ...LIBRARY, cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  esbuildOptions(options, { format }) {
    if (format !== 'cjs') return;
    options.entryPoints = LIBRARY;
  },
  dts: { entry: LIBRARY },
  target: 'node20',
  splitting: true,
  sourcemap: false,
  keepNames: true,
  removeNodeProtocol: false,
  clean: true,
  plugins: [cliShebang],
});
