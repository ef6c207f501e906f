/**
 * The LangSmith source end to end: the compiled binary runs `sessions`, `usage` and `runs`
 * against the fake LangSmith (paged project lists, opaque run cursors, content in every content
 * field) and emits through a fan-out into a real Collector and two real Prometheus 3 instances
 * (suffixes on and off). Metrics are asserted as Prometheus stored them, run records as the
 * Collector received them, and the content canary in no byte the bridge sent, printed or kept.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, start } from "../support/binary.ts";
import { fileEntry } from "../support/checkpoint-file.ts";
import { FakeLangsmith } from "../support/fake-langsmith.ts";
import { type Collector, freePort, type Peer, type Prometheus, startReceivers } from "../support/peers.ts";

const CANARY = "ZZCANARY-LANGSMITH-7f3aZZ";
const MIN = 60_000;
let dir = "";
let cp = "";
let collector: Collector;
let promWith: Prometheus;
let promWithout: Prometheus;
let fanout: Peer;
let fake: FakeLangsmith;
let output = "";

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-langsmith-"));
  ({ collector, promWith, promWithout, fanout } = await startReceivers(dir));
  // Three projects, one run each every 30 s: the bootstrap runs window (9 settled minutes) holds 54.
  fake = new FakeLangsmith("ls-it-key-0123456789", { projects: 3, everyMs: 30_000, content: CANARY }).start();
  cp = join(dir, "cp.yaml");
  const cfg = join(dir, "config.yaml");
  writeFileSync(
    cfg,
    `emit: {telemetry: {otlp: {endpoint: "${fanout.url}"}}}
identity: {service_namespace: it-langsmith, deployment_environment: it}
sources:
  - type: langsmith
    enabled: true
    base_url: ${fake.url}
    source_instance: it-langsmith
    http: { allow_private: true }
    auth: { header: x-api-key, value: \${LANGSMITH_API_KEY} }
    rate_limit: { rps: 50, burst: 20 }
    loops:
      sessions:
        enabled: true
        cadence: 10s
        settings: { stats_window: 30m, page_limit: "2" }
      usage:
        enabled: true
        cadence: 10s
        settings: { stats_window: 10m, session_filter: 'neq(name, "__none__")' }
      runs:
        enabled: true
        cadence: 10s
        settings: { session_filter: 'neq(name, "__none__")', window: 10m, settle: 1m, page_size: "20", extra_indexed_fields: "" }
`,
  );
  const port = await freePort();
  const run = start([`-config=${cfg}`, `-checkpoint-file=${cp}`, `-health-addr=127.0.0.1:${port}`], {
    env: { LANGSMITH_API_KEY: fake.apiKey },
  });
  const deadline = Date.now() + 90_000;
  while (!(fileEntry(cp, "/runs/")?.time ?? 0) && Date.now() < deadline) await Bun.sleep(200);
  const r = await run.stop("SIGTERM");
  output = r.stdout + r.stderr;
  expect(r.code).toBe(0);
  await Bun.sleep(400);
}, 150_000);

afterAll(async () => {
  await Promise.all([collector?.stop(), promWith?.stop(), promWithout?.stop(), fanout?.stop(), fake?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const firstOf = (path: string, pred: (q: URLSearchParams) => boolean = () => true) =>
  fake.requests.find((r) => r.path === path && pred(r.query));

describe("langsmith against real receivers", () => {
  test("requests: the project list paged with sort_by, a scope and a content-free select on every query", () => {
    const lists = fake.requests.filter((r) => r.path === "/sessions");
    expect(lists.length).toBeGreaterThan(0);
    expect(
      lists.every((r) => r.query.get("sort_by") === "start_time" && r.headers.get("x-api-key") === fake.apiKey),
    ).toBe(true);
    const statsPages = lists.filter((r) => r.query.get("include_stats") === "true" && r.query.get("limit") === "2");
    expect(statsPages.slice(0, 2).map((r) => r.query.get("offset"))).toEqual(["0", "2"]);
    const queries = fake.requests.filter((r) => r.path === "/runs/query");
    expect(queries.length).toBeGreaterThanOrEqual(3);
    for (const q of queries) {
      const body = q.body as { select: string[]; session: string[] };
      expect(body.session).toHaveLength(3);
      for (const f of ["inputs", "outputs", "messages", "events", "extra", "serialized", "error", "name"]) {
        expect(body.select).not.toContain(f);
      }
    }
    expect(output).not.toContain("level=ERROR");
  });

  for (const [title, prom] of [
    ["Prometheus with suffixes (Grafana Cloud)", () => promWith],
    ["Prometheus without suffixes (self-hosted Mimir)", () => promWithout],
  ] as const) {
    test(`${title}: the first poll's project statistics, as stored`, async () => {
      const first = firstOf("/sessions", (q) => q.get("include_stats") === "true" && q.get("limit") === "2");
      const from = Date.parse(first?.query.get("stats_start_time") ?? "");
      const at = first?.at ?? 0;
      const stamp = Math.floor(at / MIN) * MIN;
      const want = fake.workspace.projects.map((p, i) => [p.id, fake.workspace.stats(i, from, at)] as const);
      for (const [id, s] of want) {
        const runs = await prom().range(`langsmith_runs{job="it-langsmith/genai-otel-bridge",session="${id}"}`, "1h");
        expect(runs[0]?.values[0]).toEqual([stamp / 1000, String(s.run_count)]);
        const cost = await prom().range(`langsmith_cost_usd{session="${id}"}`, "1h");
        expect(Number(cost[0]?.values[0]?.[1])).toBeCloseTo(Number(s.total_cost), 9);
        const score = await prom().range(`langsmith_feedback_score{session="${id}",feedback_key="correctness"}`, "1h");
        expect(score).toHaveLength(1);
      }
      const keys = await prom().range(
        '{__name__=~"langsmith_feedback_(score|count)",feedback_key!="correctness"}',
        "1h",
      );
      expect(keys).toEqual([]);
    });
    test(`${title}: traces and spans per project and retention tier`, async () => {
      const first = firstOf("/sessions", (q) => q.get("limit") === "100" && q.get("include_stats") === "true");
      const from = Date.parse(first?.query.get("stats_start_time") ?? "");
      const at = first?.at ?? 0;
      for (const [i, p] of fake.workspace.projects.entries()) {
        const traces = await prom().range(`langsmith_usage_traces{session="${p.id}",retention_tier="${p.tier}"}`, "1h");
        expect(Number(traces[0]?.values[0]?.[1])).toBe(fake.workspace.stats(i, from, at).run_count as number);
        const spans = await prom().range(`langsmith_usage_spans{session="${p.id}",retention_tier="${p.tier}"}`, "1h");
        expect(Number(spans[0]?.values[0]?.[1])).toBeGreaterThan(0);
      }
    });
  }

  test("the Collector received one content-free record per run of the first window", () => {
    const q = fake.requests.find((r) => r.path === "/runs/query")?.body as { start_time: string; end_time: string };
    const { first, count } = fake.workspace.ticks(Date.parse(q.start_time), Date.parse(q.end_time));
    const want = new Set<string>();
    for (let t = first; t < first + count; t++) for (let p = 0; p < 3; p++) want.add(`run-${p + 1}-${t}`);
    const records = collector.records().filter((r) => r.attributes.source === "langsmith");
    const got = new Set(records.map((r) => r.attributes.id));
    expect(want.size).toBe(54);
    expect([...want].filter((id) => !got.has(id))).toEqual([]);
    for (const r of records) {
      expect(Object.keys(r.resource).sort()).toEqual([
        "deployment.environment.name",
        "run_type",
        "service.name",
        "service.namespace",
        "status",
      ]);
      // No body on the wire; the Collector's JSON shows an absent AnyValue as {}.
      expect(r.body === undefined || JSON.stringify(r.body) === "{}").toBe(true);
      expect(r.severityText).toBe(r.resource.status === "error" ? "ERROR" : "INFO");
      for (const k of [
        "inputs",
        "outputs",
        "messages",
        "events",
        "extra",
        "serialized",
        "error",
        "name",
        "feedback_stats",
      ]) {
        expect(k in r.attributes).toBe(false);
      }
    }
    const checkpoint = fileEntry(cp, "/runs/");
    // The watermark keeps the window end's fraction; the query sent it truncated to the second.
    expect([checkpoint?.cursor, Math.floor((checkpoint?.time ?? 0) / 1000) * 1000]).toEqual([
      "",
      Date.parse(q.end_time),
    ]);
  });

  test("the canary is in no byte sent, printed or persisted", () => {
    const canary = Buffer.from(CANARY);
    // The fake did serve it, in every content field.
    expect(JSON.stringify(fake.workspace.run(0, 1))).toContain(CANARY);
    for (const f of ["logs.jsonl", "metrics.jsonl"]) {
      const p = join(dir, "collector", f);
      expect(existsSync(p)).toBe(true);
      expect(readFileSync(p).includes(canary)).toBe(false);
    }
    expect(readFileSync(cp).includes(canary)).toBe(false);
    expect(output).not.toContain(CANARY);
  });
});
