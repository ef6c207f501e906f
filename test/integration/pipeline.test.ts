/**
 * The spine end to end with real receivers: the compiled binary polls a fake Portkey, emits
 * through a fan-out into a real OpenTelemetry Collector and two real Prometheus 3 instances
 * (suffixes on, as Grafana Cloud; suffixes off, as self-hosted Mimir), is killed with -9 in the
 * middle of catching up, and restarted. Every settled bucket must land exactly once with the
 * right value at its bucket-end timestamp; none unsettled; the watermark never goes backwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { requireBinary, start } from "../support/binary.ts";
import { expectedAt, seriesKey } from "../support/expected.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { type Collector, freePort, type Peer, type Prometheus, startReceivers } from "../support/peers.ts";

const MIN = 60_000;
const PRODUCT = [
  "portkey_api_requests",
  "portkey_api_cost_usd",
  "portkey_api_tokens",
  "portkey_api_latency_seconds",
  "portkey_api_errors",
];

let dir = "";
let collector: Collector;
let promWith: Prometheus;
let promWithout: Prometheus;
let fanout: Peer;
let portkey: FakePortkey;
let firstRequestAt = 0;
let finalWatermarkMs = 0;
const watermarkSeries: number[] = [];
let healthPort = 0;
let runLogs = "";

function config(): string {
  return `emit:
  telemetry:
    otlp:
      endpoint: ${fanout.url}
  self:
    otlp:
      endpoint: ${fanout.url}
    metric_interval: 10s
identity:
  service_namespace: it-ns
  deployment_environment: it
governance:
  max_dpm: 6
  max_catchup_per_tick: 30
sources:
  - type: portkey
    enabled: true
    base_url: ${portkey.url}
    source_instance: it-portkey
    http: { allow_private: true }
    auth: { header: x-portkey-api-key, value: \${PORTKEY_API_KEY} }
    rate_limit: { rps: 200, burst: 50 }
    loops:
      analytics:
        enabled: true
        cadence: 10s
        window: 4m
        bucket_settle: 3m
        bootstrap_lookback: 50m
        max_backfill: 55m
        graphs: [requests, cost, tokens, latency, errors]
`;
}

function watermarkMs(cp: string): number {
  if (!existsSync(cp)) return 0;
  const doc = parse(readFileSync(cp, "utf8"), { schema: "core" }) as Record<string, { time: string }> | null;
  const e = Object.entries(doc ?? {}).find(([k]) => k.startsWith("it-portkey/analytics/"));
  return e ? Date.parse(e[1].time) : 0;
}

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-pipeline-"));
  ({ collector, promWith, promWithout, fanout } = await startReceivers(dir));
  portkey = new FakePortkey().start();
  const cfg = join(dir, "config.yaml");
  writeFileSync(cfg, config());
  const cp = join(dir, "checkpoints.yaml");
  healthPort = await freePort();
  const args = [`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${healthPort}`, "-identity=it-0"];
  const env = { PORTKEY_API_KEY: portkey.apiKey };
  const poll = setInterval(() => watermarkSeries.push(watermarkMs(cp)), 100);
  // Run 1: killed with -9 after a few windows were committed, in the middle of catching up.
  const run1 = start(args, { env });
  await run1.waitFor(() => watermarkMs(cp) > 0, 20_000);
  firstRequestAt = portkey.graphRequests()[0]?.at ?? 0;
  const w0 = watermarkMs(cp);
  const until = Date.now() + 20_000;
  while (watermarkMs(cp) < w0 + 8 * MIN && Date.now() < until) await Bun.sleep(50);
  const r1 = await run1.stop("SIGKILL");
  runLogs += r1.stdout;
  const killedAt = watermarkMs(cp);
  expect(killedAt).toBeLessThan(Date.now() - 10 * MIN); // really killed mid catch-up
  // Run 2: resumes from the durable watermark and catches up.
  const run2 = start(args, { env });
  const target = Date.now() - 3 * MIN - MIN;
  const deadline = Date.now() + 90_000;
  while (watermarkMs(cp) < target && Date.now() < deadline) await Bun.sleep(200);
  await Bun.sleep(500);
  const r2 = await run2.stop("SIGTERM");
  runLogs += r2.stdout;
  expect(r2.code).toBe(0);
  clearInterval(poll);
  finalWatermarkMs = watermarkMs(cp);
  await Bun.sleep(300); // collector file flush
}, 240_000);

afterAll(async () => {
  await Promise.all([collector?.stop(), promWith?.stop(), promWithout?.stop(), fanout?.stop(), portkey?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("pipeline against real receivers, across kill -9", () => {
  test("the run caught up and its watermark never went backwards", () => {
    expect(finalWatermarkMs).toBeGreaterThan(Date.now() - 10 * MIN);
    const seen = watermarkSeries.filter((w) => w > 0);
    for (let i = 1; i < seen.length; i++) expect(seen[i] ?? 0).toBeGreaterThanOrEqual(seen[i - 1] ?? 0);
    expect(runLogs).toContain("leader elected; starting loops");
  });

  test("Collector: every settled bucket exactly once with the right value, none unsettled, none twice", () => {
    const pts = collector.points().filter((p) => p.metric.startsWith("portkey_api_"));
    const byKey = new Map<string, Set<number>>();
    for (const p of pts) {
      const k = `${seriesKey(p.metric, p.labels)}@${p.timeUnixNano}`;
      const s = byKey.get(k) ?? new Set<number>();
      s.add(p.value);
      byKey.set(k, s);
    }
    // No (series, timestamp) with two different values.
    for (const [k, values] of byKey)
      expect({ k, values: [...values] }).toEqual({ k, values: [[...values][0]] as number[] });
    const ends = [...new Set(pts.map((p) => Number(p.timeUnixNano / 1_000_000n)))].sort((a, b) => a - b);
    const first = ends[0] ?? 0;
    // The first bucket is the first whole minute after the bootstrap start (now − 50m).
    expect(first).toBeGreaterThan(firstRequestAt - 50 * MIN - 1000);
    expect(first).toBeLessThanOrEqual(firstRequestAt - 50 * MIN + MIN + 1000);
    // No gap: every minute from the first bucket to the final watermark, and nothing after it.
    const expectedEnds: number[] = [];
    for (let e = first; e <= finalWatermarkMs; e += MIN) expectedEnds.push(e);
    expect(ends).toEqual(expectedEnds);
    expect(expectedEnds.length).toBeGreaterThan(40);
    // Values and resource identity.
    for (const e of expectedEnds) {
      for (const x of expectedAt(portkey.workspace, e)) {
        const k = `${seriesKey(x.metric, x.labels)}@${BigInt(e) * 1_000_000n}`;
        expect({ k, v: [...(byKey.get(k) ?? [])] }).toEqual({ k, v: [x.value] });
      }
    }
    const res = pts[0]?.resource ?? {};
    expect(res).toEqual({
      "deployment.environment.name": "it",
      "service.name": "genai-otel-bridge",
      "service.namespace": "it-ns",
    });
  });

  for (const which of ["with suffixes (Grafana Cloud)", "without suffixes (self-hosted Mimir)"] as const) {
    test(`Prometheus ${which}: documented names, labels, timestamps and values`, async () => {
      const prom = which.startsWith("with ") ? promWith : promWithout;
      const names = await prom.names();
      for (const n of PRODUCT) expect(names).toContain(n);
      expect(names.filter((n) => n.startsWith("portkey_api")).sort()).toEqual([...PRODUCT].sort());
      const series = await prom.range('{__name__=~"portkey_api_.*"}', "3h");
      const got = new Map<string, [number, string][]>();
      for (const s of series) {
        const {
          __name__: name,
          job,
          instance,
          service_name,
          service_namespace,
          deployment_environment_name,
          ...labels
        } = s.metric;
        expect(job).toBe("it-ns/genai-otel-bridge");
        expect(instance ?? "").toBe("");
        // promote_resource_attributes: dotted keys become underscores.
        expect([service_name, service_namespace, deployment_environment_name]).toEqual([
          "genai-otel-bridge",
          "it-ns",
          "it",
        ]);
        got.set(seriesKey(name ?? "", labels), s.values);
      }
      expect(got.size).toBe(10);
      const ends: number[] = [];
      const first = Math.min(...[...got.values()].flatMap((v) => v.map(([t]) => t * 1000)));
      for (let e = first; e <= finalWatermarkMs; e += MIN) ends.push(e);
      for (const [k, values] of got) {
        expect({ k, ts: values.map(([t]) => t * 1000) }).toEqual({ k, ts: ends });
      }
      for (const e of ends) {
        for (const x of expectedAt(portkey.workspace, e)) {
          const v = got.get(seriesKey(x.metric, x.labels))?.find(([t]) => t * 1000 === e)?.[1];
          expect({ s: seriesKey(x.metric, x.labels), e, v: Number(v) }).toEqual({
            s: seriesKey(x.metric, x.labels),
            e,
            v: x.value,
          });
        }
      }
    });
  }

  test("self-metrics land under the self identity with the documented names", async () => {
    const names = await promWith.names();
    for (const n of [
      "genai_otel_bridge_emitted_total",
      "genai_otel_bridge_queue_depth_ratio",
      "genai_otel_bridge_window_lag_seconds",
      "genai_otel_bridge_last_success_timestamp_seconds",
      "genai_otel_bridge_upstream_request_duration_seconds_bucket",
      "genai_otel_bridge_emit_request_duration_seconds_count",
    ]) {
      expect(names).toContain(n);
    }
    expect(names.some((n) => n.includes("_total_total") || n.includes("_seconds_seconds"))).toBe(false);
    const emitted = await promWith.range("genai_otel_bridge_emitted_total", "10m");
    expect(emitted[0]?.metric.job).toBe("it-ns-meta/genai-otel-bridge");
    expect(emitted[0]?.metric.instance).toBe("it-0");
    expect(emitted[0]?.metric.loop).toBe("analytics");
  });
});
