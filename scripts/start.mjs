#!/usr/bin/env node
// `npm start`: build dist/ (saying so, since tsup takes about 30 s), run
// `promwire inspect` on a real node_exporter payload, then say what to try next.
//
// The build is skipped when dist/cli.js is newer than every file under src/ and the build
// config (a second `npm start` is instant); `npm run build` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/cli.js');
const payload = 'fixtures/node_exporter.prom';

/** The newest modification time under `dir` (files only). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function sourcesChanged() {
  if (!existsSync(cli)) return true;
  const built = statSync(cli).mtimeMs;
  const inputs = Math.max(newest(join(root, 'src')), ...['tsup.config.ts', 'package.json'].map((f) => statSync(join(root, f)).mtimeMs));
  return inputs > built;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (sourcesChanged()) {
  console.log('building dist/ with tsup (ESM and CommonJS builds, type declarations; about 30 s)...');
  const started = Date.now();
  run('npx', ['--no-install', 'tsup', '--silent']);
  console.log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} else {
  console.log('dist/ is newer than src/: skipping the build (`npm run build` forces one)\n');
}

console.log(`$ promwire inspect ${payload}`);
run(process.execPath, [cli, 'inspect', payload]);

const next = [
  [`node dist/cli.js inspect ${payload} --bench`, 'the same report, and how fast promwire parses it'],
  [`node dist/cli.js convert ${payload} --to openmetrics | head`, 'the same payload in OpenMetrics 1.0'],
  [`node dist/cli.js lint ${payload}`, 'what promtool check metrics would say'],
  [`node dist/cli.js serve ${payload} --port 9101`, 'serve it as an exporter would'],
  ['node dist/cli.js --help', 'every command'],
  ['npm test', 'lint, type check and the test suite'],
];
const width = Math.max(...next.map(([c]) => c.length));
console.log('\nNext, try (node dist/cli.js is the `promwire` command; --help after any command):');
for (const [command, what] of next) console.log(`  ${command.padEnd(width)}  # ${what}`);
console.log(`In code: import { parse, MetricSet } from 'promwire' (README.md, "Quick start").`);
