/**
 * The self-metric catalogue and the typed facade the runtime records through,
 * so the scheduler, runner, guard and sources never touch the registry's strings directly.
 * Units are exact on purpose: the gateway derives `_ratio` from unit `1` on gauges and the
 * shipped alerts query `…_queue_depth_ratio`; counters carry no unit.
 */
import { type Instrument, Registry } from "./registry.ts";

const LAT_BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

export const INSTRUMENTS: Instrument[] = [
  {
    name: "genai_otel_bridge_process_cpu_seconds_total",
    kind: "counter",
    unit: "",
    description: "CPU time of the process, user and system",
  },
  {
    name: "genai_otel_bridge_process_resident_memory_bytes",
    kind: "gauge",
    unit: "By",
    description: "Resident set size of the process",
  },
  {
    name: "genai_otel_bridge_process_heap_bytes",
    kind: "gauge",
    unit: "By",
    description: "JavaScript heap in use",
  },
  { name: "genai_otel_bridge_emitted_total", kind: "counter", unit: "", description: "Samples delivered" },
  { name: "genai_otel_bridge_emitted_logs_total", kind: "counter", unit: "", description: "Log records delivered" },
  {
    name: "genai_otel_bridge_samples_skipped_total",
    kind: "counter",
    unit: "",
    description: "Samples skipped with a counted gap",
  },
  {
    name: "genai_otel_bridge_emit_errors_total",
    kind: "counter",
    unit: "",
    description: "Emit, collect and checkpoint errors",
  },
  {
    name: "genai_otel_bridge_guard_dropped_total",
    kind: "counter",
    unit: "",
    description: "Samples dropped by the governance guard",
  },
  {
    name: "genai_otel_bridge_bucket_revised_after_settle_total",
    kind: "counter",
    unit: "",
    description: "Settled buckets whose value changed upstream",
  },
  {
    name: "genai_otel_bridge_new_label_values_total",
    kind: "counter",
    unit: "",
    description: "New label sets admitted or refused",
  },
  {
    name: "genai_otel_bridge_samples_capped_total",
    kind: "counter",
    unit: "",
    description: "Samples dropped by the DPM cap",
  },
  {
    name: "genai_otel_bridge_source_graph_unavailable_total",
    kind: "counter",
    unit: "",
    description: "Source graphs or endpoints skipped",
  },
  { name: "genai_otel_bridge_auth_errors_total", kind: "counter", unit: "", description: "Upstream 401/403 responses" },
  {
    name: "genai_otel_bridge_emit_partial_success_rejected_total",
    kind: "counter",
    unit: "",
    description: "Items the OTLP gateway rejected in a 2xx partial_success",
  },
  {
    name: "genai_otel_bridge_last_success_timestamp_seconds",
    kind: "gauge",
    unit: "s",
    description: "Data time of the last successful emit",
  },
  {
    name: "genai_otel_bridge_window_lag_seconds",
    kind: "gauge",
    unit: "s",
    description: "Now minus the loop watermark",
  },
  { name: "genai_otel_bridge_queue_depth", kind: "gauge", unit: "1", description: "Batches queued for emit" },
  { name: "genai_otel_bridge_loop_degraded", kind: "gauge", unit: "1", description: "1 while a loop is degraded" },
  {
    name: "genai_otel_bridge_upstream_request_duration_seconds",
    kind: "histogram",
    unit: "s",
    description: "Vendor API request time to response headers",
    bounds: LAT_BOUNDS,
  },
  {
    name: "genai_otel_bridge_emit_request_duration_seconds",
    kind: "histogram",
    unit: "s",
    description: "OTLP emit POST time to response headers",
    bounds: LAT_BOUNDS.slice(0, -1),
  },
  {
    name: "genai_otel_bridge_bucket_revised_after_settle_age_seconds",
    kind: "histogram",
    unit: "s",
    description: "Age of revised buckets",
    bounds: [300, 600, 900, 1200, 1500, 1800, 2400, 3000, 3600],
  },
];

export function statusClass(status: number): string {
  return status > 0 ? `${Math.floor(status / 100)}xx` : "error";
}

export type ErrorKind =
  | "collect"
  | "checkpoint_load"
  | "checkpoint_save"
  | "checkpoint_fenced"
  | "granularity_unexpected"
  | "retryable_exhausted"
  | "bad_encoding"
  | "unknown_4xx";

export type SkipReason =
  | "duplicate_timestamp"
  | "too_old"
  | "payload_too_large"
  | "backfill_unstorable"
  | "quota_exceeded";

/** Typed recording API over the registry. */
export class SelfMetrics {
  readonly registry = new Registry();

  constructor() {
    for (const i of INSTRUMENTS) this.registry.register(i);
    // What the dashboards' runtime tab shows in place of a Go runtime's profile: read at export.
    this.registry.onSnapshot(() => {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      this.registry.set("genai_otel_bridge_process_cpu_seconds_total", {}, (cpu.user + cpu.system) / 1e6);
      this.registry.set("genai_otel_bridge_process_resident_memory_bytes", {}, memory.rss);
      this.registry.set("genai_otel_bridge_process_heap_bytes", {}, memory.heapUsed);
    });
  }

  emitted(loop: string, n: number): void {
    this.registry.add("genai_otel_bridge_emitted_total", { loop }, n);
  }
  emittedLogs(loop: string, n: number): void {
    this.registry.add("genai_otel_bridge_emitted_logs_total", { loop }, n);
  }
  skipped(loop: string, reason: SkipReason, n: number): void {
    this.registry.add("genai_otel_bridge_samples_skipped_total", { loop, reason }, n);
  }
  emitError(loop: string, kind: ErrorKind): void {
    this.registry.add("genai_otel_bridge_emit_errors_total", { loop, kind });
  }
  guardDropped(loop: string, n: number): void {
    this.registry.add("genai_otel_bridge_guard_dropped_total", { loop }, n);
  }
  bucketRevised(loop: string, ageSeconds: number): void {
    this.registry.add("genai_otel_bridge_bucket_revised_after_settle_total", { loop });
    this.registry.observe("genai_otel_bridge_bucket_revised_after_settle_age_seconds", { loop }, ageSeconds);
  }
  newLabelValue(series: string): void {
    this.registry.add("genai_otel_bridge_new_label_values_total", { series });
  }
  capped(loop: string, n: number): void {
    this.registry.add("genai_otel_bridge_samples_capped_total", { loop, reason: "dpm" }, n);
  }
  graphUnavailable(loop: string, graph: string): void {
    this.registry.add("genai_otel_bridge_source_graph_unavailable_total", { loop, graph });
  }
  authError(loop: string, source: string): void {
    this.registry.add("genai_otel_bridge_auth_errors_total", { loop, source });
  }
  partialRejected(plane: string, n: number): void {
    this.registry.add("genai_otel_bridge_emit_partial_success_rejected_total", { plane }, n);
  }
  lastSuccess(loop: string, unixSeconds: number): void {
    this.registry.set("genai_otel_bridge_last_success_timestamp_seconds", { loop }, unixSeconds);
  }
  windowLag(loop: string, seconds: number): void {
    this.registry.set("genai_otel_bridge_window_lag_seconds", { loop }, seconds);
  }
  queueDepth(loop: string, n: number): void {
    this.registry.set("genai_otel_bridge_queue_depth", { loop }, n);
  }
  degraded(loop: string, reason: string, on: boolean): void {
    this.registry.set("genai_otel_bridge_loop_degraded", { loop, reason }, on ? 1 : 0);
  }
  upstream(target: string, method: string, status: number, seconds: number): void {
    this.registry.observe(
      "genai_otel_bridge_upstream_request_duration_seconds",
      { target, method, status_class: statusClass(status) },
      seconds,
    );
  }
  emitRequest(plane: string, status: number, seconds: number): void {
    this.registry.observe(
      "genai_otel_bridge_emit_request_duration_seconds",
      { plane, status_class: statusClass(status) },
      seconds,
    );
  }
}
