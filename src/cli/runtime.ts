/**
 * The composition root of run mode: builds the guard, the emitter, the checkpoint store, the
 * loops of every enabled source, the runners and the scheduler, and hands the scheduler to the
 * coordinator. The only file that knows every part; each part knows only its neighbours' types.
 */
import type { Checkpointer } from "../checkpoint/contract.ts";
import { createEmitter, type Emitter } from "../emit/otlp/emitter.ts";
import { metricsRequestJson } from "../emit/otlp/json.ts";
import { DEFAULT_RETRY, type FetchLike, type PostDeps } from "../emit/otlp/post.ts";
import { Guard } from "../governance/guard.ts";
import { redact } from "../log/redact.ts";
import type { Labels } from "../model/types.ts";
import type { Resolver } from "../net/egress.ts";
import { proxiedFetch } from "../net/proxied-fetch.ts";
import { queueDepthFor } from "../schedule/queue-depth.ts";
import { LoopRunner } from "../schedule/runner.ts";
import { Scheduler } from "../schedule/scheduler.ts";
import { sleepOrAbort } from "../schedule/sleep.ts";
import type { SelfMetrics } from "../selfobs/catalogue.ts";
import type { Loop, SourceHooks } from "../sources/loop.ts";
import { csv } from "../sources/settings.ts";
import { VERSION } from "../version.ts";
import type { RuntimeContext } from "./run.ts";

export const USER_AGENT = `genai-otel-bridge/${VERSION}`;

export interface Wiring {
  /** Vendor API transport (the demo swaps in its simulated workspace). */
  sourceFetch?: FetchLike;
  /** DNS for the egress guard (the demo's names do not exist). */
  sourceResolve?: Resolver;
  /** OTLP transport (the demo swaps in its in-process sink). */
  emitFetch?: FetchLike;
  /** Where --dry-run prints requests. */
  dryRunWrite?: (line: string) => void;
}

export function productIdentity(ctx: RuntimeContext): Labels {
  return {
    "service.name": "genai-otel-bridge",
    "service.namespace": ctx.config.identity.service_namespace,
    "deployment.environment.name": ctx.config.identity.deployment_environment,
  };
}

function sourceHooks(ctx: RuntimeContext, metrics: SelfMetrics): SourceHooks {
  return {
    graphSkipped: (loop, graph) => metrics.graphUnavailable(loop, graph),
    authError: (loop, source) => {
      metrics.authError(loop, source);
      ctx.log.warnLimited(`auth:${loop}:${source}`, "upstream auth failure (401/403); check source credentials", {
        loop,
        source,
      });
    },
    bucketRevised: (loop, age) => metrics.bucketRevised(loop, age),
    upstreamRequest: (target, method, status, ms) => metrics.upstream(target, method, status, ms / 1000),
  };
}

export function buildEmitter(ctx: RuntimeContext, metrics: SelfMetrics, wiring: Wiring): Emitter {
  const identity = productIdentity(ctx);
  if (ctx.dryRun) {
    const write = wiring.dryRunWrite ?? ((l: string) => void process.stdout.write(`${l}\n`));
    return {
      async emitSamples(samples) {
        write(JSON.stringify(metricsRequestJson(identity, samples)));
        return { kind: "ok" };
      },
    };
  }
  const otlp = ctx.config.emit.telemetry.otlp;
  const deps: PostDeps = {
    fetch: wiring.emitFetch ?? proxiedFetch,
    now: () => performance.now(),
    sleep: sleepOrAbort,
    random: Math.random,
    policy: DEFAULT_RETRY,
    timeoutMs: 30_000,
    redact,
    observer: (plane, status, _err, ms) => metrics.emitRequest(plane, status, ms / 1000),
    onPartialReject: (plane, n, msg) => {
      metrics.partialRejected(plane, n);
      ctx.log.warnLimited(
        `partial:${plane}`,
        "OTLP gateway rejected part of an emit batch via a 200 partial_success response; the rejected data was NOT delivered (alert on genai_otel_bridge_emit_partial_success_rejected_total)",
        { plane, rejected: n, gateway_message: msg },
      );
    },
  };
  return createEmitter(
    {
      endpoint: otlp.endpoint,
      instanceId: otlp.instance_id,
      token: otlp.token,
      identity,
      maxBatchBytes: ctx.config.queue.max_batch_bytes,
      userAgent: USER_AGENT,
    },
    deps,
  );
}

/** Run the loops until the root signal aborts. */
export async function runLoops(ctx: RuntimeContext, metrics: SelfMetrics, wiring: Wiring = {}): Promise<void> {
  const c = ctx.config;
  const checkpointer: Checkpointer = ctx.checkpointer;
  const extraIndexed = c.sources
    .filter((s) => s.enabled)
    .flatMap((s) =>
      Object.values(s.loops)
        .filter((l) => l.enabled)
        .flatMap((l) => csv(l.settings.extra_indexed_fields)),
    );
  const guard = new Guard([...ctx.plan.allowLabelKeys, ...extraIndexed], c.governance.per_metric_cardinality_budget, {
    newLabelValue: (series) => metrics.newLabelValue(series),
  });
  const emitter = buildEmitter(ctx, metrics, wiring);
  const hooks = sourceHooks(ctx, metrics);
  const loops: Loop[] = [];
  for (const b of ctx.plan.sources) {
    const sc = c.sources.find((s) => s.enabled && s.source_instance === b.instance);
    if (!sc) continue;
    loops.push(
      ...b.descriptor.createLoops(sc, b.loops, {
        fetch: wiring.sourceFetch,
        resolve: wiring.sourceResolve,
        hooks,
        now: () => BigInt(Date.now()) * 1_000_000n,
        userAgent: USER_AGENT,
        warn: (msg, attrs) => ctx.log.warn(msg, { source: b.instance, ...attrs }),
      }),
    );
  }
  const depth = queueDepthFor(c.queue.max_batches, c.queue.max_batch_bytes, ctx.memTargetBytes);
  if (depth !== c.queue.max_batches) {
    ctx.log.info("queue depth sized to the container memory limit", { configured: c.queue.max_batches, depth });
  }
  const runners = loops.map(
    (loop) =>
      new LoopRunner(loop, {
        checkpointer,
        emitter,
        guard,
        metrics,
        log: ctx.log,
        maxDpm: c.governance.max_dpm,
        maxBatches: depth,
      }),
  );
  const scheduler = new Scheduler(runners, {
    metrics,
    log: ctx.log,
    beat: () => ctx.health.beat(),
    maxCatchup: c.governance.max_catchup_per_tick,
  });
  await ctx.coordinator.run(ctx.signal, async (leader, epoch, valid) => {
    ctx.health.leader = true;
    ctx.log.debug("scheduler starting", { identity: ctx.identity, epoch, loops: runners.length });
    try {
      await scheduler.run(leader, epoch, valid);
    } finally {
      ctx.health.leader = false;
    }
  });
}
