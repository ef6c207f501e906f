/**
 * The groups loop end to end: the compiled binary polls the fake Portkey's groups endpoints
 * (paged, two use cases, a workspace check) and emits through a fan-out into a real Collector
 * and two real Prometheus 3 instances (suffixes on and off). Every stored series must carry the
 * name, labels and value the fake's window totals imply, at the minute of `now − settle`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, start } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import {
  type Collector,
  freePort,
  type Peer,
  type Prometheus,
  startCollector,
  startFanout,
  startPrometheus,
} from "../support/peers.ts";

const MIN = 60_000;
let dir = "";
let collector: Collector;
let promWith: Prometheus;
let promWithout: Prometheus;
let fanout: Peer;
let portkey: FakePortkey;
let runLogs = "";

function config(): string {
  return `emit:
  telemetry:
    otlp:
      endpoint: ${fanout.url}
identity:
  service_namespace: it-groups
  deployment_environment: it
sources:
  - type: portkey
    enabled: true
    base_url: ${portkey.url}
    source_instance: it-portkey
    http: { allow_private: true }
    auth: { header: x-portkey-api-key, value: \${PORTKEY_API_KEY} }
    rate_limit: { rps: 200, burst: 50 }
    loops:
      groups:
        enabled: true
        cadence: 10s
        settings: { window_span: 20m, settle: 3m, page_size: "2", metadata_keys: use_case, expected_workspace: ws-demo-001 }
`;
}

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-groups-"));
  [collector, promWith, promWithout] = await Promise.all([
    startCollector(join(dir, "collector")),
    startPrometheus(join(dir, "prom-with"), "UnderscoreEscapingWithSuffixes"),
    startPrometheus(join(dir, "prom-without"), "UnderscoreEscapingWithoutSuffixes"),
  ]);
  fanout = await startFanout([collector.url, promWith.otlpBase, promWithout.otlpBase]);
  portkey = new FakePortkey().start();
  const cfg = join(dir, "config.yaml");
  writeFileSync(cfg, config());
  const port = await freePort();
  const run = start([`-config=${cfg}`, `-checkpoint-file=${join(dir, "cp.yaml")}`, `-health-addr=127.0.0.1:${port}`], {
    env: { PORTKEY_API_KEY: portkey.apiKey },
  });
  await run.waitFor((out) => out.includes("loop committed first watermark advance"), 30_000);
  const r = await run.stop("SIGTERM");
  runLogs = r.stdout + r.stderr;
  expect(r.code).toBe(0);
  await Bun.sleep(300);
}, 120_000);

afterAll(async () => {
  await Promise.all([collector?.stop(), promWith?.stop(), promWithout?.stop(), fanout?.stop(), portkey?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the fake's rows say for the first poll's window. */
function expected(): { stampMs: number; series: Map<string, number> } {
  const first = portkey.requests.find((r) => r.path.endsWith("/analytics/groups/ai-models"));
  const min = Date.parse(first?.query.get("time_of_generation_min") ?? "");
  const max = Date.parse(first?.query.get("time_of_generation_max") ?? "");
  const at = first?.at ?? 0;
  const series = new Map<string, number>();
  for (const [dimension, name, label] of [
    ["ai-models", "by_model", "ai_model"],
    ["metadata/use_case", "by_metadata", "metadata_value"],
    ["prompt", "by_prompt", "prompt"],
  ] as const) {
    for (const row of portkey.workspace.groupRows(dimension, min, max, at) ?? []) {
      const extra = dimension === "metadata/use_case" ? ',metadata_key="use_case"' : "";
      series.set(`portkey_api_requests_${name}{${label}="${row.dim}"${extra}}`, row.requests);
      if (dimension !== "prompt") {
        series.set(
          `portkey_api_cost_usd_${name}{${label}="${row.dim}"${extra}}`,
          Math.round(row.cents * 10000) / 10000 / 100,
        );
      }
    }
  }
  return { stampMs: Math.floor(max / MIN) * MIN, series };
}

describe("groups against real receivers", () => {
  test("the workspace was checked first, then every endpoint was paged with current_page", () => {
    const paths = portkey.requests.map((r) => r.path.replace("/v1/analytics/groups/", ""));
    expect(paths[0]).toBe("workspace");
    expect(paths.filter((p) => p === "workspace")).toHaveLength(1);
    const pages = portkey.requests.filter((r) => r.path.endsWith("/ai-models")).map((r) => r.query.get("current_page"));
    expect(pages.slice(0, 3)).toEqual(["0", "1", "2"]);
    expect(runLogs).not.toContain("level=ERROR");
  });

  for (const [title, prom] of [
    ["Prometheus with suffixes (Grafana Cloud)", () => promWith],
    ["Prometheus without suffixes (self-hosted Mimir)", () => promWithout],
  ] as const) {
    test(`${title}: every series, label and value at the minute of now − settle`, async () => {
      const { stampMs, series } = expected();
      expect(series.size).toBe(16);
      for (const [selector, value] of series) {
        const withJob = selector.replace("{", '{job="it-groups/genai-otel-bridge",');
        const got = await prom().range(withJob, "1h");
        expect(got.length).toBe(1);
        const first = got[0]?.values[0];
        expect(first?.[0]).toBe(stampMs / 1000);
        expect(Number(first?.[1])).toBeCloseTo(value, 9);
      }
    });
  }

  test("the Collector received the same points", () => {
    const { stampMs, series } = expected();
    const points = collector.points().filter((p) => p.metric.includes("_by_"));
    expect(new Set(points.map((p) => p.metric))).toEqual(
      new Set([...series.keys()].map((k) => k.slice(0, k.indexOf("{")))),
    );
    for (const p of points) expect(p.timeUnixNano).toBe(BigInt(stampMs) * 1_000_000n);
  });
});
