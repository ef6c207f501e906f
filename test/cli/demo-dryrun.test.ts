/** `demo` (the README's first command) and `run --dry-run`, on the compiled binary. */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countingServer, requireBinary, run, start } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { freePort } from "../support/peers.ts";

beforeAll(requireBinary);
const DEFAULT = [
  "portkey_api_requests",
  "portkey_api_cost_usd",
  "portkey_api_tokens",
  "portkey_api_latency_seconds",
  "portkey_api_errors",
];

describe("demo", () => {
  test("lands settled buckets of every default graph within one cadence, and exits 0", async () => {
    const r = await run(["demo", "--duration=4s"], { timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    for (const m of DEFAULT) expect(r.stdout).toMatch(new RegExp(`Z  ${m}`));
    expect(r.stdout).toContain('portkey_api_latency_seconds{quantile="p99"}');
    expect(r.stdout).toContain('portkey_api_tokens{token_type="input"}');
    // Portkey — analytics: first window = last 10 minutes with a 3-minute settle ⇒ 7 buckets ×
    // 10 series; groups: 4 models × (requests, cost) + 3 use cases × (requests, cost) + 2 prompts.
    // LangSmith — sessions: 15 series for each of the two streaming projects, 13 for the other
    // (no first-token latency); usage: traces and spans for each of the three projects.
    const landed = (prefix: string) => r.stdout.split("\n").filter((l) => l.includes(`Z  ${prefix}`)).length;
    expect([landed("portkey_api_"), landed("langsmith_")]).toEqual([86, 49]);
    // The providers' traffic depends on the minute (quiet minutes, costs lagging an hour behind
    // usage), so their counts are not fixed; each lands usage and costs, and the total adds up.
    const providers = landed("openai_api_") + landed("anthropic_api_");
    for (const m of ["openai_api_requests", "openai_api_tokens", "openai_api_month_to_date_cost_usd"]) {
      expect(r.stdout).toMatch(new RegExp(`Z  ${m}`));
    }
    for (const m of [
      "anthropic_api_tokens",
      "anthropic_api_web_search_requests",
      "anthropic_api_month_to_date_cost_usd",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`Z  ${m}`));
    }
    expect(r.stdout).toMatch(new RegExp(`\\n${135 + providers} points landed`));
    expect(r.stdout).toMatch(
      /openai_api_tokens\{ai_model="gpt-5-2025-08-07",endpoint="completions",token_type="input"\}/,
    );
    expect(r.stdout).not.toContain("description");
    expect(r.stdout).toContain(
      'langsmith_usage_traces{retention_tier="shortlived",session="00000000-0000-4000-8000-000000000002"}',
    );
    expect(r.stdout).toContain('portkey_api_cost_usd_by_model{ai_model="gpt-5-2025-08-07"}');
    expect(r.stdout).toContain('portkey_api_requests_by_metadata{metadata_key="use_case",metadata_value="chatbot"}');
    expect(r.stdout).toContain('portkey_api_requests_by_prompt{prompt="classify-v1"}');
  }, 30_000);
  test("a second run on the same checkpoint resumes: analytics re-sends nothing, groups only its minute", async () => {
    const dir = mkdtempSync(join(tmpdir(), "demo-"));
    const cp = join(dir, "cp.yaml");
    const a = await run(["demo", "--duration=3s", `--checkpoint-file=${cp}`], { timeoutMs: 20_000 });
    const b = await run(["demo", "--duration=3s", `--checkpoint-file=${cp}`], { timeoutMs: 20_000 });
    rmSync(dir, { recursive: true, force: true });
    const lines = (out: string, re: RegExp) => out.split("\n").filter((l) => re.test(l));
    expect(lines(a.stdout, /Z {2}(portkey_api_|langsmith_)/)).toHaveLength(135);
    // Within the same minute nothing new has settled: zero or one new analytics minute (10
    // points). The snapshot loops (groups, sessions, usage) delivered this minute already and
    // send nothing, unless the minute turned between the runs (16 and 49 more).
    expect([0, 10, 16, 26, 49, 59, 65, 75]).toContain(lines(b.stdout, /Z {2}(portkey_api_|langsmith_)/).length);
    // The providers' usage buckets resume after the last one delivered: none is sent twice.
    const usage = /Z {2}(openai_api_(requests|tokens)|anthropic_api_(tokens|web_search))/;
    const last = lines(a.stdout, usage)
      .map((l) => l.slice(0, 20))
      .sort()
      .at(-1);
    for (const l of lines(b.stdout, usage)) expect(l.slice(0, 20) > (last ?? "")).toBe(true);
  }, 30_000);
});

describe("demo, long enough for a log export", () => {
  // The export takes four steps of a 10 s cadence (create, start, poll, download), each wait
  // jittered ±10 %: the test waits for the records rather than for a fixed duration, then stops
  // the demo as SIGTERM does in production and reads its summary.
  test("a window's records land content-free after the export's four steps", async () => {
    const demo = start(["demo", "--duration=120s"]);
    const portkeyRecord =
      /Z {2}log \{ai_model="[^"]+",ai_org="openai",response_status_code="\d+"\} \{.*id="req-\d+".*source="portkey"/;
    const langsmithRecord = /Z {2}log \{run_type="\w+",status="\w+"\} \{.*id="run-\d+-\d+".*source="langsmith"/;
    await demo.waitFor((out) => portkeyRecord.test(out) && langsmithRecord.test(out), 75_000);
    const r = await demo.stop();
    expect(r.code).toBe(0);
    const landed = Number(/\n(\d+) log records landed/.exec(r.stdout)?.[1] ?? "0");
    expect(landed).toBeGreaterThan(0);
    expect(r.stdout).toContain("metadata, header or run content: 0\n");
    expect(r.stdout).not.toContain("never emitted");
  }, 90_000);
});

describe("run --dry-run", () => {
  test("polls for real, prints OTLP/JSON, sends nothing", async () => {
    const pk = new FakePortkey().start();
    const sink = countingServer();
    const dir = mkdtempSync(join(tmpdir(), "dry-"));
    const cfg = join(dir, "c.yaml");
    writeFileSync(
      cfg,
      `emit: {telemetry: {otlp: {endpoint: "${sink.url}"}}}
identity: {service_namespace: dry, deployment_environment: test}
sources:
  - {type: portkey, enabled: true, base_url: "${pk.url}", source_instance: dry, http: {allow_private: true}, auth: {header: x-portkey-api-key, value: "${pk.apiKey}"},
     loops: {analytics: {enabled: true, cadence: 10s, window: 50m, bucket_settle: 3m, bootstrap_lookback: 5m, graphs: [requests]}}}
`,
    );
    const port = await freePort();
    const b = start([
      "run",
      "--dry-run",
      `-config=${cfg}`,
      `-checkpoint-file=${join(dir, "cp.yaml")}`,
      `-health-addr=127.0.0.1:${port}`,
    ]);
    await b.waitFor((o) => o.includes('"resourceMetrics"'));
    const r = await b.stop();
    await pk.stop();
    sink.stop();
    rmSync(dir, { recursive: true, force: true });
    const line = r.stdout.split("\n").find((l) => l.startsWith('{"resourceMetrics"')) ?? "";
    const req = JSON.parse(line);
    const m = req.resourceMetrics[0].scopeMetrics[0].metrics[0];
    expect(m.name).toBe("portkey_api_requests");
    expect(m.gauge.dataPoints.length).toBeGreaterThan(0);
    expect(typeof m.gauge.dataPoints[0].timeUnixNano).toBe("string");
    expect(req.resourceMetrics[0].resource.attributes).toContainEqual({
      key: "service.namespace",
      value: { stringValue: "dry" },
    });
    expect(pk.graphRequests("requests").length).toBeGreaterThan(0);
    expect(sink.count).toBe(0);
  }, 30_000);
});
