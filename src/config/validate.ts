/**
 * Config validation: every rule, every failure collected in the reference's
 * order and wording. Secret fields (auth.value, tokens, instance IDs) are never echoed.
 */
import { formatDuration, MINUTE, SECOND } from "../model/duration.ts";
import type { Config, LoopConfig } from "./types.ts";
import { baseUrlOk, emitGate, insecure, loopback } from "./urlgate.ts";

const q = (s: string) => JSON.stringify(s);
const MAX_WINDOW = 55 * MINUTE;
const CADENCE_FLOOR = 10 * SECOND;
/** One token per 2,000,000 s, within the longest wait a timer can express (2^31 − 1 ms). */
export const MIN_RPS = 0.0000005;

function governance(c: Config, out: string[]): void {
  const g = c.governance;
  const rows: [string, number, number][] = [
    ["per_metric_cardinality_budget", g.per_metric_cardinality_budget, 10000],
    ["max_dpm", g.max_dpm, 1],
    ["max_catchup_per_tick", g.max_catchup_per_tick, 1],
    ["max_stream_label_keys", g.max_stream_label_keys, 15],
  ];
  for (const [k, v, d] of rows) {
    if (v < 0) out.push(`governance.${k} must be >= 0 (0 ⇒ default ${d}), got ${v}`);
  }
}

function ha(c: Config, out: string[]): void {
  const { coordinator, checkpoint, dynamodb: d } = c.ha;
  if (!["lease", "none", "dynamodb"].includes(coordinator)) {
    out.push(`ha.coordinator must be lease|none|dynamodb, got ${q(coordinator)}`);
  }
  if (!["configmap", "file", "dynamodb"].includes(checkpoint)) {
    out.push(`ha.checkpoint must be configmap|file|dynamodb, got ${q(checkpoint)}`);
  }
  if (coordinator === "lease" && checkpoint === "file") {
    out.push(
      "ha.checkpoint=file is unsafe with ha.coordinator=lease (per-pod, not shared across replicas → restart loses the watermark; use configmap)",
    );
  }
  if (coordinator === "dynamodb" && checkpoint !== "dynamodb") {
    out.push("ha.coordinator=dynamodb requires ha.checkpoint=dynamodb (they share the table)");
  }
  if ((coordinator === "dynamodb" || checkpoint === "dynamodb") && d.table === "") {
    out.push("ha.dynamodb.table is required when coordinator|checkpoint is dynamodb");
  }
  if (coordinator === "dynamodb") {
    if (d.lease_duration < 0 || d.renew_deadline < 0 || d.retry_period < 0) {
      out.push("ha.dynamodb.lease_duration/renew_deadline/retry_period must each be >= 0");
    }
    if (d.lease_duration <= d.renew_deadline) out.push("ha.dynamodb.lease_duration must be > renew_deadline");
    if (d.retry_period <= 0) out.push("ha.dynamodb.retry_period must be > 0");
    if (d.retry_period >= d.renew_deadline) {
      out.push(
        "ha.dynamodb.retry_period must be < renew_deadline (retry_period is the renew cadence; retry >= renew lets the lock expire between renews → recurring split-brain)",
      );
    }
  }
}

function selfobs(c: Config, out: string[]): void {
  const p = c.selfobs.profiling;
  if (!p.enabled) return;
  const pushSet = p.push.endpoint !== "" || p.push.instance_id !== "" || p.push.token !== "";
  if (p.mode === "pull") {
    if (pushSet) out.push("selfobs.profiling.push.* set but mode is pull — remove the push block or set mode: push");
  } else if (p.mode === "push") {
    if (p.push.endpoint === "") out.push("selfobs.profiling.push.endpoint required when mode: push");
    else if (insecure(p.push.endpoint) && !loopback(p.push.endpoint)) {
      out.push(`selfobs.profiling.push.endpoint must be https:// (got ${q(p.push.endpoint)}) — cleartext credentials`);
    }
    if (p.push.instance_id === "" || p.push.token === "") {
      out.push("selfobs.profiling.push.instance_id and token required when mode: push");
    }
    if (p.pull.addr !== "") out.push("selfobs.profiling.pull.addr set but mode is push — remove it or set mode: pull");
  } else {
    out.push(`selfobs.profiling.mode must be pull|push (empty ⇒ pull), got ${q(p.mode)}`);
  }
}

function loopRules(prefix: string, l: LoopConfig, out: string[]): void {
  const fields: [string, number][] = [
    ["cadence", l.cadence],
    ["window", l.window],
    ["bucket_settle", l.bucket_settle],
    ["bootstrap_lookback", l.bootstrap_lookback],
    ["max_backfill", l.max_backfill],
  ];
  for (const [k, v] of fields) {
    if (v < 0) out.push(`${prefix}: ${k} must be >= 0, got ${formatDuration(v)}`);
  }
  if (l.cadence < CADENCE_FLOOR) out.push(`${prefix}: cadence ${formatDuration(l.cadence)} < floor 10s`);
  if (l.window === 0) return;
  if (l.window > MAX_WINDOW) {
    out.push(`${prefix}: window ${formatDuration(l.window)} > 55m0s (would flip bucket granularity, H5)`);
  }
  // Worst gap between two ±10 %-jittered ticks plus the settle age, in integer nanoseconds.
  const lower = Math.floor((l.cadence * 6) / 5) + l.bucket_settle;
  if (l.window < lower) {
    out.push(
      `${prefix}: window ${formatDuration(l.window)} < cadence*(1+2·jitter)+settle ${formatDuration(lower)} (uncovered time after settle, M3)`,
    );
  }
  if (l.max_backfill > 0 && l.bootstrap_lookback > l.max_backfill) {
    out.push(
      `${prefix}: bootstrap_lookback ${formatDuration(l.bootstrap_lookback)} > max_backfill ${formatDuration(l.max_backfill)} (first-run would skip storable data)`,
    );
  }
}

/** All validation failures, in order; empty when the config is valid. */
export function validateConfig(c: Config, knownTypes: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const tel = c.emit.telemetry;
  if (tel.otlp.endpoint === "") out.push("emit.telemetry.otlp.endpoint required");
  if (c.queue.emit_workers !== 1) {
    out.push(`queue.emit_workers must be 1 (per-loop single-flight emit, C3); got ${c.queue.emit_workers}`);
  }
  governance(c, out);
  if (!["", "logfmt", "json"].includes(c.log.format)) {
    out.push(`log.format must be logfmt|json (empty ⇒ logfmt), got ${q(c.log.format)}`);
  }
  if (!["", "debug", "info", "warn", "error"].includes(c.log.level)) {
    out.push(`log.level must be debug|info|warn|error (empty ⇒ info), got ${q(c.log.level)}`);
  }
  ha(c, out);
  out.push(...emitGate("emit.telemetry.otlp", tel.otlp));
  if (tel.metric_interval !== 0) {
    out.push(
      "emit.telemetry.metric_interval is not honoured (the product plane's export rate is gated by the per-loop bucket cadence, 1DPM) — set the self-telemetry export period under emit.self.metric_interval instead",
    );
  }
  const self = c.emit.self;
  if (self) {
    if (self.otlp.endpoint === "") {
      out.push(
        "emit.self.otlp.endpoint is required when the emit.self block is present (remove emit.self to fall back to emit.telemetry)",
      );
    }
    out.push(...emitGate("emit.self.otlp", self.otlp));
    const dpm = Math.max(1, c.governance.max_dpm);
    const floor = Math.trunc((60 * SECOND) / dpm);
    if (self.metric_interval !== 0 && self.metric_interval < floor) {
      out.push(
        `emit.self.metric_interval ${formatDuration(self.metric_interval)} < ${formatDuration(floor)} violates the configured ${c.governance.max_dpm}-DPM emission constraint`,
      );
    }
  }
  selfobs(c, out);

  const seen = new Set<string>();
  for (const s of c.sources) {
    if (!s.enabled) continue;
    if (!knownTypes.has(s.type)) out.push(`unknown source type ${q(s.type)}`);
    if (s.source_instance === "") out.push(`source ${q(s.type)}: source_instance required (part of CheckpointKey)`);
    if (seen.has(s.source_instance)) out.push(`duplicate source_instance ${q(s.source_instance)}`);
    seen.add(s.source_instance);
    if (s.source_instance.includes("/")) {
      out.push(`source_instance ${q(s.source_instance)} must not contain '/' (CheckpointKey delimiter)`);
    }
    const name = q(s.source_instance);
    if (!baseUrlOk(s.base_url, s.http.allow_private)) {
      out.push(
        `source ${name}: base_url must be a non-empty https:// URL (or set http.allow_private for an in-VPC plaintext host); got ${q(s.base_url)}`,
      );
    }
    if (s.auth.header === "" || s.auth.value === "")
      out.push(`source ${name}: auth.header and auth.value are required`);
    if (!(s.rate_limit.rps > 0)) {
      out.push(
        `source ${name}: rate_limit.rps must be > 0 (unset ⇒ default 1 applied in Load), got ${s.rate_limit.rps}`,
      );
    } else if (s.rate_limit.rps < MIN_RPS) {
      // Below this the wait for one token no longer fits a timer: the loop would never send.
      out.push(
        `source ${name}: rate_limit.rps must be >= 0.0000005 (one request per ~23 days; smaller never issues a request), got ${s.rate_limit.rps}`,
      );
    }
    if (s.rate_limit.burst < 1) {
      out.push(
        `source ${name}: rate_limit.burst must be >= 1 (burst 0 fails every request; unset ⇒ default 3 applied in Load), got ${s.rate_limit.burst}`,
      );
    }
    for (const [loopName, l] of Object.entries(s.loops)) {
      if (l.enabled) loopRules(`${s.source_instance}/${loopName}`, l, out);
    }
  }
  return out;
}
