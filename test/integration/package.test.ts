/**
 * The built package (dist/, built by `npm run test:integration` first; tsup.config.ts):
 * both builds in one process (errors `instanceof` across them, names kept), `node:`-prefixed
 * builtins, and a CLI that shares the library's chunks. What `npm pack` ships (file list,
 * publint, attw) is checked by scripts/check-package.mjs (`npm run check:package`, in .ci/run).
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runProgram } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist');
const require = createRequire(import.meta.url);

type Core = typeof import('../../src/index.js');
type NodeEntry = typeof import('../../src/node.js');

const esm = {
  index: (await import(pathToFileURL(path.join(DIST, 'index.js')).href)) as Core,
  node: (await import(pathToFileURL(path.join(DIST, 'node.js')).href)) as NodeEntry,
};
const cjs = {
  index: require(path.join(DIST, 'index.cjs')) as Core,
  node: require(path.join(DIST, 'node.cjs')) as NodeEntry,
};

/** The error `parse` throws on a payload with a bad value. */
function parseError(lib: Core): unknown {
  try {
    lib.parse('ok 1\nbad{x="1"} 12abc\n');
  } catch (e) {
    return e;
  }
  throw new Error('expected parse() to throw');
}

const distFiles = readdirSync(DIST).filter((f) => /\.(c?js)$/.test(f));

describe('dist: the CommonJS and ESM builds in one process', () => {
  it('are two copies of the classes (the dual-package hazard this guards against)', () => {
    expect(cjs.index.PromwireError).not.toBe(esm.index.PromwireError);
    expect(cjs.node.HttpError).not.toBe(esm.node.HttpError);
  });

  it('an error thrown by one build is instanceof the other build’s PromwireError, both ways', () => {
    const fromCjs = parseError(cjs.index);
    const fromEsm = parseError(esm.index);
    expect(fromCjs instanceof esm.index.PromwireError).toBe(true);
    expect(fromEsm instanceof cjs.index.PromwireError).toBe(true);
    expect(fromCjs instanceof cjs.node.PromwireError).toBe(true);
    expect(fromEsm instanceof esm.node.PromwireError).toBe(true);
    expect((fromCjs as { code: string }).code).toBe('INVALID_VALUE');
  });

  it('HttpError across builds, and a PromwireError is not an HttpError', () => {
    const details = { status: 500, url: 'http://127.0.0.1:1/metrics', method: 'GET' };
    const fromCjs = new cjs.node.HttpError('HTTP_ERROR', 'boom', details);
    const fromEsm = new esm.node.HttpError('HTTP_ERROR', 'boom', details);
    expect(fromCjs instanceof esm.node.HttpError).toBe(true);
    expect(fromEsm instanceof cjs.node.HttpError).toBe(true);
    expect(fromCjs instanceof esm.index.PromwireError).toBe(true);
    expect(parseError(cjs.index) instanceof esm.node.HttpError).toBe(false);
  });

  it('every public error class is branded: its errors are instanceof it in the other build', () => {
    const classes = Object.keys(esm.node).filter((k) => {
      const v = (esm.node as Record<string, unknown>)[k];
      return typeof v === 'function' && v.prototype instanceof Error;
    });
    expect(classes).toEqual(expect.arrayContaining(['CollectError', 'HttpError', 'NotUnderstoodError']));
    const brand = Symbol.for('promwire.errorClassBrand');
    for (const k of classes) {
      const [e, c] = [(esm.node as Record<string, unknown>)[k], (cjs.node as Record<string, unknown>)[k]] as [object, object];
      expect(Object.hasOwn(e, brand), `${k} (ESM) has a brand`).toBe(true);
      expect(Object.create((c as { prototype: object }).prototype) instanceof (e as never), `${k}: CJS instance, ESM class`).toBe(true);
      expect(Object.create((e as { prototype: object }).prototype) instanceof (c as never), `${k}: ESM instance, CJS class`).toBe(true);
    }
  });

  it('every exported function and class keeps its name in all four entry files', () => {
    const renamed: string[] = [];
    for (const [label, mod] of Object.entries({
      'index.js': esm.index,
      'node.js': esm.node,
      'index.cjs': cjs.index,
      'node.cjs': cjs.node,
    })) {
      for (const [key, value] of Object.entries(mod)) {
        if (typeof value === 'function' && value.name !== key) renamed.push(`${label}: ${key}.name is "${value.name}"`);
      }
    }
    expect(renamed).toEqual([]);
    expect(cjs.index.PromwireError.name).toBe('PromwireError');
    expect(String(parseError(cjs.index)).startsWith('PromwireError: ')).toBe(true);
  });
});

describe('dist: built files', () => {
  it('import Node builtins with the node: prefix only', () => {
    const builtins = new Set(builtinModules.filter((m) => !m.startsWith('node:')));
    const bare: string[] = [];
    const re =
      /\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)|^import\s*["']([^"']+)["']/gm;
    for (const f of distFiles) {
      for (const m of readFileSync(path.join(DIST, f), 'utf8').matchAll(re)) {
        const spec = (m[1] ?? m[2] ?? m[3] ?? m[4])!;
        if (builtins.has(spec) || builtins.has(spec.split('/')[0]!)) bare.push(`${f}: "${spec}"`);
      }
    }
    expect(distFiles.length).toBeGreaterThan(4);
    expect(bare).toEqual([]);
  });

  it('have no __name() wrappers (esbuild keepNames is off: it wrapped closures such as validateNativeHistogram’s, 1.27x CPU)', () => {
    expect(distFiles.filter((f) => readFileSync(path.join(DIST, f), 'utf8').includes('__name('))).toEqual([]);
  });

  it('have no source maps', () => {
    expect(readdirSync(DIST).filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(distFiles.filter((f) => readFileSync(path.join(DIST, f), 'utf8').includes('sourceMappingURL'))).toEqual([]);
  });

  it('dist/cli.js is an executable with a shebang that imports the library chunks instead of bundling the library again', () => {
    const cli = readFileSync(path.join(DIST, 'cli.js'), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node\n')).toBe(true);
    accessSync(path.join(DIST, 'cli.js'), constants.X_OK);
    expect(cli).toMatch(/from "\.\/chunk-[A-Za-z0-9_-]+\.js"/);
    // The library's classes are defined in the chunks, once.
    const defines = (f: string) => /\bvar PromwireError = class\b/.test(readFileSync(path.join(DIST, f), 'utf8'));
    expect(defines('cli.js')).toBe(false);
    expect(distFiles.filter((f) => f.endsWith('.js') && defines(f))).toHaveLength(1);
    // The shebang is on the CLI only.
    expect(distFiles.filter((f) => readFileSync(path.join(DIST, f), 'utf8').startsWith('#!'))).toEqual(['cli.js']);
  });

  it('dist/cli.js runs', async () => {
    // Spawned as the file itself: the shebang and the executable bit make it a program.
    const r = await runProgram(path.join(DIST, 'cli.js'), ['inspect', path.join(ROOT, 'fixtures/node_exporter.prom')], '', {
      timeoutMs: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.toString('utf8')).toContain('families   283');
  });

  it('the node/ stub (TypeScript node10 resolution of promwire/node) points at files that exist', () => {
    const stub = JSON.parse(readFileSync(path.join(ROOT, 'node/package.json'), 'utf8')) as Record<string, string>;
    for (const key of ['main', 'module', 'types']) {
      accessSync(path.join(ROOT, 'node', stub[key]!));
    }
    expect(require(path.join(ROOT, 'node'))).toBe(cjs.node);
  });
});
