/**
 * `merge()`: one cluster view out of several nodes' metric families, as a
 * clustered exporter (an MQTT broker, a gateway) serves it: every node's
 * series side by side with a `node` label, or the cluster's sum.
 *
 * Runtime-neutral: no IO, no Node modules.
 */
import { PromwireError } from '../errors.js';
import { type Labels, makeFamily, type MetricFamily, type MetricType, type NativeHistogram, type Sample } from '../model/index.js';
import { addNativeHistograms } from '../model/native-histogram.js';
import { setLabel } from '../model/labels.js';
import { canonicalBound, normalizeNumber, parseBound, seriesKey as modelSeriesKey } from '../model/rules.js';

/** Names of families, or a test on a family (given the first node's family of that name). */
export type FamilySelector = readonly string[] | ((family: MetricFamily) => boolean);

/** One node's families, as parsed from its payload or collected from its registry. */
export interface MergeInput {
  /** The node's name: the value of the node label. Unique among the inputs. */
  node: string;
  families: readonly MetricFamily[];
}

/** How {@link merge} combines the nodes. */
export type MergeMode = 'aggregated' | 'unaggregated';

/** Options of {@link merge}. */
export interface MergeOptions {
  /**
   * `'unaggregated'`: every node's series, each with the node label.
   * `'aggregated'`: the cluster's sum (see {@link merge}).
   */
  mode: MergeMode;
  /** The label that names the node. Defaults to `'node'`. */
  nodeLabel?: string;
  /**
   * Families whose value every node reports alike (cluster size, a replicated
   * store's size, the cluster's license): passed through once, from the first
   * node that has them, without the node label, in both modes.
   */
  clusterConsistent?: FamilySelector;
  /**
   * Aggregated mode: 0/1 status families, combined with logical AND: a series
   * is 1 when it is non-zero on every node that reports it, else 0. Only for
   * gauge, untyped, unknown and stateset families.
   */
  status?: FamilySelector;
  /**
   * Aggregated mode: families that make sense only per node (uptime, a
   * node's own memory): kept per node, with the node label.
   */
  perNode?: FamilySelector;
  /**
   * @internal Aggregated mode: told, once per summed summary family, how many
   * quantile samples were dropped (all nodes together; not called when none
   * were). For the CLI's warning.
   */
  onQuantilesDropped?: (family: string, dropped: number) => void;
}

type Role = 'consistent' | 'status' | 'perNode' | 'sum';

/** A series' identity across nodes, and what has been added up for it. */
interface Acc {
  sample: Sample;
  value: number | NativeHistogram;
  /** The earliest start timestamp of the series on any node. */
  start: number | undefined;
  /** The common timestamp so far; undefined before the first, null once they differ. */
  timestamp: number | null | undefined;
}

/**
 * Merges several nodes' metric families into one cluster view.
 *
 * Families are matched across nodes by name and come out in the order in
 * which they first appear (the first node's order, then families only later
 * nodes have). A family is the same metric whatever format each node's
 * payload came in: the model names a counter after its series
 * (`jobs_total` from text, OpenMetrics or a MetricSet alike), and bucket
 * bounds are compared as numbers (`le="1"` and `le="1.0"` are one bucket).
 * Native histograms are added bucket by bucket at the coarser schema.
 *
 * `mode: 'unaggregated'`: each series gets the node label (`node="n1"`,
 * first among its labels), except in cluster-consistent families, which
 * appear once. Each node's samples of a family stay together, so histogram
 * and summary series are not interleaved.
 *
 * `mode: 'aggregated'`, per family:
 * - cluster-consistent: passed through once, from the first node that has it;
 * - status: AND across the nodes that report each series (1 or 0);
 * - per-node, and every `info` and `stateset` family (a sum of them means
 *   nothing): kept per node with the node label;
 * - every other family is summed series by series (a series is the sample
 *   name plus its label set, label order ignored, `le` compared as a number):
 *   counters, gauges, untyped/unknown values, histogram and gaugehistogram
 *   buckets, sums and counts, summary sums and counts. A series that only some
 *   nodes report is the sum over those nodes.
 * - Summary quantiles are dropped: the quantile of the union of the nodes'
 *   observations cannot be computed from each node's quantiles, and any
 *   combination of them (mean, max) would be a number that looks right and is
 *   not. Declare the family per-node to keep them, with the node label.
 * - start timestamps (and text's `X_created` gauges) take the earliest
 *   node's value (the cluster's series exists since its first node's did).
 * - A summed sample keeps its timestamp when every node gave the same one,
 *   else it has none; exemplars are dropped (they belong to one node's
 *   observation, not to the sum). When a node reports one series twice (two
 *   timestamps), its last point counts.
 *
 * A series that already has the node label keeps its value under
 * `exported_<nodeLabel>` (more `exported_` prefixes if that is taken too), as
 * Prometheus does with `honor_labels: false`.
 *
 * Errors (`PromwireError`): `MERGE_CONFLICT`, naming the metric and the two
 * nodes, when a family's type or unit differs between nodes (`untyped` and
 * `unknown` are one type), or, in aggregated mode, when a histogram series'
 * bucket bounds differ; `INVALID_ARGUMENT` for duplicate or empty node names, an
 * unknown mode, a name in two declaration lists, or a status family that is
 * not gauge-like.
 */
export function merge(inputs: readonly MergeInput[], options: MergeOptions): MetricFamily[] {
  const mode = options.mode;
  if (mode !== 'aggregated' && mode !== 'unaggregated') {
    throw new PromwireError('INVALID_ARGUMENT', `merge: expected mode 'aggregated' or 'unaggregated', got ${JSON.stringify(mode)}`);
  }
  const nodeLabel = options.nodeLabel ?? 'node';
  if (nodeLabel === '') throw new PromwireError('INVALID_ARGUMENT', 'merge: expected a non-empty nodeLabel, got ""');
  checkDeclarations(options);

  // Each node's families by name, and the order names first appear in.
  const order: string[] = [];
  const byNode: { node: string; families: Map<string, MetricFamily> }[] = [];
  const nodes = new Set<string>();
  for (const input of inputs) {
    if (typeof input.node !== 'string' || input.node === '') {
      throw new PromwireError('INVALID_ARGUMENT', `merge: expected a non-empty node name, got ${JSON.stringify(input.node)}`);
    }
    if (nodes.has(input.node)) {
      throw new PromwireError('INVALID_ARGUMENT', `merge: node names must be unique, got "${input.node}" twice`);
    }
    nodes.add(input.node);
    const families = new Map<string, MetricFamily>();
    for (const f of input.families) {
      const seen = families.get(f.name);
      if (seen === undefined) {
        families.set(f.name, f);
        if (!order.includes(f.name)) order.push(f.name);
        continue;
      }
      // The same name twice in one payload (its samples were not consecutive): one family.
      if (!sameType(seen.type, f.type)) {
        throw new PromwireError('MERGE_CONFLICT', `merge: metric "${f.name}" is both ${seen.type} and ${f.type} on node "${input.node}"`);
      }
      families.set(f.name, makeFamily({ ...seen, samples: (seen.samples as Sample[]).concat(f.samples) }));
    }
    byNode.push({ node: input.node, families });
  }

  const out: MetricFamily[] = [];
  for (const name of order) {
    const entries: { node: string; family: MetricFamily }[] = [];
    for (const n of byNode) {
      const family = n.families.get(name);
      if (family !== undefined) entries.push({ node: n.node, family });
    }
    const first = entries[0]!;
    let help = '';
    let unit = '';
    for (const e of entries) {
      if (!sameType(first.family.type, e.family.type)) {
        throw new PromwireError(
          'MERGE_CONFLICT',
          `merge: metric "${name}" is ${first.family.type} on node "${first.node}" but ${e.family.type} on node "${e.node}"`,
        );
      }
      if (e.family.unit !== '') {
        if (unit === '') unit = e.family.unit;
        else if (e.family.unit !== unit) {
          const owner = entries.find((x) => x.family.unit === unit)!;
          throw new PromwireError(
            'MERGE_CONFLICT',
            `merge: metric "${name}" has unit "${unit}" on node "${owner.node}" but "${e.family.unit}" on node "${e.node}"`,
          );
        }
      }
      if (help === '') help = e.family.help;
    }
    const type = first.family.type;
    const role = roleOf(first.family, options);
    let samples: Sample[];
    if (role === 'consistent') {
      samples = first.family.samples.map((s) => copySample(s, { ...s.labels }));
    } else if (role === 'status' && mode === 'aggregated') {
      if (type !== 'gauge' && type !== 'unknown' && type !== 'stateset') {
        throw new PromwireError(
          'INVALID_ARGUMENT',
          `merge: status metric "${name}" must be a gauge, unknown (untyped) or stateset family of 0/1 values, got ${type}`,
        );
      }
      samples = combine(entries, type, name, 'and');
    } else if (mode === 'unaggregated' || role === 'perNode' || type === 'info' || type === 'stateset') {
      samples = [];
      for (const e of entries) {
        for (const s of e.family.samples) samples.push(withNode(s, nodeLabel, e.node));
      }
    } else {
      samples = combine(entries, type, name, 'sum', options.onQuantilesDropped);
    }
    out.push(makeFamily({ name, type, help, unit, samples }));
  }
  return out;
}

function sameType(a: MetricType, b: MetricType): boolean {
  // Text 0.0.4's untyped is the model's unknown already (rules.typeFromWord).
  return a === b;
}

function matches(sel: FamilySelector | undefined, f: MetricFamily): boolean {
  if (sel === undefined) return false;
  if (typeof sel === 'function') return sel(f);
  return sel.includes(f.name);
}

function roleOf(f: MetricFamily, options: MergeOptions): Role {
  // Precedence when predicates overlap: consistent, then status, then per-node.
  if (matches(options.clusterConsistent, f)) return 'consistent';
  if (matches(options.status, f)) return 'status';
  if (matches(options.perNode, f)) return 'perNode';
  return 'sum';
}

function checkDeclarations(options: MergeOptions): void {
  const lists: [string, FamilySelector | undefined][] = [
    ['clusterConsistent', options.clusterConsistent],
    ['status', options.status],
    ['perNode', options.perNode],
  ];
  const owner = new Map<string, string>();
  for (const [what, sel] of lists) {
    if (sel === undefined || typeof sel === 'function') continue;
    for (const name of sel) {
      const prev = owner.get(name);
      if (prev !== undefined && prev !== what) {
        throw new PromwireError('INVALID_ARGUMENT', `merge: metric "${name}" is declared both ${prev} and ${what}`);
      }
      owner.set(name, what);
    }
  }
}

function copySample(s: Sample, labels: Labels): Sample {
  const c = { name: s.name, labels, value: s.value, timestamp: s.timestamp } as Sample;
  if (s.startTimestamp !== undefined) c.startTimestamp = s.startTimestamp;
  if (s.exemplars !== undefined) c.exemplars = s.exemplars;
  return c;
}

/**
 * The sample with the node label first. A label of that name already there
 * moves to `exported_<name>`, as Prometheus' scrape does for target labels
 * when `honor_labels` is false.
 */
function withNode(s: Sample, nodeLabel: string, node: string): Sample {
  const labels: Labels = { [nodeLabel]: node };
  // Own properties only: a node label named like an Object.prototype member
  // (`constructor`) is not on a sample that lacks it.
  const own = Object.hasOwn(s.labels, nodeLabel) ? s.labels[nodeLabel] : undefined;
  if (own !== undefined) {
    let exported = 'exported_' + nodeLabel;
    while (Object.hasOwn(s.labels, exported)) exported = 'exported_' + exported;
    setLabel(labels, exported, own);
  }
  for (const k in s.labels) if (k !== nodeLabel) setLabel(labels, k, s.labels[k]!);
  return copySample(s, labels);
}

/**
 * Sums (or ANDs) every node's samples series by series, dropping summary
 * quantiles, taking the minimum of `_created`, and checking histogram bucket
 * layouts.
 */
function combine(
  entries: readonly { node: string; family: MetricFamily }[],
  type: MetricType,
  name: string,
  how: 'sum' | 'and',
  onQuantilesDropped?: (family: string, dropped: number) => void,
): Sample[] {
  const isHistogram = type === 'histogram' || type === 'gaugehistogram';
  const created = name + '_created';
  // Text 0.0.4 exposes `X_created` as a gauge family of its own (the Python
  // client, and promwire's text encoder): still creation timestamps, which
  // OpenMetrics reserves the suffix for, so the earliest wins, not a sum.
  const isCreatedFamily = name.endsWith('_created') && (type === 'gauge' || type === 'unknown');
  const accs = new Map<string, Acc>();
  // Histogram bucket layouts: series (labels without le) -> bounds and the node that set them.
  const layouts = isHistogram ? new Map<string, { node: string; bounds: string }>() : undefined;

  let droppedQuantiles = 0;
  for (const { node, family } of entries) {
    // This node's samples by series; a later point of one series replaces an earlier one.
    const mine = new Map<string, Sample>();
    for (const s of family.samples) {
      if (type === 'summary' && s.name === name) {
        droppedQuantiles++; // quantiles: see merge()
        continue;
      }
      mine.set(seriesKey(s, isHistogram ? 'le' : type === 'summary' ? 'quantile' : null), s);
    }
    if (layouts !== undefined) checkLayouts(family, node, name, layouts);
    for (const [key, s] of mine) {
      const acc = accs.get(key);
      const sv = s.value;
      const v = how === 'and' && typeof sv === 'number' ? (sv !== 0 && !Number.isNaN(sv) ? 1 : 0) : sv;
      if (acc === undefined) {
        accs.set(key, { sample: s, value: v, start: s.startTimestamp, timestamp: s.timestamp });
        continue;
      }
      if (s.startTimestamp !== undefined && !(acc.start !== undefined && acc.start <= s.startTimestamp)) acc.start = s.startTimestamp;
      const av = acc.value;
      if (typeof av !== 'number' || typeof v !== 'number') {
        if (typeof av === 'number' || typeof v === 'number') {
          throw new PromwireError(
            'MERGE_CONFLICT',
            `merge: histogram "${name}" series ${labelsText(s.labels, '')} is native on one node and classic on node "${node}"`,
          );
        }
        const sum = addNativeHistograms(av, v);
        if (typeof sum === 'string') {
          throw new PromwireError(
            'MERGE_CONFLICT',
            `merge: native histogram "${name}" series ${labelsText(s.labels, '')} cannot be added on node "${node}": ${sum}`,
          );
        }
        acc.value = sum;
      } else if (how === 'and') acc.value = av !== 0 && v !== 0 ? 1 : 0;
      else if (s.name === created || isCreatedFamily) acc.value = Math.min(av, v);
      else acc.value = av + v;
      if (acc.timestamp !== s.timestamp) acc.timestamp = null;
    }
  }

  const out: Sample[] = [];
  for (const acc of accs.values()) {
    const labels = { ...acc.sample.labels };
    // Bucket bounds as one spelling, whatever each node wrote (`1` and `1.0`).
    if (isHistogram && labels.le !== undefined) labels.le = normalizeNumber(labels.le);
    const c = { name: acc.sample.name, labels, value: acc.value, timestamp: acc.timestamp ?? null } as Sample;
    if (acc.start !== undefined) c.startTimestamp = acc.start;
    out.push(c);
  }
  if (droppedQuantiles > 0) onQuantilesDropped?.(name, droppedQuantiles);
  return out;
}

/**
 * Checks that each histogram series has the same bucket bounds on every node
 * that reports it (summing buckets of different bounds would make buckets
 * that count nothing in particular).
 */
function checkLayouts(family: MetricFamily, node: string, name: string, layouts: Map<string, { node: string; bounds: string }>): void {
  const bucket = name + '_bucket';
  const mine = new Map<string, number[]>();
  const display = new Map<string, Labels>();
  for (const s of family.samples) {
    if (s.name !== bucket) continue;
    const key = modelSeriesKey('', s.labels, 'le');
    let list = mine.get(key);
    if (list === undefined) {
      mine.set(key, (list = []));
      display.set(key, s.labels);
    }
    list.push(parseBound(s.labels['le'] ?? '') ?? NaN);
  }
  for (const [key, list] of mine) {
    const bounds = [...new Set(list)]
      .sort((a, b) => a - b)
      .map(canonicalBound)
      .join(', ');
    const prev = layouts.get(key);
    if (prev === undefined) {
      layouts.set(key, { node, bounds });
    } else if (prev.bounds !== bounds) {
      throw new PromwireError(
        'MERGE_CONFLICT',
        `merge: histogram "${name}" series ${labelsText(display.get(key)!, 'le')} has buckets [${prev.bounds}] ` +
          `on node "${prev.node}" but [${bounds}] on node "${node}"`,
      );
    }
  }
}

/** A series key (rules.seriesKey), the bound label (`le`, `quantile`) compared as a number (rules.normalizeNumber). */
function seriesKey(s: Sample, bound: string | null): string {
  const v = bound === null ? undefined : s.labels[bound];
  if (v === undefined) return modelSeriesKey(s.name, s.labels);
  return modelSeriesKey(s.name, { ...s.labels, [bound!]: normalizeNumber(v) });
}

function labelsText(labels: Labels, omit: string): string {
  const parts: string[] = [];
  for (const k in labels) if (k !== omit) parts.push(`${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(',')}}`;
}
