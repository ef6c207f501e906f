/**
 * Portkey logs_export end to end: the compiled binary drives a 3-page export on a fake export
 * API and object store (every line carrying a canary in its content fields) into a real
 * OpenTelemetry Collector, and is killed with -9 at random points ten times. Every record of
 * the window must land at least once, the watermark must move only when the window completed,
 * and the canary must appear in no byte the bridge sent, printed or persisted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, start } from "../support/binary.ts";
import { fileEntry, prng } from "../support/checkpoint-file.ts";
import { exportLines, FakeExport } from "../support/fake-export.ts";
import { type Collector, freePort, startCollector } from "../support/peers.ts";

const CANARY = "ZZCANARY-EXPORT-91c4ZZ";
const PAGES = 3;
const PER_PAGE = 3;
const KILLS = 10;

let dir = "";
let collector: Collector;
let fake: FakeExport;
let cp = "";
const output: string[] = [];
/** Checkpoint states seen, in order: [time ms, cursor, at]. */
const seen: { time: number; cursor: string; at: number }[] = [];
let seed = 0;

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-export-"));
  collector = await startCollector(join(dir, "collector"));
  // The first window (50 minutes) has 9 records over 3 pages; every later (seconds-long) one is empty.
  fake = new FakeExport({
    total: (w) => (w.max - w.min >= 30 * 60_000 ? PAGES * PER_PAGE : 0),
    page: (p) => exportLines(p * PER_PAGE, (p + 1) * PER_PAGE, CANARY),
    signedHost: "127.0.0.1",
  }).start();
  const cfg = join(dir, "config.yaml");
  cp = join(dir, "checkpoints.yaml");
  writeFileSync(
    cfg,
    `emit: {telemetry: {otlp: {endpoint: "${collector.url}"}}}
identity: {service_namespace: it-export, deployment_environment: it}
sources:
  - type: portkey
    enabled: true
    base_url: ${fake.url}
    source_instance: it-portkey
    http: { allow_private: true }
    auth: { header: x-portkey-api-key, value: \${PORTKEY_API_KEY} }
    rate_limit: { rps: 100, burst: 20 }
    loops:
      logs_export:
        enabled: true
        cadence: 10s
        settings: { workspace_id: ws-it, signed_url_allow_hosts: 127.0.0.1, page_size: "${PER_PAGE}", chunk_max_records: "2" }
`,
  );
  const poll = setInterval(() => {
    const c = fileEntry(cp, "/logs_export/");
    const last = seen.at(-1);
    if (c && (!last || last.time !== c.time || last.cursor !== c.cursor)) seen.push({ ...c, at: Date.now() });
  }, 10);
  seed = Number(process.env.LOGS_EXPORT_KILL_SEED ?? Date.now() % 100000);
  const random = prng(seed);
  const env = { PORTKEY_API_KEY: "pk-export-it-key" };
  for (let i = 0; i < KILLS; i++) {
    const port = await freePort();
    const run = start([`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${port}`], { env });
    // Somewhere inside the first step or two: before, during or after an emit or a commit.
    await Bun.sleep(150 + Math.floor(random() * 1400));
    const r = await run.stop("SIGKILL");
    output.push(r.stdout, r.stderr);
  }
  const port = await freePort();
  const last = start([`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${port}`], { env });
  const deadline = Date.now() + 150_000;
  while (!(fileEntry(cp, "/logs_export/")?.time ?? 0) && Date.now() < deadline) await Bun.sleep(100);
  const r = await last.stop("SIGTERM");
  output.push(r.stdout, r.stderr);
  clearInterval(poll);
  await Bun.sleep(400); // collector file flush
}, 240_000);

afterAll(async () => {
  await Promise.all([collector?.stop(), fake?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`logs_export across ${KILLS} kill -9 (seed via LOGS_EXPORT_KILL_SEED)`, () => {
  test("every record of the window landed at least once", () => {
    const ids = new Set(collector.records().map((r) => r.attributes.id));
    const want = Array.from({ length: PAGES * PER_PAGE }, (_, i) => `r${i}`);
    expect([...want].filter((id) => !ids.has(id))).toEqual([]);
    expect(seed).toBeGreaterThanOrEqual(0);
  });

  test("the watermark moved once, to the window end, only after the last page was read", () => {
    const times = [...new Set(seen.map((s) => s.time))];
    expect(times[0]).toBe(0);
    const first = seen.find((s) => s.time !== 0);
    // The window is the one the last page-0 create before that moment named (a killed run's
    // uncommitted create is simply redone); the request carries whole seconds.
    const creates = fake.requests.filter(
      (r) => r.method === "POST" && r.path === "/logs/exports" && r.at <= (first?.at ?? 0),
    );
    const window = creates
      .filter((c) => (c.body as { filters: { current_page: number } }).filters.current_page === 0)
      .at(-1);
    const winMax = Date.parse(
      (window?.body as { filters: { time_of_generation_max: string } } | undefined)?.filters.time_of_generation_max ??
        "",
    );
    expect(Math.floor((first?.time ?? 0) / 1000) * 1000).toBe(winMax);
    const lastPageJobs = fake.creates.flatMap((c, i) =>
      (c.filters as { current_page: number }).current_page === PAGES - 1 ? [`job-${i + 1}`] : [],
    );
    const lastPageRead = fake.objectGets().filter((g) => lastPageJobs.some((j) => g.path.includes(j)));
    expect(lastPageRead.length).toBeGreaterThan(0);
    expect(Math.min(...lastPageRead.map((g) => g.at))).toBeLessThanOrEqual(first?.at ?? 0);
  });

  test("records carry the content-free fields only; no canary byte anywhere", () => {
    const recs = collector.records();
    for (const r of recs) {
      expect(Object.keys(r.resource).sort()).toEqual([
        "ai_model",
        "ai_org",
        "deployment.environment.name",
        "response_status_code",
        "service.name",
        "service.namespace",
      ]);
      expect(r.attributes.source).toBe("portkey");
      for (const k of ["prompt", "request", "metadata", "portkeyHeaders", "currency", "owner"])
        expect(k in r.attributes).toBe(false);
    }
    const canary = Buffer.from(CANARY);
    expect(readFileSync(join(dir, "collector", "logs.jsonl")).includes(canary)).toBe(false);
    expect(readFileSync(cp).includes(canary)).toBe(false);
    for (const o of output) expect(o).not.toContain(CANARY);
    expect(fake.objectGets().every((g) => g.headers.get("x-portkey-api-key") === null)).toBe(true);
    expect(
      fake.creates.every(
        (c) => !JSON.stringify(c.requested_data).match(/prompt"|request"|response"|metadata|messages/),
      ),
    ).toBe(true);
  });
});
