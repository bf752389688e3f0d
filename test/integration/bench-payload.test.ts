/**
 * The benchmark payloads are valid for the reference tools, not just for
 * promwire: the generated text 0.0.4 payload passes `promtool check metrics`
 * (promtool 3.5.3 from Debian sid) with no parse error and no lint finding, and its
 * OpenMetrics twin is read by the Python client's OpenMetrics parser
 * (Debian python3-prometheus-client) with the same families and samples.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE, SMALL, generatePayload } from '../../bench/generate.js';
import { BIN, runWithStdin as run } from './helpers.js';

const PY_COUNT = `
import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(sys.stdin.read()))
print(json.dumps({"families": len(fams), "samples": sum(len(f.samples) for f in fams),
                  "types": sorted(set(f.type for f in fams))}))
`;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'promwire-bench-payload-'));
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['large', LARGE],
  ['small', SMALL],
])('the %s generated payload', (name, options) => {
  const p = generatePayload(options);

  it('text 0.0.4: promtool check metrics finds nothing (exit 0)', async () => {
    const file = path.join(dir, `${name}.prom`);
    await writeFile(file, p.text);
    const r = await run(BIN.promtool, ['check', 'metrics'], file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('OpenMetrics: the Python client parser reads every family and sample', async () => {
    const file = path.join(dir, `${name}.om.txt`);
    await writeFile(file, p.openmetrics);
    const r = await run(BIN.python, ['-c', PY_COUNT], file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as { families: number; samples: number; types: string[] };
    expect(got.families).toBe(p.model.families.length);
    expect(got.samples).toBe(p.model.samples);
    expect(got.types).toEqual(['counter', 'gauge', 'gaugehistogram', 'histogram', 'info', 'stateset', 'summary', 'unknown']);
  });
});
