/** Fixture B (a full Go-compatible config) and helpers to load, validate and build it in-process. */

import { type } from "arktype";
import { planBuild } from "../../src/app/plan.ts";
import { loadConfigText, parseConfigText } from "../../src/config/load.ts";
import { configSchema } from "../../src/config/schema.ts";
import type { Config } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { registry } from "../../src/sources/registry.ts";

export const B = `emit:
  telemetry:
    otlp:
      endpoint: \${GC_OTLP_ENDPOINT}
      instance_id: \${GC_INSTANCE_ID}
      token: \${GC_OTLP_TOKEN}
identity:
  service_namespace: genai-otel-bridge
  deployment_environment: \${ENV}
ha:
  coordinator: lease
  checkpoint: configmap
queue:
  max_batches: 256
  max_batch_bytes: 1048576
  emit_workers: 1
sources:
  - type: portkey
    enabled: true
    base_url: https://api.portkey.ai/v1
    source_instance: portkey-\${ENV}
    auth: { header: x-portkey-api-key, value: \${PORTKEY_API_KEY} }
    rate_limit: { rps: 1, burst: 3 }
    loops:
      analytics:
        enabled: true
        cadence: 60s
        window: 50m
        bucket_settle: 3m
        bootstrap_lookback: 50m
        max_backfill: 55m
        metric_prefix: portkey_api
        graphs: [requests, cost, tokens, latency, errors]
`;

export const ENV_B: Record<string, string> = {
  GC_OTLP_ENDPOINT: "https://otlp.example",
  GC_INSTANCE_ID: "123",
  GC_OTLP_TOKEN: "tok",
  ENV: "dev",
  PORTKEY_API_KEY: "pk",
};

/** Replace exactly one occurrence of `from` (fails loudly if absent, so a test cannot rot). */
export function edit(text: string, from: string, to: string): string {
  const i = text.indexOf(from);
  if (i < 0) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

/** Remove the line(s) containing `needle`. */
export function dropLine(text: string, needle: string): string {
  const lines = text.split("\n");
  const kept = lines.filter((l) => !l.includes(needle));
  if (kept.length === lines.length) throw new Error(`fixture drop: ${JSON.stringify(needle)} not found`);
  return kept.join("\n");
}

export function load(text: string, env: Record<string, string | undefined> = ENV_B): Config {
  const loaded = loadConfigText(text, env, registry).config;
  // The drift guard the running bridge no longer pays for: arktype itself accepts every file
  // the decode (driven by the committed JSON Schema) accepted.
  const checked = configSchema(parseConfigText(text, env));
  if (checked instanceof type.errors) throw new Error(`arktype and the decode disagree: ${checked.summary}`);
  return loaded;
}

/** Load error text, or "" when loading succeeded. */
export function loadError(text: string, env: Record<string, string | undefined> = ENV_B): string {
  try {
    load(text, env);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

export function validate(text: string, env: Record<string, string | undefined> = ENV_B): string[] {
  return validateConfig(load(text, env), registry.types());
}

/** Build-phase error text ("" when the build plan succeeds); validation must pass first. */
export function buildError(text: string, env: Record<string, string | undefined> = ENV_B): string {
  const c = load(text, env);
  const v = validateConfig(c, registry.types());
  if (v.length > 0) throw new Error(`expected valid config, got: ${v.join("; ")}`);
  try {
    planBuild(c, registry, () => {});
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}
