/**
 * The closed set of things a loop can tell the host besides "here is a batch". The scheduler
 * and the runtime map each one to runner behaviour and self-metrics; nothing outside a vendor's
 * folder ever needs to know which vendor said it.
 *
 * - returned Batch            → emit, then commit the watermark or cursor
 * - thrown QuotaExhausted     → discard the batch, count `quota_exceeded`, normal cadence
 * - thrown LoopDegraded       → count the reason, degrade the loop, retry after `retryMs`
 * - any other thrown error    → count `collect`, WARN, re-pull from the same frontier next tick
 * - report(part_skipped)      → `source_graph_unavailable_total{graph=part}` (the batch goes on)
 * - report(auth_error)        → `auth_errors_total{source}` and a rate-limited WARN
 * - report(revised_after_settle) → `bucket_revised_after_settle_total` and its age histogram
 */

/** Why a loop asks to be degraded; each is also the `emit_errors_total` kind it counts under. */
export type DegradeReason = "granularity_unexpected";

/** How long a degraded loop waits before it tries again, unless the loop says otherwise. */
export const DEGRADED_RETRY_MS = 10 * 60 * 1000;

/** The vendor reported its quota exhausted: discard this whole batch, try again at cadence. */
export class QuotaExhausted extends Error {
  override name = "QuotaExhausted";
}

/** The upstream changed under the loop in a way it cannot run through; stop until it recovers. */
export class LoopDegraded extends Error {
  override name = "LoopDegraded";
  constructor(
    readonly reason: DegradeReason,
    message: string,
    readonly retryMs: number = DEGRADED_RETRY_MS,
  ) {
    super(message);
  }
}

/** Side reports a loop makes while collecting; none of them stops the batch by itself. */
export type LoopReport =
  | { kind: "part_skipped"; part: string; reason: string }
  | { kind: "auth_error" }
  | { kind: "revised_after_settle"; ageSeconds: number };

export type CollectFailure =
  | { kind: "quota_exhausted" }
  | { kind: "degraded"; reason: DegradeReason; retryMs: number }
  | { kind: "failed" };

/** What a collect error means to the runner. */
export function collectFailure(err: unknown): CollectFailure {
  if (err instanceof QuotaExhausted) return { kind: "quota_exhausted" };
  if (err instanceof LoopDegraded) return { kind: "degraded", reason: err.reason, retryMs: err.retryMs };
  return { kind: "failed" };
}
