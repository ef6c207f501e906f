/** langsmith.md §7.1: the `sessions` loop, derive and settings (SE-01 … SE-24). */
import { describe, expect, test } from "bun:test";
import type { LoopConfig } from "../../../../src/config/types.ts";
import { formatRfc3339Nano } from "../../../../src/model/time.ts";
import type { Sample } from "../../../../src/model/types.ts";
import { decodeSession, type SessionStats } from "../../../../src/sources/langsmith/sessions/decode.ts";
import { type DeriveOptions, deriveSessions } from "../../../../src/sources/langsmith/sessions/derive.ts";
import { QuotaExhausted } from "../../../../src/sources/outcome.ts";
import { authErrors, fixture, json, loopBlock, lsRig, lsSource, S1, S2, type Seen, T } from "./rig.ts";

const NOW = "2026-06-19T12:00:00Z";
const signal = new AbortController().signal;
const idle = { time: T("2026-06-19T11:00:00Z"), cursor: "", epoch: 1 };
const source = (settings: Record<string, string> = {}, over = {}) => lsSource({ sessions: loopBlock(settings, over) });

/** Serves `items` with offset/limit honoured (or ignored). */
function paged(items: unknown[], ignoreOffset = false) {
  return (req: Seen) => {
    const offset = Number(req.url.searchParams.get("offset"));
    const limit = Number(req.url.searchParams.get("limit"));
    return json(ignoreOffset ? items : items.slice(offset, offset + limit));
  };
}

const show = (s: Sample) =>
  `${s.name}{${Object.entries(s.labels)
    .filter(([k]) => k !== "session")
    .map(([k, v]) => `${k}=${v}`)
    .join(",")}} ${s.value}`;

describe("sessions collect", () => {
  test("SE-01 the fixture: 30 samples in order, gauges at now, watermark now", async () => {
    const r = lsRig(source(), paged(fixture("sessions_with_stats.json") as unknown[]), NOW);
    const b = await r.loop.collect(signal, idle);
    const perSession = (id: string) => b.samples.filter((s) => s.labels.session === id).map(show);
    expect(b.samples).toHaveLength(30);
    expect(perSession(S1)).toEqual([
      "langsmith_runs{} 450",
      "langsmith_latency_seconds{quantile=p50} 0.495",
      "langsmith_latency_seconds{quantile=p99} 56.35091",
      "langsmith_tokens{} 16513488",
      "langsmith_prompt_tokens{} 15634481",
      "langsmith_completion_tokens{} 879007",
      "langsmith_cost_usd{} 0",
      "langsmith_prompt_cost_usd{} 0",
      "langsmith_completion_cost_usd{} 0",
      "langsmith_error_rate{} 0",
      "langsmith_streaming_rate{} 0",
      "langsmith_feedback_score{feedback_key=algo_accuracy} 0.838",
      "langsmith_feedback_count{feedback_key=algo_accuracy} 450",
      "langsmith_feedback_score{feedback_key=domain_accuracy} 0.795",
      "langsmith_feedback_count{feedback_key=domain_accuracy} 450",
    ]);
    expect(perSession(S2)).toEqual([
      "langsmith_runs{} 60",
      "langsmith_latency_seconds{quantile=p50} 70.685",
      "langsmith_latency_seconds{quantile=p99} 170.26769",
      "langsmith_first_token_seconds{quantile=p50} 1.23",
      "langsmith_first_token_seconds{quantile=p99} 4.56",
      "langsmith_tokens{} 1200000",
      "langsmith_prompt_tokens{} 1000000",
      "langsmith_completion_tokens{} 200000",
      "langsmith_cost_usd{} 0.4523",
      "langsmith_prompt_cost_usd{} 0.4",
      "langsmith_completion_cost_usd{} 0.0523",
      "langsmith_error_rate{} 0.1",
      "langsmith_streaming_rate{} 1",
      "langsmith_feedback_score{feedback_key=domain_accuracy} 0.91",
      "langsmith_feedback_count{feedback_key=domain_accuracy} 60",
    ]);
    expect(b.samples.map((s) => s.labels.session)).toEqual([...Array(15).fill(S1), ...Array(15).fill(S2)]);
    expect(b.samples.every((s) => s.kind === "gauge" && s.unit === "" && s.timestamp === T(NOW))).toBe(true);
    expect(b.watermark).toEqual({ time: T(NOW), cursor: "", epoch: 1 });
  });
  test("SE-02 stamped at the minute, watermark un-truncated", async () => {
    const r = lsRig(source(), paged(fixture("sessions_with_stats.json") as unknown[]), "2026-06-19T12:00:37.5Z");
    const b = await r.loop.collect(signal, idle);
    expect(new Set(b.samples.map((s) => formatRfc3339Nano(s.timestamp)))).toEqual(new Set(["2026-06-19T12:00:00Z"]));
    expect(formatRfc3339Nano(b.watermark.time)).toBe("2026-06-19T12:00:37.5Z");
  });
  test("SE-03 page_limit=1: offsets 0, 1, 2; the third (empty) page stops", async () => {
    const r = lsRig(source({ page_limit: "1" }), paged(fixture("sessions_with_stats.json") as unknown[]), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(r.seen.map((s) => s.url.searchParams.get("offset"))).toEqual(["0", "1", "2"]);
    expect(b.samples.filter((s) => s.name === "langsmith_runs").map((s) => s.value)).toEqual([450, 60]);
  });
  test("SE-04 max_sessions=1: only the first in server order, a warning, no self-metric", async () => {
    const r = lsRig(source({ max_sessions: "1" }), paged(fixture("sessions_with_stats.json") as unknown[]), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(new Set(b.samples.map((s) => s.labels.session))).toEqual(new Set([S1]));
    expect(r.warnings.some((w) => w.includes("capped at settings.max_sessions"))).toBe(true);
    expect(r.reports).toEqual([]);
  });
  test("SE-05 a server that ignores offset/limit: two projects, stops after the second request", async () => {
    const r = lsRig(source({ page_limit: "1" }), paged(fixture("sessions_with_stats.json") as unknown[], true), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(b.samples.filter((s) => s.name === "langsmith_runs")).toHaveLength(2);
    expect(r.seen).toHaveLength(2);
  });
  test("SE-06 429 is the quota sentinel", async () => {
    const r = lsRig(source(), () => json({}, 429), NOW);
    await expect(r.loop.collect(signal, idle)).rejects.toBeInstanceOf(QuotaExhausted);
  });
  test.each([
    [401, 1],
    [403, 1],
    [500, 0],
  ])("SE-07 status %d: a retryable error, auth reported %d time(s)", async (status, auths) => {
    const r = lsRig(source(), () => json({ detail: "x" }, status), NOW);
    const err = await r.loop.collect(signal, idle).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(QuotaExhausted);
    expect((err as Error).message).toBe(`langsmith: sessions status ${status}`);
    expect(authErrors(r.reports)).toBe(auths);
  });
  test("SE-08 no content selector in the query; no id-like label value or feedback key", async () => {
    const r = lsRig(source(), paged(fixture("sessions_with_stats.json") as unknown[]), NOW);
    const b = await r.loop.collect(signal, idle);
    for (const s of r.seen) {
      const q = s.url.search;
      for (const word of ["inputs", "outputs", "input", "output", "events", "body"]) expect(q).not.toContain(word);
    }
    const values = b.samples.flatMap((s) => Object.values(s.labels));
    for (const v of values) expect(v).not.toMatch(/fake-(trace|user|req)|ZZ[A-Z]+ZZ/);
    const keys = new Set(b.samples.map((s) => s.labels.feedback_key).filter(Boolean));
    for (const k of ["portkey_trace_id", "user_id", "model_provider", "request_id"]) expect(keys.has(k)).toBe(false);
  });
  test("SE-24 the stats request: stats_start_time truncated to the second, no approx, no filter", async () => {
    const r = lsRig(source(), () => json([]), "2026-06-19T12:00:37.5Z");
    await r.loop.collect(signal, idle);
    const q = r.seen[0]?.url.searchParams;
    expect(Object.fromEntries(q ?? [])).toEqual({
      include_stats: "true",
      limit: "100",
      offset: "0",
      sort_by: "start_time",
      sort_by_desc: "true",
      stats_start_time: "2026-06-19T11:00:37Z",
    });
    expect(r.seen[0]?.url.pathname).toBe("/sessions");
    expect(r.seen[0]?.headers.get("x-api-key")).toBe("k");
  });
  test("one snapshot per minute: a poll in a minute already delivered asks and sends nothing (sessions and usage)", async () => {
    const blocks: Record<string, LoopConfig>[] = [
      { sessions: loopBlock() },
      { usage: loopBlock({ emit_span_counts: "false" }) },
    ];
    for (const loops of blocks) {
      const r = lsRig(lsSource(loops), () => json(fixture("sessions_usage_two_tiers.json")), "2026-06-19T12:00:40Z");
      const delivered = { time: T("2026-06-19T12:00:05Z"), cursor: "", epoch: 1 };
      const same = await r.loop.collect(signal, delivered);
      expect([r.seen.length, same.samples.length, same.watermark]).toEqual([0, 0, delivered]);
      r.setNow("2026-06-19T12:01:02Z");
      const next = await r.loop.collect(signal, delivered);
      expect([r.seen.length, next.samples.length > 0, next.watermark.time]).toEqual([
        1,
        true,
        T("2026-06-19T12:01:02Z"),
      ]);
    }
  });
  test("use_approx_stats and session_filter are sent when set; zero projects still advance the watermark", async () => {
    const r = lsRig(source({ use_approx_stats: "true", session_filter: 'eq(name, "p")' }), () => json([]), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(r.seen[0]?.url.searchParams.get("use_approx_stats")).toBe("true");
    expect(r.seen[0]?.url.searchParams.get("filter")).toBe('eq(name, "p")');
    expect(r.seen[0]?.url.search).toContain("filter=eq%28name%2C+%22p%22%29");
    expect([b.samples.length, b.watermark.time]).toEqual([0, T(NOW)]);
  });
  test("SE-17 one bad cost string fails the whole collect", async () => {
    const items = fixture("sessions_with_stats.json") as Record<string, unknown>[];
    const bad = items.map((s, i) => (i === 1 ? { ...s, total_cost: "not-a-number" } : s));
    const r = lsRig(source(), () => json(bad), NOW);
    await expect(r.loop.collect(signal, idle)).rejects.toThrow("total_cost");
  });
  test("strict typing: a string latency or a fractional run_count fails the page", async () => {
    for (const patch of [
      { latency_p50: "0.4" },
      { run_count: 4.5 },
      { total_cost: { x: 1 } },
      { feedback_stats: [] },
    ]) {
      const r = lsRig(source(), () => json([{ id: "s", ...patch }]), NOW);
      await expect(r.loop.collect(signal, idle)).rejects.toThrow("langsmith: fetch sessions (offset 0): decode");
    }
  });
});

const base: DeriveOptions = { prefix: "langsmith", labelValue: "id", emitFeedback: true, feedbackKeys: [] };
const stats = (o: Record<string, unknown>): SessionStats => decodeSession(o);
const now = T("2026-06-19T12:00:00Z");

describe("sessions derive", () => {
  test("SE-09 run_count only: one gauge", () => {
    const out = deriveSessions([stats({ id: "s1", run_count: 450 })], now, base);
    expect(out).toEqual([
      {
        name: "langsmith_runs",
        kind: "gauge",
        temporality: "unset",
        monotonic: false,
        unit: "",
        labels: { session: "s1" },
        value: 450,
        timestamp: now,
      },
    ]);
  });
  test("SE-10 latency quantiles unchanged (seconds)", () => {
    const out = deriveSessions([stats({ id: "s1", latency_p50: 0.495, latency_p99: 56.35091 })], now, base);
    expect(out.map(show)).toEqual([
      "langsmith_latency_seconds{quantile=p50} 0.495",
      "langsmith_latency_seconds{quantile=p99} 56.35091",
    ]);
  });
  test("SE-11 id-like feedback keys (avg null) never become series", () => {
    const feedback = {
      algo_accuracy: { n: 450, avg: 0.838 },
      portkey_trace_id: { n: 450, avg: null },
      user_id: { n: 450, avg: null },
    };
    expect(deriveSessions([stats({ id: "s1", feedback_stats: feedback })], now, base).map(show)).toEqual([
      "langsmith_feedback_score{feedback_key=algo_accuracy} 0.838",
      "langsmith_feedback_count{feedback_key=algo_accuracy} 450",
    ]);
  });
  test("SE-12 emit_feedback=false: runs only", () => {
    const s = stats({ id: "s1", run_count: 1, feedback_stats: { acc: { n: 1, avg: 1 } } });
    expect(deriveSessions([s], now, { ...base, emitFeedback: false }).map(show)).toEqual(["langsmith_runs{} 1"]);
  });
  test("SE-13 projects in id order", () => {
    const out = deriveSessions(
      [stats({ id: "b-sess", run_count: 1 }), stats({ id: "a-sess", run_count: 2 })],
      now,
      base,
    );
    expect(out.map((s) => s.labels.session)).toEqual(["a-sess", "b-sess"]);
  });
  test("SE-14 tokens, costs and rates; an unset cost is no sample", () => {
    const s = stats({
      id: "s1",
      total_tokens: 16513488,
      prompt_tokens: 15634481,
      completion_tokens: 879007,
      total_cost: 0.12,
      prompt_cost: 0.1,
      error_rate: 0.0,
      streaming_rate: 0.5,
    });
    expect(deriveSessions([s], now, base).map(show)).toEqual([
      "langsmith_tokens{} 16513488",
      "langsmith_prompt_tokens{} 15634481",
      "langsmith_completion_tokens{} 879007",
      "langsmith_cost_usd{} 0.12",
      "langsmith_prompt_cost_usd{} 0.1",
      "langsmith_error_rate{} 0",
      "langsmith_streaming_rate{} 0.5",
    ]);
  });
  test("SE-15 everything null but run_count: one sample", () => {
    const nulls = Object.fromEntries(
      ["latency_p50", "latency_p99", "total_tokens", "total_cost", "error_rate", "feedback_stats"].map((k) => [
        k,
        null,
      ]),
    );
    expect(deriveSessions([stats({ id: "s1", run_count: 10, ...nulls })], now, base)).toHaveLength(1);
  });
  test.each([
    [42.5, 42.5],
    [0, 0],
    ["0.00", 0],
    ["1.2345", 1.2345],
    [" 7e-1 ", 0.7],
    [null, undefined],
    ["", undefined],
    [undefined, undefined],
  ])("SE-16 money %p ⇒ %p", (input, want) => {
    expect(stats(input === undefined ? { id: "s" } : { id: "s", total_cost: input }).totalCost).toBe(want);
  });
  test.each([["not-a-number"], ["NaN"], ["Infinity"], ["1e999"], [true], [[1]]])(
    "SE-17 money %p is a decode error",
    (input) => {
      expect(() => stats({ id: "s", total_cost: input })).toThrow("total_cost");
    },
  );
  test("SE-22 feedback_keys allow-list", async () => {
    const r = lsRig(source({ feedback_keys: "domain_accuracy" }), () => json(fixture("sessions_with_stats.json")), NOW);
    const b = await r.loop.collect(signal, idle);
    const fb = b.samples.filter((s) => s.labels.feedback_key !== undefined);
    expect(fb.map((s) => `${s.labels.session}:${s.labels.feedback_key}`)).toEqual([
      `${S1}:domain_accuracy`,
      `${S1}:domain_accuracy`,
      `${S2}:domain_accuracy`,
      `${S2}:domain_accuracy`,
    ]);
  });
  test("SE-23 a score without a count", () => {
    const s = stats({ id: "s1", feedback_stats: { acc: { avg: 0.5, n: null } } });
    expect(deriveSessions([s], now, base).map(show)).toEqual(["langsmith_feedback_score{feedback_key=acc} 0.5"]);
  });
  test("label by name: the name, or empty (no fallback to the id)", () => {
    const out = deriveSessions(
      [stats({ id: "s1", name: "proj", run_count: 1 }), stats({ id: "s2", name: "", run_count: 2 })],
      now,
      { ...base, labelValue: "name" },
    );
    expect(out.map((s) => s.labels.session)).toEqual(["proj", ""]);
  });
});

describe("sessions settings", () => {
  const plan = (settings: Record<string, string>, over = {}) => lsRig(source(settings, over), () => json([]), NOW);
  test("SE-18 overlay: window, cap, label by name, feedback off, allow-list; the label key stays session", async () => {
    const settings = {
      stats_window: "30m",
      max_sessions: "5",
      session_label_value: "name",
      emit_feedback: "false",
      feedback_keys: "a, b",
    };
    const items = Array.from({ length: 8 }, (_, i) => ({
      id: `s${i}`,
      name: `n${i}`,
      run_count: i,
      feedback_stats: { a: { avg: 1 } },
    }));
    const r = lsRig(source(settings), () => json(items), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(r.seen[0]?.url.searchParams.get("stats_start_time")).toBe("2026-06-19T11:30:00Z");
    expect(b.samples.map((s) => s.labels)).toEqual(["n0", "n1", "n2", "n3", "n4"].map((session) => ({ session })));
  });
  test.each([
    [{ max_sessions: "not-a-number" }, "settings.max_sessions"],
    [{ max_sessions: "0" }, "settings.max_sessions"],
    [{ page_limit: "0" }, "settings.page_limit"],
    [{ stats_window: "1d" }, "settings.stats_window"],
    [{ emit_feedback: "yes" }, "settings.emit_feedback"],
  ])("SE-19 %p is a start-up error naming %s", (settings, key) => {
    expect(() => plan(settings)).toThrow(key);
  });
  test.each([["id"], ["name"]])("SE-20 session_label_value %p is accepted (sessions and usage)", (value) => {
    expect(() => plan({ session_label_value: value })).not.toThrow();
    expect(() =>
      lsRig(
        lsSource({ usage: loopBlock({ session_label_value: value, emit_span_counts: "false" }) }),
        () => json([]),
        NOW,
      ),
    ).not.toThrow();
  });
  test.each([["Name"], ["names"], ["NAME"], [""]])(
    "SE-20 session_label_value %p is refused (sessions and usage)",
    (value) => {
      expect(() => plan({ session_label_value: value })).toThrow("settings.session_label_value");
      expect(() => lsRig(lsSource({ usage: loopBlock({ session_label_value: value }) }), () => json([]), NOW)).toThrow(
        "settings.session_label_value",
      );
    },
  );
  test("SE-21 a loop-level window points at stats_window (sessions and usage)", () => {
    expect(() => plan({}, { window: 50 * 60e9 })).toThrow("stats_window");
    expect(() => lsRig(lsSource({ usage: loopBlock({}, { window: 50 * 60e9 }) }), () => json([]), NOW)).toThrow(
      "stats_window",
    );
  });
  test("a zero or negative stats_window falls back to the default; an unknown key warns", async () => {
    const r = plan({ stats_window: "0s", session_label_key: "project" });
    await r.loop.collect(signal, idle);
    expect(r.seen[0]?.url.searchParams.get("stats_start_time")).toBe("2026-06-19T11:00:00Z");
    expect(r.warnings).toContain("unknown settings key ignored");
  });
});
