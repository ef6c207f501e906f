/**
 * The suite every loop passes, whatever its vendor: a stable checkpoint key, settings errors
 * that name the key, no content requested or emitted (a canary in every content field the
 * upstream serves), a malformed upstream body that emits and advances nothing, and an abort
 * that ends a collect promptly. A loop joins by describing itself as a LoopHarness.
 */
import { describe, expect, test } from "bun:test";
import type { Checkpointer } from "../../../src/checkpoint/contract.ts";
import type { LoopConfig, SourceConfig } from "../../../src/config/types.ts";
import type { Emitter } from "../../../src/emit/otlp/emitter.ts";
import { encodeLogs } from "../../../src/emit/otlp/logs.ts";
import { encodeMetrics } from "../../../src/emit/otlp/metrics.ts";
import { Guard } from "../../../src/governance/guard.ts";
import { releasedKeys } from "../../../src/governance/promotions.ts";
import { Logger } from "../../../src/log/logger.ts";
import type { Time } from "../../../src/model/time.ts";
import type { Batch, Watermark } from "../../../src/model/types.ts";
import { LoopRunner } from "../../../src/schedule/runner.ts";
import { Scheduler } from "../../../src/schedule/scheduler.ts";
import { SelfMetrics } from "../../../src/selfobs/catalogue.ts";
import type { PlannedLoop, Vendor } from "../../../src/sources/define.ts";
import type { Loop } from "../../../src/sources/loop.ts";
import { Registry } from "../../../src/sources/registry.ts";

export type UpstreamMode = "ok" | "malformed" | "hang";

export interface LoopHarness {
  title: string;
  vendor: Vendor;
  /** A valid source with this loop enabled (its only enabled loop). */
  source: () => SourceConfig;
  loop: string;
  /** The checkpoint key the source above must always plan (a frozen vector). */
  checkpointKey: string;
  /** Settings that must be refused, and the key the message must name. */
  badSettings: [settings: Record<string, string>, key: string][];
  /** The loop's upstream, in-process; a canary in every content-bearing field it serves. */
  upstream: (mode: UpstreamMode, req: Request) => Response | Promise<Response>;
  canary: string;
  since: Watermark;
  now: Time;
}

/** Field names that carry content; no request may name one. */
const CONTENT_NAMES = ["prompt", "request", "response", "inputs", "outputs", "messages", "metadata", "completion"];

const bigintSafe = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

function withSettings(source: SourceConfig, loop: string, settings: Record<string, string>): SourceConfig {
  const l = source.loops[loop] as LoopConfig;
  return { ...source, loops: { ...source.loops, [loop]: { ...l, settings: { ...l.settings, ...settings } } } };
}

function build(h: LoopHarness, mode: () => UpstreamMode, urls: URL[] = []): { loop: Loop; planned: PlannedLoop } {
  const planned = h.vendor.plan(h.source(), () => {});
  const [loop] = planned.start(
    {
      userAgent: "contract",
      resolve: async () => ["203.0.113.10"],
      fetch: async (url, init) => {
        const req = new Request(url, init);
        urls.push(new URL(url));
        return h.upstream(mode(), req);
      },
      warn: () => {},
    },
    () => ({ report: () => {}, now: () => h.now, warn: () => {} }),
  );
  const first = planned.loops[0];
  if (!loop || !first) throw new Error(`${h.title}: nothing built`);
  return { loop, planned: first };
}

export function loopContract(h: LoopHarness): void {
  describe(`loop contract: ${h.title}`, () => {
    test("the checkpoint key is stable", () => {
      const a = h.vendor.plan(h.source(), () => {}).loops.map((l) => l.checkpointKey);
      const b = h.vendor.plan(h.source(), () => {}).loops.map((l) => l.checkpointKey);
      expect(a).toEqual(b);
      expect(a[0]).toBe(h.checkpointKey);
    });

    test.each(h.badSettings)("settings %p are refused, naming settings.%s", (settings, key) => {
      expect(() => h.vendor.plan(withSettings(h.source(), h.loop, settings), () => {})).toThrow(`settings.${key}`);
    });

    test("no content is requested, and none reaches the batch or the encoded payload", async () => {
      const urls: URL[] = [];
      const { loop, planned } = build(h, () => "ok", urls);
      const batch = await loop.collect(new AbortController().signal, h.since);
      expect(urls.length).toBeGreaterThan(0);
      for (const u of urls) {
        // What a request asks for lives in its query (an API route like `groups/metadata/<key>` names no field).
        const names = [...u.searchParams.keys(), ...[...u.searchParams.values()].flatMap((v) => v.split(","))];
        for (const n of CONTENT_NAMES) expect(names).not.toContain(n);
      }
      expect(batch.samples.length + batch.logs.length).toBeGreaterThan(0);
      expect(JSON.stringify(batch, bigintSafe)).not.toContain(h.canary);
      const registry = new Registry([h.vendor]);
      const source = h.source();
      const guard = new Guard({
        allowKeys: registry.vendors().flatMap((v) => v.labelKeys),
        budget: 0,
        floor: registry.floor,
        logsReleases: new Map([[planned.checkpointKey, releasedKeys(source.loops[h.loop]?.settings ?? {})]]),
      });
      const samples = guard.sanitize(batch.samples).kept;
      const logs = guard.sanitizeLogs(planned.checkpointKey, batch.logs).kept;
      const bytes = Buffer.concat([encodeMetrics({}, samples), encodeLogs({}, logs)]);
      expect(bytes.includes(Buffer.from(h.canary))).toBe(false);
    });

    test("a malformed upstream body emits nothing and advances nothing", async () => {
      const { loop, planned } = build(h, () => "malformed");
      await expect(loop.collect(new AbortController().signal, h.since)).rejects.toThrow();
      const saved: Watermark[] = [];
      const sent: unknown[] = [];
      const checkpointer: Checkpointer = { load: async () => h.since, save: async (_k, w) => void saved.push(w) };
      const emitter: Emitter = {
        emitSamples: async (s) => {
          sent.push(s);
          return { kind: "ok" };
        },
        emitLogs: async (l) => {
          sent.push(l);
          return { kind: "ok" };
        },
      };
      const metrics = new SelfMetrics();
      const log = Logger.create({ write: () => {} });
      const runner = new LoopRunner(loop, planned.checkpointKey, {
        checkpointer,
        emitter,
        guard: new Guard({ allowKeys: [], budget: 0 }),
        metrics,
        log,
        maxDpm: 1,
        maxBatches: 1,
      });
      const scheduler = new Scheduler([runner], { metrics, log, beat: () => {}, maxCatchup: 1, now: () => h.now });
      const term = { signal: new AbortController().signal, epoch: 1, valid: () => true };
      const work = runner.work(term);
      await scheduler.runOnce(runner, term.signal);
      await Bun.sleep(20);
      expect(sent).toEqual([]);
      expect(saved).toEqual([]);
      expect(runner.busy).toBe(false);
      expect(metrics.registry.total("genai_otel_bridge_emit_errors_total", { kind: "collect" })).toBe(1);
      void work;
    });

    test("an abort ends a collect promptly", async () => {
      const { loop } = build(h, () => "hang");
      const ac = new AbortController();
      const started = performance.now();
      const p = loop.collect(ac.signal, h.since);
      setTimeout(() => ac.abort(), 50);
      await expect(p).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(3000);
    });
  });
}

export type { Batch };
