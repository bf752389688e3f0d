import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Families outlive their parse, so they must not keep the input alive: a
 * string that is a slice of one string of the whole buffer (what the pull
 * API's accessors may hand out) holds that string, one byte per input byte.
 * Measured in a child process (test/memory/child-retain.ts) as the heap the
 * families hold after a full GC, on a payload whose families are a small
 * part of its bytes. Bytes, never times.
 */
const ROOT = join(__dirname, '..');

interface Result {
  input: number;
  retained: number;
  samples: number;
  families: number;
}

function child(format: string, mode: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/memory/child-retain.ts', format, mode], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Result);
    });
  });
}

describe('families do not keep the input alive', () => {
  for (const [format, mode] of [
    ['text', 'parse'],
    ['openmetrics', 'parse'],
    ['text', 'stream'],
  ] as const) {
    it(`${format} ${mode}: the families of a 4 MB payload hold a small part of its size`, async () => {
      const r = await child(format, mode);
      expect(r.samples).toBe(2000);
      expect(r.families).toBe(20);
      expect(r.input).toBeGreaterThan(2_000_000);
      // 2000 samples with two labels of new ~40-character values are about
      // 0.7 MB of heap; the input string alone would be r.input more.
      expect(r.retained).toBeLessThan(r.input / 3);
    }, 60_000);
  }
});
