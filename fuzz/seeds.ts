/**
 * The fuzzer's seed corpus: the bundled real payloads (fixtures/), the
 * hand-picked edge lines (fuzz/corpus/), the official OpenMetrics parser
 * suite when ../shared/conformance is there, and a small generated payload
 * in both formats. Sorted, so that a seed gives the same inputs each run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateModel, generatePayload, renderOpenMetrics, renderText } from '../bench/generate.js';
import { makeSeed } from './mutate.js';
import type { Seed } from './mutate.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function loadCorpus(): Seed[] {
  const seeds: Seed[] = [];
  const add = (name: string, bytes: Uint8Array, om: boolean): void => {
    seeds.push(makeSeed(name, bytes, om));
  };
  const isOm = (f: string): boolean => f.endsWith('.om.txt');
  for (const dir of ['fixtures', 'fuzz/corpus']) {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of (readdirSync(abs, { recursive: true }) as string[]).sort()) {
      const p = join(abs, f);
      if (statSync(p).isFile()) add(`${dir}/${f}`, new Uint8Array(readFileSync(p)), isOm(f));
    }
  }
  // The official OpenMetrics parser suite (good and bad cases), when ../shared is there.
  const suite = resolve(ROOT, '../shared/conformance/openmetrics');
  if (existsSync(join(suite, 'index.json'))) {
    const index = JSON.parse(readFileSync(join(suite, 'index.json'), 'utf8')) as { name: string; file: string }[];
    for (const c of index) {
      const p = join(suite, c.name, c.file);
      if (existsSync(p)) add(`conformance/${c.name}`, new Uint8Array(readFileSync(p)), true);
    }
  }
  // A small generated payload in both formats: every type, escapes, UTF-8.
  const model = generateModel({ seed: 7, samples: 300, families: 16 });
  const enc = new TextEncoder();
  add('generated.prom', enc.encode(renderText(model)), false);
  add('generated.om.txt', enc.encode(renderOpenMetrics(model)), true);
  return seeds;
}

export function referencePayloads(): { bytes: Uint8Array; format: 'text' | 'openmetrics' }[] {
  const p = generatePayload({ seed: 3, samples: 120, families: 10 });
  return [
    { bytes: p.text, format: 'text' },
    { bytes: p.openmetrics, format: 'openmetrics' },
  ];
}
