/**
 * The dashboards checked against real data: the compiled bridge runs Portkey (analytics, groups),
 * LangSmith (sessions, usage, runs), OpenAI and Anthropic (usage, costs) against the fakes — with an auth error and a missing graph
 * injected — into a real Prometheus with Grafana Cloud's name translation, self-metrics pushed
 * every 15 s. Then every PromQL target of every panel of every dashboard is evaluated through
 * Prometheus' query API over the run, and must return data, except the panels listed below
 * with the reason the fakes cannot feed them. The self-metrics deploy.md §7 names must exist.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Dashboard, promTargets } from "../../scripts/grafana/model.ts";
import { DASHBOARDS } from "../../scripts/grafana.ts";
import { DEFAULT_INDEXED, DEFAULT_RECORD } from "../../src/sources/langsmith/runs/fields.ts";
import { BASE_INDEXED, BASE_RECORD } from "../../src/sources/portkey/logs_export/definition.ts";
import { requireBinary, start } from "../support/binary.ts";
import { FakeLangsmith } from "../support/fake-langsmith.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { FakeProviders } from "../support/fake-providers.ts";
import { freePort, type Peer, type Prometheus, startFanout, startPrometheus } from "../support/peers.ts";

/** Panels whose series this run cannot produce, and why. */
const UNFED: Record<string, string> = {
  "Buckets revised after settle": "needs the vendor to change a bucket after it settled and was emitted",
  "Revision age p50 / p95": "needs the vendor to change a bucket after it settled and was emitted",
  "Samples capped (DPM)": "needs more points per series-minute than governance.max_dpm",
  "Capped by the DPM limit": "needs more points per series-minute than governance.max_dpm",
  "Points rejected in partial success": "needs an endpoint that accepts a request but rejects points in it",
  "Dropped by the guard": "needs a label or content key the guard refuses; the fakes send none that reach it",
  "Gateway ÷ billed, yesterday": "needs the gateway's cost buckets of yesterday (UTC); the run lasts 110 s of today",
};
/**
 * Costs lag usage by this much in the fake providers (as real bills do, by more): in the first
 * minutes of a UTC day today's bucket is still empty, so a run that starts then, or crosses
 * midnight, cannot feed the panels of today's bills.
 */
const COST_LAG_MS = 60_000;
const DAY_MS = 86_400_000;
/**
 * Whether a panel's query reads the bills of a day that midnight moves: today's (a
 * `day_offset="0"` series or a `:today` rule), or the gateway's yesterday (fed only by a run that
 * crossed midnight).
 */
const readsDayEdge = (expr: string) =>
  expr.includes('day_offset="0"') || expr.includes(":today") || expr.includes("gateway_to_billed_cost:ratio_yesterday");
/** Whether this run began too soon after UTC midnight for today's costs to exist (or crossed it). */
function todayMayBeEmpty(startMs: number, endMs: number): boolean {
  const sinceMidnight = startMs % DAY_MS;
  return sinceMidnight < COST_LAG_MS + 3 * 60_000 || Math.floor(startMs / DAY_MS) !== Math.floor(endMs / DAY_MS);
}

/** Self-metrics deploy.md §7 names, as Prometheus stores them with Grafana Cloud's translation. */
const SELF_METRICS = [
  "genai_otel_bridge_last_success_timestamp_seconds",
  "genai_otel_bridge_window_lag_seconds",
  "genai_otel_bridge_emit_errors_total",
  "genai_otel_bridge_auth_errors_total",
  "genai_otel_bridge_upstream_request_duration_seconds_count",
  "genai_otel_bridge_upstream_request_duration_seconds_bucket",
  "genai_otel_bridge_source_graph_unavailable_total",
  "genai_otel_bridge_queue_depth_ratio",
  "genai_otel_bridge_new_label_values_total",
  "genai_otel_bridge_emitted_total",
  "genai_otel_bridge_emitted_logs_total",
  "genai_otel_bridge_samples_skipped_total",
  "genai_otel_bridge_process_cpu_seconds_total",
  "genai_otel_bridge_process_resident_memory_bytes",
  "genai_otel_bridge_process_heap_bytes",
];
const SELF_UNFED: Record<string, string> = {
  genai_otel_bridge_samples_capped_total: UNFED["Samples capped (DPM)"] ?? "",
  genai_otel_bridge_bucket_revised_after_settle_total: UNFED["Buckets revised after settle"] ?? "",
  genai_otel_bridge_bucket_revised_after_settle_age_seconds_bucket: UNFED["Buckets revised after settle"] ?? "",
  genai_otel_bridge_guard_dropped_total: UNFED["Dropped by the guard"] ?? "",
};

let dir = "";
let prom: Prometheus;
let fanout: Peer;
let logsSink: ReturnType<typeof Bun.serve> | undefined;
let portkey: FakePortkey;
let langsmith: FakeLangsmith;
let providers: FakeProviders;
let startedAt = 0;

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-dashboards-"));
  // The shipped recording rules run too: the reconciliation panels read what they record.
  prom = await startPrometheus(join(dir, "prom"), "UnderscoreEscapingWithSuffixes", [
    join(import.meta.dir, "../../deploy/grafana/rules.yaml"),
  ]);
  // Log records go to a sink that accepts them (Prometheus takes metrics only).
  logsSink = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  fanout = await startFanout([prom.otlpBase], [`http://127.0.0.1:${logsSink.port}`]);
  portkey = new FakePortkey().start();
  // Faults that feed the health panels: an auth error, a missing graph, an exhausted quota.
  portkey.inject("errors", { kind: "status", status: 401, body: '{"error":"bad key"}' }, 1);
  portkey.inject("users", { kind: "status", status: 404 }, 1);
  portkey.inject("cost", { kind: "quota" }, 1);
  langsmith = new FakeLangsmith("ls-dash-key-0123456789", { projects: 3, everyMs: 20_000 }).start();
  providers = new FakeProviders(undefined, undefined, { lateMs: 60_000, costLagMs: COST_LAG_MS }).start();
  const cfg = join(dir, "config.yaml");
  writeFileSync(
    cfg,
    `emit:
  telemetry: {otlp: {endpoint: "${fanout.url}"}}
  self: {otlp: {endpoint: "${prom.otlpBase}"}, metric_interval: 15s}
identity: {service_namespace: it-dash, deployment_environment: it}
governance: {max_dpm: 4}
sources:
  - type: portkey
    enabled: true
    base_url: ${portkey.url}
    source_instance: dash-portkey
    http: {allow_private: true}
    auth: {header: x-portkey-api-key, value: \${PORTKEY_API_KEY}}
    rate_limit: {rps: 100, burst: 20}
    api_key_use_cases: [{label: support, api_key_ids: [key-support]}, {label: sales, api_key_ids: [key-sales]}]
    loops:
      analytics: {enabled: true, cadence: 10s, window: 50m, bucket_settle: 3m, bootstrap_lookback: 30m, max_backfill: 55m, graphs: [requests, cost, tokens, latency, errors, users]}
      groups: {enabled: true, cadence: 10s, settings: {window_span: 20m, settle: 3m, metadata_keys: use_case}}
  - type: langsmith
    enabled: true
    base_url: ${langsmith.url}
    source_instance: dash-langsmith
    http: {allow_private: true}
    auth: {header: x-api-key, value: \${LANGSMITH_API_KEY}}
    rate_limit: {rps: 50, burst: 20}
    loops:
      sessions: {enabled: true, cadence: 10s, settings: {stats_window: 30m}}
      usage: {enabled: true, cadence: 10s, settings: {stats_window: 30m, session_filter: 'neq(name, "__none__")'}}
      runs: {enabled: true, cadence: 10s, settings: {session_filter: 'neq(name, "__none__")', window: 10m, settle: 1m}}
  - type: openai
    enabled: true
    base_url: ${providers.url("openai")}
    source_instance: dash-openai
    http: {allow_private: true}
    auth: {header: Authorization, value: "Bearer \${OPENAI_ADMIN_KEY}"}
    loops:
      usage: {enabled: true, cadence: 10s, window: 10m, bucket_settle: 2m, bootstrap_lookback: 10m, max_backfill: 15m, settings: {endpoints: "completions,embeddings"}}
      costs: {enabled: true, cadence: 10s}
  - type: anthropic
    enabled: true
    base_url: ${providers.url("anthropic")}
    source_instance: dash-anthropic
    http: {allow_private: true}
    auth: {header: x-api-key, value: \${ANTHROPIC_ADMIN_KEY}}
    loops:
      usage: {enabled: true, cadence: 10s, window: 10m, bucket_settle: 2m, bootstrap_lookback: 10m, max_backfill: 15m}
      costs: {enabled: true, cadence: 10s}
`,
  );
  startedAt = Date.now();
  const port = await freePort();
  const run = start([`-config=${cfg}`, `-checkpoint-file=${join(dir, "cp.yaml")}`, `-health-addr=127.0.0.1:${port}`], {
    env: {
      PORTKEY_API_KEY: portkey.apiKey,
      LANGSMITH_API_KEY: langsmith.apiKey,
      OPENAI_ADMIN_KEY: providers.openaiKey,
      ANTHROPIC_ADMIN_KEY: providers.anthropicKey,
    },
  });
  // After a few polls, a granularity flip degrades analytics (the degraded-loop and fatal-error
  // panels); then long enough for three more self-metric pushes (increases need two points).
  await Bun.sleep(25_000);
  portkey.inject("requests", { kind: "granularity" });
  // Analytics asks again once a new minute has settled (quiet ticks make no request): up to a
  // minute and a tick, then the degraded state needs two more self-metric pushes (15 s apart) —
  // past a fixed wait when the flip lands just after a poll. So wait for the degraded loop's
  // error counter to have an increase in Prometheus (at least 85 s, at most 150 s).
  const flipped = Date.now();
  const degraded = 'increase(genai_otel_bridge_emit_errors_total{kind="granularity_unexpected"}[1h])';
  while (Date.now() - flipped < 85_000 || (!(await hasData(degraded)) && Date.now() - flipped < 150_000)) {
    await Bun.sleep(5_000);
  }
  await run.stop("SIGTERM");
}, 240_000);

afterAll(async () => {
  await Promise.all([prom?.stop(), fanout?.stop(), portkey?.stop(), langsmith?.stop(), providers?.stop()]);
  logsSink?.stop(true);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A panel expression as Grafana would send it over the default range (6h), every variable at "All". */
function resolve(d: Dashboard, expr: string): string {
  let out = expr.replaceAll("$__rate_interval", "1m").replaceAll("$__interval", "1m").replaceAll("$__range", "6h");
  for (const v of d.variables) if (v.kind === "query") out = out.replaceAll(`$${v.name}`, v.allValue ?? ".*");
  return out;
}

async function hasData(expr: string): Promise<boolean> {
  const q = new URLSearchParams({
    query: expr,
    start: String(Math.floor(startedAt / 1000) - 6 * 3600),
    end: String(Math.ceil(Date.now() / 1000)),
    step: "15",
  });
  const r = (await (await fetch(`${prom.url}/api/v1/query_range?${q}`)).json()) as {
    status: string;
    error?: string;
    data?: { result: unknown[] };
  };
  if (r.status !== "success") throw new Error(`${expr}: ${r.error}`);
  return (r.data?.result.length ?? 0) > 0;
}

/** Panels that read Loki (LogQL), not checked here: their records are checked in the Collector tests. */
const LOGQL_PANELS: Record<string, string[]> = {
  "genai-otel-bridge-self-obs": ["Log lines by level", "Warnings and errors"],
  "genai-otel-bridge-portkey": [
    "Requests by status code",
    "Slowest requests",
    "Cost by model (from the request log)",
    "Requests",
  ],
  "genai-otel-bridge-langsmith": ["Runs by type and status", "Most expensive runs", "Runs"],
};

describe("LogQL panels", () => {
  test("are exactly the listed ones, and name only fields the records carry", () => {
    const fields = new Set([
      ...BASE_INDEXED,
      ...BASE_RECORD,
      ...DEFAULT_INDEXED,
      ...DEFAULT_RECORD,
      "source",
      "detected_level",
    ]);
    for (const d of DASHBOARDS) {
      const loki = d.tabs.flatMap((t) => t.panels.filter((p) => p.targets.some((x) => x.source === "loki")));
      expect({ uid: d.uid, panels: loki.map((p) => p.title) }).toEqual({
        uid: d.uid,
        panels: LOGQL_PANELS[d.uid] ?? [],
      });
      for (const expr of loki.flatMap((p) => p.targets.map((x) => x.expr))) {
        const named = [...expr.matchAll(/unwrap (\w+)|by \(([^)]+)\)/g)].flatMap((m) =>
          (m[1] ?? m[2] ?? "").split(",").map((n) => n.trim()),
        );
        for (const n of named)
          expect({ expr, field: n, known: fields.has(n) }).toEqual({ expr, field: n, known: true });
      }
    }
  });
});

describe("every dashboard query against the real Prometheus", () => {
  for (const d of DASHBOARDS) {
    test(`${d.title}: every PromQL target returns data (or is listed as unfed, with its reason)`, async () => {
      const empty: string[] = [];
      const fedAnyway: string[] = [];
      const targets = promTargets(d);
      expect(targets.length).toBeGreaterThan(5);
      // Near midnight (UTC) the day-edge panels may or may not have data: neither outcome is asserted.
      const nearMidnight = todayMayBeEmpty(startedAt, Date.now());
      for (const t of targets) {
        if (nearMidnight && readsDayEdge(t.expr)) continue;
        const data = await hasData(resolve(d, t.expr));
        if (!data && !(t.panel in UNFED)) empty.push(`${t.tab} / ${t.panel}: ${t.expr}`);
        if (data && t.panel in UNFED) fedAnyway.push(t.panel);
      }
      expect(empty).toEqual([]);
      // The list stays honest: a panel this run does feed must leave it.
      expect(fedAnyway).toEqual([]);
    }, 60_000);
  }

  test("the self-metrics the dashboards and alerts name exist; the rest are listed with a reason", async () => {
    const names = new Set(await prom.names());
    expect(SELF_METRICS.filter((n) => !names.has(n))).toEqual([]);
    expect(Object.keys(SELF_UNFED).filter((n) => names.has(n))).toEqual([]);
  });

  test("every variable's label exists on its series", async () => {
    for (const d of DASHBOARDS) {
      for (const v of d.variables.filter((x) => x.kind === "query" && !x.onLoki)) {
        const m = /^label_values\((.+), (\w+)\)$/.exec(v.query);
        expect(m).not.toBeNull();
        const match = encodeURIComponent(m?.[1] ?? "");
        const r = (await (await fetch(`${prom.url}/api/v1/label/${m?.[2]}/values?match[]=${match}`)).json()) as {
          data: string[];
        };
        expect({ variable: `${d.uid}/${v.name}`, values: r.data.length > 0 }).toEqual({
          variable: `${d.uid}/${v.name}`,
          values: true,
        });
      }
    }
  });
});
