import type { EscapingScheme } from '../core/names.js';
import { writeValueMetric } from '../encode/api.js';
import type { ByteWriter, ProtoWriter } from '../encode/api.js';
import { LF, type LineSpec, Metric, Series } from './metric.js';

/** An info series: its labels are the information; its value is always 1. */
export class InfoSeries extends Series {}

/** An info `foo`: `foo_info{...} 1` (family `foo_info` in the model; text writes it as a gauge). */
export class Info<L extends string = never> extends Metric<L, InfoSeries> {
  readonly type = 'info' as const;

  /** @internal */
  protected lineSpecs(): LineSpec[] {
    return [{ sample: this.name + '_info', extra: null }];
  }

  /** @internal */
  protected create(labelValues: readonly string[]): InfoSeries {
    return new InfoSeries(labelValues, this.name);
  }

  /** @internal */
  writeOne(w: ByteWriter, s: InfoSeries, escaping: EscapingScheme, om: boolean): void {
    w.writeBytes(this.linesFor(s, escaping, om)[0]!);
    w.writeByte(0x31); // OpenMetrics: an info value is 1
    w.writeByte(LF);
  }

  /** @internal Protobuf has no info type: a gauge `foo_info` of 1, as text writes it. */
  writeProtobuf(w: ProtoWriter, s: InfoSeries, escaping: EscapingScheme): void {
    writeValueMetric(w, this.pbLabels(s, escaping)[0]!, 'gauge', 1);
  }

  /** @internal */
  writeAll(w: ByteWriter, escaping: EscapingScheme, om: boolean): void {
    for (const s of this.seriesMap.values()) this.writeOne(w, s, escaping, om);
  }

  /** @internal */
  protected rwValues(_s: InfoSeries, out: number[]): number {
    out[0] = 1;
    return 1;
  }
}
