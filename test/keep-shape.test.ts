/**
 * core/keep-shape.ts: after a full GC, the parsers still run optimised code.
 * The child (helpers/keep-shape-child.ts) walks payloads in every format,
 * forces a full GC between walks and reports whether each kept object shares
 * its map with the instances that walked; V8's deoptimisation trace says
 * whether the GC threw away optimised parser code because a map died.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatePayload } from '../bench/generate.js';
import { encode, parse } from '../src/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function runChild(): { maps: { class: string; same: boolean }[]; trace: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-keep-shape-'));
  const { text, openmetrics } = generatePayload({ seed: 7, samples: 12_000, families: 40 });
  writeFileSync(join(dir, 'payload.text'), text);
  writeFileSync(join(dir, 'payload.openmetrics'), openmetrics);
  writeFileSync(join(dir, 'payload.protobuf'), encode(parse(text, { format: 'text' }), { format: 'protobuf', onWarning: () => {} }));
  const r = spawnSync(
    process.execPath,
    ['--allow-natives-syntax', '--expose-gc', '--trace-deopt', '--import', 'tsx', 'test/helpers/keep-shape-child.ts', dir],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 },
  );
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  const result = JSON.parse(lines.pop()!) as { maps: { class: string; same: boolean }[] };
  return { maps: result.maps, trace: lines };
}

/** Names of the functions and methods of the parsing modules, as V8's trace names them. */
function parserFunctionNames(): Set<string> {
  const names = new Set<string>();
  for (const dir of ['src/parse', 'src/core', 'src/proto']) {
    for (const f of readdirSync(join(ROOT, dir))) {
      const src = readFileSync(join(ROOT, dir, f), 'utf8');
      for (const m of src.matchAll(/^(?:export )?function (\w+)|^ {2}(?:private |readonly |static )*(\w+)\(/gm)) {
        const name = m[1] ?? m[2]!;
        if (name !== 'constructor' && name !== 'if' && name !== 'for' && name !== 'while') names.add(name);
      }
    }
  }
  return names;
}

describe('kept shapes (core/keep-shape.ts)', () => {
  const { maps, trace } = runChild();

  it('keeps an object of each hot class with the map of the instances that walked real payloads', () => {
    const classes = new Set(maps.map((m) => m.class));
    for (const c of [
      'TextParser',
      'Scanner',
      'StringMaker',
      'OpenMetricsRules',
      'GroupSet',
      'ProtobufParser',
      'WireReader',
      'FamilyBuilder',
    ]) {
      expect(classes, `no kept ${c}`).toContain(c);
    }
    expect(maps.filter((m) => !m.same)).toEqual([]);
  });

  it('a full GC between parses throws away no optimised parser code ("weak objects")', () => {
    const ours = parserFunctionNames();
    expect(ours.size).toBeGreaterThan(100);
    expect(ours).toContain('labelsText');
    const thrownAway = trace
      .filter((l) => l.includes('reason: weak objects'))
      .map((l) => /<SharedFunctionInfo (\w+)>/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined && ours.has(n));
    expect(thrownAway).toEqual([]);
  });
});
