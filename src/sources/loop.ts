/**
 * The seam between sources and the runtime (ha.md §1.1): a loop has a checkpoint key and a
 * cadence and turns a watermark into a Batch. It persists nothing; the runtime alone advances
 * watermarks, and only after the batch was emitted.
 */
import type { Duration } from "../config/duration.ts";
import type { CheckpointKey } from "../model/checkpoint-key.ts";
import type { Time } from "../model/time.ts";
import type { Batch, Watermark } from "../model/types.ts";
import type { FetchLike } from "../net/client.ts";
import type { Resolver } from "../net/egress.ts";

export interface Loop {
  /** Bare loop name (`analytics`). */
  readonly name: string;
  readonly sourceInstance: string;
  readonly key: CheckpointKey;
  readonly cadence: Duration;
  /** 0 for snapshot loops. */
  readonly window: Duration;
  readonly maxBackfill: Duration;
  collect(signal: AbortSignal, since: Watermark): Promise<Batch>;
}

/** The source reported quota exhaustion: discard the whole batch, count it, normal cadence. */
export class QuotaExceeded extends Error {
  override name = "QuotaExceeded";
}

/** Bucket spacing is not whole minutes: the server changed granularity; degrade the loop. */
export class GranularityUnexpected extends Error {
  override name = "GranularityUnexpected";
}

/** Callbacks the host binds to self-metrics (portkey.md §10). Missing hooks are no-ops. */
export interface SourceHooks {
  graphSkipped?(loop: string, graph: string): void;
  authError?(loop: string, source: string): void;
  bucketRevised?(loop: string, ageSeconds: number): void;
  upstreamRequest?(target: string, method: string, status: number, durationMs: number): void;
}

export interface LoopDeps {
  fetch?: FetchLike;
  /** DNS for the egress guard (the demo's simulated workspace has no real name). */
  resolve?: Resolver;
  hooks: SourceHooks;
  /** Wall clock (data time). */
  now: () => Time;
  userAgent: string;
  warn: (msg: string, attrs?: Record<string, unknown>) => void;
}
