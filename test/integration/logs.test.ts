/**
 * The logs plane end to end with a real OpenTelemetry Collector: a test-only logs loop (the
 * product's composition root with one extra vendor registered) pages through a fake upstream
 * whose records carry a canary in every content field, and emits through a gate in front of
 * the Collector. The gate holds the first logs response after the Collector accepted it, the
 * bridge is killed with -9 there — between emit and commit — and restarted: the re-sent
 * request must be byte-identical, every record must land, and no canary byte may appear in
 * anything the bridge sent, printed or persisted.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { parse } from "yaml";
import { type Collector, type CollectorRecord, startCollector } from "../support/peers.ts";
import { CANARY, type FakeRecords, startFakeRecords, upstreamRecord } from "../support/test-vendor/fake-upstream.ts";

const ROOT = resolve(import.meta.dir, "../..");
const WINDOW_START = Date.parse("2026-06-18T11:00:00Z");
const PAGES = 3;
const PER_PAGE = 4;

let dir = "";
let collector: Collector;
let upstream: FakeRecords;
let gate: ReturnType<typeof Bun.serve>;
let hold = true;
let held: (() => void) | undefined;
/** Every logs request body the bridge sent, gunzipped, in order. */
const logBodies: Buffer[] = [];
const output: string[] = [];
const cursors: { time: number; cursor: string }[] = [];
const runLogs: string[] = [];

function config(): string {
  return `emit:
  telemetry:
    otlp:
      endpoint: http://127.0.0.1:${gate.port}
identity:
  service_namespace: it-ns
  deployment_environment: it
log:
  level: info
sources:
  - type: testlogs
    enabled: true
    base_url: ${upstream.url}
    source_instance: logs-it
    auth: { header: x-api-key, value: it-key-not-a-secret }
    http: { allow_private: true }
    loops:
      records:
        enabled: true
        cadence: 10s
        settings: { window_start: "2026-06-18T11:00:00Z", per_page: "${PER_PAGE}" }
`;
}

function bridge(cfg: string, cp: string): Subprocess<"ignore", "pipe", "pipe"> {
  return Bun.spawn([process.execPath, join(ROOT, "test/support/test-vendor/logs-bridge.ts"), cfg, cp], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "" },
  });
}

async function drain(p: Subprocess<"ignore", "pipe", "pipe">): Promise<void> {
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  output.push(out, err);
  runLogs.push(out);
}

function checkpoint(cp: string): { time: number; cursor: string } | undefined {
  if (!existsSync(cp)) return undefined;
  const doc = parse(readFileSync(cp, "utf8")) as Record<string, { time: string; cursor: string }> | null;
  const entry = Object.values(doc ?? {})[0];
  return entry ? { time: Date.parse(entry.time), cursor: entry.cursor } : undefined;
}

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${runLogs.join("\n")}`);
    await Bun.sleep(50);
  }
}

let cpPath = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "it-logs-"));
  collector = await startCollector(join(dir, "collector"));
  upstream = startFakeRecords({ pages: PAGES });
  gate = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = new Uint8Array(await req.arrayBuffer());
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        if (k !== "host" && k !== "content-length") headers[k] = v;
      });
      const r = await fetch(`${collector.url}${path}`, { method: "POST", headers, body });
      const text = await r.text();
      if (path === "/v1/logs") {
        logBodies.push(Buffer.from(Bun.gunzipSync(body)));
        if (hold && r.status === 200) {
          // Delivered to the Collector; the bridge never hears it was.
          held?.();
          await new Promise(() => {});
        }
      }
      return new Response(text, { status: r.status });
    },
  });
  const cfg = join(dir, "bridge.yaml");
  writeFileSync(cfg, config());
  cpPath = join(dir, "checkpoints.yaml");

  // Run 1: killed -9 after the Collector accepted the first logs request, before any commit.
  const first = bridge(cfg, cpPath);
  const firstDrained = drain(first);
  await new Promise<void>((res) => {
    held = res;
  });
  first.kill("SIGKILL");
  await first.exited;
  await firstDrained;
  cursors.push(checkpoint(cpPath) ?? { time: 0, cursor: "" });

  // Run 2: the gate passes everything; run until the window is complete.
  hold = false;
  const second = bridge(cfg, cpPath);
  const secondDrained = drain(second);
  const windowEnd = WINDOW_START + 3600_000;
  const poll = setInterval(() => {
    const c = checkpoint(cpPath);
    if (c && (cursors.at(-1)?.cursor !== c.cursor || cursors.at(-1)?.time !== c.time)) cursors.push(c);
  }, 20);
  await until("the window to complete", 60_000, () => checkpoint(cpPath)?.time === windowEnd);
  clearInterval(poll);
  const last = checkpoint(cpPath);
  if (last && cursors.at(-1)?.time !== last.time) cursors.push(last);
  second.kill("SIGTERM");
  await second.exited;
  await secondDrained;
  await until(
    "the Collector to flush",
    10_000,
    () => new Set(collector.records().map((r) => r.attributes.id)).size >= PAGES * PER_PAGE,
  );
}, 120_000);

afterAll(async () => {
  gate?.stop(true);
  upstream?.stop();
  await collector?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("logs plane against the real Collector", () => {
  test("kill -9 between emit and commit: nothing was committed, and the re-send is byte-identical", () => {
    expect(cursors[0]).toEqual({ time: 0, cursor: "" });
    expect(logBodies.length).toBeGreaterThanOrEqual(PAGES + 1);
    expect(logBodies[1]?.equals(logBodies[0] ?? Buffer.alloc(0))).toBe(true);
  });

  test("the cursor and watermark only move forward, and end at the window end", () => {
    const seen = cursors.filter((c) => c.cursor !== "" || c.time !== 0);
    expect(seen.map((c) => c.cursor)).toEqual(["p1", "p2", ""]);
    expect(seen.at(-1)?.time).toBe(WINDOW_START + 3600_000);
  });

  test("every record lands with resource, scope, time, severity, attributes and trace id; no body", () => {
    const got = collector.records();
    const byId = new Map<string, CollectorRecord>();
    for (const r of got) byId.set(r.attributes.id ?? "", r);
    expect([...byId.keys()].sort()).toEqual(Array.from({ length: PAGES * PER_PAGE }, (_, n) => `r${n}`).sort());
    // Page 0 was delivered twice (at-least-once across the kill); every other record once.
    expect(got.length).toBe(PAGES * PER_PAGE + PER_PAGE);
    for (let page = 0; page < PAGES; page++) {
      for (let i = 0; i < PER_PAGE; i++) {
        const u = upstreamRecord(page, i, PER_PAGE);
        const r = byId.get(u.id);
        expect(r?.resource).toEqual({
          "service.name": "genai-otel-bridge",
          "service.namespace": "it-ns",
          "deployment.environment.name": "it",
          run_type: u.run_type,
          status: u.status,
        });
        expect(r?.scope).toBe("genai-otel-bridge");
        expect(r?.timeUnixNano).toBe(BigInt(WINDOW_START + u.offset_s * 1000) * 1_000_000n);
        expect(r?.observedTimeUnixNano).toBe(0n);
        expect(r?.severityText).toBe(u.status === "error" ? "ERROR" : "INFO");
        expect(r?.severityNumber).toBe(0);
        // No body on the wire; the Collector's JSON shows an absent AnyValue as {}.
        expect(r?.body === undefined || JSON.stringify(r.body) === "{}").toBe(true);
        expect(r?.attributes).toEqual({ id: u.id, latency_ms: String(u.latency_ms) });
        expect(r?.traceId).toBe(u.trace_id);
      }
    }
  });

  test("the canary appears in no byte sent, printed or persisted", () => {
    expect(upstream.requests.length).toBeGreaterThan(0);
    const canary = Buffer.from(CANARY);
    for (const b of logBodies) expect(b.includes(canary)).toBe(false);
    expect(readFileSync(join(dir, "collector", "logs.jsonl")).includes(canary)).toBe(false);
    expect(readFileSync(cpPath).includes(canary)).toBe(false);
    for (const o of output) expect(o).not.toContain(CANARY);
  });
});
