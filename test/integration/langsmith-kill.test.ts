/**
 * LangSmith `runs` across kill -9: the compiled binary drains a multi-page runs window from the
 * fake LangSmith into a real Collector and is killed with -9 at random points ten times, then
 * left to finish. Every run of the window must land at least once, and the position kept in
 * the checkpoint (window end, page) must never move backwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, start } from "../support/binary.ts";
import { fileEntry, prng } from "../support/checkpoint-file.ts";
import { FakeLangsmith } from "../support/fake-langsmith.ts";
import { type Collector, freePort, startCollector } from "../support/peers.ts";

const KILLS = 10;
const CANARY = "ZZCANARY-RUNS-KILL-52e1ZZ";
let dir = "";
let cp = "";
let collector: Collector;
let fake: FakeLangsmith;
let seed = 0;
const output: string[] = [];
/** Positions the checkpoint held, in order: window-end time (ms, 0 = unset) and pages read. */
const positions: { time: number; page: number }[] = [];

function position(): { time: number; page: number } | undefined {
  const e = fileEntry(cp, "/runs/");
  return e && { time: e.time, page: e.cursor === "" ? 0 : (JSON.parse(e.cursor) as { page: number }).page };
}

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-runs-kill-"));
  collector = await startCollector(join(dir, "collector"));
  fake = new FakeLangsmith("ls-kill-key-0123456789", { projects: 3, everyMs: 30_000, content: CANARY }).start();
  cp = join(dir, "cp.yaml");
  const cfg = join(dir, "config.yaml");
  writeFileSync(
    cfg,
    `emit: {telemetry: {otlp: {endpoint: "${collector.url}"}}}
identity: {service_namespace: it-runs-kill, deployment_environment: it}
sources:
  - type: langsmith
    enabled: true
    base_url: ${fake.url}
    source_instance: it-langsmith
    http: { allow_private: true }
    auth: { header: x-api-key, value: \${LANGSMITH_API_KEY} }
    rate_limit: { rps: 50, burst: 20 }
    loops:
      runs:
        enabled: true
        cadence: 10s
        settings: { session_ids: "${fake.workspace.projects.map((p) => p.id).join(",")}", window: 10m, settle: 1m, page_size: "10" }
`,
  );
  const poll = setInterval(() => {
    const p = position();
    const last = positions.at(-1);
    if (p && (!last || last.time !== p.time || last.page !== p.page)) positions.push(p);
  }, 10);
  seed = Number(process.env.RUNS_KILL_SEED ?? Date.now() % 100000);
  const random = prng(seed);
  const env = { LANGSMITH_API_KEY: fake.apiKey };
  for (let i = 0; i < KILLS; i++) {
    const port = await freePort();
    const run = start([`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${port}`], { env });
    await Bun.sleep(100 + Math.floor(random() * 900));
    const r = await run.stop("SIGKILL");
    output.push(r.stdout, r.stderr);
  }
  const port = await freePort();
  const last = start([`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${port}`], { env });
  const deadline = Date.now() + 120_000;
  while (!(position()?.time ?? 0) && Date.now() < deadline) await Bun.sleep(100);
  const r = await last.stop("SIGTERM");
  output.push(r.stdout, r.stderr);
  clearInterval(poll);
  await Bun.sleep(400);
}, 200_000);

afterAll(async () => {
  await Promise.all([collector?.stop(), fake?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`langsmith runs across ${KILLS} kill -9 (seed via RUNS_KILL_SEED)`, () => {
  test("the window was drained: its end became the watermark", () => {
    expect(position()?.time ?? 0).toBeGreaterThan(0);
    expect(seed).toBeGreaterThanOrEqual(0);
  });

  test("every run of the window that completed landed at least once", () => {
    // The first window completed: the first watermark the checkpoint held.
    const end = positions.find((p) => p.time > 0)?.time ?? 0;
    const firstPages = fake.requests.filter((r) => r.path === "/runs/query" && !("cursor" in (r.body as object)));
    const window = firstPages
      .map((r) => r.body as { start_time: string; end_time: string })
      .find((b) => Date.parse(b.end_time) === Math.floor(end / 1000) * 1000);
    expect(window).toBeDefined();
    const { first, count } = fake.workspace.ticks(
      Date.parse(window?.start_time ?? ""),
      Date.parse(window?.end_time ?? ""),
    );
    const got = new Set(collector.records().map((r) => r.attributes.id));
    const missing: string[] = [];
    for (let t = first; t < first + count; t++)
      for (let p = 1; p <= 3; p++) if (!got.has(`run-${p}-${t}`)) missing.push(`run-${p}-${t}`);
    expect(count * 3).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  test("the position never moved backwards", () => {
    expect(positions.length).toBeGreaterThan(1);
    for (let i = 1; i < positions.length; i++) {
      const [a, b] = [positions[i - 1], positions[i]] as [
        { time: number; page: number },
        { time: number; page: number },
      ];
      expect(b.time > a.time || (b.time === a.time && b.page > a.page)).toBe(true);
    }
  });

  test("no canary byte anywhere", () => {
    const canary = Buffer.from(CANARY);
    expect(readFileSync(join(dir, "collector", "logs.jsonl")).includes(canary)).toBe(false);
    expect(readFileSync(cp).includes(canary)).toBe(false);
    for (const o of output) expect(o).not.toContain(CANARY);
  });
});
