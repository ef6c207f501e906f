/**
 * The OpenAI and Anthropic sources end to end, beside a Portkey source: the compiled binary
 * polls the fake provider APIs (pages of at most three buckets, late arrivals inside the settle,
 * costs as numbers and as strings, a 429 with `retry-after`, a 529, a settled bucket revised
 * afterwards, content fields in every row) and emits through a fan-out into a real Collector
 * and two real Prometheus 3 instances (suffixes on and off). Values are asserted as Prometheus
 * stored them, against the fake's own answers recomputed for the times it answered.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, start } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { FakeProviders, type ProviderRequest } from "../support/fake-providers.ts";
import { type Collector, freePort, type Peer, type Prometheus, startReceivers } from "../support/peers.ts";
import { parseMetrics, type Scrape, sum } from "../support/scenario.ts";

/** A decimal string of cents as dollars, the decimal point moved two places (exact). */
function centsToDollars(cents: string): number {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(cents.trim());
  if (!m) throw new Error(`not a decimal amount: ${cents}`);
  const [, sign = "", whole = "", fraction = ""] = m;
  const digits = whole.padStart(3, "0");
  return Number(`${sign}${digits.slice(0, -2)}.${digits.slice(-2)}${fraction}`);
}

const CANARY = "ZZCANARY-PROVIDERS-41c9ZZ";
const MIN = 60_000;
const E = "genai_otel_bridge_";
let dir = "";
let collector: Collector;
let promWith: Prometheus;
let promWithout: Prometheus;
let fanout: Peer;
let fake: FakeProviders;
let portkey: FakePortkey;
let output = "";
let scrape: Scrape = new Map();
/** The bucket start (ms) revised after it was emitted, and when. */
let revisedStart = 0;
let revisedAt = 0;

function config(): string {
  return `emit: {telemetry: {otlp: {endpoint: "${fanout.url}"}}}
identity: {service_namespace: it-providers, deployment_environment: it}
sources:
  - type: portkey
    enabled: true
    base_url: ${portkey.url}
    source_instance: it-portkey
    http: { allow_private: true }
    auth: { header: x-portkey-api-key, value: \${PORTKEY_API_KEY} }
    rate_limit: { rps: 50, burst: 20 }
    loops:
      analytics: { enabled: true, cadence: 10s, window: 10m, bucket_settle: 3m, bootstrap_lookback: 10m, max_backfill: 15m, graphs: [requests, cost] }
  - type: openai
    enabled: true
    base_url: ${fake.url("openai")}
    source_instance: it-openai
    http: { allow_private: true }
    auth: { header: Authorization, value: "Bearer \${OPENAI_ADMIN_KEY}" }
    rate_limit: { rps: 50, burst: 20 }
    loops:
      usage:
        enabled: true
        cadence: 10s
        window: 10m
        bucket_settle: 2m
        bootstrap_lookback: 10m
        max_backfill: 15m
        settings: { endpoints: "completions,embeddings", group_by: model }
      costs: { enabled: true, cadence: 10s }
  - type: anthropic
    enabled: true
    base_url: ${fake.url("anthropic")}
    source_instance: it-anthropic
    http: { allow_private: true }
    auth: { header: x-api-key, value: \${ANTHROPIC_ADMIN_KEY} }
    rate_limit: { rps: 50, burst: 20 }
    loops:
      usage: { enabled: true, cadence: 10s, window: 10m, bucket_settle: 2m, bootstrap_lookback: 10m, max_backfill: 15m }
      costs: { enabled: true, cadence: 10s }
`;
}

async function scrapeOf(port: number): Promise<Scrape> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  return r?.ok ? parseMetrics(await r.text()) : new Map();
}

const ok = (vendor: string, path: string) =>
  fake.requests.filter((r) => r.vendor === vendor && r.path.endsWith(path) && r.status === 200);

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-providers-"));
  ({ collector, promWith, promWithout, fanout } = await startReceivers(dir));
  fake = new FakeProviders(undefined, undefined, { content: CANARY, lateMs: MIN, maxPageBuckets: 3 }).start();
  portkey = new FakePortkey().start();
  fake.fail(
    "openai",
    "/usage/completions",
    429,
    { error: { type: "rate_limit_exceeded", code: null, message: CANARY } },
    {
      "retry-after": "12",
    },
  );
  fake.fail("anthropic", "/usage_report/", 529, {
    type: "error",
    error: { type: "overloaded_error", message: CANARY },
    request_id: "req_it_529",
  });
  const cfg = join(dir, "config.yaml");
  writeFileSync(cfg, config());
  const port = await freePort();
  const run = start([`-config=${cfg}`, `-checkpoint-file=${join(dir, "cp.yaml")}`, `-health-addr=127.0.0.1:${port}`], {
    env: { PORTKEY_API_KEY: portkey.apiKey, OPENAI_ADMIN_KEY: fake.openaiKey, ANTHROPIC_ADMIN_KEY: fake.anthropicKey },
  });
  const deadline = Date.now() + 150_000;
  const delivered = (s: Scrape, loop: string, n: number) => sum(s, `${E}emitted_total`, { loop }) >= n;
  while (Date.now() < deadline) {
    scrape = await scrapeOf(port);
    if (
      revisedStart === 0 &&
      ok("openai", "/usage/completions").length > 0 &&
      ok("anthropic", "/messages").length > 0
    ) {
      if (delivered(scrape, "usage", 1)) {
        // The newest bucket both usage loops emitted: settled, so a change now is a revision.
        const last = ok("openai", "/usage/completions").at(-1) as ProviderRequest;
        revisedStart = Number(last.query.get("end_time")) * 1000 - MIN;
        revisedAt = Date.now();
        fake.world.revisions.set(revisedStart, 3);
      }
    }
    const done =
      revisedStart > 0 &&
      sum(scrape, `${E}bucket_revised_after_settle_total`) >= 2 &&
      sum(scrape, `${E}emitted_total`, { loop: "costs" }) > 0 &&
      ok("openai", "/costs").length > 0 &&
      ok("anthropic", "/cost_report").length > 0;
    if (done) break;
    await Bun.sleep(500);
  }
  const r = await run.stop("SIGTERM");
  output = r.stdout + r.stderr;
  expect(r.code).toBe(0);
  await Bun.sleep(500);
}, 200_000);

afterAll(async () => {
  await Promise.all([
    collector?.stop(),
    promWith?.stop(),
    promWithout?.stop(),
    fanout?.stop(),
    fake?.stop(),
    portkey?.stop(),
  ]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the fake served for a minute bucket, final, without the revision injected later. */
function finalTraffic(salt: number, model: number, endMs: number) {
  const factor = fake.world.revisions.get(endMs - MIN);
  fake.world.revisions.delete(endMs - MIN);
  const t = fake.world.total(salt, model, endMs - MIN, endMs, Number.MAX_SAFE_INTEGER);
  if (factor !== undefined) fake.world.revisions.set(endMs - MIN, factor);
  return t;
}

type Row = Record<string, unknown>;

/** The row the fake served, on the first collect's pages, for one day and one line. */
async function findRow(
  vendor: "openai" | "anthropic",
  path: string,
  day: (b: Row) => boolean,
  line: (r: Row) => boolean,
): Promise<Row | undefined> {
  const requests = ok(vendor, path);
  const first = requests[0]?.at ?? 0;
  for (const r of requests.filter((x) => x.at - first < 5_000)) {
    const page = (await fake.replay(r)) as { data: (Row & { results: Row[] })[] };
    const row = page.data.find(day)?.results.find(line);
    if (row) return row;
  }
  return undefined;
}

describe("openai and anthropic against real receivers", () => {
  test("requests: aligned bounds, paged, the providers' auth and version headers, a user agent", () => {
    const usage = fake.requests.filter((r) => r.path.includes("/usage"));
    expect(usage.length).toBeGreaterThan(4);
    for (const r of usage.filter((x) => x.vendor === "openai")) {
      expect(Number(r.query.get("start_time")) % 60).toBe(0);
      expect(Number(r.query.get("end_time")) % 60).toBe(0);
      expect(r.headers.get("authorization")).toBe(`Bearer ${fake.openaiKey}`);
    }
    for (const r of usage.filter((x) => x.vendor === "anthropic")) {
      expect(r.query.get("starting_at")).toMatch(/:00Z$/);
      expect(r.headers.get("x-api-key")).toBe(fake.anthropicKey);
      expect(r.headers.get("anthropic-version")).toBe("2023-06-01");
      expect(r.headers.get("anthropic-beta")).toBeNull();
    }
    expect(usage.every((r) => (r.headers.get("user-agent") ?? "").startsWith("genai-otel-bridge/"))).toBe(true);
    // Pages of at most three buckets: the bridge followed next_page.
    expect(usage.some((r) => r.query.has("page"))).toBe(true);
    // Costs ask from a day boundary, with no end (today comes back cut at the request time).
    const costs = ok("openai", "/costs")[0] as ProviderRequest;
    expect(Number(costs.query.get("start_time")) % 86_400).toBe(0);
    expect(costs.query.has("end_time")).toBe(false);
  });

  test("the 429's retry-after held both OpenAI loops back; the 529 was retried at the next tick", () => {
    const limited = fake.requests.find((r) => r.vendor === "openai" && r.status === 429) as ProviderRequest;
    expect(limited).toBeDefined();
    // A request already in flight when the 429 came back (the costs loop ticks at the same time) is not held.
    const after = fake.requests.filter((r) => r.vendor === "openai" && r.at > limited.at + 1_000);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.min(...after.map((r) => r.at)) - limited.at).toBeGreaterThanOrEqual(11_500);
    expect(fake.requests.some((r) => r.vendor === "anthropic" && r.status === 529)).toBe(true);
    expect(sum(scrape, `${E}source_graph_unavailable_total`, { graph: "rate_limited" })).toBeGreaterThanOrEqual(1);
    expect(sum(scrape, `${E}auth_errors_total`)).toBe(0);
    expect(output).not.toContain(CANARY);
  });

  for (const [title, prom] of [
    ["Prometheus with suffixes (Grafana Cloud)", () => promWith],
    ["Prometheus without suffixes (self-hosted Mimir)", () => promWithout],
  ] as const) {
    test(`${title}: OpenAI usage per model and minute, every settled minute once, at its end`, async () => {
      const series = await prom().range('openai_api_tokens{endpoint="completions",token_type="input"}', "1h");
      expect(series.map((s) => s.metric.ai_model).sort()).toEqual(["gpt-4.1-2025-04-14", "gpt-5-2025-08-07"]);
      for (const s of series) {
        const m = s.metric.ai_model === "gpt-5-2025-08-07" ? 0 : 1;
        expect(s.metric.job).toBe("it-providers/genai-otel-bridge");
        const first = (s.values[0]?.[0] ?? 0) * 1000;
        const last = (s.values.at(-1)?.[0] ?? 0) * 1000;
        const want: [number, string][] = [];
        for (let end = first; end <= last; end += MIN) {
          const t = finalTraffic(1, m, end);
          if (t.requests > 0) want.push([end / 1000, String(t.input)]);
        }
        expect(s.values).toEqual(want);
        // At least eight settled minutes, about one in five quiet per model: three with traffic is a floor.
        expect(want.length).toBeGreaterThanOrEqual(3);
      }
      const embeddings = await prom().range('openai_api_requests{endpoint="embeddings"}', "1h");
      expect(embeddings.length).toBe(2);
    });

    test(`${title}: Anthropic tokens by type and web searches, and the revised bucket kept its first value`, async () => {
      const series = await prom().range('anthropic_api_tokens{ai_model="claude-sonnet-4-5"}', "1h");
      expect(series.map((s) => s.metric.token_type).sort()).toEqual([
        "input_cache_read",
        "input_cache_write_1h",
        "input_cache_write_5m",
        "input_uncached",
        "output",
      ]);
      const uncached = series.find((s) => s.metric.token_type === "input_uncached");
      for (const [ts, v] of uncached?.values ?? []) {
        const t = finalTraffic(2, 0, ts * 1000);
        expect([ts, Number(v)]).toEqual([ts, t.input - t.cached]);
      }
      // The revision tripled the bucket after it was emitted: Prometheus still holds the first value.
      const revised = (uncached?.values ?? []).find(([ts]) => ts * 1000 === revisedStart + MIN);
      if (revised)
        expect(Number(revised[1])).toBe(
          finalTraffic(2, 0, revisedStart + MIN).input - finalTraffic(2, 0, revisedStart + MIN).cached,
        );
      expect(revisedAt).toBeGreaterThan(0);
      const searches = await prom().range("anthropic_api_web_search_requests", "1h");
      expect(searches.length).toBe(2);
    });

    test(`${title}: daily and month-to-date costs as the providers answered them, in dollars`, async () => {
      // The first collect read every page of the month; yesterday's bucket is on one of them.
      const oaFirst = ok("openai", "/costs")[0] as ProviderRequest;
      const day0 = Math.floor(oaFirst.at / 86_400_000) * 86_400;
      const oaRow = await findRow(
        "openai",
        "/costs",
        (b) => b.start_time === day0 - 86_400,
        (r) => r.line_item === "gpt-5-2025-08-07, output",
      );
      const stored = await prom().range(
        'openai_api_daily_cost_usd{day_offset="1",line_item="gpt-5-2025-08-07, output"}',
        "1h",
      );
      // Output amounts are served as decimal strings; the stored value is the same number.
      const amount = (oaRow?.amount ?? {}) as { value?: unknown };
      expect(typeof amount.value).toBe("string");
      expect(stored[0]?.values[0]).toEqual([Math.floor(oaFirst.at / MIN) * 60, String(Number(amount.value))]);
      const anRow = await findRow(
        "anthropic",
        "/cost_report",
        (b) => Date.parse(String(b.starting_at)) / 1000 === day0 - 86_400,
        (r) => r.model === "claude-opus-4-1" && r.token_type === "output_tokens",
      );
      const usd = await prom().range(
        'anthropic_api_daily_cost_usd{day_offset="1",ai_model="claude-opus-4-1",token_type="output"}',
        "1h",
      );
      // Cents to dollars by moving the decimal point, as the bridge does: `x / 100` in binary
      // floating point is not always the nearest double (6240.6 / 100 = 62.406000000000006).
      expect(Number(usd[0]?.values[0]?.[1])).toBe(centsToDollars(String(anRow?.amount)));
      expect(usd[0]?.metric.cost_type).toBe("tokens");
      expect(usd[0]?.metric.description).toBeUndefined();
      const mtd = await prom().range("anthropic_api_month_to_date_cost_usd", "1h");
      expect(mtd.length).toBeGreaterThan(0);
    });
  }

  test("the names land identically with the suffix translation on and off", async () => {
    const ours = (names: string[]) => names.filter((n) => /^(openai|anthropic)_api_/.test(n)).sort();
    const want = [
      "anthropic_api_daily_cost_usd",
      "anthropic_api_month_to_date_cost_usd",
      "anthropic_api_tokens",
      "anthropic_api_web_search_requests",
      "openai_api_daily_cost_usd",
      "openai_api_month_to_date_cost_usd",
      "openai_api_requests",
      "openai_api_tokens",
    ];
    expect(ours(await promWith.names())).toEqual(want);
    expect(ours(await promWithout.names())).toEqual(want);
    expect((await promWith.names()).includes("portkey_api_requests")).toBe(true);
  });

  test("the revision was detected and counted, not re-emitted; no content byte anywhere", () => {
    expect(sum(scrape, `${E}bucket_revised_after_settle_total`, { loop: "usage" })).toBeGreaterThanOrEqual(2);
    const canary = Buffer.from(CANARY);
    const p = join(dir, "collector", "metrics.jsonl");
    expect(existsSync(p)).toBe(true);
    expect(readFileSync(p).includes(canary)).toBe(false);
    expect(readFileSync(join(dir, "cp.yaml")).includes(canary)).toBe(false);
    expect(output).not.toContain(CANARY);
    expect(output).not.toContain(fake.openaiKey);
    expect(output).not.toContain(fake.anthropicKey);
  });
});
