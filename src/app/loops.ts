/**
 * Wires the runtime of run mode: the guard, the emitter, the loops of every planned source,
 * their runners and the scheduler, and hands the scheduler to the coordinator. Each part knows
 * only its neighbours' types; this file alone knows them all.
 */
import type { Checkpointer } from "../checkpoint/contract.ts";
import type { Config } from "../config/types.ts";
import type { Coordinator } from "../coordinate/term.ts";
import { Guard } from "../governance/guard.ts";
import type { Logger } from "../log/logger.ts";
import { nowTime } from "../model/time.ts";
import { queueDepthFor } from "../schedule/queue-depth.ts";
import { LoopRunner } from "../schedule/runner.ts";
import { Scheduler } from "../schedule/scheduler.ts";
import type { SelfMetrics } from "../selfobs/catalogue.ts";
import type { HealthState } from "../selfobs/health.ts";
import type { PlannedLoop } from "../sources/define.ts";
import type { Loop, LoopDeps } from "../sources/loop.ts";
import type { LoopReport } from "../sources/outcome.ts";
import { buildEmitter, USER_AGENT } from "./emitter.ts";
import type { Wiring } from "./options.ts";
import type { BuildPlan } from "./plan.ts";

/** What the loop runtime gets once everything has been checked. */
export interface RuntimeContext {
  config: Config;
  plan: BuildPlan;
  log: Logger;
  health: HealthState;
  identity: string;
  checkpointer: Checkpointer;
  coordinator: Coordinator;
  metrics: SelfMetrics;
  /** ⌊0.9 × -container-mem-bytes⌋, 0 when unknown. */
  memTargetBytes: bigint;
  dryRun: boolean;
  /** Aborted by SIGTERM/SIGINT. */
  signal: AbortSignal;
  wiring: Wiring;
}

/** A loop's reports, as self-metrics and log lines. */
function reporter(ctx: RuntimeContext, loop: string, source: string): (r: LoopReport) => void {
  const m = ctx.metrics;
  return (r) => {
    switch (r.kind) {
      case "part_skipped":
        m.graphUnavailable(loop, r.part);
        ctx.log.debug("source part skipped", { loop, source, part: r.part, reason: r.reason });
        return;
      case "auth_error":
        m.authError(loop, source);
        ctx.log.warnLimited(`auth:${loop}:${source}`, "upstream auth failure (401/403); check source credentials", {
          loop,
          source,
        });
        return;
      case "revised_after_settle":
        m.bucketRevised(loop, r.ageSeconds);
        return;
    }
  };
}

function startLoops(ctx: RuntimeContext): { loop: Loop; planned: PlannedLoop }[] {
  const out: { loop: Loop; planned: PlannedLoop }[] = [];
  for (const b of ctx.plan.sources) {
    // start() returns the runnable loops in the order of the planned ones.
    const loops = b.planned.start(
      {
        fetch: ctx.wiring.sourceFetch,
        resolve: ctx.wiring.sourceResolve,
        userAgent: USER_AGENT,
        observeRequest: (target, method, status, ms) => ctx.metrics.upstream(target, method, status, ms / 1000),
        warn: (msg, attrs) => ctx.log.warn(msg, { source: b.instance, ...attrs }),
      },
      (planned): LoopDeps => ({
        report: reporter(ctx, planned.name, b.instance),
        now: nowTime,
        warn: (msg, attrs) => ctx.log.warn(msg, { source: b.instance, loop: planned.name, ...attrs }),
      }),
    );
    loops.forEach((loop, i) => {
      const planned = b.loops[i];
      if (planned) out.push({ loop, planned });
    });
  }
  return out;
}

/** Run the loops until the root signal aborts. */
export async function runLoops(ctx: RuntimeContext): Promise<void> {
  const c = ctx.config;
  const guard = new Guard({
    allowKeys: ctx.plan.allowLabelKeys,
    budget: c.governance.per_metric_cardinality_budget,
    floor: ctx.plan.floor,
    logsReleases: ctx.plan.logsReleases,
    hooks: { newLabelValue: (series) => ctx.metrics.newLabelValue(series) },
  });
  const emitter = buildEmitter(ctx.config, ctx.dryRun, ctx.metrics, ctx.log, ctx.wiring);
  const depth = queueDepthFor(c.queue.max_batches, c.queue.max_batch_bytes, ctx.memTargetBytes);
  if (depth !== c.queue.max_batches) {
    ctx.log.info("queue depth sized to the container memory limit", { configured: c.queue.max_batches, depth });
  }
  const runners = startLoops(ctx).map(
    ({ loop, planned }) =>
      new LoopRunner(loop, planned.checkpointKey, {
        checkpointer: ctx.checkpointer,
        emitter,
        guard,
        metrics: ctx.metrics,
        log: ctx.log,
        maxDpm: c.governance.max_dpm,
        maxBatches: depth,
      }),
  );
  const scheduler = new Scheduler(runners, {
    metrics: ctx.metrics,
    log: ctx.log,
    beat: () => ctx.health.beat(),
    maxCatchup: c.governance.max_catchup_per_tick,
  });
  await ctx.coordinator.run(ctx.signal, async (term) => {
    ctx.health.leader = true;
    ctx.log.debug("scheduler starting", { identity: ctx.identity, epoch: term.epoch, loops: runners.length });
    try {
      await scheduler.run(term);
    } finally {
      ctx.health.leader = false;
    }
  });
}
