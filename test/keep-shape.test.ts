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

interface ChildResult {
  maps: { class: string; same: boolean }[];
  trace: string[];
}

/** Runs the child over freshly written payloads; `release`: the control run, kept objects let go. */
function runChild(release: boolean): ChildResult {
  const dir = mkdtempSync(join(tmpdir(), 'promwire-keep-shape-'));
  try {
    const { text, openmetrics } = generatePayload({ seed: 7, samples: 12_000, families: 40 });
    writeFileSync(join(dir, 'payload.text'), text);
    writeFileSync(join(dir, 'payload.openmetrics'), openmetrics);
    writeFileSync(join(dir, 'payload.protobuf'), encode(parse(text, { format: 'text' }), { format: 'protobuf', onWarning: () => {} }));
    const args = ['--allow-natives-syntax', '--expose-gc', '--trace-deopt', '--import', 'tsx', 'test/helpers/keep-shape-child.ts', dir];
    const r = spawnSync(process.execPath, release ? [...args, 'release'] : args, {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
    const lines = r.stdout.trimEnd().split('\n');
    const result = JSON.parse(lines.pop()!) as { maps: { class: string; same: boolean }[] };
    return { maps: result.maps, trace: lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Our functions whose optimised code a GC threw away because an object it embedded died. */
function thrownAway(trace: string[], ours: Set<string>): string[] {
  return trace
    .filter((l) => l.includes('reason: weak objects'))
    .map((l) => /<SharedFunctionInfo (\w+)>/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && ours.has(n));
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
  const kept = runChild(false);
  const control = runChild(true);
  const ours = parserFunctionNames();

  it('keeps an object of each hot class with the map of the instances that walked real payloads', () => {
    const classes = new Set(kept.maps.map((m) => m.class));
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
    expect(kept.maps.filter((m) => !m.same)).toEqual([]);
  });

  it('a full GC between parses throws away no optimised parser code ("weak objects")', () => {
    expect(ours.size).toBeGreaterThan(100);
    expect(ours).toContain('labelsText');
    // The control: with the kept objects let go, the same trace shows the
    // walk's code thrown away (else this test could not fail).
    expect(thrownAway(control.trace, ours)).toContain('labelsText');
    expect(thrownAway(kept.trace, ours)).toEqual([]);
  });
});
