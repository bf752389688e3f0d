import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PromwireError } from '../src/errors.js';
import { type Labels, makeFamily, type MetricFamily, type MetricType, type Sample } from '../src/model/index.js';
import { parse } from '../src/parse/families.js';
import { merge } from '../src/toolkit/merge.js';
import { lint } from '../src/toolkit/lint.js';
import { encode } from '../src/encode/encoder.js';
import { MetricSet } from '../src/metrics/index.js';
import type { MergeOptions } from '../src/toolkit/merge.js';

type S = [name: string, labels: Labels, value: number, timestamp?: number];

function fam(name: string, type: MetricType, samples: S[], help = 'h', unit = ''): MetricFamily {
  return makeFamily({
    name,
    type,
    help,
    unit,
    samples: samples.map(([n, labels, value, ts]): Sample => ({ name: n, labels, value, timestamp: ts ?? null })),
  });
}

/** `name{a="1",b="2"} value` lines of a family, in output order (labels in their order). */
function lines(f: MetricFamily | undefined): string[] {
  if (f === undefined) return [];
  return f.samples.map((s) => {
    const ls = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`);
    return `${s.name}${ls.length ? `{${ls.join(',')}}` : ''} ${s.value}${s.timestamp === null ? '' : ` ${s.timestamp}`}`;
  });
}

function byName(families: MetricFamily[], name: string): MetricFamily | undefined {
  return families.find((f) => f.name === name);
}

function conflict(fn: () => unknown): PromwireError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PromwireError);
    return err as PromwireError;
  }
  throw new Error('expected a PromwireError');
}

const latency = (a: number[], sum: number, labels: Labels = {}): S[] => [
  ['lat_seconds_bucket', { ...labels, le: '0.1' }, a[0]!],
  ['lat_seconds_bucket', { ...labels, le: '1' }, a[1]!],
  ['lat_seconds_bucket', { ...labels, le: '+Inf' }, a[2]!],
  ['lat_seconds_sum', labels, sum],
  ['lat_seconds_count', labels, a[2]!],
];

describe('merge: unaggregated', () => {
  it('puts the node label first on every series, keeps each node block together, and passes consistent families once', () => {
    const a = [
      fam('conn', 'gauge', [['conn', { listener: 'tcp' }, 5]]),
      fam('lat_seconds', 'histogram', latency([1, 2, 3], 0.5)),
      fam('cluster_size', 'gauge', [['cluster_size', {}, 2]]),
    ];
    const b = [
      fam('conn', 'gauge', [['conn', { listener: 'tcp' }, 7]]),
      fam('cluster_size', 'gauge', [['cluster_size', {}, 2]]),
      fam('lat_seconds', 'histogram', latency([0, 1, 1], 0.9)),
      fam('only_b', 'counter', [['only_b', {}, 1]]),
    ];
    const out = merge(
      [
        { node: 'a', families: a },
        { node: 'b', families: b },
      ],
      { mode: 'unaggregated', clusterConsistent: ['cluster_size'] },
    );
    expect(out.map((f) => f.name)).toEqual(['conn', 'lat_seconds', 'cluster_size', 'only_b']);
    expect(lines(byName(out, 'conn'))).toEqual(['conn{node="a",listener="tcp"} 5', 'conn{node="b",listener="tcp"} 7']);
    expect(lines(byName(out, 'lat_seconds'))).toEqual([
      'lat_seconds_bucket{node="a",le="0.1"} 1',
      'lat_seconds_bucket{node="a",le="1"} 2',
      'lat_seconds_bucket{node="a",le="+Inf"} 3',
      'lat_seconds_sum{node="a"} 0.5',
      'lat_seconds_count{node="a"} 3',
      'lat_seconds_bucket{node="b",le="0.1"} 0',
      'lat_seconds_bucket{node="b",le="1"} 1',
      'lat_seconds_bucket{node="b",le="+Inf"} 1',
      'lat_seconds_sum{node="b"} 0.9',
      'lat_seconds_count{node="b"} 1',
    ]);
    expect(lines(byName(out, 'cluster_size'))).toEqual(['cluster_size 2']);
    expect(lines(byName(out, 'only_b'))).toEqual(['only_b{node="b"} 1']);
    // Nothing of the inputs was changed.
    expect(lines(a[0])).toEqual(['conn{listener="tcp"} 5']);
  });

  it("keeps a label of the node label's name as exported_<name>, and honours nodeLabel", () => {
    const a = [fam('up', 'gauge', [['up', { node: 'x', exported_node: 'y' }, 1]])];
    expect(lines(merge([{ node: 'a', families: a }], { mode: 'unaggregated' })[0])).toEqual([
      'up{node="a",exported_exported_node="x",exported_node="y"} 1',
    ]);
    expect(lines(merge([{ node: 'a', families: a }], { mode: 'unaggregated', nodeLabel: 'member' })[0])).toEqual([
      'up{member="a",node="x",exported_node="y"} 1',
    ]);
  });

  it('keeps summaries, exemplars and timestamps as they are', () => {
    const s = fam('rpc_seconds', 'summary', [
      ['rpc_seconds', { quantile: '0.5' }, 0.2, 1000],
      ['rpc_seconds_count', {}, 4, 1000],
    ]);
    s.samples[1]!.exemplars = [{ labels: { trace_id: 'abc' }, value: 0.3, timestamp: null }];
    const out = merge([{ node: 'a', families: [s] }], { mode: 'unaggregated' });
    expect(lines(out[0])).toEqual(['rpc_seconds{node="a",quantile="0.5"} 0.2 1000', 'rpc_seconds_count{node="a"} 4 1000']);
    expect(out[0]!.samples[1]!.exemplars).toEqual([{ labels: { trace_id: 'abc' }, value: 0.3, timestamp: null }]);
  });
});

describe('merge: aggregated', () => {
  const nodes = () => [
    {
      node: 'n1',
      families: [
        fam('msgs_total', 'counter', [
          ['msgs_total', { qos: '0' }, 10],
          ['msgs_total', { qos: '1' }, 1],
        ]),
        fam('conn', 'gauge', [['conn', {}, 3]]),
        fam('lat_seconds', 'histogram', [...latency([1, 2, 3], 0.5, { qos: '0' }), ...latency([5, 5, 5], 0.1, { qos: '2' })]),
        fam('rpc_seconds', 'summary', [
          ['rpc_seconds', { quantile: '0.5' }, 0.2],
          ['rpc_seconds_sum', {}, 4],
          ['rpc_seconds_count', {}, 20],
          ['rpc_seconds_created', {}, 1700000100],
        ]),
        fam('running', 'gauge', [['running', {}, 1]]),
        fam('listener_up', 'gauge', [
          ['listener_up', { l: 'tcp' }, 1],
          ['listener_up', { l: 'ws' }, 1],
        ]),
        fam('uptime_seconds', 'gauge', [['uptime_seconds', {}, 100]]),
        fam('cluster_size', 'gauge', [['cluster_size', {}, 3]]),
        fam('build', 'info', [['build_info', { version: '1.2' }, 1]]),
      ],
    },
    {
      node: 'n2',
      families: [
        fam('msgs_total', 'counter', [
          ['msgs_total', { qos: '1' }, 2],
          ['msgs_total', { qos: '0' }, 20],
          ['msgs_total', { qos: '2' }, 7],
        ]),
        fam('conn', 'gauge', [['conn', {}, 4]]),
        // Label order differs, and le spelled differently: the same series.
        fam('lat_seconds', 'histogram', [
          ['lat_seconds_bucket', { le: '0.10', qos: '0' }, 10],
          ['lat_seconds_bucket', { le: '1.0', qos: '0' }, 20],
          ['lat_seconds_bucket', { le: '+Inf', qos: '0' }, 30],
          ['lat_seconds_sum', { qos: '0' }, 5],
          ['lat_seconds_count', { qos: '0' }, 30],
        ]),
        fam('rpc_seconds', 'summary', [
          ['rpc_seconds', { quantile: '0.5' }, 0.4],
          ['rpc_seconds_sum', {}, 6],
          ['rpc_seconds_count', {}, 30],
          ['rpc_seconds_created', {}, 1700000000],
        ]),
        fam('running', 'gauge', [['running', {}, 1]]),
        fam('listener_up', 'gauge', [
          ['listener_up', { l: 'tcp' }, 1],
          ['listener_up', { l: 'ws' }, 0],
        ]),
        fam('uptime_seconds', 'gauge', [['uptime_seconds', {}, 50]]),
        fam('cluster_size', 'gauge', [['cluster_size', {}, 3]]),
        fam('build', 'info', [['build_info', { version: '1.2' }, 1]]),
      ],
    },
  ];
  const options: MergeOptions = {
    mode: 'aggregated',
    clusterConsistent: ['cluster_size'],
    status: (f) => f.name === 'running' || f.name === 'listener_up',
    perNode: ['uptime_seconds'],
  };

  it('sums counters, gauges and histograms series by series, across label order and le spelling', () => {
    const out = merge(nodes(), options);
    expect(lines(byName(out, 'msgs_total'))).toEqual(['msgs_total{qos="0"} 30', 'msgs_total{qos="1"} 3', 'msgs_total{qos="2"} 7']);
    expect(lines(byName(out, 'conn'))).toEqual(['conn 7']);
    expect(lines(byName(out, 'lat_seconds'))).toEqual([
      'lat_seconds_bucket{qos="0",le="0.1"} 11',
      'lat_seconds_bucket{qos="0",le="1.0"} 22',
      'lat_seconds_bucket{qos="0",le="+Inf"} 33',
      'lat_seconds_sum{qos="0"} 5.5',
      'lat_seconds_count{qos="0"} 33',
      'lat_seconds_bucket{qos="2",le="0.1"} 5',
      'lat_seconds_bucket{qos="2",le="1.0"} 5',
      'lat_seconds_bucket{qos="2",le="+Inf"} 5',
      'lat_seconds_sum{qos="2"} 0.1',
      'lat_seconds_count{qos="2"} 5',
    ]);
  });

  it('drops summary quantiles, sums sum and count, takes the earliest _created', () => {
    const out = merge(nodes(), options);
    expect(lines(byName(out, 'rpc_seconds'))).toEqual(['rpc_seconds_sum 10', 'rpc_seconds_count 50', 'rpc_seconds_created 1700000000']);
  });

  it("takes the earliest of a text exposition's separate X_created gauge family", () => {
    const node = (created: number) =>
      parse(`# TYPE foo_total counter\nfoo_total 1\n# TYPE foo_created gauge\nfoo_created ${created}\n`, { format: 'text' });
    const out = merge(
      [
        { node: 'a', families: node(1.7e9) },
        { node: 'b', families: node(1.6e9) },
      ],
      { mode: 'aggregated' },
    );
    expect(lines(byName(out, 'foo_total'))).toEqual(['foo_total 2']);
    expect(lines(byName(out, 'foo_created'))).toEqual(['foo_created 1600000000']);
  });

  it('ANDs status families, keeps per-node and info families per node, passes consistent ones once', () => {
    const out = merge(nodes(), options);
    expect(lines(byName(out, 'running'))).toEqual(['running 1']);
    expect(lines(byName(out, 'listener_up'))).toEqual(['listener_up{l="tcp"} 1', 'listener_up{l="ws"} 0']);
    expect(lines(byName(out, 'uptime_seconds'))).toEqual(['uptime_seconds{node="n1"} 100', 'uptime_seconds{node="n2"} 50']);
    expect(lines(byName(out, 'build'))).toEqual(['build_info{node="n1",version="1.2"} 1', 'build_info{node="n2",version="1.2"} 1']);
    expect(lines(byName(out, 'cluster_size'))).toEqual(['cluster_size 3']);
    expect(out.map((f) => f.name)).toEqual(nodes()[0]!.families.map((f) => f.name));
  });

  it('treats a status value other than 0 as true and NaN as false', () => {
    const out = merge(
      [
        {
          node: 'a',
          families: [
            fam('ok', 'gauge', [
              ['ok', { x: '1' }, 2],
              ['ok', { x: '2' }, NaN],
            ]),
          ],
        },
        {
          node: 'b',
          families: [
            fam('ok', 'gauge', [
              ['ok', { x: '1' }, 1],
              ['ok', { x: '2' }, 1],
            ]),
          ],
        },
      ],
      { mode: 'aggregated', status: ['ok'] },
    );
    expect(lines(out[0])).toEqual(['ok{x="1"} 1', 'ok{x="2"} 0']);
  });

  it("keeps a timestamp all nodes agree on, drops others, drops exemplars, and lets a node's last point count", () => {
    const a = fam('c_total', 'counter', [
      ['c_total', { k: 'same' }, 1, 5000],
      ['c_total', { k: 'diff' }, 1, 5000],
      ['c_total', { k: 'twice' }, 1, 1000],
      ['c_total', { k: 'twice' }, 4, 2000],
    ]);
    a.samples[0]!.exemplars = [{ labels: { trace_id: 't' }, value: 1, timestamp: null }];
    const b = fam('c_total', 'counter', [
      ['c_total', { k: 'same' }, 2, 5000],
      ['c_total', { k: 'diff' }, 2, 6000],
      ['c_total', { k: 'twice' }, 10, 2000],
    ]);
    const out = merge(
      [
        { node: 'a', families: [a] },
        { node: 'b', families: [b] },
      ],
      { mode: 'aggregated' },
    );
    expect(lines(out[0])).toEqual(['c_total{k="same"} 3 5000', 'c_total{k="diff"} 3', 'c_total{k="twice"} 14 2000']);
    expect(out[0]!.samples[0]!.exemplars).toBeUndefined();
  });

  it('reads text untyped and OpenMetrics unknown as one type, and takes the first non-empty help and unit', () => {
    const out = merge(
      [
        { node: 'a', families: parse('# TYPE x untyped\nx 1\n', { format: 'text' }) },
        { node: 'b', families: [fam('x', 'unknown', [['x', {}, 2]], 'the x', 'bytes')] },
      ],
      { mode: 'aggregated' },
    );
    expect(out).toEqual([
      { name: 'x', type: 'unknown', help: 'the x', unit: 'bytes', samples: [{ name: 'x', labels: {}, value: 3, timestamp: null }] },
    ]);
  });

  it('joins two families of one name within a node', () => {
    const out = merge(
      [
        {
          node: 'a',
          families: [
            fam('x', 'unknown', [['x', { a: '1' }, 1]]),
            fam('y', 'gauge', [['y', {}, 1]]),
            fam('x', 'unknown', [['x', { a: '2' }, 2]]),
          ],
        },
      ],
      { mode: 'aggregated' },
    );
    expect(lines(out[0])).toEqual(['x{a="1"} 1', 'x{a="2"} 2']);
  });
});

describe('merge: errors', () => {
  it('MERGE_CONFLICT names the metric and both nodes when types differ', () => {
    const err = conflict(() =>
      merge(
        [
          { node: 'n1', families: [fam('x', 'counter', [['x', {}, 1]])] },
          { node: 'n2', families: [fam('y', 'gauge', [['y', {}, 1]])] },
          { node: 'n3', families: [fam('x', 'gauge', [['x', {}, 1]])] },
        ],
        { mode: 'unaggregated' },
      ),
    );
    expect(err.code).toBe('MERGE_CONFLICT');
    expect(err.message).toBe('merge: metric "x" is counter on node "n1" but gauge on node "n3"');
  });

  it('MERGE_CONFLICT when one node has a name twice with different types, or units differ', () => {
    const twice = conflict(() =>
      merge([{ node: 'n1', families: [fam('x', 'counter', [['x', {}, 1]]), fam('x', 'gauge', [['x', {}, 1]])] }], { mode: 'aggregated' }),
    );
    expect(twice.code).toBe('MERGE_CONFLICT');
    expect(twice.message).toBe('merge: metric "x" is both counter and gauge on node "n1"');
    const unit = conflict(() =>
      merge(
        [
          { node: 'n1', families: [fam('x', 'gauge', [['x', {}, 1]], 'h', 'bytes')] },
          { node: 'n2', families: [fam('x', 'gauge', [['x', {}, 1]], 'h', '')] },
          { node: 'n3', families: [fam('x', 'gauge', [['x', {}, 1]], 'h', 'seconds')] },
        ],
        { mode: 'aggregated' },
      ),
    );
    expect(unit.code).toBe('MERGE_CONFLICT');
    expect(unit.message).toBe('merge: metric "x" has unit "bytes" on node "n1" but "seconds" on node "n3"');
  });

  it('MERGE_CONFLICT names the series, both layouts and both nodes when bucket bounds differ (aggregated only)', () => {
    const other: S[] = [
      ['lat_seconds_bucket', { qos: '0', le: '0.5' }, 1],
      ['lat_seconds_bucket', { qos: '0', le: '+Inf' }, 2],
      ['lat_seconds_count', { qos: '0' }, 2],
    ];
    const inputs = [
      { node: 'n1', families: [fam('lat_seconds', 'histogram', latency([1, 2, 3], 1, { qos: '0' }))] },
      { node: 'n2', families: [fam('lat_seconds', 'histogram', other)] },
    ];
    const err = conflict(() => merge(inputs, { mode: 'aggregated' }));
    expect(err.code).toBe('MERGE_CONFLICT');
    expect(err.message).toBe(
      'merge: histogram "lat_seconds" series {qos="0"} has buckets [0.1, 1.0, +Inf] on node "n1" but [0.5, +Inf] on node "n2"',
    );
    // Unaggregated keeps each node's series apart: nothing to reconcile.
    expect(merge(inputs, { mode: 'unaggregated' })[0]!.samples).toHaveLength(8);
  });

  it('INVALID_ARGUMENT for duplicate or empty node names, a bad mode, double declarations, a non-gauge status', () => {
    const f = [fam('x', 'gauge', [['x', {}, 1]])];
    const cases: [() => unknown, string][] = [
      [
        () =>
          merge(
            [
              { node: 'a', families: f },
              { node: 'a', families: f },
            ],
            { mode: 'aggregated' },
          ),
        'merge: node names must be unique, got "a" twice',
      ],
      [() => merge([{ node: '', families: f }], { mode: 'aggregated' }), 'merge: expected a non-empty node name, got ""'],
      [() => merge([], { mode: 'sum' as 'aggregated' }), `merge: expected mode 'aggregated' or 'unaggregated', got "sum"`],
      [() => merge([], { mode: 'aggregated', nodeLabel: '' }), 'merge: expected a non-empty nodeLabel, got ""'],
      [() => merge([], { mode: 'aggregated', status: ['x'], perNode: ['x'] }), 'merge: metric "x" is declared both status and perNode'],
      [
        () => merge([{ node: 'a', families: [fam('h', 'histogram', latency([1, 1, 1], 1))] }], { mode: 'aggregated', status: ['h'] }),
        'merge: status metric "h" must be a gauge, unknown (untyped) or stateset family of 0/1 values, got histogram',
      ],
    ];
    for (const [fn, message] of cases) {
      const err = conflict(fn);
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toBe(message);
    }
    expect(merge([], { mode: 'aggregated' })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Three nodes' real-shaped payloads, against sums computed here from the raw
// lines, without the parser or merge().

const CLUSTER = path.resolve(__dirname, '../fixtures/cluster');
const NODES = ['node1', 'node2', 'node3'] as const;
const CONSISTENT = ['mqtt_build_info', 'mqtt_cluster_nodes', 'mqtt_license_max_connections', 'mqtt_retained_messages'];
const STATUS = ['mqtt_node_running', 'mqtt_listener_up'];
const PER_NODE = ['mqtt_node_uptime_seconds', 'process_resident_memory_bytes', 'process_cpu_seconds_total'];

interface RawSample {
  family: string;
  type: string;
  name: string;
  labels: [string, string][];
  value: number;
}

/** A deliberately naive reader for these simple fixtures: TYPE lines and `name{k="v",...} value` lines. */
function readRaw(text: string): RawSample[] {
  const out: RawSample[] = [];
  let family = '';
  let type = '';
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      family = t[1]!;
      type = t[2]!;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unexpected fixture line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([A-Za-z_]\w*)="([^"]*)"/g)].map((x): [string, string] => [x[1]!, x[2]!]);
    out.push({ family, type, name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function key(name: string, labels: Iterable<[string, string]>): string {
  const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}{${sorted.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

function resultMap(families: MetricFamily[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of families) {
    for (const s of f.samples) {
      const k = key(s.name, Object.entries(s.labels));
      expect(m.has(k), `series ${k} appears twice in the merge`).toBe(false);
      m.set(k, s.value as number);
    }
  }
  return m;
}

describe('merge: three MQTT broker nodes (fixtures/cluster)', () => {
  const texts = NODES.map((n) => readFileSync(path.join(CLUSTER, `${n}.prom`), 'utf8'));
  const raw = texts.map(readRaw);
  const inputs = NODES.map((node, i) => ({ node, families: parse(texts[i]!, { format: 'text' }) }));

  it('aggregated: every series is the sum (or AND, or per node, or once) computed from the raw lines', () => {
    const expected = new Map<string, number>();
    raw.forEach((samples, i) => {
      for (const s of samples) {
        if (CONSISTENT.includes(s.family)) {
          if (i === 0) expected.set(key(s.name, s.labels), s.value);
        } else if (PER_NODE.includes(s.family)) {
          expected.set(key(s.name, [...s.labels, ['node', NODES[i]!]]), s.value);
        } else if (STATUS.includes(s.family)) {
          const k = key(s.name, s.labels);
          const prev = expected.get(k);
          expected.set(k, (prev ?? 1) === 1 && s.value === 1 ? 1 : 0);
        } else if (s.type === 'summary' && s.name === s.family) {
          // quantiles: dropped
        } else {
          const k = key(s.name, s.labels);
          expected.set(k, (expected.get(k) ?? 0) + s.value);
        }
      }
    });
    const out = merge(inputs, {
      mode: 'aggregated',
      clusterConsistent: CONSISTENT,
      status: STATUS,
      perNode: (f) => PER_NODE.includes(f.name),
    });
    expect(resultMap(out)).toEqual(expected);
    // Spot checks of what the README promises, so a wrong expectation above cannot hide.
    expect(expected.get('mqtt_listener_up{listener="ws:default"}')).toBe(0);
    expect(expected.get('mqtt_messages_dropped_total{reason="queue_full"}')).toBe(21);
    expect(expected.get('mqtt_publish_latency_seconds_count{qos="2"}')).toBe(21);
    expect(expected.get('mqtt_connections{listener="tcp:default"}')).toBe(1203 + 1187 + 1219);
    expect(byName(out, 'mqtt_session_duration_seconds')!.samples.map((s) => s.name)).toEqual([
      'mqtt_session_duration_seconds_sum',
      'mqtt_session_duration_seconds_count',
    ]);
    expect(out.map((f) => f.name)).toEqual(inputs[0]!.families.map((f) => f.name));
  });

  it("unaggregated: every node's series with its node label, consistent families once", () => {
    const expected = new Map<string, number>();
    raw.forEach((samples, i) => {
      for (const s of samples) {
        if (CONSISTENT.includes(s.family)) {
          if (i === 0) expected.set(key(s.name, s.labels), s.value);
        } else {
          expected.set(key(s.name, [...s.labels, ['node', NODES[i]!]]), s.value);
        }
      }
    });
    const out = merge(inputs, { mode: 'unaggregated', clusterConsistent: CONSISTENT, status: STATUS, perNode: PER_NODE });
    expect(resultMap(out)).toEqual(expected);
    const total = raw.reduce((n, r) => n + r.length, 0);
    const consistentLines = raw[0]!.filter((s) => CONSISTENT.includes(s.family)).length;
    expect(expected.size).toBe(total - 2 * consistentLines);
    // Every sample of a family carries the node label first, except consistent families.
    for (const f of out) {
      for (const s of f.samples) {
        expect(Object.keys(s.labels)[0] === 'node').toBe(!CONSISTENT.includes(f.name));
      }
    }
  });
});

describe('merge: one metric whatever format each node speaks', () => {
  it('sums a counter read from text, from OpenMetrics and collected from a MetricSet into one family', () => {
    const text = parse('# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total{q="a"} 2\n', { format: 'text' });
    const om = parse('# TYPE jobs counter\n# HELP jobs Jobs.\njobs_total{q="a"} 3\njobs_created{q="a"} 1700000000\n# EOF\n', {
      format: 'openmetrics',
    });
    const set = new MetricSet();
    set
      .counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['q'] })
      .labels({ q: 'a' })
      .inc(5);
    const out = merge(
      [
        { node: 'text', families: text },
        { node: 'om', families: om },
        { node: 'set', families: set.collect() },
      ],
      { mode: 'aggregated' },
    );
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ name: 'jobs_total', type: 'counter', help: 'Jobs.' });
    expect(out[0]!.samples).toEqual([{ name: 'jobs_total', labels: { q: 'a' }, value: 10, timestamp: null, startTimestamp: 1.7e12 }]);
    // and the result is valid in both formats (promtool rejected two jobs_total families before)
    for (const format of ['text', 'openmetrics'] as const) {
      const back = parse(encode(out, { format }), { format });
      expect(back.filter((f) => f.name === 'jobs_total')).toHaveLength(1);
    }
  });

  it('sums buckets spelled le="0x10p0", le="16" and le="16.0" as one bucket, as Prometheus reads them', () => {
    const node = (le: string, v: number): MetricFamily[] =>
      parse(`# HELP h H.\n# TYPE h histogram\nh_bucket{le="${le}"} ${v}\nh_bucket{le="+Inf"} ${v}\nh_count ${v}\nh_sum 1\n`, {
        format: 'text',
      });
    const out = merge(
      [
        { node: 'a', families: node('0x10p0', 1) },
        { node: 'b', families: node('16', 2) },
        { node: 'c', families: node('16.0', 4) },
      ],
      { mode: 'aggregated' },
    );
    expect(lines(out[0])).toEqual(['h_bucket{le="16.0"} 7', 'h_bucket{le="+Inf"} 7', 'h_count 7', 'h_sum 3']);
    expect(lint(out)).toEqual([]);
  });

  it('keeps le="0x10" apart from le="16" in merge and reports it in lint, as Go ParseFloat rejects it', () => {
    const fams = (le: string): MetricFamily[] =>
      parse(`# HELP h H.\n# TYPE h histogram\nh_bucket{le="${le}"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n`, { format: 'text' });
    // Prometheus keeps a bound it cannot read verbatim (normalizeFloatsInLabelValues).
    expect(fams('0x10')[0]!.samples[0]!.labels.le).toBe('0x10');
    const err = conflict(() =>
      merge(
        [
          { node: 'a', families: fams('0x10') },
          { node: 'b', families: fams('16') },
        ],
        { mode: 'aggregated' },
      ),
    );
    expect(err.message).toContain('has buckets [NaN, +Inf] on node "a" but [16.0, +Inf] on node "b"');
    expect(lint(fams('0x10')).map((f) => f.message)).toContain('bucket h_bucket{le="0x10"} has le="0x10", expected a number');
  });
});
