/**
 * `npm run bench`: prints a table of
 *   - encode throughput (points/s) of the hand-written encoder, a protobufjs Writer encoder and
 *     @opentelemetry/otlp-transformer's ProtobufMetricsSerializer on the same points;
 *   - payload bytes (raw and gzipped) of one settled minute and of a 47-minute bootstrap;
 *   - the compiled binary's start-up (exec → /readyz, CPU to ready, -version CPU) beside a bare
 *     Bun server compiled the same way; steady-state RSS, anonymous RSS and CPU per tick (by
 *     thread) after 10 minutes at a 10 s cadence, with six graphs and with 100 API-key use
 *     cases, beside the same floor (BENCH_STEADY_MS shortens the run);
 *   - Portkey logs_export: a 1,000,000-record export streamed through the loop, the guard and
 *     the emitter in a process of its own (records/s, peak RSS beside the same process idle).
 * Timing goals live here, not in tests.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ProtobufMetricsSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import { encodeMetrics } from "../src/emit/otlp/metrics.ts";
import { SCOPE_NAME } from "../src/emit/otlp/wire.ts";
import { gauge, type Labels, type Sample } from "../src/model/types.ts";
import { FakePortkey } from "../test/support/fake-portkey.ts";
import { encodeMetricsHandwritten } from "./bench/handwritten-encoder.ts";
import { benchLangsmithRuns } from "./bench/langsmith-runs.ts";
import { benchLogsExport } from "./bench/logs-export.ts";
import { benchStartup } from "./bench/startup.ts";
import { benchSteady } from "./bench/steady.ts";
import { acceptingSink, workloadConfig } from "./bench/workload.ts";

const S = 1_000_000_000n;
const identity: Labels = {
  "service.name": "genai-otel-bridge",
  "service.namespace": "ns",
  "deployment.environment.name": "prod",
};

function workload(minutes: number): Sample[] {
  const out: Sample[] = [];
  for (let m = 0; m < minutes; m++) {
    const t = (1_800_000_000n + BigInt(m) * 60n) * S;
    for (const n of ["requests", "cost_usd", "errors", "users"])
      out.push(gauge(`portkey_api_${n}`, {}, m * 1.5 + 3, t));
    for (const k of ["total", "input", "output"])
      out.push(gauge("portkey_api_tokens", { token_type: k }, m * 100 + 17, t));
    for (const q of ["p50", "p90", "p99", "avg"])
      out.push(gauge("portkey_api_latency_seconds", { quantile: q }, 0.123 * (m + 1), t));
  }
  return out;
}

function sdkShape(samples: Sample[]): ResourceMetrics {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  return {
    resource: resourceFromAttributes(identity),
    scopeMetrics: [
      {
        scope: { name: SCOPE_NAME },
        metrics: [...byName].map(([name, pts]) => ({
          descriptor: { name, description: "", unit: "", type: InstrumentType.GAUGE, valueType: 1 },
          dataPointType: DataPointType.GAUGE,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPoints: pts.map((p) => {
            const sec = Number(p.timestamp / S);
            const hr: [number, number] = [sec, Number(p.timestamp % S)];
            return { startTime: hr, endTime: hr, attributes: p.labels, value: p.value };
          }),
        })),
      },
    ],
  } as unknown as ResourceMetrics; // the SDK's descriptor type carries fields the serializer does not read
}

function rate(fn: () => unknown, points: number, ms = 1500): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return (n * points) / ((performance.now() - start) / 1000);
}

const rows: [string, string][] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

// Encoders.
const points = workload(100);
// Alternate the encoders and take medians: on a small shared machine one run of each is noise.
const sdk = sdkShape(points);
const runs: Record<string, number[]> = { hand: [], pbjs: [], otel: [] };
for (let i = 0; i < 5; i++) {
  runs.pbjs?.push(rate(() => encodeMetrics(identity, points), points.length, 1000));
  runs.hand?.push(rate(() => encodeMetricsHandwritten(identity, points), points.length, 1000));
  runs.otel?.push(rate(() => ProtobufMetricsSerializer.serializeRequest(sdk), points.length, 1000));
}
const median = (xs: number[] = []) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const hand = median(runs.hand);
const pbjs = median(runs.pbjs);
const otel = median(runs.otel);
if (
  Buffer.compare(
    Buffer.from(encodeMetricsHandwritten(identity, points)),
    Buffer.from(encodeMetrics(identity, points)),
  ) !== 0
) {
  throw new Error("the baseline encoder does not produce the canonical bytes");
}
rows.push(["encode incl. canonical sort, protobufjs Writer — shipped (points/s, median of 5)", fmt(pbjs)]);
rows.push(["encode incl. canonical sort, hand-written pre-sizing writer (points/s, median of 5)", fmt(hand)]);
rows.push(["serialize, otlp-transformer, no sort, SDK layout (points/s, median of 5)", fmt(otel)]);
for (const [label, mins] of [
  ["payload, one settled minute (10 points)", 1],
  ["payload, 47-minute bootstrap (470 points)", 47],
] as const) {
  const raw = encodeMetrics(identity, workload(mins));
  rows.push([`${label}: bytes raw / gzip`, `${raw.length} / ${Bun.gzipSync(raw, { level: 1 }).length}`]);
}
const sdkBytes = ProtobufMetricsSerializer.serializeRequest(sdkShape(workload(1)))?.length ?? 0;
rows.push(["payload, one minute via otlp-transformer (bytes raw)", String(sdkBytes)]);

// The binary.
const BIN = join(import.meta.dir, "../bin/genai-otel-bridge");
spawnSync(process.execPath, [join(import.meta.dir, "build.ts")], { stdio: "ignore" });
const dir = mkdtempSync(join(tmpdir(), "bench-"));
const pk = new FakePortkey().start();
const sink = acceptingSink();
const cfg = (cadence: string) => workloadConfig(sink.port, pk, cadence);
writeFileSync(join(dir, "c60.yaml"), cfg("60s"));

// Start-up beside a bare Bun server compiled the same way (scripts/bench/startup.ts).
rows.push(
  ...(await benchStartup(
    [BIN, `-config=${join(dir, "c60.yaml")}`, `-checkpoint-file=${join(dir, "start.yaml")}`],
    join(dir, "floor-server"),
  )),
);

// Steady state at 10 s cadence beside the same floor, 10 minutes (scripts/bench/steady.ts).
rows.push(...(await benchSteady(BIN, join(dir, "floor-server"), dir)));

await pk.stop();
sink.stop();
rmSync(dir, { recursive: true, force: true });

// Portkey logs_export: a 1,000,000-record export streamed in chunks (scripts/bench/logs-export.ts).
rows.push(...(await benchLogsExport()));

// LangSmith runs: 100 projects × 10,000 runs in one window (scripts/bench/langsmith-runs.ts).
rows.push(...(await benchLangsmithRuns()));

const w = Math.max(...rows.map(([k]) => k.length));
console.log(`genai-otel-bridge bench (Bun ${Bun.version}, ${process.arch})\n`);
console.log(`| ${"measure".padEnd(w)} | value |`);
console.log(`|${"-".repeat(w + 2)}|-------|`);
for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
