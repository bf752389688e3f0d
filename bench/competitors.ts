/**
 * The competitor rows: parse-prometheus-text-format (the npm parser users
 * pick today) and prom-client (the npm client users pick today), set up on
 * the generator's model so that every row works on the same series.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { GenFamily, GenModel } from './generate.js';

/**
 * Samples in parse-prometheus-text-format's output, counted the way the
 * exposition writes them: one per plain metric; per histogram or summary
 * entry, its buckets or quantiles plus `_sum` and `_count`. It keys
 * histogram and summary entries by family only, so labelled series of one
 * family are merged and most of their samples are lost; comparing this
 * count with the payload's is its correctness figure.
 */
export function pptSamples(text: string): number {
  const families = parsePrometheusTextFormat(text);
  let n = 0;
  for (const f of families) {
    for (const m of f.metrics) {
      if (m.buckets !== undefined || m.quantiles !== undefined) {
        n += Object.keys(m.buckets ?? m.quantiles ?? {}).length;
        if (m.count !== undefined) n++;
        if (m.sum !== undefined) n++;
      } else {
        n++;
      }
    }
  }
  return n;
}

function labelObject(f: GenFamily, values: string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < f.labelNames.length; i++) o[f.labelNames[i]!] = values[i]!;
  return o;
}

/** A prom-client registry holding the model's series, and a function that changes their values. */
export interface PromClientSetup {
  registry: Registry;
  /** Changes every counter and gauge value and observes into a tenth of the histograms and summaries. */
  mutate: (round: number) => void;
  /** Sample lines `registry.metrics()` writes. */
  samples: number;
}

/**
 * Builds the registry. prom-client has no info, stateset, gaugehistogram or
 * untyped metric; they become gauges (stateset: one series per state) and a
 * histogram, which writes the same number of lines. Histograms and
 * summaries are filled by observations (prom-client cannot take counts
 * directly), so their values differ from the model's; the lines and labels
 * are the same. Summaries compute their quantiles at scrape time, as
 * prom-client always does.
 */
export function buildPromClient(model: GenModel): PromClientSetup {
  const registry = new Registry();
  const counters: { c: Counter.Internal }[] = [];
  const gauges: Gauge.Internal<string>[] = [];
  const observers: { observe: (v: number) => void }[] = [];
  let samples = 0;
  for (const f of model.families) {
    const name = f.type === 'counter' ? `${f.name}_total` : f.type === 'info' ? `${f.name}_info` : f.name;
    switch (f.type) {
      case 'counter': {
        const m = new Counter({ name, help: f.help, labelNames: f.labelNames, registers: [registry] });
        for (const s of f.series) {
          const c = m.labels(labelObject(f, s.labels));
          c.inc(s.value);
          counters.push({ c });
          samples++;
        }
        break;
      }
      case 'gauge':
      case 'untyped':
      case 'info': {
        const m = new Gauge({ name, help: f.help, labelNames: f.labelNames, registers: [registry] });
        for (const s of f.series) {
          const g = m.labels(labelObject(f, s.labels));
          g.set(s.value);
          gauges.push(g);
          samples++;
        }
        break;
      }
      case 'stateset': {
        const m = new Gauge({ name, help: f.help, labelNames: [...f.labelNames, f.name], registers: [registry] });
        for (const s of f.series) {
          const base = labelObject(f, s.labels);
          for (let i = 0; i < f.states.length; i++) {
            const g = m.labels({ ...base, [f.name]: f.states[i]! });
            g.set(i === s.value ? 1 : 0);
            gauges.push(g);
            samples++;
          }
        }
        break;
      }
      case 'histogram':
      case 'gaugehistogram': {
        const m = new Histogram({ name, help: f.help, labelNames: f.labelNames, buckets: f.bounds, registers: [registry] });
        for (const s of f.series) {
          const h = m.labels(labelObject(f, s.labels));
          for (let k = 0; k < 3; k++) h.observe(f.bounds[(k * 3) % f.bounds.length]! * 0.9);
          observers.push(h);
          samples += f.bounds.length + 3;
        }
        break;
      }
      case 'summary': {
        const m = new Summary({ name, help: f.help, labelNames: f.labelNames, percentiles: f.quantiles, registers: [registry] });
        for (const s of f.series) {
          const h = m.labels(labelObject(f, s.labels));
          for (let k = 0; k < 3; k++) h.observe(s.sum / (k + 1));
          observers.push(h);
          samples += f.quantiles.length + 2;
        }
        break;
      }
    }
  }
  const mutate = (round: number): void => {
    for (const { c } of counters) c.inc(1 + (round & 7));
    for (let i = 0; i < gauges.length; i++) gauges[i]!.set((i * 31 + round) % 1000);
    for (let i = round % 10; i < observers.length; i += 10) observers[i]!.observe(0.01 * (1 + (i % 50)));
  };
  return { registry, mutate, samples };
}
