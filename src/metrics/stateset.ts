import type { EscapingScheme } from '../core/names.js';
import { writeValueMetric } from '../encode/api.js';
import type { ByteWriter, ProtoWriter } from '../encode/api.js';
import { type Definition, fail, q } from './definition.js';
import { LF, type LineSpec, Metric, type MetricOwner, Series } from './metric.js';

export class StateSetSeries extends Series {
  /** @internal The metric's states. */
  readonly states: readonly string[];
  /** @internal 1 for a state that is set. */
  readonly flags: Uint8Array;

  constructor(labelValues: readonly string[], metric: string, states: readonly string[]) {
    super(labelValues, metric);
    this.states = states;
    this.flags = new Uint8Array(states.length);
  }

  /** Makes `state` the one true state (an enum). */
  set(state: string): void {
    const i = this.states.indexOf(state);
    if (i < 0) fail('INVALID_ARGUMENT', `state ${q(String(state))} is not one of [${this.states.join(', ')}]`);
    this.flags.fill(0);
    this.flags[i] = 1;
  }

  /** Sets states individually (a set of flags); states not named keep their value. */
  setStates(states: Readonly<Record<string, boolean>>): void {
    for (const k of Object.keys(states)) {
      const i = this.states.indexOf(k);
      if (i < 0) fail('INVALID_ARGUMENT', `state ${q(k)} is not one of [${this.states.join(', ')}]`);
      this.flags[i] = states[k] === true ? 1 : 0;
    }
  }

  /** The states that are set. */
  get(): string[] {
    return this.states.filter((_, i) => this.flags[i] === 1);
  }
}

/** A stateset `foo`: one line per state, `foo{foo="state"} 0|1` (text writes it as a gauge). */
export class StateSet<L extends string = never> extends Metric<L, StateSetSeries> {
  readonly type = 'stateset' as const;
  readonly states: readonly string[];

  constructor(owner: MetricOwner, d: Definition<L>, states: string[]) {
    super(owner, d);
    this.states = states;
  }

  set(state: string): void {
    this.only().set(state);
  }

  setStates(states: Readonly<Record<string, boolean>>): void {
    this.only().setStates(states);
  }

  get(): string[] {
    return this.only().get();
  }

  /** @internal */
  protected lineSpecs(): LineSpec[] {
    return this.states.map((st) => ({ sample: this.name, extra: [this.name, st] as const }));
  }

  /** @internal */
  protected create(labelValues: readonly string[]): StateSetSeries {
    return new StateSetSeries(labelValues, this.name, this.states);
  }

  /** @internal */
  writeOne(w: ByteWriter, s: StateSetSeries, escaping: EscapingScheme, om: boolean): void {
    const lines = this.linesFor(s, escaping, om);
    for (let i = 0; i < s.flags.length; i++) {
      w.writeBytes(lines[i]!);
      w.writeByte(0x30 + s.flags[i]!);
      w.writeByte(LF);
    }
  }

  /** @internal One protobuf Metric per state. */
  protected override pbExtras(): ReadonlyArray<readonly [string, string]> {
    return (this.stateLabels ??= this.states.map((st) => [this.name, st] as const));
  }

  private stateLabels: ReadonlyArray<readonly [string, string]> | undefined;

  /** @internal Protobuf has no stateset type: a gauge per state, as text writes it. */
  writeProtobuf(w: ProtoWriter, s: StateSetSeries, escaping: EscapingScheme): void {
    const labels = this.pbLabels(s, escaping);
    for (let i = 0; i < s.flags.length; i++) writeValueMetric(w, labels[i]!, 'gauge', s.flags[i]!);
  }

  /** @internal */
  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  /** @internal */
  protected rwValues(s: StateSetSeries, out: number[]): number {
    const f = s.flags;
    for (let i = 0; i < f.length; i++) out[i] = f[i]!;
    return f.length;
  }
}
