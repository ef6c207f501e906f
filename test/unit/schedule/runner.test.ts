/** processBatch (samples and log records), commit, collect outcomes and the tick plan, with scripted emitter and store. */
import { describe, expect, test } from "bun:test";
import { type Checkpointer, StaleWrite, ZERO_WATERMARK } from "../../../src/checkpoint/contract.ts";
import type { Term } from "../../../src/coordinate/term.ts";
import type { Emitter } from "../../../src/emit/otlp/emitter.ts";
import type { EmitOutcome } from "../../../src/emit/otlp/outcome.ts";
import { Guard } from "../../../src/governance/guard.ts";
import { Logger } from "../../../src/log/logger.ts";
import { ZERO_TIME } from "../../../src/model/time.ts";
import { type Batch, gauge, type LogRecord, type Watermark } from "../../../src/model/types.ts";
import { LoopRunner } from "../../../src/schedule/runner.ts";
import { Scheduler, tickPlan } from "../../../src/schedule/scheduler.ts";
import { SelfMetrics } from "../../../src/selfobs/catalogue.ts";
import type { Loop } from "../../../src/sources/loop.ts";
import { LoopDegraded, QuotaExhausted } from "../../../src/sources/outcome.ts";

const S = 1_000_000_000n;
const key = { sourceInstance: "pk", loop: "analytics", fingerprint: "f" };

function rig(
  outcomes: EmitOutcome[],
  store: Partial<Checkpointer> = {},
  labels: Record<string, string> = {},
  logOutcomes: EmitOutcome[] = [{ kind: "ok" }],
  reclaim?: (records: number) => void,
) {
  const saved: Watermark[] = [];
  const emitted: number[] = [];
  const emittedLogs: LogRecord[][] = [];
  let i = 0;
  let j = 0;
  const emitter: Emitter = {
    async emitSamples(samples) {
      emitted.push(Number((samples[0]?.timestamp ?? 0n) / S));
      return outcomes[Math.min(i++, outcomes.length - 1)] ?? { kind: "ok" };
    },
    async emitLogs(records) {
      emittedLogs.push([...records]);
      return logOutcomes[Math.min(j++, logOutcomes.length - 1)] ?? { kind: "ok" };
    },
  };
  const checkpointer: Checkpointer = {
    load: store.load ?? (async () => saved.at(-1) ?? ZERO_WATERMARK),
    save:
      store.save ??
      (async (_k, w) => {
        saved.push(w);
      }),
  };
  const metrics = new SelfMetrics();
  const lines: string[] = [];
  const loop: Loop = {
    name: "analytics",
    sourceInstance: "pk",
    key,
    cadence: 60e9,
    window: 50 * 60e9,
    maxBackfill: 55 * 60e9,
    collect: async () => batch(1, []),
  };
  const runner = new LoopRunner(loop, LOOP_ID, {
    checkpointer,
    emitter,
    guard: new Guard({ allowKeys: ["quantile", "run_type", ...Object.keys(labels)], budget: 10_000 }),
    metrics,
    log: Logger.create({ write: (l) => lines.push(l) }),
    maxDpm: 1,
    maxBatches: 4,
    ...(reclaim ? { reclaim } : {}),
  });
  return { runner, saved, emitted, emittedLogs, metrics, lines, loop };
}

function batch(wmSec: number, buckets: number[], labels: Record<string, string> = {}): Batch {
  return {
    key,
    samples: buckets.flatMap((b) => [gauge("portkey_api_requests", labels, b, BigInt(b) * S)]),
    logs: [],
    watermark: { time: BigInt(wmSec) * S, cursor: "", epoch: 1 },
  };
}
const LOOP_ID = "pk/analytics/f";
const live = () => new AbortController().signal;
/** A term that stays valid until its signal aborts. */
const term = (signal: AbortSignal = live()): Term => ({ signal, epoch: 1, valid: () => !signal.aborted });
const record = (sec: number, indexed: Record<string, string>, attrs: Record<string, string> = {}): LogRecord => ({
  timestamp: BigInt(sec) * S,
  body: "",
  severity: "INFO",
  indexedAttributes: indexed,
  recordAttributes: attrs,
  traceId: new Uint8Array(0),
});
const sec = (w: Watermark) => Number(w.time / S);

describe("processBatch", () => {
  test("all OK ⇒ one commit of the batch watermark (covers quiet tails)", async () => {
    const r = rig([{ kind: "ok" }]);
    await r.runner.processBatch(term(), batch(300, [60, 120, 180]));
    expect(r.emitted).toEqual([60, 120, 180]);
    expect(r.saved.map(sec)).toEqual([300]);
    expect(r.metrics.registry.total("genai_otel_bridge_emitted_total")).toBe(3);
    expect(r.metrics.registry.value("genai_otel_bridge_last_success_timestamp_seconds", { loop: "analytics" })).toBe(
      180,
    );
  });
  test("empty batch with an advanced watermark commits (quiet window)", async () => {
    const r = rig([]);
    await r.runner.processBatch(term(), batch(300, []));
    expect(r.saved.map(sec)).toEqual([300]);
  });
  test("advance-past reject: counted gap, continue", async () => {
    const r = rig([
      { kind: "ok" },
      { kind: "reject", reason: "duplicate_timestamp", status: 400, msg: "" },
      { kind: "ok" },
    ]);
    await r.runner.processBatch(term(), batch(300, [60, 120, 180]));
    expect(r.saved.map(sec)).toEqual([300]);
    expect(r.metrics.registry.total("genai_otel_bridge_samples_skipped_total", { reason: "duplicate_timestamp" })).toBe(
      1,
    );
  });
  test("items refused one by one as too large: counted, the rest counted as emitted, the bucket advances", async () => {
    const r = rig([{ kind: "ok" }, { kind: "ok", oversize: 1 }, { kind: "ok" }], {}, {}, [{ kind: "ok", oversize: 2 }]);
    await r.runner.processBatch(term(), batch(300, [60, 120, 180]));
    expect(r.saved.map(sec)).toEqual([300]);
    const skipped = () =>
      r.metrics.registry.total("genai_otel_bridge_samples_skipped_total", { reason: "payload_too_large" });
    expect(skipped()).toBe(1);
    expect(r.metrics.registry.total("genai_otel_bridge_emitted_total")).toBe(2);
    await r.runner.processBatch(term(), {
      ...batch(360, []),
      logs: [record(300, { run_type: "llm" }), record(301, { run_type: "tool" }), record(302, {})],
    });
    expect(r.emittedLogs.map((l) => l.length)).toEqual([3]);
    expect(skipped()).toBe(3);
    expect(r.metrics.registry.total("genai_otel_bridge_emitted_logs_total")).toBe(1);
    expect(r.saved.map(sec)).toEqual([300, 360]);
  });
  test("terminal reject: interior commit, degraded, stop", async () => {
    const r = rig([{ kind: "ok" }, { kind: "reject", reason: "unknown_4xx", status: 400, msg: "x" }]);
    await r.runner.processBatch(term(), batch(300, [60, 120, 180]));
    expect(r.emitted).toEqual([60, 120]);
    expect(r.saved.map(sec)).toEqual([60]);
    expect(r.runner.degraded).toBe(true);
    expect(
      r.metrics.registry.value("genai_otel_bridge_loop_degraded", {
        loop: "analytics",
        reason: "terminal emit reject",
      }),
    ).toBe(1);
    expect(r.lines.filter((l) => l.includes("loop degraded"))).toHaveLength(1);
  });
  test("retryable: interior commit only, next tick re-pulls", async () => {
    const r = rig([{ kind: "ok" }, { kind: "retryable", status: 503, cause: "budget" }]);
    await r.runner.processBatch(term(), batch(300, [60, 120, 180]));
    expect(r.saved.map(sec)).toEqual([60]);
    expect(r.metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "retryable_exhausted" })).toBe(1);
    expect(r.runner.busy).toBe(false);
  });
  test("a bucket the guard drops entirely is not sent but advanced past", async () => {
    const r = rig([{ kind: "ok" }]);
    await r.runner.processBatch(term(), batch(300, [60], { messages: "hi" }));
    expect(r.emitted).toEqual([]);
    expect(r.saved.map(sec)).toEqual([300]);
    expect(r.metrics.registry.total("genai_otel_bridge_guard_dropped_total")).toBe(1);
  });
  test("an aborted leader neither emits nor commits", async () => {
    const r = rig([{ kind: "ok" }]);
    const ac = new AbortController();
    ac.abort();
    await r.runner.processBatch(term(ac.signal), batch(300, [60]));
    expect(r.emitted).toEqual([]);
    expect(r.saved).toEqual([]);
  });
  test("leadership lost during emit: nothing is committed after it", async () => {
    const ac = new AbortController();
    const r = rig([{ kind: "ok" }]);
    const saved: Watermark[] = [];
    const runner = new LoopRunner(r.loop, LOOP_ID, {
      checkpointer: { load: async () => ZERO_WATERMARK, save: async (_k, w) => void saved.push(w) },
      emitter: {
        async emitSamples() {
          ac.abort();
          return { kind: "ok" };
        },
        async emitLogs() {
          return { kind: "ok" };
        },
      },
      guard: new Guard({ allowKeys: [], budget: 0 }),
      metrics: new SelfMetrics(),
      log: Logger.create({ write: () => {} }),
      maxDpm: 1,
      maxBatches: 1,
    });
    await runner.processBatch(term(ac.signal), batch(300, [60]));
    expect(saved).toEqual([]);
  });
  test("StaleWrite: frontier resyncs to the durable value, counted when it is behind", async () => {
    const durable = { time: 100n * S, cursor: "", epoch: 5 };
    const r = rig([{ kind: "ok" }], {
      save: async () => {
        throw new StaleWrite("stale epoch");
      },
      load: async () => durable,
    });
    await r.runner.processBatch(term(), batch(300, [60]));
    expect(await r.runner.since(live())).toEqual(durable);
    expect(r.metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "checkpoint_fenced" })).toBe(1);
  });
  test("five save failures degrade; a later success clears it on the same series", async () => {
    let fail = true;
    const r = rig([{ kind: "ok" }], {
      save: async () => {
        if (fail) throw new Error("disk full");
      },
    });
    for (let i = 1; i <= 5; i++) await r.runner.processBatch(term(), batch(300 + i, []));
    expect(r.runner.degraded).toBe(true);
    fail = false;
    await r.runner.processBatch(term(), batch(400, []));
    expect(r.runner.degraded).toBe(false);
    expect(
      r.metrics.registry.value("genai_otel_bridge_loop_degraded", {
        loop: "analytics",
        reason: "checkpoint-save failures",
      }),
    ).toBe(0);
    expect(r.metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "checkpoint_save" })).toBe(5);
  });
  test("DPM cap keeps the latest point per series-minute", async () => {
    const r = rig([{ kind: "ok" }]);
    const b = batch(300, []);
    b.samples = [gauge("m", {}, 1, 60n * S), gauge("m", {}, 2, 90n * S)];
    await r.runner.processBatch(term(), b);
    expect(r.emitted).toEqual([90]);
    expect(r.metrics.registry.total("genai_otel_bridge_samples_capped_total")).toBe(1);
  });
});

function logsBatch(cursor: string, records: LogRecord[], wmSec = 0): Batch {
  return { key, samples: [], logs: records, watermark: { time: BigInt(wmSec) * S, cursor, epoch: 1 } };
}

describe("processBatch: log records", () => {
  test("delivered ⇒ counted, last success = window end, cursor committed", async () => {
    const r = rig([]);
    await r.runner.processBatch(term(), logsBatch("c1", [record(10, { run_type: "llm" }), record(11, {})], 600));
    expect(r.emittedLogs.map((l) => l.length)).toEqual([2]);
    expect(r.saved).toEqual([{ time: 600n * S, cursor: "c1", epoch: 1 }]);
    expect(r.metrics.registry.total("genai_otel_bridge_emitted_logs_total")).toBe(2);
    expect(r.metrics.registry.value("genai_otel_bridge_last_success_timestamp_seconds", { loop: "analytics" })).toBe(
      600,
    );
  });
  test("logs go first; a retryable logs failure sends no samples and commits nothing", async () => {
    const r = rig([{ kind: "ok" }], {}, {}, [{ kind: "retryable", status: 503, cause: "budget" }]);
    const b = logsBatch("c1", [record(10, {})], 600);
    b.samples = [gauge("portkey_api_requests", {}, 1, 60n * S)];
    await r.runner.processBatch(term(), b);
    expect(r.emitted).toEqual([]);
    expect(r.saved).toEqual([]);
    expect(r.metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "retryable_exhausted" })).toBe(1);
    expect(r.lines.some((l) => l.includes("(logs)"))).toBe(true);
  });
  test("terminal logs reject ⇒ degraded with the logs reason, no commit", async () => {
    const r = rig([], {}, {}, [{ kind: "reject", reason: "bad_encoding", status: 400, msg: "x" }]);
    await r.runner.processBatch(term(), logsBatch("c1", [record(10, {})]));
    expect(r.saved).toEqual([]);
    expect(
      r.metrics.registry.value("genai_otel_bridge_loop_degraded", {
        loop: "analytics",
        reason: "terminal emit reject (logs)",
      }),
    ).toBe(1);
  });
  test("advance-past logs reject ⇒ counted gap and the cursor still commits", async () => {
    const r = rig([], {}, {}, [{ kind: "reject", reason: "too_old", status: 400, msg: "" }]);
    await r.runner.processBatch(term(), logsBatch("c2", [record(10, {}), record(12, {})]));
    expect(r.saved.map((w) => w.cursor)).toEqual(["c2"]);
    expect(r.metrics.registry.total("genai_otel_bridge_samples_skipped_total", { reason: "too_old" })).toBe(2);
  });
  test("the guard blanks bodies and drops records with content or un-allow-listed indexed keys", async () => {
    const r = rig([]);
    const withBody = { ...record(10, { run_type: "llm" }), body: "secret prompt" };
    await r.runner.processBatch(
      term(),
      logsBatch("c3", [
        withBody,
        record(11, { team: "x" }),
        record(12, {}, { inputs: "hello" }),
        record(13, {}, { error: "stack" }),
      ]),
    );
    expect(r.emittedLogs).toHaveLength(1);
    expect(r.emittedLogs[0]?.map((x) => [Number(x.timestamp / S), x.body])).toEqual([[10, ""]]);
    expect(withBody.body).toBe("secret prompt");
    expect(r.metrics.registry.total("genai_otel_bridge_guard_dropped_total")).toBe(3);
    expect(r.saved.map((w) => w.cursor)).toEqual(["c3"]);
  });
  test("every record dropped ⇒ nothing sent, the cursor still commits", async () => {
    const r = rig([]);
    await r.runner.processBatch(term(), logsBatch("c4", [record(10, {}, { messages: "x" })]));
    expect(r.emittedLogs).toEqual([]);
    expect(r.saved.map((w) => w.cursor)).toEqual(["c4"]);
  });
  test("leadership not confirmed ⇒ logs unsent, nothing committed", async () => {
    const r = rig([]);
    const signal = live();
    await r.runner.processBatch({ signal, epoch: 1, valid: () => false }, logsBatch("c5", [record(10, {})]));
    expect(r.emittedLogs).toEqual([]);
    expect(r.saved).toEqual([]);
  });
  test("a loop's released gray key is kept for that loop only", async () => {
    const guard = new Guard({ allowKeys: [], budget: 0, logsReleases: new Map([["a/runs/1", ["error"]]]) });
    const rec = record(1, {}, { error: "timeout" });
    expect(guard.sanitizeLogs("a/runs/1", [rec]).kept).toHaveLength(1);
    expect(guard.sanitizeLogs("b/runs/2", [rec]).dropped).toBe(1);
    expect(guard.sanitize([gauge("m", { error: "x" }, 1, S)]).dropped).toBe(1);
  });
});

describe("emit worker", () => {
  test("each processed batch's log record count goes to the reclaimer, delivered or not", async () => {
    const counts: number[] = [];
    const r = rig([], {}, {}, [{ kind: "retryable", status: 503, cause: "down" }], (n) => counts.push(n));
    const ac = new AbortController();
    const worker = r.runner.work(term(ac.signal));
    await r.runner.enqueue(logsBatch("c1", [record(10, {}), record(11, {}), record(12, {})], 600), ac.signal);
    await r.runner.enqueue(batch(900, [60]), ac.signal);
    for (let i = 0; i < 1000 && counts.length < 2; i++) await Bun.sleep(1);
    ac.abort();
    await worker;
    expect(counts).toEqual([3, 0]);
    expect(r.emittedLogs.map((l) => l.length)).toEqual([3]);
  });
});

describe("collect outcomes", () => {
  const scheduler = (r: ReturnType<typeof rig>) =>
    new Scheduler([r.runner], {
      metrics: r.metrics,
      log: Logger.create({ write: () => {} }),
      beat: () => {},
      maxCatchup: 1,
    });
  test("quota exhausted ⇒ batch discarded and counted, nothing queued", async () => {
    const r = rig([]);
    r.loop.collect = async () => {
      throw new QuotaExhausted("quota");
    };
    expect(await scheduler(r).runOnce(r.runner, live())).toBe(false);
    expect(r.metrics.registry.total("genai_otel_bridge_samples_skipped_total", { reason: "quota_exceeded" })).toBe(1);
    expect(r.runner.busy).toBe(false);
  });
  test("degraded ⇒ counted under its reason, the loop waits its retry interval", async () => {
    const r = rig([]);
    r.loop.collect = async () => {
      throw new LoopDegraded("granularity_unexpected", "10-minute buckets", 120_000);
    };
    await scheduler(r).runOnce(r.runner, live());
    expect(r.metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "granularity_unexpected" })).toBe(1);
    expect(r.runner.degraded).toBe(true);
    expect(tickPlan(r.runner.degraded, false, 0, 1, 60_000, 0.5, r.runner.degradedRetryMs).waitMs).toBe(120_000);
  });
});

describe("tick plan and scheduler", () => {
  test.each([
    [true, true, 0, 4, 600_000, 0],
    [false, true, 0, 4, 2000, 1],
    [false, true, 3, 4, 60_000, 0],
    [false, true, 0, 1, 60_000, 0],
    [false, false, 0, 4, 60_000, 0],
  ])("degraded=%p more=%p burst=%p max=%p ⇒ %p ms", (deg, more, burst, max, wait, nb) => {
    const p = tickPlan(deg, more, burst, max, 60_000, 0.5);
    expect([p.waitMs, p.burst]).toEqual([wait, nb]);
  });
  test("cadence jitter stays within ±10 %", () => {
    expect(tickPlan(false, false, 0, 1, 60_000, 0).waitMs).toBe(54_000);
    expect(tickPlan(false, false, 0, 1, 60_000, 0.999).waitMs).toBeLessThan(66_000);
  });
  test("a busy runner skips the tick; a tick beats the heart first", async () => {
    const r = rig([{ kind: "ok" }]);
    let beats = 0;
    let collects = 0;
    r.loop.collect = async () => {
      collects++;
      return batch(1, []);
    };
    const s = new Scheduler([r.runner], {
      metrics: r.metrics,
      log: Logger.create({ write: () => {} }),
      beat: () => beats++,
      maxCatchup: 1,
    });
    r.runner.busy = true;
    expect(await s.runOnce(r.runner, live())).toBe(true);
    expect([beats, collects]).toEqual([1, 0]);
  });
  test("backfill accounting counts newly unstorable minutes once", async () => {
    const r = rig([]);
    let now = 10_000n * S;
    const s = new Scheduler([r.runner], {
      metrics: r.metrics,
      log: Logger.create({ write: () => {} }),
      beat: () => {},
      maxCatchup: 1,
      now: () => now,
    });
    const since = now - 3600n * 3n * S; // 3h behind, max_backfill 55m
    r.runner.since = async () => ({ time: since, cursor: "", epoch: 1 });
    r.loop.collect = async () => {
      throw new Error("upstream down");
    };
    await s.runOnce(r.runner, live());
    expect(r.metrics.registry.total("genai_otel_bridge_samples_skipped_total", { reason: "backfill_unstorable" })).toBe(
      125,
    );
    now += 90n * S;
    await s.runOnce(r.runner, live());
    expect(r.metrics.registry.total("genai_otel_bridge_samples_skipped_total", { reason: "backfill_unstorable" })).toBe(
      126,
    );
    expect(r.metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "collect" })).toBe(2);
  });
  test("ZERO watermark: no lag recorded", async () => {
    const r = rig([]);
    const s = new Scheduler([r.runner], {
      metrics: r.metrics,
      log: Logger.create({ write: () => {} }),
      beat: () => {},
      maxCatchup: 1,
    });
    r.loop.collect = async () => ({ key, samples: [], logs: [], watermark: { time: ZERO_TIME, cursor: "", epoch: 0 } });
    await s.runOnce(r.runner, live());
    expect(r.metrics.registry.total("genai_otel_bridge_window_lag_seconds")).toBe(0);
  });
});

describe("queue depth under a memory limit", () => {
  test("a quarter of the soft target at max_batch_bytes per batch, never above the configured depth", async () => {
    const { queueDepthFor } = await import("../../../src/schedule/queue-depth.ts");
    const MiB = 1024n * 1024n;
    expect(queueDepthFor(256, 1_048_576, 0n)).toBe(256);
    expect(queueDepthFor(256, 1_048_576, (512n * MiB * 9n) / 10n)).toBe(115);
    expect(queueDepthFor(256, 1_048_576, 64n * MiB * 1024n)).toBe(256);
    expect(queueDepthFor(256, 1_048_576, 2n * MiB)).toBe(1);
    expect(queueDepthFor(256, -1, 2n * MiB)).toBe(256);
  });
});
