/**
 * The bridge's own instruments: counters (monotonic, no unit), last-value
 * gauges and explicit-bucket histograms, keyed by attribute set. Cumulative for the life of
 * the process, so a standby keeps exporting its last values (the alert rules rely on it).
 */
import { labelKey } from "../model/order.ts";
import type { Labels } from "../model/types.ts";

export type InstrumentKind = "counter" | "gauge" | "histogram";

export interface Instrument {
  name: string;
  kind: InstrumentKind;
  unit: string;
  description: string;
  bounds?: number[];
}

export interface HistogramValue {
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface Series {
  labels: Labels;
  value: number;
  hist?: HistogramValue;
}

export class Registry {
  readonly startMs = Date.now();
  private readonly instruments = new Map<string, Instrument>();
  private readonly data = new Map<string, Map<string, Series>>();
  /** Called before every snapshot: values read at export time (the process's own CPU and memory). */
  private readonly samplers: (() => void)[] = [];

  onSnapshot(sample: () => void): void {
    this.samplers.push(sample);
  }

  register(i: Instrument): void {
    this.instruments.set(i.name, i);
    this.data.set(i.name, new Map());
  }

  private series(name: string, labels: Labels): Series {
    const m = this.data.get(name);
    if (!m) throw new Error(`selfobs: unknown instrument ${name}`);
    const k = labelKey(labels);
    let s = m.get(k);
    if (!s) {
      s = { labels: { ...labels }, value: 0 };
      m.set(k, s);
    }
    return s;
  }

  add(name: string, labels: Labels, n = 1): void {
    if (n < 0) throw new Error(`selfobs: counter ${name} cannot decrease`);
    this.series(name, labels).value += n;
  }

  set(name: string, labels: Labels, v: number): void {
    this.series(name, labels).value = v;
  }

  observe(name: string, labels: Labels, v: number): void {
    const bounds = this.instruments.get(name)?.bounds ?? [];
    const s = this.series(name, labels);
    s.hist ??= { counts: new Array(bounds.length + 1).fill(0), sum: 0, count: 0, min: v, max: v };
    const h = s.hist;
    let i = bounds.findIndex((b) => v <= b);
    if (i < 0) i = bounds.length;
    h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += v;
    h.count++;
    h.min = Math.min(h.min, v);
    h.max = Math.max(h.max, v);
  }

  /** Current value of one series (tests, health). */
  value(name: string, labels: Labels): number {
    return this.data.get(name)?.get(labelKey(labels))?.value ?? 0;
  }

  /** Sum over every series of a metric whose labels include `match`. */
  total(name: string, match: Labels = {}): number {
    let t = 0;
    for (const s of this.data.get(name)?.values() ?? []) {
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) t += s.hist ? s.hist.count : s.value;
    }
    return t;
  }

  snapshot(): { instrument: Instrument; series: Series[] }[] {
    for (const sample of this.samplers) sample();
    return [...this.instruments.values()].map((instrument) => ({
      instrument,
      series: [...(this.data.get(instrument.name)?.values() ?? [])].map((s) => ({
        labels: s.labels,
        value: s.value,
        hist: s.hist ? { ...s.hist, counts: [...s.hist.counts] } : undefined,
      })),
    }));
  }
}
