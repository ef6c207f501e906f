/**
 * The vendor-neutral model: sources produce these, the emitter consumes them, and
 * nothing vendor-specific crosses the boundary.
 */
import type { CheckpointKey } from "./checkpoint-key.ts";
import type { Time } from "./time.ts";

export type Labels = Record<string, string>;

/** One derived metric data point. v1 emits gauges only; units live in the name. */
export interface Sample {
  name: string;
  kind: "gauge" | "sum";
  temporality: "unset" | "delta" | "cumulative";
  monotonic: boolean;
  unit: string;
  labels: Labels;
  value: number;
  /** Bucket end. */
  timestamp: Time;
}

/** One content-free log line. */
export interface LogRecord {
  timestamp: Time;
  body: string;
  severity: string;
  indexedAttributes: Labels;
  recordAttributes: Labels;
  /** 16 bytes, or empty. */
  traceId: Uint8Array;
}

/** A loop's forward-only position. */
export interface Watermark {
  time: Time;
  /** Source resume token; "" = none. */
  cursor: string;
  /** Leader epoch of the writer (write fence). */
  epoch: number;
}

/** What one collect produced, and where it would move the watermark if emitted. */
export interface Batch {
  key: CheckpointKey;
  samples: Sample[];
  logs: LogRecord[];
  watermark: Watermark;
}

export function gauge(name: string, labels: Labels, value: number, timestamp: Time): Sample {
  return { name, kind: "gauge", temporality: "unset", monotonic: false, unit: "", labels, value, timestamp };
}
