/**
 * The official OpenMetrics parser test suite (../shared/conformance/openmetrics,
 * Apache-2.0, read in place, never copied): every case must be accepted or
 * rejected as its test.json says. Skipped, saying so, when the folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PromwireError, parse } from '../src/index.js';

const SUITE = join(__dirname, '..', '..', 'shared', 'conformance', 'openmetrics');
const present = existsSync(join(SUITE, 'index.json'));

interface Case {
  name: string;
  file: string;
  shouldParse: boolean;
}

describe.skipIf(!present)(`OpenMetrics conformance suite${present ? '' : ` (skipped: ${SUITE} is absent)`}`, () => {
  const cases: Case[] = present ? JSON.parse(readFileSync(join(SUITE, 'index.json'), 'utf8')) : [];

  it('lists 211 cases', () => {
    expect(cases).toHaveLength(211);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const bytes = readFileSync(join(SUITE, c.name, c.file));
    let error: unknown;
    try {
      parse(bytes, { format: 'openmetrics' });
    } catch (e) {
      error = e;
    }
    if (c.shouldParse) {
      expect(error).toBeUndefined();
    } else {
      expect(error).toBeInstanceOf(PromwireError);
      const e = error as PromwireError;
      expect(e.line).toBeGreaterThan(0);
      expect(e.column).toBeGreaterThan(0);
    }
  });
});
