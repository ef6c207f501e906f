/**
 * `validate` on configs with OpenAI and Anthropic sources beside Portkey, on the compiled binary:
 * the whole config is accepted as written, and every malformed setting of both specs is refused
 * with an exit code 1 and a message that names its key.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, run } from "../support/binary.ts";

type Loop = Record<string, unknown>;
const ENV = {
  OPENAI_ADMIN_KEY: "sk-admin-validate-0123",
  ANTHROPIC_ADMIN_KEY: "sk-ant-admin01-validate-0123",
  PK: "pk-0123",
};
const usage = (settle: string): Loop => ({
  enabled: true,
  cadence: "1m",
  window: "50m",
  bucket_settle: settle,
  bootstrap_lookback: "50m",
  max_backfill: "90m",
  settings: {},
});
const costs = (): Loop => ({ enabled: true, cadence: "4m", settings: {} });

/** The config, with one loop's block changed (its settings merged). */
function config(vendor?: "openai" | "anthropic", loop?: "usage" | "costs", change: Loop = {}): string {
  const loops = {
    openai: { usage: usage("15m"), costs: costs() },
    anthropic: { usage: usage("10m"), costs: costs() },
  };
  if (vendor && loop) {
    const block = loops[vendor][loop];
    const { settings, ...rest } = change;
    Object.assign(block, rest, { settings: { ...(block.settings as object), ...(settings as object) } });
  }
  const doc = {
    emit: { telemetry: { otlp: { endpoint: "https://otlp.example/otlp" } } },
    identity: { service_namespace: "ns", deployment_environment: "prod" },
    sources: [
      {
        type: "portkey",
        enabled: true,
        source_instance: "pk",
        auth: { header: "x-portkey-api-key", value: "${PK}" },
        loops: { analytics: { enabled: true } },
      },
      {
        type: "openai",
        enabled: true,
        source_instance: "oa",
        auth: { header: "Authorization", value: "Bearer ${OPENAI_ADMIN_KEY}" },
        loops: loops.openai,
      },
      {
        type: "anthropic",
        enabled: true,
        source_instance: "an",
        auth: { header: "x-api-key", value: "${ANTHROPIC_ADMIN_KEY}" },
        loops: loops.anthropic,
      },
    ],
  };
  // JSON is YAML.
  return JSON.stringify(doc, null, 1);
}

let dir = "";
let n = 0;
const validate = async (text: string) => {
  const p = join(dir, `c${n++}.yaml`);
  writeFileSync(p, text);
  return run(["validate", "--config", p], { env: ENV });
};

beforeAll(() => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "validate-providers-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("validate with OpenAI and Anthropic beside Portkey", () => {
  test("the config is accepted, with the defaults it applied listed and the keys redacted", async () => {
    const r = await validate(config());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("https://api.openai.com/v1");
    expect(r.stdout).toContain("https://api.anthropic.com/v1");
    for (const secret of Object.values(ENV)) expect(r.stdout).not.toContain(secret);
  });

  const cases: [vendor: "openai" | "anthropic", loop: "usage" | "costs", change: Loop, key: string][] = [
    // openai.md §3.2 and §5.6
    ["openai", "usage", { settings: { bucket_width: "1d" } }, "settings.bucket_width"],
    ["openai", "usage", { settings: { endpoints: "vector_stores" } }, "settings.endpoints"],
    ["openai", "usage", { settings: { endpoints: "web_search_calls" } }, "settings.endpoints"],
    ["openai", "usage", { settings: { endpoints: "chat" } }, "settings.endpoints"],
    ["openai", "usage", { settings: { endpoints: "completions,completions" } }, "settings.endpoints"],
    ["openai", "usage", { settings: { group_by: "user_id" } }, "settings.group_by"],
    ["openai", "usage", { settings: { group_by: "color" } }, "settings.group_by"],
    ["openai", "usage", { settings: { group_by: "project_id" } }, "settings.allow_id_dims"],
    ["openai", "usage", { settings: { allow_id_dims: "model" } }, "settings.allow_id_dims"],
    ["openai", "usage", { settings: { token_types: "input,bogus" } }, "settings.token_types"],
    ["openai", "usage", { settings: { page_buckets: "1441" } }, "settings.page_buckets"],
    ["openai", "usage", { settings: { page_buckets: "many" } }, "settings.page_buckets"],
    ["openai", "usage", { settings: { max_pages: "0" } }, "settings.max_pages"],
    ["openai", "usage", { window: "0s" }, "window"],
    ["openai", "usage", { max_backfill: "15m" }, "max_backfill"],
    ["openai", "usage", { bootstrap_lookback: "10m" }, "bootstrap_lookback"],
    ["openai", "usage", { bootstrap_lookback: "2h" }, "bootstrap_lookback"],
    ["openai", "costs", { window: "50m" }, "settings.lookback_days"],
    ["openai", "costs", { settings: { lookback_days: "31" } }, "settings.lookback_days"],
    ["openai", "costs", { settings: { lookback_days: "-1" } }, "settings.lookback_days"],
    ["openai", "costs", { settings: { group_by: "api_key_id" } }, "settings.allow_id_dims"],
    ["openai", "costs", { settings: { group_by: "model" } }, "settings.group_by"],
    ["openai", "costs", { settings: { emit_month_to_date: "maybe" } }, "settings.emit_month_to_date"],
    ["openai", "costs", { settings: { max_pages: "0" } }, "settings.max_pages"],
    // anthropic.md §4.2, §6.3 and §7
    ["anthropic", "usage", { settings: { group_by: "account_id" } }, "settings.group_by"],
    ["anthropic", "usage", { settings: { group_by: "speed" } }, "settings.group_by"],
    ["anthropic", "usage", { settings: { group_by: "service_account_id" } }, "settings.allow_id_dims"],
    ["anthropic", "usage", { settings: { token_types: "input" } }, "settings.token_types"],
    ["anthropic", "usage", { settings: { bucket_width: "1d" } }, "settings.bucket_width"],
    ["anthropic", "usage", { settings: { bucket_width: "1h", page_buckets: "169" } }, "settings.page_buckets"],
    ["anthropic", "usage", { settings: { max_pages: "-3" } }, "settings.max_pages"],
    ["anthropic", "usage", { window: "0s" }, "window"],
    ["anthropic", "costs", { window: "50m" }, "settings.lookback_days"],
    ["anthropic", "costs", { settings: { lookback_days: "31" } }, "settings.lookback_days"],
    ["anthropic", "costs", { settings: { group_by: "workspace_id" } }, "settings.allow_id_dims"],
    ["anthropic", "costs", { settings: { group_by: "model" } }, "settings.group_by"],
    ["anthropic", "costs", { settings: { emit_month_to_date: "1.0" } }, "settings.emit_month_to_date"],
  ];
  test.each(cases)("%s %s %j is refused, naming %s", async (vendor, loop, change, key) => {
    const r = await validate(config(vendor, loop, change));
    expect(r.code).toBe(1);
    // The loop's own check names it by vendor; the generic timing rules by source instance.
    expect(r.stderr).toMatch(new RegExp(`${vendor} ${loop}|${vendor === "openai" ? "oa" : "an"}/${loop}:`));
    expect(r.stderr).toContain(key);
  });
});
