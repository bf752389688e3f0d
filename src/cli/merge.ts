/**
 * `promwire merge`: several nodes' payloads into one cluster view
 * (src/toolkit/merge.ts), written in any format. Each input is a node: named
 * with `--node NAME=FILE`, or after its file name (`n1.prom` is node `n1`).
 */
import { basename } from 'node:path';
import { encode } from '../encode/encoder.js';
import type { Format } from '../model/index.js';
import { type MergeInput, merge } from '../toolkit/merge.js';
import { UsageError, type Flags } from './args.js';
import { checkBinaryOut, emit, formatFlag, parseInput, payloadFormat, sourceName, toFlag, warner } from './common.js';
import { readInput, type CliIO } from './io.js';

/** The node name a file gives: its base name up to the first dot (`n1.om.txt` -> `n1`). */
export function nodeNameOf(file: string): string {
  const base = basename(file);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** A comma list flag (`--status a,b`), or undefined. */
function listFlag(flags: Flags, name: string): string[] | undefined {
  const v = flags[name];
  if (!Array.isArray(v)) return undefined;
  return v
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/**
 * `merge [FILE...] [--node NAME=FILE]... [--mode unaggregated|aggregated] [--node-label L]
 * [--consistent M,...] [--status M,...] [--per-node M,...] [--to F] [-o FILE]`.
 */
export async function runMerge(files: readonly string[], flags: Flags, io: CliIO): Promise<number> {
  const nodes: { node: string; file: string }[] = [];
  for (const spec of Array.isArray(flags['node']) ? flags['node'] : []) {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1) throw new UsageError(`invalid --node '${spec}' (expected NAME=FILE)`, 'merge');
    nodes.push({ node: spec.slice(0, i), file: spec.slice(i + 1) });
  }
  for (const f of files) {
    if (f === '-') throw new UsageError('standard input has no name: give it as --node NAME=-', 'merge');
    nodes.push({ node: nodeNameOf(f), file: f });
  }
  if (nodes.length === 0) throw new UsageError('no inputs: give FILE... or --node NAME=FILE', 'merge');
  if (nodes.filter((n) => n.file === '-').length > 1) throw new UsageError('standard input can be only one node', 'merge');
  const seen = new Map<string, string>();
  for (const n of nodes) {
    const prev = seen.get(n.node);
    if (prev !== undefined) {
      throw new UsageError(`node "${n.node}" given twice (${prev} and ${n.file}): name them with --node NAME=FILE`, 'merge');
    }
    seen.set(n.node, n.file);
  }
  const to = toFlag(flags);
  checkBinaryOut('merge', to, flags, io);
  const mode = flags['mode'] === 'aggregated' ? 'aggregated' : 'unaggregated';
  const inputs: MergeInput[] = [];
  let firstFormat: Format | undefined;
  for (const n of nodes) {
    const input = await readInput('merge', n.file, io, undefined, formatFlag(flags));
    firstFormat ??= payloadFormat(flags, input.bytes);
    inputs.push({ node: n.node, families: parseInput(input, flags, io).families });
  }
  const perNode = listFlag(flags, 'per-node');
  const status = listFlag(flags, 'status');
  const consistent = listFlag(flags, 'consistent');
  // merge() drops summary quantiles when it sums (they cannot be added): said, not silent.
  const dropped: [string, number][] = [];
  const families = merge(inputs, {
    mode,
    ...(typeof flags['node-label'] === 'string' ? { nodeLabel: flags['node-label'] } : {}),
    ...(perNode !== undefined ? { perNode } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(consistent !== undefined ? { clusterConsistent: consistent } : {}),
    onQuantilesDropped: (name, n) => dropped.push([name, n]),
  });
  const warn = warner(io);
  for (const [name, n] of dropped) {
    warn(
      `${JSON.stringify(name)}: summary quantiles cannot be summed over nodes, dropped (${n} sample${n === 1 ? '' : 's'}; --per-node ${name} keeps them)`,
    );
  }
  const format = to ?? firstFormat ?? 'text';
  checkBinaryOut('merge', format, flags, io);
  await emit(encode(families, { format, onWarning: warn }), flags, io);
  io.err(
    `promwire: merged ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${nodes.map((n) => `${n.node}=${sourceName(n.file)}`).join(', ')}), ${mode}: ${families.length} families\n`,
  );
  return 0;
}
