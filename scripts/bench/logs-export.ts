/**
 * The logs_export path under a 1,000,000-record export (20 pages of 50,000), measured in a
 * child process of its own so its peak RSS is the bridge's, not the bench's:
 *   bun scripts/bench/logs-export.ts                       serve the export, run both children, print rows
 *   bun scripts/bench/logs-export.ts run <api> <sink>      stream the export, print JSON
 *   bun scripts/bench/logs-export.ts floor                 the same modules loaded, no work (the baseline)
 * The run drives the real loop (built through the Portkey vendor definition) from the
 * downloading phase: every chunk of `chunk_max_records` lines is fetched with a Range resume
 * from a local object store, stripped, guarded, encoded and POSTed to a local sink — the
 * runner's path without the scheduler's waits between ticks.
 */
import { fromMillis } from "../../src/model/time.ts";
import { portkey } from "../../src/sources/portkey/index.ts";
import { exportLines, FakeExport } from "../../test/support/fake-export.ts";
import { child, drain, peakRssKiB } from "./logs-child.ts";
import { acceptingSink } from "./workload.ts";

export const RECORDS = 1_000_000;
export const CHUNK = 5000;

async function run(apiUrl: string, sinkPort: number): Promise<void> {
  const settings = {
    workspace_id: "ws-bench",
    signed_url_allow_hosts: "127.0.0.1",
    chunk_max_records: String(CHUNK),
    page_size: "50000",
  };
  const source = {
    type: "portkey",
    enabled: true,
    base_url: apiUrl,
    source_instance: "bench",
    auth: { header: "x-portkey-api-key", value: "bench-key" },
    rate_limit: { rps: 1e6, burst: 1e6 },
    http: { user_agent: "bench", allow_hosts: [], allow_private: true },
    loops: {
      logs_export: {
        enabled: true,
        cadence: 10e9,
        window: 0,
        bucket_settle: 0,
        bootstrap_lookback: 0,
        max_backfill: 0,
        metric_prefix: "",
        graphs: [],
        settings,
      },
    },
    api_key_use_cases: [],
  };
  const planned = portkey.plan(source, () => {});
  const [loop] = planned.start({ userAgent: "bench", warn: () => {} }, () => ({
    report: () => {},
    now: () => fromMillis(Date.parse("2026-06-19T12:00:00Z")),
    warn: () => {},
  }));
  const id = planned.loops[0]?.checkpointKey ?? "";
  if (!loop) throw new Error("no loop");
  const d = await drain(loop, id, settings, sinkPort);
  console.log(JSON.stringify(d));
}

/** Serve the export and a sink, run the floor and the measured child, return the table rows. */
export async function benchLogsExport(): Promise<[string, string][]> {
  const pages = new Map<number, string>();
  const fake = new FakeExport({
    total: RECORDS,
    page: (p, size) => {
      let text = pages.get(p);
      if (text === undefined) {
        text = exportLines(p * size, Math.min((p + 1) * size, RECORDS), "bench content");
        pages.set(p, text);
      }
      return text;
    },
    signedHost: "127.0.0.1",
  }).start();
  const sink = acceptingSink();
  // Async: the parent serves the export while the child runs.
  const run = (args: string[], env: Record<string, string> = {}) => child(import.meta.path, args, env);
  const floor = await run(["floor"]);
  const got = await run(["run", fake.url, String(sink.port)]);
  // What the chart sets for `resources.limits.memory: 128Mi`: the JSC heap sized to the limit.
  const capped = await run(["run", fake.url, String(sink.port)], { BUN_JSC_forceRAMSize: String(128 * 1024 * 1024) });
  await fake.stop();
  sink.stop();
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  return [
    [
      `logs_export: ${got.records.toLocaleString("en-US")} records in ${got.batches} chunks — records/s (wall)`,
      Math.round(got.records / (got.wallMs / 1000)).toLocaleString("en-US"),
    ],
    [
      "logs_export: records/s per CPU second (all threads)",
      Math.round(got.records / (got.cpuMs / 1000)).toLocaleString("en-US"),
    ],
    [
      "logs_export: peak RSS, bridge / floor (same modules loaded, no work) (MiB)",
      `${mib(got.peakRssKiB)} / ${mib(floor.peakRssKiB)}`,
    ],
    [
      "logs_export: with BUN_JSC_forceRAMSize=128Mi (the chart's wiring at limits.memory 128Mi): peak RSS (MiB); records/s (wall)",
      `${mib(capped.peakRssKiB)}; ${Math.round(capped.records / (capped.wallMs / 1000)).toLocaleString("en-US")}`,
    ],
  ];
}

const [mode, a, b] = process.argv.slice(2);
if (mode === "floor") {
  await Bun.sleep(200);
  console.log(JSON.stringify({ peakRssKiB: peakRssKiB() }));
} else if (mode === "run") {
  await run(a ?? "", Number(b));
} else if (import.meta.main) {
  for (const [k, v] of await benchLogsExport()) console.log(`| ${k} | ${v} |`);
}
