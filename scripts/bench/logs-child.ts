/**
 * What the two logs benches (logs-export.ts, langsmith-runs.ts) share: the measured child drives
 * a real logs loop through the guard and the emitter to a local sink until its window is done,
 * and reports its own peak RSS and CPU; the parent runs it (and a same-modules idle floor) as a
 * separate process, so the figures are the bridge's and not the bench's.
 */
import { readFileSync } from "node:fs";
import { createEmitter } from "../../src/emit/otlp/emitter.ts";
import { DEFAULT_RETRY } from "../../src/emit/otlp/post.ts";
import { Guard } from "../../src/governance/guard.ts";
import { releasedKeys } from "../../src/governance/promotions.ts";
import { ZERO_TIME } from "../../src/model/time.ts";
import type { Watermark } from "../../src/model/types.ts";
import { processReclaimer } from "../../src/schedule/reclaim.ts";
import type { Loop } from "../../src/sources/loop.ts";
import { registry } from "../../src/sources/registry.ts";
import { JIT_POLICY } from "../build.ts";

export function peakRssKiB(): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export interface Drained {
  records: number;
  /** Collects that returned at least one record. */
  batches: number;
  /** Collects in all. */
  collects: number;
  /** Records the guard refused. */
  dropped: number;
  wallMs: number;
  cpuMs: number;
  peakRssKiB: number;
}

/** Collect, guard, emit and advance until the watermark's time moves: the runner's path without its waits. */
export async function drain(
  loop: Loop,
  checkpointKey: string,
  settings: Record<string, string>,
  sinkPort: number,
): Promise<Drained> {
  const guard = new Guard({
    allowKeys: registry.vendors().flatMap((v) => v.labelKeys),
    budget: 10_000,
    floor: registry.floor,
    logsReleases: new Map([[checkpointKey, releasedKeys(settings)]]),
  });
  const emitter = createEmitter(
    {
      endpoint: `http://127.0.0.1:${sinkPort}`,
      instanceId: "",
      token: "",
      identity: { "service.name": "genai-otel-bridge" },
      maxBatchBytes: 1_048_576,
      userAgent: "bench",
    },
    {
      fetch: (url, init) => fetch(url, init),
      now: () => performance.now(),
      sleep: (ms) => Bun.sleep(ms),
      random: Math.random,
      policy: DEFAULT_RETRY,
      timeoutMs: 30_000,
      redact: (s) => s,
    },
  );
  // The JIT policy the compiled binary runs with (scripts/build.ts), so the figures are its.
  Bun.unsafe.setJITPolicy(JIT_POLICY);
  let w: Watermark = { time: ZERO_TIME, cursor: "", epoch: 1 };
  const signal = new AbortController().signal;
  const t0 = performance.now();
  const c0 = cpuMs();
  const out = { records: 0, batches: 0, collects: 0, dropped: 0 };
  while (w.time === ZERO_TIME) {
    const b = await loop.collect(signal, w);
    const { kept } = guard.sanitizeLogs(checkpointKey, b.logs);
    out.dropped += b.logs.length - kept.length;
    if (kept.length > 0) {
      const r = await emitter.emitLogs(kept, signal);
      if (r.kind !== "ok") throw new Error(`emit failed: ${JSON.stringify(r)}`);
    }
    out.records += b.logs.length;
    out.collects++;
    if (b.logs.length > 0) out.batches++;
    w = b.watermark;
    // As the runner's emit worker does after each batch.
    processReclaimer.afterBatch(b.logs.length);
  }
  return { ...out, wallMs: performance.now() - t0, cpuMs: cpuMs() - c0, peakRssKiB: peakRssKiB() };
}

/** Run `script` with `args` in a process of its own; its last stdout line, parsed as JSON. */
export async function child(script: string, args: string[], env: Record<string, string> = {}): Promise<Drained> {
  const p = Bun.spawn([process.execPath, script, ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`bench child ${script} ${args[0]}: ${err}`);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
}
