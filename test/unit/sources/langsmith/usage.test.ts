/** langsmith.md §7.2: the `usage` loop (US-01 … US-13). */
import { describe, expect, test } from "bun:test";
import { loadConfigText } from "../../../../src/config/load.ts";
import type { Sample } from "../../../../src/model/types.ts";
import { decodeUsage, deriveUsage } from "../../../../src/sources/langsmith/usage/derive.ts";
import { QuotaExhausted } from "../../../../src/sources/outcome.ts";
import { registry } from "../../../../src/sources/registry.ts";
import { authErrors, fixture, json, loopBlock, lsRig, lsSource, type Seen, skipped, T } from "./rig.ts";

const NOW = "2026-07-02T12:00:00Z";
const signal = new AbortController().signal;
const idle = { time: T("2026-07-02T11:50:00Z"), cursor: "", epoch: 1 };
const source = (settings: Record<string, string> = {}) =>
  lsSource({ usage: loopBlock(settings, { cadence: 10 * 60e9 }) });
const show = (s: Sample) => `${s.name}{${s.labels.session},${s.labels.retention_tier}} ${s.value}`;

/** `/sessions` answers `sessions`; `runs/stats` answers `stats(req)`. */
function server(
  sessions: (req: Seen) => Response,
  stats: (req: Seen) => Response = () => json(fixture("runs_stats.json")),
) {
  return (req: Seen) => (req.url.pathname === "/runs/stats" ? stats(req) : sessions(req));
}
const twoTiers = () => json(fixture("sessions_usage_two_tiers.json"));

describe("usage collect", () => {
  test("US-01 traces per project and tier from the list, spans from runs/stats; watermark now", async () => {
    const r = lsRig(source(), server(twoTiers), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(b.samples.map(show)).toEqual([
      "langsmith_usage_traces{p1,longlived} 100",
      "langsmith_usage_spans{p1,longlived} 800",
      "langsmith_usage_traces{p2,shortlived} 5",
      "langsmith_usage_spans{p2,shortlived} 800",
    ]);
    expect(b.watermark.time).toBe(T(NOW));
    expect(b.samples.every((s) => s.timestamp === T(NOW))).toBe(true);
  });
  test("US-02 emit_span_counts=false: no spans, no runs/stats call", async () => {
    const r = lsRig(source({ emit_span_counts: "false" }), server(twoTiers), NOW);
    const b = await r.loop.collect(signal, idle);
    expect(b.samples.map((s) => s.name)).toEqual(["langsmith_usage_traces", "langsmith_usage_traces"]);
    expect(r.seen.filter((s) => s.url.pathname === "/runs/stats")).toHaveLength(0);
  });
  test("US-03 /sessions 429: quota", async () => {
    const r = lsRig(
      source(),
      server(() => json({}, 429)),
      NOW,
    );
    await expect(r.loop.collect(signal, idle)).rejects.toBeInstanceOf(QuotaExhausted);
  });
  test("US-04 /sessions 403: an error and one auth report", async () => {
    const r = lsRig(
      source(),
      server(() => json({}, 403)),
      NOW,
    );
    await expect(r.loop.collect(signal, idle)).rejects.toThrow("langsmith usage: sessions status 403");
    expect(authErrors(r.reports)).toBe(1);
  });
  test("US-05 runs/stats 500: traces still emitted, span_stats skipped per project", async () => {
    const r = lsRig(
      source(),
      server(twoTiers, () => json({ detail: "boom" }, 500)),
      NOW,
    );
    const b = await r.loop.collect(signal, idle);
    expect(b.samples.map((s) => s.name)).toEqual(["langsmith_usage_traces", "langsmith_usage_traces"]);
    expect(skipped(r.reports)).toEqual(["span_stats", "span_stats"]);
  });
  test("US-06 runs/stats 429: quota for the whole batch", async () => {
    const r = lsRig(
      source(),
      server(twoTiers, () => json({}, 429)),
      NOW,
    );
    await expect(r.loop.collect(signal, idle)).rejects.toBeInstanceOf(QuotaExhausted);
  });
  test("runs/stats 401 reports auth and skips that project's spans", async () => {
    const r = lsRig(
      source(),
      server(twoTiers, () => json({}, 401)),
      NOW,
    );
    const b = await r.loop.collect(signal, idle);
    expect([b.samples.length, authErrors(r.reports), skipped(r.reports).length]).toEqual([2, 2, 2]);
  });
  test("US-07 nothing content-like is asked for; only session and retention_tier labels; the exact stats body", async () => {
    const r = lsRig(source(), server(twoTiers), NOW);
    const b = await r.loop.collect(signal, idle);
    for (const s of r.seen) {
      const text = `${s.url.search} ${JSON.stringify(s.body ?? "")}`;
      for (const w of ["inputs", "outputs", "messages", "select", "request", "response", "metadata"]) {
        expect(text).not.toContain(w);
      }
    }
    expect(new Set(b.samples.flatMap((s) => Object.keys(s.labels)))).toEqual(new Set(["session", "retention_tier"]));
    const stats = r.seen.filter((s) => s.url.pathname === "/runs/stats");
    expect(stats.map((s) => s.method)).toEqual(["POST", "POST"]);
    expect(stats[0]?.body).toEqual({ session: ["p1"], start_time: "2026-07-02T11:50:00Z" });
    expect(JSON.stringify(b.samples.map((s) => s.labels))).not.toMatch(/ZZ[A-Z]+ZZ/);
    const list = r.seen[0]?.url.searchParams;
    expect([list?.get("include_stats"), list?.get("use_approx_stats"), list?.get("stats_start_time")]).toEqual([
      "true",
      null,
      "2026-07-02T11:50:00Z",
    ]);
  });
  test("US-13 runs/stats without run_count: spans skipped and counted, traces emitted", async () => {
    const r = lsRig(
      source(),
      server(twoTiers, () => json({})),
      NOW,
    );
    const b = await r.loop.collect(signal, idle);
    expect(b.samples.map((s) => s.name)).toEqual(["langsmith_usage_traces", "langsmith_usage_traces"]);
    expect(skipped(r.reports)).toEqual(["span_stats", "span_stats"]);
  });
  test("start-up warning: span counts without a session_filter", () => {
    expect(
      lsRig(source(), server(twoTiers), NOW).warnings.some((w) => w.includes("one runs/stats call per project")),
    ).toBe(true);
    const quiet = lsRig(source({ session_filter: 'eq(name, "a")' }), server(twoTiers), NOW);
    expect(quiet.warnings.some((w) => w.includes("runs/stats"))).toBe(false);
  });
});

describe("usage derive", () => {
  const at = T("2026-07-02T12:00:00Z");
  const p = (o: Record<string, unknown>) => decodeUsage(o);
  test("US-08 stamped at the minute; traces only when no spans", () => {
    const out = deriveUsage(
      [p({ id: "s1", name: "proj-a", run_count: 100, trace_tier: "longlived" })],
      new Map(),
      at,
      "langsmith",
      "id",
    );
    expect(out.map(show)).toEqual(["langsmith_usage_traces{s1,longlived} 100"]);
  });
  test("US-09 an empty tier is unknown", () => {
    const out = deriveUsage(
      [p({ id: "s1", run_count: 100, trace_tier: "" })],
      new Map([["s1", 800]]),
      at,
      "langsmith",
      "id",
    );
    expect(out.map(show)).toEqual(["langsmith_usage_traces{s1,unknown} 100", "langsmith_usage_spans{s1,unknown} 800"]);
  });
  test("US-10 a null run_count is no traces sample; order by id, traces then spans", () => {
    const out = deriveUsage(
      [
        p({ id: "s2", run_count: 5, trace_tier: "shortlived" }),
        p({ id: "s1", run_count: null, trace_tier: "longlived" }),
      ],
      new Map([["s2", 40]]),
      at,
      "langsmith",
      "id",
    );
    expect(out.map(show)).toEqual([
      "langsmith_usage_traces{s2,shortlived} 5",
      "langsmith_usage_spans{s2,shortlived} 40",
    ]);
  });
  test("US-11 / US-12 label by name, falling back to the id for an unnamed project", () => {
    const out = deriveUsage(
      [p({ id: "s1", name: "proj-a", run_count: 3 }), p({ id: "s2", name: "", run_count: 4 })],
      new Map(),
      at,
      "langsmith",
      "name",
    );
    expect(out.map((s) => s.labels.session)).toEqual(["proj-a", "s2"]);
  });
});

describe("usage defaults", () => {
  test("an absent cadence is the reference's 10m for usage (60s for sessions), reported as applied", () => {
    const text = `emit: {telemetry: {otlp: {endpoint: https://otlp.example}}}
sources:
  - type: langsmith
    enabled: true
    source_instance: ls
    auth: {header: x-api-key, value: abcd}
    loops: {usage: {enabled: true}, sessions: {enabled: true}}
`;
    const { config, applied } = loadConfigText(text, {}, registry);
    expect([config.sources[0]?.loops.usage?.cadence, config.sources[0]?.loops.sessions?.cadence]).toEqual([
      10 * 60e9,
      60e9,
    ]);
    expect(applied).toContainEqual({ path: "sources[0].loops.usage.cadence", value: "10m0s" });
  });
});
