/**
 * One loop's emit side: a bounded queue drained by exactly one worker; a batch's log records
 * first (one chunk), then its samples per bucket in ascending time; and a fenced commit that
 * advances the watermark or cursor only after the endpoint accepted the data — never
 * backwards, never after leadership was lost.
 */
import type { Checkpointer } from "../checkpoint/contract.ts";
import { StaleWrite } from "../checkpoint/contract.ts";
import type { Term } from "../coordinate/term.ts";
import type { Emitter } from "../emit/otlp/emitter.ts";
import { advancesPast } from "../emit/otlp/outcome.ts";
import { coalesceDpm } from "../governance/dpm.ts";
import type { Guard } from "../governance/guard.ts";
import type { Logger } from "../log/logger.ts";
import { keyString } from "../model/checkpoint-key.ts";
import { formatRfc3339Nano, NS_PER_S, type Time, ZERO_TIME } from "../model/time.ts";
import type { Batch, Sample, Watermark } from "../model/types.ts";
import type { SelfMetrics } from "../selfobs/catalogue.ts";
import type { Loop } from "../sources/loop.ts";
import { DEGRADED_RETRY_MS } from "../sources/outcome.ts";
import { BoundedQueue } from "./queue.ts";
import { processReclaimer } from "./reclaim.ts";

export const SAVE_FAILS_TO_DEGRADE = 5;

export interface RunnerDeps {
  checkpointer: Checkpointer;
  emitter: Emitter;
  guard: Guard;
  metrics: SelfMetrics;
  log: Logger;
  maxDpm: number;
  maxBatches: number;
  /** Called with each processed batch's log record count (default: the process's `Reclaimer`). */
  reclaim?: (records: number) => void;
}

export class LoopRunner {
  busy = false;
  degraded = false;
  /** How long a degraded loop waits before the next tick. */
  degradedRetryMs = DEGRADED_RETRY_MS;
  private degradedReason = "";
  private frontier: Watermark | undefined;
  private saveFails = 0;
  private firstCommitLogged = false;
  private readonly queue: BoundedQueue<Batch>;
  readonly log: Logger;

  constructor(
    readonly loop: Loop,
    /** The checkpoint key string: the guard's per-loop id for log records. */
    private readonly loopId: string,
    private readonly d: RunnerDeps,
  ) {
    this.queue = new BoundedQueue(Math.max(1, d.maxBatches));
    this.log = d.log.with({ loop: loop.name, source: loop.sourceInstance });
  }

  private get id(): string {
    return `${this.loop.sourceInstance}/${this.loop.name}`;
  }

  /** Re-election: forget everything in memory; the durable watermark is the truth. */
  reset(): void {
    this.queue.clear();
    this.busy = false;
    this.frontier = undefined;
    this.saveFails = 0;
    if (this.degraded) this.d.metrics.degraded(this.loop.name, this.degradedReason, false);
    this.degraded = false;
    this.firstCommitLogged = false;
    this.d.metrics.queueDepth(this.loop.name, 0);
  }

  /** The in-memory frontier, else the durable watermark. */
  async since(signal: AbortSignal): Promise<Watermark> {
    if (this.frontier) return this.frontier;
    return this.d.checkpointer.load(this.loop.key, signal);
  }

  async enqueue(b: Batch, signal: AbortSignal): Promise<void> {
    this.busy = true;
    try {
      await this.queue.put(b, signal);
    } catch (e) {
      this.busy = false;
      throw e;
    }
    this.d.metrics.queueDepth(this.loop.name, this.queue.length);
  }

  /** The single emit worker: batches strictly in order, one at a time, until abort. */
  async work(term: Term): Promise<void> {
    for (;;) {
      let b: Batch;
      try {
        b = await this.queue.take(term.signal);
      } catch {
        return;
      }
      this.d.metrics.queueDepth(this.loop.name, this.queue.length);
      if (term.signal.aborted) return;
      const records = b.logs.length;
      try {
        await this.processBatch(term, b);
      } catch (e) {
        this.log.error("batch processing failed", { err: e });
      }
      if (this.d.reclaim) this.d.reclaim(records);
      else processReclaimer.afterBatch(records);
    }
  }

  enterDegraded(reason: string, retryMs = DEGRADED_RETRY_MS): void {
    if (this.degraded) return;
    this.degraded = true;
    this.degradedReason = reason;
    this.degradedRetryMs = retryMs;
    this.d.metrics.degraded(this.loop.name, reason, true);
    this.log.error(`loop degraded; retrying every ${Math.round(retryMs / 60_000)}m`, { reason });
  }

  async processBatch(term: Term, b: Batch): Promise<void> {
    try {
      if (term.signal.aborted) return;
      // Log records first, as one chunk: anything short of delivered (or a counted skip) stops
      // the batch, so neither the samples nor the cursor move past undelivered records.
      if (b.logs.length > 0 && !(await this.processLogs(term, b))) return;
      const leader = term.signal;
      const name = this.loop.name;
      const { samples, capped } = coalesceDpm(b.samples, this.d.maxDpm);
      if (capped > 0) this.d.metrics.capped(name, capped);
      const buckets = new Map<Time, Sample[]>();
      for (const s of samples) {
        const list = buckets.get(s.timestamp);
        if (list) list.push(s);
        else buckets.set(s.timestamp, [s]);
      }
      let advanced = false;
      let frontier: Time = ZERO_TIME;
      for (const t of [...buckets.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
        const { kept, dropped } = this.d.guard.sanitize(buckets.get(t) ?? []);
        if (dropped > 0) this.d.metrics.guardDropped(name, dropped);
        if (kept.length === 0) {
          frontier = t;
          advanced = true;
          continue;
        }
        if (!term.valid()) {
          this.log.warn("leadership not confirmed; dropping the batch unsent", { bucket: formatRfc3339Nano(t) });
          return;
        }
        const r = await this.d.emitter.emitSamples(kept, leader);
        if (r.kind === "ok") {
          frontier = t;
          advanced = true;
          const oversize = r.oversize ?? 0;
          if (oversize > 0) this.countOversize(oversize, "samples");
          this.d.metrics.emitted(name, kept.length - oversize);
          this.d.metrics.lastSuccess(name, Number(t / NS_PER_S));
          continue;
        }
        if (r.kind === "reject" && advancesPast(r.reason)) {
          this.d.metrics.skipped(
            name,
            r.reason as "duplicate_timestamp" | "too_old" | "payload_too_large",
            kept.length,
          );
          this.log.warnLimited(`skip:${this.id}:${r.reason}`, "samples skipped (advancing past, counted gap)", {
            reason: r.reason,
            count: kept.length,
            bucket: formatRfc3339Nano(t),
            status: r.status,
          });
          frontier = t;
          advanced = true;
          continue;
        }
        if (r.kind === "reject") {
          this.d.metrics.emitError(name, r.reason as "bad_encoding" | "unknown_4xx");
          this.log.error("emit rejected", { reason: r.reason, status: r.status, detail: r.msg });
          if (advanced) await this.commit(term, frontier, "");
          this.enterDegraded("terminal emit reject");
          return;
        }
        this.d.metrics.emitError(name, "retryable_exhausted");
        this.log.warnLimited(`retry:${this.id}`, "emit failed after retries; will re-pull next tick", {
          status: r.status,
          err: r.cause,
        });
        if (advanced) await this.commit(term, frontier, "");
        return;
      }
      if (advanced || b.watermark.time !== ZERO_TIME || b.watermark.cursor !== "") {
        await this.commit(term, b.watermark.time, b.watermark.cursor);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Items the endpoint refused one by one as too large: a counted gap, the rest were delivered. */
  private countOversize(count: number, what: string): void {
    this.d.metrics.skipped(this.loop.name, "payload_too_large", count);
    this.log.warnLimited(
      `skip:${this.id}:payload_too_large`,
      `${what} over the endpoint's size limit skipped (counted gap)`,
      {
        reason: "payload_too_large",
        count,
      },
    );
  }

  /**
   * The logs half of a batch. True when the batch may go on (delivered, skipped with a counted
   * gap, or nothing left after the guard); false when it must stop without advancing.
   */
  private async processLogs(term: Term, b: Batch): Promise<boolean> {
    const name = this.loop.name;
    const { kept, dropped } = this.d.guard.sanitizeLogs(this.loopId, b.logs);
    if (dropped > 0) this.d.metrics.guardDropped(name, dropped);
    if (kept.length === 0) return true;
    if (!term.valid()) {
      this.log.warn("leadership not confirmed; dropping the batch unsent", { records: kept.length });
      return false;
    }
    const r = await this.d.emitter.emitLogs(kept, term.signal);
    if (r.kind === "ok") {
      const oversize = r.oversize ?? 0;
      if (oversize > 0) this.countOversize(oversize, "log records");
      this.d.metrics.emittedLogs(name, kept.length - oversize);
      if (b.watermark.time !== ZERO_TIME) this.d.metrics.lastSuccess(name, Number(b.watermark.time / NS_PER_S));
      return true;
    }
    if (r.kind === "reject" && advancesPast(r.reason)) {
      this.d.metrics.skipped(name, r.reason as "duplicate_timestamp" | "too_old" | "payload_too_large", kept.length);
      this.log.warnLimited(`skip:${this.id}:${r.reason}`, "log records skipped (advancing past, counted gap)", {
        reason: r.reason,
        count: kept.length,
        status: r.status,
      });
      return true;
    }
    if (r.kind === "reject") {
      this.d.metrics.emitError(name, r.reason as "bad_encoding" | "unknown_4xx");
      this.log.error("emit rejected (logs)", { reason: r.reason, status: r.status, detail: r.msg });
      this.enterDegraded("terminal emit reject (logs)");
      return false;
    }
    this.d.metrics.emitError(name, "retryable_exhausted");
    this.log.warnLimited(`retry:${this.id}`, "emit failed after retries; will re-pull next tick (logs)", {
      status: r.status,
      err: r.cause,
    });
    return false;
  }

  async commit(term: Term, t: Time, cursor: string): Promise<void> {
    const leader = term.signal;
    // No await between this check and the start of save(): a demoted leader never writes.
    if (leader.aborted || !term.valid()) return;
    const w: Watermark = { time: t, cursor, epoch: term.epoch };
    try {
      await this.d.checkpointer.save(this.loop.key, w, leader);
    } catch (e) {
      if (e instanceof StaleWrite) {
        try {
          const durable = await this.d.checkpointer.load(this.loop.key, leader);
          if (durable.time < t) {
            this.d.metrics.emitError(this.loop.name, "checkpoint_fenced");
            this.log.warn("checkpoint forward-write fenced (stale-epoch or concurrent leader); not advancing", {
              checkpoint: keyString(this.loop.key),
            });
          }
          this.frontier = durable;
        } catch {
          // keep the in-memory frontier; the next tick re-loads
        }
        return;
      }
      this.saveFails++;
      this.d.metrics.emitError(this.loop.name, "checkpoint_save");
      if (this.saveFails >= SAVE_FAILS_TO_DEGRADE && !this.degraded) this.enterDegraded("checkpoint-save failures");
      else this.log.warnLimited(`save:${this.id}`, "checkpoint save failed", { err: e });
      return;
    }
    this.saveFails = 0;
    if (this.degraded) {
      this.d.metrics.degraded(this.loop.name, this.degradedReason, false);
      this.degraded = false;
      this.log.info("loop recovered", { reason: this.degradedReason });
    }
    if (!this.firstCommitLogged) {
      this.firstCommitLogged = true;
      this.log.info("loop committed first watermark advance (leader healthy)", { watermark: formatRfc3339Nano(t) });
    }
    const f = this.frontier;
    if (!f || t > f.time || (t === f.time && cursor !== "" && cursor !== f.cursor)) this.frontier = w;
  }
}
