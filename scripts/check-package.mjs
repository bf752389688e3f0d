#!/usr/bin/env node
// `npm run check:package` (run by .ci/run): checks what `npm pack` would publish.
//
// 1. `npm pack` (its `prepack` script builds dist/) into a temporary directory, and the
//    tarball's file list against the expected one: the built entries and their chunks, the
//    `node/` stub for TypeScript's node10 resolution, LICENSE, README.md, CHANGELOG.md,
//    package.json; no source maps, no sources, no tests, nothing else.
// 2. publint --strict on the package (warnings fail too).
// 3. @arethetypeswrong/cli on the tarball: every entry (`promwire`, `promwire/node`) resolves
//    under node10, node16 (from CJS and from ESM) and bundler.
// Exits non-zero on the first problem, naming it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every file the tarball must hold, exactly (chunk names carry a content hash: matched by pattern). */
const REQUIRED = [
  'package.json',
  'LICENSE',
  'README.md',
  'CHANGELOG.md',
  'node/package.json',
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.d.ts',
  'dist/index.d.cts',
  'dist/node.js',
  'dist/node.cjs',
  'dist/node.d.ts',
  'dist/node.d.cts',
  'dist/cli.js',
];
/** Shared chunks of the ESM build (library and CLI) and of the CommonJS build. */
const CHUNK = /^dist\/chunk-[A-Za-z0-9_-]+\.(js|cjs)$/;

const root = new URL('..', import.meta.url).pathname;
const problems = [];

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

const dest = mkdtempSync(join(tmpdir(), 'promwire-pack-'));
try {
  console.log('== npm pack (prepack builds dist/ with tsup)');
  // npm prints the prepack script's output before the JSON: take from the last line that opens the array.
  const out = run('npm', ['pack', '--json', '--pack-destination', dest]);
  const start = out.lastIndexOf('\n[\n') + 1;
  const [pack] = JSON.parse(out.slice(start));
  const files = pack.files.map((f) => f.path).sort();
  console.log(`${pack.filename}: ${files.length} files, ${(pack.size / 1024).toFixed(1)} kB packed, ${(pack.unpackedSize / 1024).toFixed(1)} kB unpacked`);

  for (const want of REQUIRED) if (!files.includes(want)) problems.push(`tarball lacks ${want}`);
  for (const f of files) {
    if (REQUIRED.includes(f) || CHUNK.test(f)) continue;
    problems.push(`tarball holds ${f}, which is not in the expected list (${f.endsWith('.map') ? 'a source map' : 'unexpected file'})`);
  }
  const chunks = files.filter((f) => CHUNK.test(f));
  if (!chunks.some((f) => f.endsWith('.js')) || !chunks.some((f) => f.endsWith('.cjs'))) {
    problems.push(`expected shared chunks of both builds in dist/, found: ${chunks.join(', ') || 'none'}`);
  }

  console.log('== publint --strict');
  try {
    process.stdout.write(run('npx', ['--no-install', 'publint', '--strict', '.']));
  } catch (e) {
    process.stdout.write(e.stdout ?? '');
    problems.push('publint reported a problem (above)');
  }

  console.log('== attw (node10, node16 from CJS and ESM, bundler)');
  try {
    process.stdout.write(run('npx', ['--no-install', 'attw', '--no-color', '--format', 'table-flipped', join(dest, pack.filename)]));
  } catch (e) {
    process.stdout.write(e.stdout ?? '');
    problems.push('attw reported a problem (above)');
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const p of problems) console.error(`check:package: ${p}`);
  process.exit(1);
}
console.log('check:package: the tarball, publint and attw are clean');
