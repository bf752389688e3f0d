/**
 * The generator's model as a promwire `MetricSet`, the steady state of a
 * service holding those series: every series created once, values changed
 * between encodes.
 */
import { MetricSet } from '../src/index.js';
import type { GenModel } from './generate.js';

export interface MetricSetSetup {
  set: MetricSet;
  /** Changes every counter and gauge value and a tenth of the histograms and summaries (what a service does between scrapes). */
  mutate: (round: number) => void;
  /** Sample lines an encode writes. */
  samples: number;
}

/**
 * MetricSet has no gaugehistogram or untyped metric: they become a
 * histogram and a gauge (same lines). Histograms, summaries and statesets
 * take the model's values directly (`set()`), so the text output carries
 * the same series and values as the generated payload.
 */
export function buildMetricSet(model: GenModel): MetricSetSetup {
  const set = new MetricSet();
  const scalars: { set(v: number): void }[] = [];
  const histograms: { observe(v: number): void }[] = [];
  let samples = 0;
  for (const f of model.families) {
    const base = { name: f.name, help: f.help, labelNames: f.labelNames };
    const labels = (values: string[]): Record<string, string> => {
      const o: Record<string, string> = {};
      for (let i = 0; i < f.labelNames.length; i++) o[f.labelNames[i]!] = values[i]!;
      return o;
    };
    switch (f.type) {
      case 'counter': {
        const m = set.counter(base);
        for (const s of f.series) {
          const h = m.labels(labels(s.labels));
          h.set(s.value);
          scalars.push({ set: (v) => h.inc(v) });
        }
        samples += f.series.length;
        break;
      }
      case 'gauge':
      case 'untyped': {
        const m = set.gauge(base);
        for (const s of f.series) {
          const h = m.labels(labels(s.labels));
          h.set(s.value);
          scalars.push(h);
        }
        samples += f.series.length;
        break;
      }
      case 'info': {
        const m = set.info(base);
        for (const s of f.series) m.labels(labels(s.labels));
        samples += f.series.length;
        break;
      }
      case 'stateset': {
        const m = set.stateset({ ...base, states: f.states });
        for (const s of f.series) m.labels(labels(s.labels)).set(f.states[s.value]!);
        samples += f.series.length * f.states.length;
        break;
      }
      case 'histogram':
      case 'gaugehistogram': {
        const m = set.histogram({ ...base, buckets: f.bounds });
        for (const s of f.series) {
          const h = m.labels(labels(s.labels));
          h.set({ buckets: s.buckets!, sum: s.sum, cumulative: true });
          histograms.push(h);
        }
        samples += f.series.length * (f.bounds.length + 3);
        break;
      }
      case 'summary': {
        const m = set.summary({ ...base, quantiles: f.quantiles });
        for (const s of f.series) {
          const h = m.labels(labels(s.labels));
          h.set({ quantiles: s.quantileValues!, sum: s.sum, count: s.count });
          histograms.push(h);
        }
        samples += f.series.length * (f.quantiles.length + 2);
        break;
      }
    }
  }
  const mutate = (round: number): void => {
    for (let i = 0; i < scalars.length; i++) scalars[i]!.set(1 + ((i * 31 + round) % 1000));
    for (let i = round % 10; i < histograms.length; i += 10) histograms[i]!.observe(0.01 * (1 + (i % 50)));
  };
  return { set, mutate, samples };
}
