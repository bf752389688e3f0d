import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published types carry no internals: tsup builds the declarations of
 * the `promwire` entry as `npm run build` does (tsup's dts bundler with the
 * project's tsconfig.json, which sets `stripInternal`), into a temporary
 * directory, and the bundle is read. Only the declarations are built (a few
 * seconds).
 */
const root = join(import.meta.dirname, '..');
let dir = '';
let dts = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'promwire-dts-'));
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/tsup/dist/cli-default.js'),
      '--no-config',
      'src/index.ts',
      '--dts-only',
      '--format',
      'esm',
      '--tsconfig',
      'tsconfig.json',
      '--out-dir',
      dir,
      '--silent',
    ],
    { cwd: root, stdio: 'pipe' },
  );
  dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
}, 120_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** The text of `declare class Name ... {` up to its closing brace at column 0. */
function classBody(name: string): string {
  const start = dts.search(new RegExp(`declare (abstract )?class ${name}\\b`));
  expect(start, `class ${name} in index.d.ts`).toBeGreaterThanOrEqual(0);
  const end = dts.indexOf('\n}', start);
  return dts.slice(start, end);
}

describe('published declarations (dist/index.d.ts)', () => {
  it('have no @internal member', () => {
    expect(dts).toContain('declare class MetricSet');
    expect(dts).not.toContain('@internal');
    // and none of the members that were marked so is declared by a metric class
    const classes = [
      'MetricSet',
      'Metric',
      'Series',
      'Counter',
      'CounterSeries',
      'Gauge',
      'GaugeSeries',
      'Histogram',
      'HistogramSeries',
      'Summary',
      'SummarySeries',
      'Info',
      'InfoSeries',
      'StateSet',
      'StateSetSeries',
    ];
    const bodies = classes.map(classBody).join('\n');
    for (const name of [
      'seriesMap',
      'writeOne',
      'writeAll',
      'defaultPairs',
      'arena',
      'escaped',
      'omLines',
      'lines',
      'labelValues',
      'lineSpecs',
      'snapshot',
      'counts',
      'flags',
      'owner',
      'header',
    ]) {
      expect(bodies, name).not.toMatch(new RegExp(`^\\s+(?:readonly |protected |abstract |private )*${name}\\b`, 'm'));
    }
  });

  it('CounterSeries and GaugeSeries have no writable value: only the checked methods', () => {
    for (const name of ['CounterSeries', 'GaugeSeries']) {
      const body = classBody(name);
      expect(body).not.toMatch(/^\s*(readonly\s+)?value\b/m);
      expect(body).toMatch(/\bget\(\): number;/);
      expect(body).toMatch(/\bset\(v: number\): void;/);
    }
  });

  it('keeps the public API', () => {
    for (const name of ['MetricSet', 'Counter', 'Gauge', 'Histogram', 'Summary', 'Info', 'StateSet', 'Metric', 'Series']) {
      classBody(name);
    }
    expect(dts).toMatch(/declare const DEFAULT_BUCKETS/);
  });
});
