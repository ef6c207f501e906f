/** Portkey analytics cases against the loop, built through its definition, with a scripted transport. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LoopConfig } from "../../../../src/config/types.ts";
import { MINUTE } from "../../../../src/model/duration.ts";
import { fromMillis, parseRfc3339, type Time, ZERO_TIME } from "../../../../src/model/time.ts";
import type { Sample, Watermark } from "../../../../src/model/types.ts";
import { LoopDegraded, QuotaExhausted } from "../../../../src/sources/outcome.ts";
import { loopBlock, portkeySource, type Reply, rig } from "./rig.ts";

const FIX = join(import.meta.dir, "../../../fixtures/portkey");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIX, name), "utf8"));
const B = Date.parse("2026-06-18T12:00:00Z");
const T = (ms: number): Time => fromMillis(ms);
const iso = (ms: number) => new Date(ms).toISOString();
const wm = (ms: number): Watermark => ({ time: T(ms), cursor: "", epoch: 1 });

function setup(opts: {
  graphs?: string[];
  replies: Record<string, Reply>;
  now: number;
  loop?: Partial<LoopConfig>;
  useCases?: { label: string; api_key_ids: string[] }[];
  apiKeyIds?: string[];
  expected?: string;
}) {
  const settings: Record<string, string> = {};
  if (opts.apiKeyIds) settings.api_key_ids = opts.apiKeyIds.join(",");
  if (opts.expected) settings.expected_workspace = opts.expected;
  const loop = loopBlock({
    window: 50 * MINUTE,
    bucket_settle: 3 * MINUTE,
    bootstrap_lookback: 50 * MINUTE,
    max_backfill: 55 * MINUTE,
    graphs: opts.graphs ?? ["requests", "latency"],
    settings,
    ...opts.loop,
  });
  return rig(portkeySource({ analytics: loop }, { api_key_use_cases: opts.useCases ?? [] }), opts.replies, opts.now);
}

const pts = (starts: number[], f: (i: number) => Record<string, number>) => ({
  data_points: starts.map((s, i) => ({ timestamp: iso(s), ...f(i) })),
});
const minutes = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => B + (from + i) * 60_000);
const brief = (s: Sample[]) => s.map((x) => [x.name, x.labels, Number(x.timestamp / 1_000_000n) - B, x.value]);
const signal = new AbortController().signal;

describe("analytics collect", () => {
  test("#1 forward + settle", async () => {
    const { loop } = setup({
      graphs: ["requests"],
      replies: { requests: { body: pts(minutes(1, 9), (i) => ({ total: i + 1 })) } },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    expect(brief(b.samples)).toEqual([2, 3, 4, 5, 6, 7].map((m, i) => ["portkey_api_requests", {}, m * 60_000, i + 1]));
    expect(b.watermark.time).toBe(T(B + 7 * 60_000));
  });
  test("#2 both graphs", async () => {
    const { loop } = setup({
      replies: {
        requests: { body: pts(minutes(1, 9), (i) => ({ total: i })) },
        latency: { body: pts(minutes(1, 9), () => ({ p50: 1, p90: 2, p99: 3, avg: 4 })) },
      },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    expect(b.samples).toHaveLength(30);
  });
  test("#3 fixture graph_requests_1min.json: explicit zero bucket emitted", async () => {
    const { loop } = setup({
      graphs: ["requests"],
      replies: { requests: { body: fixture("graph_requests_1min.json") } },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    expect(b.samples.map((s) => [Number(s.timestamp / 1_000_000n) - B, s.value])).toEqual(
      [3, 7, 2, 5, 0, 8, 4].map((v, i) => [(i + 1) * 60_000, v]),
    );
  });
  test("#4 latency ms → s, avg included", async () => {
    const { loop } = setup({
      graphs: ["latency"],
      replies: { latency: { body: fixture("graph_latency_ms_raw.json") } },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    expect(b.samples.map((s) => [s.labels.quantile, s.value])).toEqual([
      ["p50", 0.1],
      ["p90", 0.4],
      ["p99", 1.2],
      ["avg", 0.25],
    ]);
    expect(b.samples[0]?.timestamp).toBe(T(B + 2 * 60_000));
  });
  test("#5 token split", async () => {
    const { loop } = setup({
      graphs: ["tokens"],
      replies: { tokens: { body: fixture("graph_tokens_raw.json") } },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    expect(brief(b.samples)).toEqual([
      ["portkey_api_tokens", { token_type: "total" }, 120_000, 1500],
      ["portkey_api_tokens", { token_type: "input" }, 120_000, 1000],
      ["portkey_api_tokens", { token_type: "output" }, 120_000, 500],
    ]);
  });
  test("#6 out-of-order points come out ascending", async () => {
    const { loop } = setup({
      graphs: ["requests"],
      replies: { requests: { body: pts(minutes(1, 5).reverse(), (i) => ({ total: i })) } },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    const ts = b.samples.map((s) => s.timestamp);
    expect(ts).toEqual([...ts].sort((a, c) => (a < c ? -1 : 1)));
    expect(ts).toHaveLength(5);
  });
  test.each([
    [[0, 60, 150], true],
    [[60, 180], false],
    [[60, 60], true],
    [[0, 600, 1200], true], // TS: a uniform 10-minute grid is a flip
  ])("#7 granularity %p ⇒ error %p", async (secs, bad) => {
    const { loop } = setup({
      graphs: ["requests"],
      replies: { requests: { body: { data_points: secs.map((s) => ({ timestamp: iso(B + s * 1000), total: 1 })) } } },
      now: B + 30 * 60_000,
    });
    const p = loop.collect(signal, wm(B));
    if (bad) await expect(p).rejects.toBeInstanceOf(LoopDegraded);
    else await expect(p).resolves.toBeDefined();
  });
  test("#7 unparseable timestamp", async () => {
    const { loop } = setup({
      graphs: ["requests"],
      replies: { requests: { body: { data_points: [{ timestamp: "yesterday", total: 1 }] } } },
      now: B + 10 * 60_000,
    });
    await expect(loop.collect(signal, wm(B))).rejects.toThrow("bad timestamp");
  });
  test("#8 quota", async () => {
    const { loop } = setup({
      graphs: ["requests"],
      replies: { requests: { body: fixture("graph_quota_exceeded.json") } },
      now: B + 10 * 60_000,
    });
    await expect(loop.collect(signal, wm(B))).rejects.toBeInstanceOf(QuotaExhausted);
  });
  test("#9 one graph 404: skipped once, the rest emitted", async () => {
    const { loop, reports } = setup({
      replies: { requests: { body: pts([B + 60_000], () => ({ total: 1 })) }, latency: { status: 404 } },
      now: B + 10 * 60_000,
    });
    const b = await loop.collect(signal, wm(B));
    expect(b.samples).toHaveLength(1);
    expect(reports).toEqual([{ kind: "part_skipped", part: "latency", reason: "not found" }]);
  });
  test("#10 all 404", async () => {
    const { loop } = setup({ replies: {}, now: B + 10 * 60_000 });
    await expect(loop.collect(signal, wm(B))).rejects.toThrow("all 2 configured graphs returned 404");
  });
  test("#11 403: auth hook once, throw", async () => {
    const { loop, reports } = setup({
      replies: { latency: { status: 403 }, requests: { body: pts([B], () => ({ total: 1 })) } },
      now: B + 10 * 60_000,
    });
    await expect(loop.collect(signal, wm(B))).rejects.toThrow("status 403");
    expect(reports).toEqual([{ kind: "auth_error" }]);
  });
  test.each([
    [[], null],
    [["uuid-1"], "uuid-1"],
    [["uuid-1", "uuid-2"], "uuid-1,uuid-2"],
  ])("#12 api_key_ids %p", async (ids, want) => {
    const { loop, urls } = setup({
      graphs: ["requests"],
      replies: { requests: { body: { data_points: [] } } },
      now: B + 10 * 60_000,
      apiKeyIds: ids,
    });
    await loop.collect(signal, wm(B));
    expect(urls[0]?.searchParams.get("api_key_ids") ?? null).toBe(want);
  });
  test("#13 queries carry only time and key parameters", async () => {
    const { loop, urls } = setup({
      replies: { requests: { body: { data_points: [] } }, latency: { body: { data_points: [] } } },
      now: B + 10 * 60_000,
    });
    await loop.collect(signal, wm(B));
    for (const u of urls) {
      expect([...u.searchParams.keys()].sort()).toEqual(["time_of_generation_max", "time_of_generation_min"]);
      for (const w of ["request", "response", "inputs", "outputs", "events"]) expect(u.search).not.toContain(`${w}=`);
    }
  });
  test("#15 nothing settled: no request, watermark unchanged", async () => {
    const now = B + 60 * 60_000;
    const { loop, urls } = setup({ replies: {}, now });
    const since = wm(now - 2 * 60_000);
    const b = await loop.collect(signal, since);
    expect(b.samples).toEqual([]);
    expect(b.watermark).toEqual(since);
    expect(urls).toHaveLength(0);
  });
  test("no new minute end in the window: no request, the quiet span covered", async () => {
    // Settle 3m, a 10 s cadence: the last tick moved the watermark to 12:06:40; now 12:09:50
    // puts the window's end at 12:06:50, inside the same minute.
    const { loop, urls } = setup({ replies: {}, now: B + 9 * 60_000 + 50_000 });
    const b = await loop.collect(signal, wm(B + 6 * 60_000 + 40_000));
    expect([b.samples, urls.length]).toEqual([[], 0]);
    expect(b.watermark.time).toBe(T(B + 6 * 60_000 + 50_000));
    // Ten seconds later the window holds 12:07:00: that tick asks.
    const next = setup({
      graphs: ["requests"],
      replies: { requests: { body: pts(minutes(6, 7), (i) => ({ total: i + 1 })) } },
      now: B + 10 * 60_000 + 10_000,
    });
    const c = await next.loop.collect(signal, b.watermark);
    expect(next.urls.length).toBe(1);
    expect(brief(c.samples)).toEqual([["portkey_api_requests", {}, 7 * 60_000, 1]]);
  });
  test("#16 bootstrap window and request span", async () => {
    const N = B + 2 * 3600_000;
    const { loop, urls } = setup({
      graphs: ["requests"],
      replies: { requests: { body: { data_points: [] } } },
      now: N,
      loop: {
        bucket_settle: 10 * MINUTE,
        bootstrap_lookback: 50 * MINUTE,
        window: 50 * MINUTE,
        max_backfill: 55 * MINUTE,
      },
    });
    const b = await loop.collect(signal, { time: ZERO_TIME, cursor: "", epoch: 0 });
    expect(urls[0]?.searchParams.get("time_of_generation_min")).toBe(iso(N - 55 * 60_000).replace(".000Z", "Z"));
    expect(urls[0]?.searchParams.get("time_of_generation_max")).toBe(iso(N - 10 * 60_000).replace(".000Z", "Z"));
    expect(b.watermark.time).toBe(T(N - 10 * 60_000));
  });
  test("#17 backfill clamp", async () => {
    const now = B + 5 * 3600_000;
    const { loop, urls } = setup({
      graphs: ["requests"],
      replies: { requests: { body: { data_points: [] } } },
      now,
      loop: { max_backfill: 90 * MINUTE, window: 50 * MINUTE, bucket_settle: 10 * MINUTE },
    });
    const b = await loop.collect(signal, wm(now - 3 * 3600_000));
    expect(urls[0]?.searchParams.get("time_of_generation_min")).toBe(iso(now - 90 * 60_000).replace(".000Z", "Z"));
    expect(b.watermark.time).toBe(T(now - 40 * 60_000));
  });
  test("#18 no request span over 55 minutes", async () => {
    const now = B + 2 * 3600_000;
    const { loop, urls } = setup({
      replies: { requests: { body: { data_points: [] } }, latency: { body: { data_points: [] } } },
      now,
      loop: { max_backfill: 120 * MINUTE, bucket_settle: 10 * MINUTE },
    });
    await loop.collect(signal, wm(now - 50 * 60_000));
    for (const u of urls) {
      const span =
        Date.parse(u.searchParams.get("time_of_generation_max") ?? "") -
        Date.parse(u.searchParams.get("time_of_generation_min") ?? "");
      expect(span).toBeLessThanOrEqual(55 * 60_000);
    }
    expect(urls[0]?.searchParams.get("time_of_generation_min")).toBe(iso(now - 65 * 60_000).replace(".000Z", "Z"));
  });
  test("#19 a revised settled bucket fires the hook once", async () => {
    let v2 = 2;
    const { loop, reports, setNow } = setup({
      graphs: ["requests"],
      replies: {
        requests: (q) => {
          const min = Date.parse(q.get("time_of_generation_min") ?? "");
          const max = Date.parse(q.get("time_of_generation_max") ?? "");
          const all = minutes(1, 6).map((s, i) => ({ timestamp: iso(s), total: s === B + 2 * 60_000 ? v2 : i + 1 }));
          return {
            body: { data_points: all.filter((p) => Date.parse(p.timestamp) >= min && Date.parse(p.timestamp) <= max) },
          };
        },
      },
      now: B + 10 * 60_000,
    });
    const b1 = await loop.collect(signal, wm(B));
    expect(reports).toEqual([]);
    v2 = 999;
    setNow(B + 11 * 60_000);
    await loop.collect(signal, b1.watermark);
    expect(reports).toEqual([{ kind: "revised_after_settle", ageSeconds: 8 * 60 }]);
  });
  test("#21 use-case passes label every sample and filter requests", async () => {
    const { loop, urls } = setup({
      graphs: ["requests"],
      replies: { requests: { body: pts([B + 60_000], () => ({ total: 1 })) } },
      now: B + 10 * 60_000,
      useCases: [{ label: "Data Gen", api_key_ids: ["uuid-a"] }],
    });
    const b = await loop.collect(signal, wm(B));
    expect(b.samples.every((s) => s.labels.api_key_use_case === "data_gen")).toBe(true);
    expect(urls[0]?.searchParams.get("api_key_ids")).toBe("uuid-a");
  });
  test("workspace guardrail: mismatch refuses before any data request", async () => {
    const { loop, urls, reports } = setup({
      replies: { workspace: { body: fixture("groups_workspace_multi.json") } },
      now: B + 10 * 60_000,
      expected: "ws-acme-001",
    });
    await expect(loop.collect(signal, wm(B))).rejects.toThrow("refusing to emit");
    expect(urls.every((u) => u.pathname.endsWith("/analytics/groups/workspace"))).toBe(true);
    expect(reports.map((r) => r.kind === "part_skipped" && r.part)).toEqual(["workspace_scope_mismatch"]);
  });
});

test("parseRfc3339 keeps offsets and fractions", () => {
  expect(parseRfc3339("2026-06-18T12:00:00.000Z")).toBe(T(B));
  expect(parseRfc3339("2026-06-18T14:00:00+02:00")).toBe(T(B));
  expect(parseRfc3339("2026-06-18T12:00:00.123456789Z")).toBe(T(B) + 123456789n);
  expect(parseRfc3339("2026-02-30T00:00:00Z")).toBeUndefined();
});
