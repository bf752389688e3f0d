import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Memory bounds, measured in child processes (test/memory/child-parse.ts
 * prints its peak heap): the budget holds for hostile shapes, and streaming
 * memory does not grow with the size of one family. Bounds and ratios, never
 * times.
 */
const ROOT = join(__dirname, '..');

interface Result {
  outcome: string;
  samples: number;
  peakHeapMB: number;
}

function child(args: string[], nodeArgs: string[] = []): Promise<Result> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'test/memory/child-parse.ts', ...args], { cwd: ROOT });
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

describe('memory bounds (hardening)', () => {
  it('parse() of 50M tiny samples (200 MB) stops at maxModelBytes under a 1 GiB heap instead of aborting', async () => {
    // Before the budget this input took 4.8 GB and a V8 out-of-memory abort;
    // the child's heap is capped at 1 GiB, so an abort fails the test.
    const r = await child(['tiny', '50000000'], ['--max-old-space-size=1024']);
    expect(r.outcome).toBe('LIMIT_EXCEEDED:maxModelBytes');
    expect(r.peakHeapMB).toBeLessThan(900);
  }, 120_000);

  it('a smaller maxModelBytes bounds parse() in proportion', async () => {
    const r = await child(['tiny', '5000000', JSON.stringify({ maxModelBytes: 32 * 1048576 })]);
    expect(r.outcome).toBe('LIMIT_EXCEEDED:maxModelBytes');
    expect(r.peakHeapMB).toBeLessThan(64);
  }, 60_000);

  it('parseStream with batchSamples: one family of 800k samples streams in the memory of 200k', async () => {
    const small = await child(['oneFamily', '200000', JSON.stringify({ stream: 1, batchSamples: 5000 })]);
    const large = await child(['oneFamily', '800000', JSON.stringify({ stream: 1, batchSamples: 5000 })]);
    expect([small.outcome, large.outcome]).toEqual(['ok', 'ok']);
    expect(large.samples).toBe(800000);
    // Bounded: 4x the samples, not 4x the memory (without batches it is ~4x).
    expect(large.peakHeapMB).toBeLessThan(Math.max(2 * small.peakHeapMB, 40));
  }, 120_000);

  it('parseStream without batches is bounded by maxModelBytes for the family it holds', async () => {
    const r = await child(['oneFamily', '800000', JSON.stringify({ stream: 1, maxModelBytes: 16 * 1048576 })]);
    expect(r.outcome).toBe('LIMIT_EXCEEDED:maxModelBytes');
    expect(r.peakHeapMB).toBeLessThan(48);
  }, 60_000);
});

describe('the CLI reads with a bound (hardening)', () => {
  function cli(
    args: string[],
    stdin?: (w: NodeJS.WritableStream) => void,
  ): Promise<{ code: number | null; stderr: string; maxRssMB: number }> {
    return new Promise((resolve) => {
      const p = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `
        process.on('exit', () => process.stderr.write('\\nMAXRSS ' + process.resourceUsage().maxRSS + '\\n'));
        process.argv.splice(1, 0, 'promwire');
        await import('./src/cli/main.ts');`,
          ...args,
        ],
        { cwd: ROOT },
      );
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.stdout.resume();
      if (stdin !== undefined) stdin(p.stdin);
      p.on('close', (code) => {
        const m = /MAXRSS (\d+)/.exec(err);
        resolve({ code, stderr: err, maxRssMB: m === null ? NaN : Number(m[1]) / 1024 });
      });
    });
  }

  it('parse /dev/zero is an empty payload at once (a NUL at a line start ends the input)', async () => {
    const r = await cli(['parse', '/dev/zero']);
    expect(r.code).toBe(0);
    expect(r.maxRssMB).toBeLessThan(400);
  }, 60_000);

  it('parse - stops reading at --body-limit, not at the end of an endless pipe', async () => {
    const r = await cli(['parse', '-', '--body-limit', String(8 * 1048576)], (w) => {
      const chunk = Buffer.alloc(1 << 20, 'a 1\n');
      let sent = 0;
      const pump = (): void => {
        // An endless writer: it stops only when the reader goes away.
        while (sent < 4096 && w.write(chunk)) sent++;
        if (sent < 4096) w.once('drain', pump);
      };
      w.on('error', () => {});
      pump();
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`standard input is over ${8 * 1048576} bytes (maxBodyBytes)`);
    expect(r.maxRssMB).toBeLessThan(400);
  }, 60_000);
});
