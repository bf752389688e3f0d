/**
 * `promwire merge`: the cluster fixtures (three broker nodes) merged by the
 * CLI give what the library's merge() gives, in both modes; node names from
 * file names or `--node NAME=FILE`; output in any format; what the merge
 * drops (summary quantiles when summed) is said on stderr.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeNameOf } from '../src/cli/merge.js';
import { encode } from '../src/encode/encoder.js';
import { parse } from '../src/parse/families.js';
import { merge } from '../src/toolkit/merge.js';
import { runCli } from './helpers/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = (i: number): string => `fixtures/cluster/node${i}.prom`;

const cli = (argv: string[], stdin = '') => runCli(argv, { stdin, bytes: true });

const inputs = [1, 2, 3].map((i) => ({ node: `node${i}`, families: parse(readFileSync(`${ROOT}${N(i)}`)) }));

describe('promwire merge', () => {
  it('unaggregated (the default): node names from the file names, the same bytes as merge() then encode()', async () => {
    const r = await cli(['merge', N(1), N(2), N(3)]);
    expect(r.code).toBe(0);
    const expected = encode(merge(inputs, { mode: 'unaggregated' }), { format: 'text' });
    expect(r.stdout.toString('utf8')).toBe(Buffer.from(expected).toString('utf8'));
    expect(r.stdout.toString('utf8')).toContain('node="node2"');
    expect(r.stderr).toBe(
      `promwire: merged 3 nodes (node1=${N(1)}, node2=${N(2)}, node3=${N(3)}), unaggregated: ${merge(inputs, { mode: 'unaggregated' }).length} families\n`,
    );
  });

  it('aggregated with declarations and --node names, as OpenMetrics; dropped quantiles are said once per family', async () => {
    const r = await cli([
      'merge',
      '--node',
      `a=${N(1)}`,
      '--node',
      `b=${N(2)}`,
      '--node',
      `c=${N(3)}`,
      '--mode',
      'aggregated',
      '--node-label',
      'broker',
      '--consistent',
      'mqtt_cluster_nodes,mqtt_license_max_connections',
      '--status',
      'mqtt_listener_up',
      '--to',
      'openmetrics',
    ]);
    expect(r.code).toBe(0);
    const named = inputs.map((x, i) => ({ node: 'abc'[i]!, families: x.families }));
    const expected = merge(named, {
      mode: 'aggregated',
      nodeLabel: 'broker',
      clusterConsistent: ['mqtt_cluster_nodes', 'mqtt_license_max_connections'],
      status: ['mqtt_listener_up'],
    });
    expect(r.stdout.toString('utf8')).toBe(Buffer.from(encode(expected, { format: 'openmetrics' })).toString('utf8'));
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('promwire: warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^promwire: warning: "mqtt_session_duration_seconds": summary quantiles cannot be summed over nodes, dropped \(\d+ samples; --per-node mqtt_session_duration_seconds keeps them\)$/,
      ),
    ]);
    // --per-node keeps them, and then nothing is said.
    const kept = await cli(['merge', N(1), N(2), '--mode', 'aggregated', '--per-node', 'mqtt_session_duration_seconds']);
    expect(kept.stderr).not.toContain('warning');
    expect(kept.stdout.toString('utf8')).toMatch(/mqtt_session_duration_seconds\{node="node1",quantile="0.5"\}/);
  });

  it('standard input as a named node, protobuf out, and the mistakes a user makes', async () => {
    const one = readFileSync(`${ROOT}${N(1)}`, 'utf8');
    const pb = await cli(['merge', '--node', 'x=-', N(2), '--to', 'protobuf'], one);
    expect(pb.code).toBe(0);
    expect(parse(pb.stdout, { format: 'protobuf' }).length).toBeGreaterThan(0);
    expect((await cli(['merge', N(1), N(1)])).stderr).toContain('node "node1" given twice');
    expect((await cli(['merge', '-'])).code).toBe(2);
    expect((await cli(['merge'])).code).toBe(2);
    expect((await cli(['merge', '--node', 'novalue'])).code).toBe(2);
    const clash = await cli(
      ['merge', '--node', 'x=-', N(1)],
      '# TYPE mqtt_connections summary\nmqtt_connections_sum 1\nmqtt_connections_count 1\n',
    );
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/^promwire: merge: metric "mqtt_connections" is summary on node "x" but gauge on node "node1"/);
  });

  it('names a node after its file name up to the first dot', () => {
    expect(nodeNameOf('/a/b/node-1.om.txt')).toBe('node-1');
    expect(nodeNameOf('plain')).toBe('plain');
    expect(nodeNameOf('.hidden')).toBe('.hidden');
  });
});
