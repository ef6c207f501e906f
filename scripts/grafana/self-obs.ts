/** The self-observability dashboard (deploy.md §7.3): is the bridge delivering, and if not, where it stops. */
import { DATASOURCES, type Dashboard, instant, labelVariable, logql, panel, promTarget as q } from "./model.ts";

const NS = 'service_namespace=~"$service_namespace", deployment_environment_name=~"$deployment_environment_name"';
const S = `${NS}, loop=~"$loop"`;
const m = (name: string, sel = S) => `genai_otel_bridge_${name}{${sel}}`;
const rate = (name: string, sel = S) => `rate(${m(name, sel)}[$__rate_interval])`;
const increase = (name: string, sel = S) => `increase(${m(name, sel)}[$__rate_interval])`;
const age = `time() - max by (loop) (${m("last_success_timestamp_seconds")})`;
const replicas = `count(count by (instance, service_instance_id) (${m("window_lag_seconds", NS)}))`;
const LOGS = '{namespace=~"$namespace", service_name="genai-otel-bridge", container="genai-otel-bridge"}';
const quantile = (p: number, histogram: string, by: string, sel = NS) =>
  `histogram_quantile(${p}, sum by (le, ${by}) (rate(genai_otel_bridge_${histogram}_bucket{${sel}}[$__rate_interval])))`;

export const selfObs: Dashboard = {
  uid: "genai-otel-bridge-self-obs",
  title: "genai-otel-bridge — self-observability",
  description:
    "Is the bridge delivering every loop's data, and if not, where it stops: leadership, emit, upstream, governance, runtime, logs.",
  tags: ["genai-otel-bridge", "self-observability"],
  variables: [
    ...DATASOURCES,
    labelVariable("service_namespace", "Namespace", "genai_otel_bridge_last_success_timestamp_seconds"),
    labelVariable("deployment_environment_name", "Environment", "genai_otel_bridge_last_success_timestamp_seconds"),
    labelVariable("loop", "Loop", "genai_otel_bridge_window_lag_seconds", ".+"),
    {
      name: "namespace",
      label: "Kubernetes namespace",
      kind: "query",
      query: 'label_values({service_name="genai-otel-bridge"}, namespace)',
      multi: true,
      allValue: ".+",
      onLoki: true,
    },
  ],
  tabs: [
    {
      title: "Overview / SLO",
      panels: [
        panel("stat", "Loops delivering", "How many loops delivered in the last 15 minutes?", [
          instant(`count((${age}) < 900)`),
        ]),
        panel("stat", "Leader present", "Has any replica delivered in the last 15 minutes?", [
          instant(`max(present_over_time(${m("last_success_timestamp_seconds", NS)}[15m]))`),
        ]),
        panel("stat", "Replicas reporting", "Is there a standby to take over (red below 2)?", [instant(replicas)], {
          thresholds: [
            { value: 0, color: "red" },
            { value: 2, color: "green" },
          ],
        }),
        panel(
          "stat",
          "Max window lag",
          "How far behind is the slowest loop?",
          [instant(`max(${m("window_lag_seconds")})`)],
          {
            unit: "s",
            thresholds: [
              { value: 0, color: "green" },
              { value: 1800, color: "yellow" },
              { value: 3600, color: "red" },
            ],
          },
        ),
        panel("stat", "Fatal emit errors (1h)", "Did any loop stop on an error it cannot retry through?", [
          instant(`sum(increase(${m("emit_errors_total", `${S}, kind!="collect"`)}[1h]))`),
        ]),
        panel("timeseries", "Time since last delivery", "When did each loop last deliver?", [q(age, "{{loop}}")], {
          unit: "s",
        }),
        panel("timeseries", "Delivered per second", "Is data flowing, per loop and plane?", [
          q(`sum by (loop) (${rate("emitted_total")})`, "{{loop}} samples"),
          q(`sum by (loop) (${rate("emitted_logs_total")})`, "{{loop}} log records"),
        ]),
      ],
    },
    {
      title: "Liveness & leadership",
      panels: [
        panel(
          "timeseries",
          "Window lag",
          "How far behind now is each loop's watermark?",
          [q(`max by (loop) (${m("window_lag_seconds")})`, "{{loop}}")],
          { unit: "s" },
        ),
        panel(
          "timeseries",
          "Delivery age against its 6-hour baseline",
          "Is a loop slower than it usually is?",
          [q(age, "{{loop}} age"), q(`quantile_over_time(0.9, (${age})[6h:1m])`, "{{loop}} p90 over 6h")],
          { unit: "s" },
        ),
        panel("timeseries", "Replicas reporting", "How many replicas (leader and standbys) report?", [
          q(replicas, "replicas"),
        ]),
        panel("timeseries", "Degraded loops", "Which loop stopped itself, and why?", [
          q(`max by (loop, reason) (${m("loop_degraded_ratio")})`, "{{loop}} {{reason}}"),
        ]),
      ],
    },
    {
      title: "Emit pipeline",
      panels: [
        panel("timeseries", "Samples delivered per second", "How many samples does each loop deliver?", [
          q(`sum by (loop) (${rate("emitted_total")})`, "{{loop}}"),
        ]),
        panel("timeseries", "Log records delivered per second", "How many records does each logs loop deliver?", [
          q(`sum by (loop) (${rate("emitted_logs_total")})`, "{{loop}}"),
        ]),
        panel("timeseries", "Errors by kind", "What failed: collect, emit, checkpoint?", [
          q(`sum by (loop, kind) (${increase("emit_errors_total")})`, "{{loop}} {{kind}}"),
        ]),
        panel("timeseries", "Queue depth", "Are batches waiting to be emitted?", [
          q(`max by (loop) (${m("queue_depth_ratio")})`, "{{loop}}"),
        ]),
        panel("timeseries", "Samples skipped", "What was skipped with a counted gap, and why?", [
          q(`sum by (loop, reason) (${increase("samples_skipped_total")})`, "{{loop}} {{reason}}"),
        ]),
        panel("timeseries", "Samples capped (DPM)", "Did the data-points-per-minute cap drop anything?", [
          q(`sum by (loop) (${increase("samples_capped_total")})`, "{{loop}}"),
        ]),
        panel("timeseries", "Buckets revised after settle", "Did the vendor change a settled bucket?", [
          q(`sum by (loop) (${increase("bucket_revised_after_settle_total")})`, "{{loop}}"),
        ]),
        panel(
          "timeseries",
          "Revision age p50 / p95",
          "How late did those revisions come?",
          [
            q(quantile(0.5, "bucket_revised_after_settle_age_seconds", "loop", S), "{{loop}} p50"),
            q(quantile(0.95, "bucket_revised_after_settle_age_seconds", "loop", S), "{{loop}} p95"),
          ],
          { unit: "s" },
        ),
        panel(
          "timeseries",
          "OTLP request latency p95",
          "How long do pushes to the endpoint take?",
          [q(quantile(0.95, "emit_request_duration_seconds", "plane"), "{{plane}}")],
          { unit: "s" },
        ),
        panel(
          "timeseries",
          "Points rejected in partial success",
          "Did the endpoint accept the request but reject points?",
          [q(`sum by (plane) (${increase("emit_partial_success_rejected_total", NS)})`, "{{plane}}")],
        ),
      ],
    },
    {
      title: "Upstream source health",
      panels: [
        panel(
          "timeseries",
          "Requests by target and status",
          "How often does the bridge call each vendor, with what answers?",
          [
            q(
              `sum by (target, status_class) (${rate("upstream_request_duration_seconds_count", NS)})`,
              "{{target}} {{status_class}}",
            ),
          ],
          { unit: "reqps" },
        ),
        panel(
          "timeseries",
          "Latency p50 / p95 / p99",
          "How fast do the vendors answer?",
          [
            q(quantile(0.5, "upstream_request_duration_seconds", "target"), "{{target}} p50"),
            q(quantile(0.95, "upstream_request_duration_seconds", "target"), "{{target}} p95"),
            q(quantile(0.99, "upstream_request_duration_seconds", "target"), "{{target}} p99"),
          ],
          { unit: "s" },
        ),
        panel(
          "timeseries",
          "Error ratio",
          "What share of vendor requests fail (alert above 0.2)?",
          [
            q(
              `sum by (target) (${rate("upstream_request_duration_seconds_count", `${NS}, status_class=~"4xx|5xx|error"`)}) / clamp_min(sum by (target) (${rate("upstream_request_duration_seconds_count", NS)}), 1e-9)`,
              "{{target}}",
            ),
          ],
          {
            unit: "percentunit",
            thresholds: [
              { value: 0, color: "green" },
              { value: 0.2, color: "red" },
            ],
          },
        ),
        panel("timeseries", "Auth errors", "Is a vendor key refused?", [
          q(`sum by (loop, source) (${increase("auth_errors_total")})`, "{{loop}} {{source}}"),
        ]),
        panel("timeseries", "Parts unavailable", "Which graph, endpoint or window part was skipped?", [
          q(`sum by (loop, graph) (${increase("source_graph_unavailable_total")})`, "{{loop}} {{graph}}"),
        ]),
      ],
    },
    {
      title: "Cardinality & governance",
      panels: [
        panel("timeseries", "New label sets (top 15 series)", "Which series is growing new label values?", [
          q(`topk(15, sum by (series) (${rate("new_label_values_total", NS)}))`, "{{series}}"),
        ]),
        panel("timeseries", "Dropped by the guard", "What did governance refuse to send?", [
          q(`sum by (loop) (${increase("guard_dropped_total")})`, "{{loop}}"),
        ]),
        panel("timeseries", "Capped by the DPM limit", "What did the per-minute cap drop?", [
          q(`sum by (loop) (${increase("samples_capped_total")})`, "{{loop}}"),
        ]),
      ],
    },
    {
      title: "Runtime",
      panels: [
        panel(
          "timeseries",
          "CPU",
          "How much CPU does each replica use?",
          [q(`rate(${m("process_cpu_seconds_total", NS)}[$__rate_interval])`, "{{instance}}")],
          { unit: "percentunit" },
        ),
        panel(
          "timeseries",
          "Resident memory",
          "How much memory does each replica hold (size limits from this)?",
          [q(m("process_resident_memory_bytes", NS), "{{instance}}")],
          { unit: "bytes" },
        ),
        panel(
          "timeseries",
          "JavaScript heap",
          "How much of that is live JavaScript objects?",
          [q(m("process_heap_bytes", NS), "{{instance}}")],
          { unit: "bytes" },
        ),
      ],
    },
    {
      title: "Logs",
      panels: [
        panel("timeseries", "Log lines by level", "Is the bridge warning or failing?", [
          logql(`sum by (detected_level) (count_over_time(${LOGS} [$__interval]))`, "{{detected_level}}"),
        ]),
        panel("logs", "Warnings and errors", "What did it say?", [logql(`${LOGS} |~ "level=(WARN|ERROR)"`)]),
      ],
    },
  ],
};
