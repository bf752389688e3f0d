/**
 * The `promwire` entry (src/index.ts) is runtime-neutral: no file it reaches
 * may import a Node module (ARCHITECTURE.md). tsconfig.core.json proves the
 * same for the types (`"types": []`); this test names the import path.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_BUILTINS = new Set(builtinModules);

/** Every module specifier of a file: static imports and re-exports (type-only too), side-effect imports, dynamic imports. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

interface Reach {
  /** Repository-relative files reached, the entry first. */
  files: string[];
  /** Non-relative imports, each with the import chain from the entry that reaches it. */
  external: { specifier: string; chain: string[] }[];
}

/** Walks the relative imports from `entry` (breadth first, so each chain is a shortest one). */
function reach(entry: string): Reach {
  const start = join(ROOT, entry);
  const parent = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  const external: Reach['external'] = [];
  const chain = (file: string): string[] => {
    const c: string[] = [];
    for (let f: string | null | undefined = file; f; f = parent.get(f)) c.unshift(relative(ROOT, f));
    return c;
  };
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        external.push({ specifier: spec, chain: chain(file) });
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!parent.has(target)) {
        parent.set(target, file);
        queue.push(target);
      }
    }
  }
  return { files: queue.map((f) => relative(ROOT, f)), external };
}

const isNodeModule = (spec: string): boolean => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!);

describe('the runtime-neutral entry', () => {
  const core = reach('src/index.ts');

  it('reaches the files the entry re-exports (the walk follows imports)', () => {
    for (const f of [
      'src/core/number.ts',
      'src/parse/parser.ts',
      'src/parse/stream.ts',
      'src/encode/encoder.ts',
      'src/metrics/metric-set.ts',
      'src/toolkit/negotiate.ts',
      'src/toolkit/merge.ts',
      'src/toolkit/lint.ts',
      'src/toolkit/exposition.ts',
      'src/toolkit/fetch-handler.ts',
    ]) {
      expect(core.files).toContain(f);
    }
  });

  it('imports no Node module, directly or through any file it reaches', () => {
    const found = core.external.filter((e) => isNodeModule(e.specifier)).map((e) => `${e.chain.join(' -> ')} imports '${e.specifier}'`);
    expect(found).toEqual([]);
  });

  it('imports no package at all (the core has no runtime dependencies)', () => {
    expect(core.external.map((e) => `${e.chain.join(' -> ')} imports '${e.specifier}'`)).toEqual([]);
  });

  it('does not reach the Node-only toolkit files or the CLI', () => {
    const nodeOnly = core.files.filter((f) => /^src\/(cli\/|node\.ts$|toolkit\/(handler|http|scrape|push)\.ts$)/.test(f));
    expect(nodeOnly).toEqual([]);
  });

  it('the walk does see Node imports where they are: promwire/node reaches node:http', () => {
    const node = reach('src/node.ts');
    expect(node.external.some((e) => e.specifier === 'node:http')).toBe(true);
    expect(node.files).toContain('src/toolkit/handler.ts');
  });
});
