/**
 * The config file's shape, written once in arktype. Everything else is derived from it:
 * the Go-compatible typed decode of YAML nodes (decode.ts walks its JSON Schema), the
 * committed `config.schema.json` editors use, and the reference page in docs/.
 *
 * Every key is optional: an absent key is the Go zero value, and defaults are applied later
 * (defaults.ts) because the reference defaults a key when it is absent *or* zero. Enumerated
 * strings stay plain strings here so that validate.ts can report them with the reference's
 * exact messages, all at once.
 */
import { type Type, type } from "arktype";
import { DURATION_PATTERN } from "../model/duration.ts";

const duration = (doc: string) => type(new RegExp(DURATION_PATTERN)).describe(doc);
const str = (doc: string) => type("string").describe(doc);
const bool = (doc: string) => type("boolean").describe(doc);
const int = (doc: string) => type("number.integer").describe(doc);
const float = (doc: string) => type("number").describe(doc);
const strList = (doc: string) => type("string[]").describe(doc);

const otlpTarget = type({
  "+": "reject",
  "endpoint?": str(
    "OTLP/HTTP base URL; /v1/metrics and /v1/logs are appended. https:// required unless loopback, or allow_insecure for a token-less private receiver.",
  ),
  "instance_id?": str("Basic-auth user (Grafana Cloud instance ID). Secret: never logged."),
  "token?": str("Basic-auth password (Grafana Cloud access token). Secret: never logged."),
  "allow_insecure?": bool(
    "Default false. Permit cleartext http:// to a private/in-cluster receiver; instance_id and token must then be empty.",
  ),
});

const telemetry = type({
  "+": "reject",
  "otlp?": otlpTarget.describe("Product telemetry target."),
  "metric_interval?": duration("Must be 0/absent: the product plane is paced by loop cadence (1 DPM)."),
});

const self = type({
  "+": "reject",
  "otlp?": otlpTarget.describe("Self-telemetry target; required when emit.self is present."),
  "metric_interval?": duration("Self-metric export interval. Default 60s; if set, at least 60s / governance.max_dpm."),
});

const dynamodb = type({
  "+": "reject",
  "table?": str("Required when coordinator or checkpoint is dynamodb."),
  "region?": str("AWS region; empty uses the SDK default (AWS_REGION)."),
  "endpoint?": str("DynamoDB endpoint override (dynamodb-local, VPC endpoint)."),
  "lock_name?": str("Default genai-otel-bridge-leader (dynamodb only)."),
  "key_prefix?": str("Prefix for item keys."),
  "lease_duration?": duration("Default 15s (dynamodb only); must be > renew_deadline."),
  "renew_deadline?": duration("Default 10s (dynamodb only); must be > retry_period."),
  "retry_period?": duration("Default 2s (dynamodb only); must be > 0 and < renew_deadline."),
});

export const loopSchema = type({
  "+": "reject",
  "enabled?": bool("Default false: a loop runs only when enabled: true."),
  "cadence?": duration("Poll period. Default 60s when absent; at least 10s."),
  "window?": duration(
    "Look-back per poll for time-bucketed loops (0 = snapshot loop). At most 55m and at least cadence×1.2 + bucket_settle.",
  ),
  "bucket_settle?": duration("Age after which a bucket is final. 0 or absent ⇒ 10m."),
  "bootstrap_lookback?": duration(
    "First-run look-back. Default 50m when absent on a windowed loop; at most max_backfill.",
  ),
  "max_backfill?": duration("Oldest data a catch-up may still emit. Default 90m when absent on a windowed loop."),
  "metric_prefix?": str("Metric name prefix; empty uses the loop's default (see Source types)."),
  "graphs?": strList("Graphs a graph-polling loop requests (see Source types for each loop's values and default)."),
  "settings?": type({ "[string]": "string" }).describe(
    "Source-specific knobs (strings). Unknown keys warn; malformed known keys fail start-up.",
  ),
});

const useCase = type({
  "+": "reject",
  "label?": str("Use-case label (becomes the api_key_use_case metric label)."),
  "api_key_ids?": strList("API key IDs counted under this use case."),
});

export const sourceSchema = type({
  "+": "reject",
  "type?": str("Source type (see Source types). Absent: the first type listed there."),
  "enabled?": bool("Default false: a source is polled only when enabled: true."),
  "base_url?": str(
    "Vendor API base URL. Default per type (see Source types). https:// unless loopback or http.allow_private.",
  ),
  "source_instance?": str("Required, unique, no '/'. Part of every checkpoint key and the source label."),
  "auth?": type({
    "+": "reject",
    "header?": str("Auth header name, e.g. x-api-key. Required."),
    "value?": str("Auth header value (API key). Required. Secret: never logged."),
  }).describe("Vendor API credentials."),
  "rate_limit?": type({
    "+": "reject",
    "rps?": float("Requests per second (token bucket). 0 or absent ⇒ 1; must be > 0."),
    "burst?": int("Bucket size. 0 or absent ⇒ 3; must be ≥ 1."),
  }).describe("Client-side rate limit: one token per HTTP request."),
  "http?": type({
    "+": "reject",
    "user_agent?": str("User-Agent; empty uses genai-otel-bridge/<version>."),
    "allow_hosts?": strList("If non-empty, every request and redirect host must be listed."),
    "allow_private?": bool("Default false. Permit private/loopback addresses and plaintext base_url."),
  }).describe("Outbound HTTP policy."),
  "loops?": type({ "[string]": loopSchema }).describe(
    "Loops by name; each source type has its own (see Source types).",
  ),
  "api_key_use_cases?": useCase.array().describe("Split metrics by groups of API keys (source types that support it)."),
});

export const configSchema = type({
  "+": "reject",
  "emit?": type({
    "+": "reject",
    "telemetry?": telemetry.describe("Product plane: metrics and logs derived from vendor data."),
    "self?": self.or("null").describe("Self plane target; absent or null reuses emit.telemetry.otlp."),
  }).describe("Where telemetry is sent."),
  "identity?": type({
    "+": "reject",
    "service_namespace?": str("Resource attribute service.namespace (self plane: <value>-meta)."),
    "deployment_environment?": str("Resource attribute deployment.environment.name."),
  }).describe("Resource identity of emitted telemetry."),
  "ha?": type({
    "+": "reject",
    "coordinator?": str(
      "lease | none | dynamodb. Absent: none with a file checkpoint (or matching the checkpoint backend).",
    ),
    "checkpoint?": str(
      "configmap | file | dynamodb. Absent: matches the coordinator (lease ⇒ configmap, none ⇒ file).",
    ),
    "dynamodb?": dynamodb.describe("DynamoDB backend settings."),
  }).describe("Leader election and watermark storage."),
  "queue?": type({
    "+": "reject",
    "max_batches?": int("Per-loop queue depth. 0 ⇒ 256."),
    "max_batch_bytes?": int("Proactive split threshold in bytes. 0 ⇒ 1048576; negative disables."),
    "emit_workers?": int("Must be 1. Default 1 when absent."),
  }).describe("Per-loop emit queue."),
  "governance?": type({
    "+": "reject",
    "per_metric_cardinality_budget?": int("Distinct label sets per metric. 0 ⇒ 10000."),
    "max_dpm?": int("Data points per series per minute. 0 ⇒ 1."),
    "max_catchup_per_tick?": int("Extra catch-up windows per tick. 0 ⇒ 1."),
    "max_stream_label_keys?": int("Loki stream-label budget per logs loop. 0 ⇒ 15."),
    "allow_label_keys?": strList("Extra label keys to allow; content-floor keys are refused."),
  }).describe("Label allow-list, cardinality and rate guards."),
  "log?": type({
    "+": "reject",
    "format?": str("logfmt | json. Empty ⇒ logfmt."),
    "level?": str("debug | info | warn | error. Empty ⇒ info."),
  }).describe("The bridge's own stdout log."),
  "selfobs?": type({
    "+": "reject",
    "profiling?": type({
      "+": "reject",
      "enabled?": bool("Default false. This build cannot profile: true fails start-up."),
      "mode?": str("pull | push. Empty ⇒ pull."),
      "pull?": type({ "+": "reject", "addr?": str("Pull listen address. Default :6060.") }),
      "push?": type({
        "+": "reject",
        "endpoint?": str("Push endpoint (https:// or loopback)."),
        "instance_id?": str("Push user. Secret."),
        "token?": str("Push token. Secret."),
      }),
    }).describe("Continuous profiling."),
    "tracing?": type({ "+": "reject", "enabled?": bool("Default false.") }).describe("Self tracing."),
  }).describe("Self-observability."),
  "sources?": sourceSchema.array().describe("Vendor sources to poll."),
});

export type FileConfig = typeof configSchema.infer;
export type FileSource = typeof sourceSchema.infer;
export type FileLoop = typeof loopSchema.infer;

/** The JSON Schema editors use (`config.schema.json`). */
export function configJsonSchema(): Record<string, unknown> {
  const js = (configSchema as Type).toJsonSchema() as Record<string, unknown>;
  return {
    $schema: js.$schema,
    title: "genai-otel-bridge configuration",
    ...js,
  };
}
