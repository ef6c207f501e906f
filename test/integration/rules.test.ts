/** The shipped alert and recording rules, checked and unit-tested by the real promtool. */
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ProviderWorld } from "../../src/demo/providers.ts";
import { Workspace } from "../../src/demo/workspace.ts";
import { fromMillis } from "../../src/model/time.ts";
import type { Sample } from "../../src/model/types.ts";
import { anthropic } from "../../src/sources/anthropic/index.ts";
import type { Vendor } from "../../src/sources/define.ts";
import { openai } from "../../src/sources/openai/index.ts";
import { peerBinary } from "../support/peers.ts";

const ROOT = resolve(import.meta.dir, "../..");
const MIN = 60_000;

function promtool(args: string[]) {
  const r = spawnSync(peerBinary("promtool"), args, { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test("promtool check rules", () => {
  const r = promtool(["check", "rules", "deploy/grafana/rules.yaml"]);
  expect(r.out).toContain("SUCCESS: 34 rules found");
  expect(r.code).toBe(0);
});

test("promtool test rules: alerts fire on the right series, recording rules compute per-bucket sums", () => {
  const r = promtool(["test", "rules", "test/rules/rules.test.yaml"]);
  expect({ code: r.code, out: r.out.includes("SUCCESS") }).toEqual({ code: 0, out: true });
});

/** The costs samples a provider's real loop derives from the simulated organization at `nowMs`. */
async function bills(vendor: Vendor, world: ProviderWorld, nowMs: number): Promise<Sample[]> {
  const key = "k";
  const planned = vendor.plan(
    {
      type: vendor.type,
      enabled: true,
      base_url: `https://api.${vendor.type}.test/v1`,
      source_instance: vendor.type,
      auth:
        vendor.type === "openai"
          ? { header: "Authorization", value: `Bearer ${key}` }
          : { header: "x-api-key", value: key },
      rate_limit: { rps: 1000, burst: 1000 },
      http: { user_agent: "", allow_hosts: [], allow_private: false },
      loops: {
        costs: {
          enabled: true,
          cadence: 4 * MIN * 1e6,
          window: 0,
          bucket_settle: 0,
          bootstrap_lookback: 0,
          max_backfill: 0,
          metric_prefix: "",
          graphs: [],
          settings: {},
        },
      },
      api_key_use_cases: [],
    },
    () => {},
  );
  const [loop] = planned.start(
    {
      userAgent: "t",
      resolve: async () => ["203.0.113.10"],
      fetch: async (url, init) => world.handle(new Request(url, init), key, nowMs),
      warn: () => {},
    },
    () => ({ report: () => {}, now: () => fromMillis(nowMs), warn: () => {} }),
  );
  const batch = await loop?.collect(new AbortController().signal, { time: 0n, cursor: "", epoch: 1 });
  return batch?.samples ?? [];
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
const selector = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;

test("promtool test rules: reconciliation over series from the fakes (gateway buckets, both providers' bills)", async () => {
  // Promtool's time 0 is 00:00 UTC of a real day; the evaluation is at 12:30 of the next day.
  const base = Date.UTC(2026, 5, 17);
  const evalMin = 36 * 60 + 30;
  const nowMs = base + evalMin * MIN;
  const world = new ProviderWorld();
  const portkey = new Workspace();
  const ids = { service_namespace: "ns", deployment_environment_name: "prod" };
  const series: { series: string; values: string }[] = [];
  // Portkey's per-minute cost buckets, each stamped at its end, for the two days.
  const gateway: number[] = [];
  for (let i = 0; i <= evalMin; i++)
    gateway.push(portkey.point("cost", base + (i - 1) * MIN, Number.MAX_SAFE_INTEGER).total ?? 0);
  series.push({ series: selector("portkey_api_cost_usd", ids), values: gateway.join(" ") });
  const billed = new Map<string, number>();
  for (const vendor of [openai, anthropic]) {
    for (const s of await bills(vendor, world, nowMs)) {
      if (s.name.endsWith("_month_to_date_cost_usd")) continue;
      series.push({ series: selector(s.name, { ...ids, ...s.labels }), values: `${s.value}x${evalMin}` });
      if (s.labels.day_offset === "0") billed.set(vendor.type, (billed.get(vendor.type) ?? 0) + s.value);
    }
  }
  expect([...billed.keys()].sort()).toEqual(["anthropic", "openai"]);
  // Today so far: the buckets ending after 24h (promtool minute 1440), up to the evaluation.
  const today = gateway.slice(24 * 60 + 1).reduce((a, b) => a + b, 0);
  const total = [...billed.values()].reduce((a, b) => a + b, 0);
  const at = `${evalMin}m`;
  const rounded = (expr: string) => `round(${expr}, 0.000001)`;
  const doc = {
    rule_files: [resolve(ROOT, "deploy/grafana/rules.yaml")],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: series,
        promql_expr_test: [
          {
            expr: rounded("providers:billed_cost_usd:today"),
            eval_time: at,
            exp_samples: [...billed].map(([provider, v]) => ({
              labels: selector("", { ...ids, provider }),
              value: round(v),
            })),
          },
          {
            expr: rounded("portkey:gateway_cost_usd:today"),
            eval_time: at,
            exp_samples: [{ labels: selector("", ids), value: round(today) }],
          },
          {
            expr: rounded("reconciliation:gateway_to_billed_cost:ratio_today"),
            eval_time: at,
            exp_samples: [{ labels: selector("", ids), value: round(today / total) }],
          },
        ],
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), "rules-fakes-"));
  const file = join(dir, "reconciliation.test.json");
  // Promtool reads YAML, and JSON is YAML.
  writeFileSync(file, JSON.stringify(doc));
  const r = promtool(["test", "rules", file]);
  rmSync(dir, { recursive: true, force: true });
  expect(r.out).toContain("SUCCESS");
  expect(r.code).toBe(0);
});
