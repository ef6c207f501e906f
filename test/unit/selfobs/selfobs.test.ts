/** Self-observability: instrument catalogue parity, Prometheus text, self OTLP encoding, health. */
import { describe, expect, test } from "bun:test";
import { INSTRUMENTS, SelfMetrics, statusClass } from "../../../src/selfobs/catalogue.ts";
import { HealthState, livenessThresholdMs } from "../../../src/selfobs/health.ts";
import { encodeSelfMetrics } from "../../../src/selfobs/otlp.ts";
import { prometheusText } from "../../../src/selfobs/prometheus.ts";

const CATALOGUE: [string, string, string][] = [
  ["genai_otel_bridge_process_cpu_seconds_total", "counter", ""],
  ["genai_otel_bridge_process_resident_memory_bytes", "gauge", "By"],
  ["genai_otel_bridge_process_heap_bytes", "gauge", "By"],
  ["genai_otel_bridge_emitted_total", "counter", ""],
  ["genai_otel_bridge_emitted_logs_total", "counter", ""],
  ["genai_otel_bridge_samples_skipped_total", "counter", ""],
  ["genai_otel_bridge_emit_errors_total", "counter", ""],
  ["genai_otel_bridge_guard_dropped_total", "counter", ""],
  ["genai_otel_bridge_bucket_revised_after_settle_total", "counter", ""],
  ["genai_otel_bridge_new_label_values_total", "counter", ""],
  ["genai_otel_bridge_samples_capped_total", "counter", ""],
  ["genai_otel_bridge_source_graph_unavailable_total", "counter", ""],
  ["genai_otel_bridge_auth_errors_total", "counter", ""],
  ["genai_otel_bridge_emit_partial_success_rejected_total", "counter", ""],
  ["genai_otel_bridge_last_success_timestamp_seconds", "gauge", "s"],
  ["genai_otel_bridge_window_lag_seconds", "gauge", "s"],
  ["genai_otel_bridge_queue_depth", "gauge", "1"],
  ["genai_otel_bridge_loop_degraded", "gauge", "1"],
  ["genai_otel_bridge_upstream_request_duration_seconds", "histogram", "s"],
  ["genai_otel_bridge_emit_request_duration_seconds", "histogram", "s"],
  ["genai_otel_bridge_bucket_revised_after_settle_age_seconds", "histogram", "s"],
];

test("the instrument list equals the catalogue", () => {
  expect(INSTRUMENTS.map((i) => [i.name, i.kind, i.unit])).toEqual(CATALOGUE);
});

test("the process's CPU, RSS and heap are read at every snapshot", () => {
  const m = new SelfMetrics();
  const t = prometheusText(m.registry);
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(t)?.[1] ?? "0");
  expect(value("genai_otel_bridge_process_cpu_seconds_total")).toBeGreaterThan(0);
  expect(value("genai_otel_bridge_process_resident_memory_bytes")).toBeGreaterThan(1 << 20);
  expect(value("genai_otel_bridge_process_heap_bytes")).toBeGreaterThan(0);
});

describe("Prometheus text", () => {
  test("counters, _ratio gauges, cumulative histogram buckets", () => {
    const m = new SelfMetrics();
    m.emitted("analytics", 10);
    m.queueDepth("analytics", 1);
    m.upstream("api.portkey.ai", "GET", 200, 0.03);
    m.upstream("api.portkey.ai", "GET", 200, 7);
    const t = prometheusText(m.registry);
    expect(t).toContain('genai_otel_bridge_emitted_total{loop="analytics"} 10');
    expect(t).toContain('genai_otel_bridge_queue_depth_ratio{loop="analytics"} 1');
    expect(t).toContain("# TYPE genai_otel_bridge_upstream_request_duration_seconds histogram");
    expect(t).toContain(
      'genai_otel_bridge_upstream_request_duration_seconds_bucket{method="GET",status_class="2xx",target="api.portkey.ai",le="0.05"} 1',
    );
    expect(t).toContain(
      'genai_otel_bridge_upstream_request_duration_seconds_bucket{method="GET",status_class="2xx",target="api.portkey.ai",le="10"} 2',
    );
    expect(t).toContain(
      'genai_otel_bridge_upstream_request_duration_seconds_count{method="GET",status_class="2xx",target="api.portkey.ai"} 2',
    );
  });
  test("status classes", () => {
    expect([statusClass(204), statusClass(429), statusClass(0)]).toEqual(["2xx", "4xx", "error"]);
  });
  test("counters never decrease", () => {
    expect(() => new SelfMetrics().registry.add("genai_otel_bridge_emitted_total", {}, -1)).toThrow();
  });
});

test("self OTLP request carries the five resource attributes and a cumulative monotonic sum", () => {
  const m = new SelfMetrics();
  m.emitted("analytics", 3);
  const b = Buffer.from(
    encodeSelfMetrics(
      {
        "service.name": "genai-otel-bridge",
        "service.namespace": "ns-meta",
        "service.version": "v1",
        "deployment.environment.name": "p",
        "service.instance.id": "pod-0",
      },
      m.registry,
      1_700_000_000_000_000_000n,
    ),
  );
  const s = b.toString("latin1");
  for (const k of ["service.instance.id", "ns-meta", "genai-otel-bridge/selfobs", "genai_otel_bridge_emitted_total"])
    expect(s).toContain(k);
  // Sum (field 7) with aggregation_temporality=2 (0x10 0x02) and is_monotonic=true (0x18 0x01).
  expect(b.toString("hex")).toContain("10021801");
});

describe("health", () => {
  test("threshold: max(10 m, slowest enabled cadence) + 6 m", () => {
    const m = 60e9;
    expect(livenessThresholdMs([m])).toBe(16 * 60_000);
    expect(livenessThresholdMs([m, 30 * m])).toBe(36 * 60_000);
    expect(livenessThresholdMs([])).toBe(16 * 60_000);
  });
  test("a standby is healthy; a leader only while ticks beat", () => {
    let now = 0;
    const h = new HealthState(16 * 60_000, () => now);
    expect(h.healthy()).toBe(true);
    h.leader = true;
    expect(h.healthy()).toBe(false);
    h.beat();
    now = 16 * 60_000;
    expect(h.healthy()).toBe(true);
    now += 1;
    expect(h.healthy()).toBe(false);
  });
});
