/**
 * The LangSmith `runs` path under 100 projects × 10,000 runs in one window (1,000,000 runs,
 * 10,000 pages of 100, every run carrying content in every content field), measured in a child
 * process of its own so its peak RSS is the bridge's, not the bench's:
 *   bun scripts/bench/langsmith-runs.ts                     serve the fake, run both children, print rows
 *   bun scripts/bench/langsmith-runs.ts run <api> <sink>    drain the window, print JSON
 *   bun scripts/bench/langsmith-runs.ts floor               the same modules loaded, no work (the baseline)
 * The run drives the real loop (built through the LangSmith vendor definition) page after page
 * with a fixed clock: query, strip, guard, encode and POST to a local sink — the runner's path
 * without the scheduler's one page per tick.
 */
import { LangsmithWorkspace } from "../../src/demo/langsmith.ts";
import { fromMillis } from "../../src/model/time.ts";
import { langsmith } from "../../src/sources/langsmith/index.ts";
import { child, drain, peakRssKiB } from "./logs-child.ts";
import { acceptingSink } from "./workload.ts";

const PROJECTS = 100;
const RUNS_PER_PROJECT = 10_000;
const WINDOW_MS = 3_600_000;
const NOW = Date.parse("2026-06-20T12:00:00Z");
const KEY = "bench-key";

async function run(apiUrl: string, sinkPort: number): Promise<void> {
  const ids = new LangsmithWorkspace({ projects: PROJECTS }).projects.map((p) => p.id).join(",");
  // The whole window drained: settle 0 and a page cap above its 10,000 pages.
  const settings = { session_ids: ids, window: "1h", settle: "0s", max_pages_per_window: "20000" };
  const source = {
    type: "langsmith",
    enabled: true,
    base_url: apiUrl,
    source_instance: "bench",
    auth: { header: "x-api-key", value: KEY },
    rate_limit: { rps: 1e6, burst: 1e6 },
    http: { user_agent: "bench", allow_hosts: [], allow_private: true },
    loops: {
      runs: {
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
  const planned = langsmith.plan(source, () => {});
  const [loop] = planned.start({ userAgent: "bench", warn: () => {} }, () => ({
    report: () => {},
    now: () => fromMillis(NOW),
    warn: () => {},
  }));
  const id = planned.loops[0]?.checkpointKey ?? "";
  if (!loop) throw new Error("no loop");
  console.log(JSON.stringify(await drain(loop, id, settings, sinkPort)));
}

/** Serve the fake and a sink, run the floor and the measured child, return the table rows. */
export async function benchLangsmithRuns(): Promise<[string, string][]> {
  const workspace = new LangsmithWorkspace({
    projects: PROJECTS,
    everyMs: WINDOW_MS / RUNS_PER_PROJECT,
    content: "bench content",
  });
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => workspace.handle(req, KEY, NOW) });
  const sink = acceptingSink();
  const run = (args: string[]) => child(import.meta.path, args);
  const floor = await run(["floor"]);
  const got = await run(["run", `http://127.0.0.1:${server.port}`, String(sink.port)]);
  server.stop(true);
  sink.stop();
  if (got.records !== PROJECTS * RUNS_PER_PROJECT || got.dropped !== 0) {
    throw new Error(`langsmith runs bench: ${got.records} runs, ${got.dropped} dropped`);
  }
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  return [
    [
      `langsmith runs: ${PROJECTS} projects × ${RUNS_PER_PROJECT.toLocaleString("en-US")} runs in ${got.collects} pages — runs/s (wall, fake in the parent)`,
      Math.round(got.records / (got.wallMs / 1000)).toLocaleString("en-US"),
    ],
    [
      "langsmith runs: peak RSS, bridge / floor (same modules loaded, no work) (MiB; goal < 120)",
      `${mib(got.peakRssKiB)} / ${mib(floor.peakRssKiB)}`,
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
  for (const [k, v] of await benchLangsmithRuns()) console.log(`| ${k} | ${v} |`);
}
