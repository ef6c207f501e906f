/**
 * The runnable side of the seam between sources and the runtime: a loop has a checkpoint key
 * and a cadence and turns a watermark into a Batch. It persists nothing; the runtime alone
 * advances watermarks, and only after the batch was emitted.
 */
import type { FetchLike } from "../base/fetch.ts";
import type { CheckpointKey } from "../model/checkpoint-key.ts";
import type { Duration } from "../model/duration.ts";
import type { Time } from "../model/time.ts";
import type { Batch, Watermark } from "../model/types.ts";
import type { Resolver } from "../net/egress.ts";
import type { LoopReport } from "./outcome.ts";

export type Warn = (msg: string, attrs?: Record<string, unknown>) => void;

export interface Loop {
  /** Bare loop name (`analytics`). */
  readonly name: string;
  readonly sourceInstance: string;
  readonly key: CheckpointKey;
  readonly cadence: Duration;
  /** Look-back of a time-windowed loop; 0 for snapshot and cursor loops. */
  readonly window: Duration;
  /** Oldest data a catch-up may still emit (windowed loops; 0 otherwise). */
  readonly maxBackfill: Duration;
  collect(signal: AbortSignal, since: Watermark): Promise<Batch>;
}

/** What every source gets when it starts: the transport and where to report requests. */
export interface SourceDeps {
  /** Vendor API transport (tests and the demo swap in an in-process handler). */
  fetch?: FetchLike;
  /** DNS for the egress guard (the demo's simulated workspace has no real name). */
  resolve?: Resolver;
  userAgent: string;
  /** One call per upstream request actually sent. */
  observeRequest?(target: string, method: string, status: number, durationMs: number): void;
  warn: Warn;
}

/** What every loop gets: the report channel bound to it, the wall clock, a warning line. */
export interface LoopDeps {
  report(r: LoopReport): void;
  /** Wall clock (data time). */
  now(): Time;
  warn: Warn;
}
