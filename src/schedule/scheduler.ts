/**
 * The scheduler: while leader, one tick task and one emit worker per loop. The first tick runs
 * at once on election; then cadence ±10 % jitter, 2 s catch-up ticks when a windowed loop is
 * behind, the loop's retry interval (10 min by default) while degraded. A tick never overlaps
 * an unfinished batch of its own loop (single flight). `run` resolves only after every task has
 * stopped (the barrier a coordinator waits on before another replica may lead).
 */
import { sleepOrAbort } from "../base/sleep.ts";
import type { Term } from "../coordinate/term.ts";
import type { Logger } from "../log/logger.ts";
import { NS_PER_MIN, nowTime, type Time, ZERO_TIME } from "../model/time.ts";
import type { SelfMetrics } from "../selfobs/catalogue.ts";
import { collectFailure, DEGRADED_RETRY_MS } from "../sources/outcome.ts";
import type { LoopRunner } from "./runner.ts";

export const CATCHUP_MS = 2000;

export interface SchedulerDeps {
  metrics: SelfMetrics;
  log: Logger;
  beat: () => void;
  maxCatchup: number;
  now?: () => Time;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function tickPlan(
  degraded: boolean,
  more: boolean,
  burst: number,
  maxCatchup: number,
  cadenceMs: number,
  r: number,
  degradedMs: number = DEGRADED_RETRY_MS,
): { waitMs: number; burst: number } {
  if (degraded) return { waitMs: degradedMs, burst: 0 };
  if (more && burst < Math.max(1, maxCatchup) - 1) return { waitMs: CATCHUP_MS, burst: burst + 1 };
  return { waitMs: cadenceMs * (1 + 0.1 * (2 * r - 1)), burst: 0 };
}

/** Backfill accounting state per runner: counts newly unstorable minutes once. */
interface Backfill {
  frontier: Time;
  counted: Time;
}

export class Scheduler {
  private readonly backfill = new Map<LoopRunner, Backfill>();
  private readonly now: () => Time;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(
    readonly runners: LoopRunner[],
    private readonly d: SchedulerDeps,
  ) {
    this.now = d.now ?? nowTime;
    this.random = d.random ?? Math.random;
    this.sleep = d.sleep ?? sleepOrAbort;
  }

  async run(term: Term): Promise<void> {
    for (const r of this.runners) r.reset();
    this.backfill.clear();
    const tasks: Promise<void>[] = [];
    for (const r of this.runners) {
      tasks.push(r.work(term));
      tasks.push(this.tickTask(r, term.signal));
    }
    await Promise.all(tasks);
  }

  private async tickTask(r: LoopRunner, leader: AbortSignal): Promise<void> {
    let burst = 0;
    while (!leader.aborted) {
      let more = false;
      try {
        more = await this.runOnce(r, leader);
      } catch (e) {
        r.log.error("tick failed", { err: e });
      }
      if (leader.aborted) return;
      const plan = tickPlan(
        r.degraded,
        more,
        burst,
        this.d.maxCatchup,
        r.loop.cadence / 1e6,
        this.random(),
        r.degradedRetryMs,
      );
      burst = plan.burst;
      await this.sleep(plan.waitMs, leader);
    }
  }

  /** One tick; returns whether a windowed loop is still more than one window behind. */
  async runOnce(r: LoopRunner, leader: AbortSignal): Promise<boolean> {
    const now = this.now();
    this.d.beat();
    const loop = r.loop;
    const windowed = loop.window > 0;
    if (r.busy) return windowed;
    let since: Awaited<ReturnType<LoopRunner["since"]>>;
    try {
      since = await r.since(leader);
    } catch (e) {
      this.d.metrics.emitError(loop.name, "checkpoint_load");
      r.log.warnLimited(
        `checkpoint_load:${loop.sourceInstance}/${loop.name}`,
        "checkpoint load failed; skipping tick",
        { err: e },
      );
      return false;
    }
    if (since.time !== ZERO_TIME) this.d.metrics.windowLag(loop.name, Number(now - since.time) / 1e9);
    if (windowed && since.time !== ZERO_TIME) this.countBackfill(r, since.time, now);
    let batch: Awaited<ReturnType<typeof loop.collect>>;
    try {
      batch = await loop.collect(leader, since);
    } catch (e) {
      if (leader.aborted) return false;
      const failure = collectFailure(e);
      if (failure.kind === "quota_exhausted") {
        this.d.metrics.skipped(loop.name, "quota_exceeded", 1);
        r.log.warnLimited(`quota:${loop.sourceInstance}/${loop.name}`, "source quota exceeded; batch discarded", {
          err: e,
        });
      } else if (failure.kind === "degraded") {
        this.d.metrics.emitError(loop.name, failure.reason);
        r.log.error("source reported a change the loop cannot run through", { reason: failure.reason, err: e });
        r.enterDegraded(failure.reason, failure.retryMs);
      } else {
        this.d.metrics.emitError(loop.name, "collect");
        r.log.warnLimited(`collect:${loop.sourceInstance}/${loop.name}`, "collect failed", { err: e });
      }
      return false;
    }
    try {
      await r.enqueue(batch, leader);
    } catch {
      return false;
    }
    const w = batch.watermark.time;
    return windowed && w !== ZERO_TIME && now - w > BigInt(Math.trunc(loop.window));
  }

  private countBackfill(r: LoopRunner, since: Time, now: Time): void {
    const floor = now - BigInt(Math.trunc(r.loop.maxBackfill));
    if (since >= floor) return;
    const prev = this.backfill.get(r);
    if (!prev || prev.frontier !== since) {
      const minutes = (floor - since) / NS_PER_MIN;
      if (minutes > 0n) this.d.metrics.skipped(r.loop.name, "backfill_unstorable", Number(minutes));
      this.backfill.set(r, { frontier: since, counted: since + minutes * NS_PER_MIN });
      return;
    }
    const minutes = (floor - prev.counted) / NS_PER_MIN;
    if (minutes > 0n) {
      this.d.metrics.skipped(r.loop.name, "backfill_unstorable", Number(minutes));
      prev.counted += minutes * NS_PER_MIN;
    }
  }
}
