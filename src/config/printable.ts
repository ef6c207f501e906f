/**
 * The resolved config as YAML for `validate`, with every secret shown as `<redacted>`:
 * secret-bearing fields structurally, and any other value holding a registered secret (a
 * `file:` value, say). Durations print in Go syntax.
 */
import { stringify } from "yaml";
import { containsSecret } from "../log/redact.ts";
import { formatDuration } from "../model/duration.ts";
import type { Config } from "./types.ts";

const SECRET_KEYS = new Set(["token", "instance_id", "value"]);
const DURATION_KEYS = new Set([
  "metric_interval",
  "cadence",
  "window",
  "bucket_settle",
  "bootstrap_lookback",
  "max_backfill",
  "lease_duration",
  "renew_deadline",
  "retry_period",
]);

function walk(v: unknown, key: string): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, ""));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
    return out;
  }
  if (typeof v === "number" && DURATION_KEYS.has(key)) return formatDuration(v);
  if (typeof v === "string") {
    if (SECRET_KEYS.has(key) && v !== "") return "<redacted>";
    if (containsSecret(v)) return "<redacted>";
  }
  return v;
}

export function printableConfig(c: Config): string {
  return stringify(walk(c, ""), { lineWidth: 0 });
}
