/**
 * `promwire inspect`: the timing is opt-in (`--bench`), so `--json` is the
 * same bytes on every run, and a long inspection shows progress on a
 * terminal's stderr only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inspect } from '../src/cli/inspect.js';
import { Progress, type CliIO } from '../src/cli/io.js';
import { parse } from '../src/parse/families.js';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const runInProcess = (argv: string[]) => runCli(argv);

/** A text payload of about `mb` MB: several families of many series. */
function bigPayload(mb: number): Uint8Array {
  const parts: string[] = [];
  let size = 0;
  for (let f = 0; size < mb * 1e6; f++) {
    parts.push(`# HELP fam_${f}_total Family ${f}.\n# TYPE fam_${f}_total counter\n`);
    for (let i = 0; i < 2000; i++) {
      const line = `fam_${f}_total{instance="host-${i}",zone="z${i % 7}"} ${i * 3}\n`;
      parts.push(line);
      size += line.length;
    }
  }
  return Buffer.from(parts.join(''), 'utf8');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('inspect', () => {
  it('--json twice gives identical bytes, and no throughput without --bench', async () => {
    const a = await runInProcess(['inspect', 'fixtures/node_exporter.prom', '--json']);
    const b = await runInProcess(['inspect', 'fixtures/node_exporter.prom', '--json']);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(b.stdout).toBe(a.stdout);
    expect(JSON.parse(a.stdout)).not.toHaveProperty('throughput');
    const t = await runInProcess(['inspect', 'fixtures/node_exporter.prom']);
    expect(t.stdout).not.toContain('throughput');
    expect(t.stdout).toContain('top 10 families by series count');
  });

  it('--bench adds the throughput of both parsers', async () => {
    const r = await runInProcess(['inspect', 'fixtures/node_exporter.prom', '--json', '--bench']);
    const rep = JSON.parse(r.stdout) as { throughput: { pullApi: { runs: number }; families: { runs: number } } };
    expect(rep.throughput.pullApi.runs).toBeGreaterThanOrEqual(3);
    expect(rep.throughput.families.runs).toBeGreaterThanOrEqual(3);
  });

  it('counts a payload streamed in slices as parse() does over the whole of it', async () => {
    const bytes = bigPayload(2.5);
    const seen: number[] = [];
    const rep = await inspect(bytes, { format: 'auto', source: 'x', onProgress: (p) => seen.push(p.done) });
    const fams = parse(bytes);
    expect(rep.families).toBe(fams.length);
    expect(rep.samples).toBe(fams.reduce((n, f) => n + f.samples.length, 0));
    expect(rep.series).toBe(rep.samples);
    // One step per MiB slice, the last at the end of the payload.
    expect(seen).toEqual([1 << 20, 2 << 20, bytes.byteLength]);
    // The same report from the fixture read whole as from its bytes.
    const node = readFileSync(`${ROOT}fixtures/node_exporter.prom`);
    const r1 = await inspect(node, { format: 'auto', source: 'n' });
    expect(r1.samples).toBe(parse(node).reduce((n, f) => n + f.samples.length, 0));
  });

  it('an invalid line is reported with its line number in a later slice', async () => {
    const good = bigPayload(1.5);
    const lines = Buffer.from(good).toString('utf8').split('\n').length - 1;
    const bad = Buffer.concat([good, Buffer.from('broken{ 1\n')]);
    await expect(inspect(bad, { format: 'text', source: 'x' })).rejects.toMatchObject({ line: lines + 1 });
  });
});

describe('Progress', () => {
  function sink(tty: boolean): { io: CliIO; err: string[] } {
    const err: string[] = [];
    return { err, io: { stdin: (async function* () {})(), out: () => {}, err: (c) => err.push(c), errIsTTY: tty } };
  }

  it('shows nothing in the first 1.5 s, then a line rewritten in place, erased at the end', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { io, err } = sink(true);
    const p = new Progress(io);
    p.update('one');
    vi.setSystemTime(1_001_400);
    p.update('two');
    expect(err).toEqual([]);
    vi.setSystemTime(1_001_600);
    p.update('three');
    p.update('too soon after three');
    vi.setSystemTime(1_001_800);
    p.update('four');
    p.done();
    expect(err).toEqual(['\r\x1b[Kthree', '\r\x1b[Kfour', '\r\x1b[K']);
  });

  it('shows nothing when stderr is not a terminal', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { io, err } = sink(false);
    const p = new Progress(io);
    vi.setSystemTime(1_010_000);
    p.update('x');
    p.done();
    expect(err).toEqual([]);
  });
});
