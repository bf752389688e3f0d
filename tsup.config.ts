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
 * - Class names: tsup's CommonJS splitting (sucrase) rewrites an anonymous class expression with
 *   fields into `(_class = class extends Error {...}, _class)`, so `PromwireError.name` was
 *   `_class`. `nameClasses` names those expressions first (`var X = class X ...`). Not esbuild's
 *   `keepNames`: it also wraps every named closure in a `__name()` call where it is created, which
 *   cost 1.27x CPU time on a protobuf parse of 500 native histograms (validateNativeHistogram's
 *   `countOk`, nativeExemplars' `take`: two interleaved A/B runs of dist built both ways, load 12-15).
 *   test/integration/package.test.ts checks every exported name in both builds.
 * - No source maps: they were 1.17 MB of the 2 MB tarball, and the built files are not minified.
 */
const LIBRARY = { index: 'src/index.ts', node: 'src/node.ts' };

/**
 * Names the top-level anonymous class expressions of a CommonJS chunk before tsup's sucrase pass
 * (user plugins run before it): `var PromwireError = class extends Error {` becomes
 * `var PromwireError = class PromwireError extends Error {`, a name sucrase's rewrite keeps. The
 * ESM build needs nothing (`var X = class` takes its name from the binding).
 */
const nameClasses: NonNullable<Options['plugins']>[number] = {
  name: 'name-classes',
  renderChunk(code) {
    if (this.format !== 'cjs') return undefined;
    return { code: code.replace(/^(var|let|const) ([\w$]+) = class(?=\s+extends\b|\s*\{)/gm, '$1 $2 = class $2') };
  },
};

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
  removeNodeProtocol: false,
  clean: true,
  plugins: [nameClasses, cliShebang],
});
