/**
 * Load-time defaulting, plus this build's absent-key defaults.
 *
 * Two layers, kept apart on purpose:
 *  1. The reference's defaults, applied when a value is zero *or* absent (rps 1, burst 3,
 *     bucket_settle 10m, governance and queue sizes, profiling mode/addr, dynamodb timings).
 *  2. Keys whose *absence* makes the reference binary refuse a config its own quickstart
 *     documents: those get the documented default instead (emit_workers 1, ha none+file,
 *     the default source type, base_url, cadence 60s, and the source's windowed-loop defaults). An
 *     explicit zero keeps the reference meaning. Each one is reported as an AppliedDefault.
 */
import { type Duration, formatDuration, parseDuration, SECOND } from "../model/duration.ts";
import type { FileConfig, FileLoop, FileSource } from "./schema.ts";
import type { AppliedDefault, Config, LoopConfig, OtlpTarget, SourceConfig } from "./types.ts";

/** What a source type contributes to defaulting; supplied by the source registry. */
export interface SourceDefaults {
  defaultBaseUrl: string;
  loopDefaults(
    loop: string,
  ): Partial<Pick<LoopConfig, "cadence" | "window" | "bootstrap_lookback" | "max_backfill" | "graphs">>;
}

/** The source types the loader knows, and the one an absent `type` means. */
export interface SourceTypes {
  lookup(type: string): SourceDefaults | undefined;
  readonly defaultType: string;
}

export const DEFAULT_CADENCE: Duration = 60 * SECOND;

const dur = (s: string | undefined): Duration => (s === undefined ? 0 : parseDuration(s));
const orZero = (n: number | undefined, d: number): number => (n === undefined || n === 0 ? d : n);

function otlp(t: { endpoint?: string; instance_id?: string; token?: string; allow_insecure?: boolean } | undefined) {
  const o: OtlpTarget = {
    endpoint: t?.endpoint ?? "",
    instance_id: t?.instance_id ?? "",
    token: t?.token ?? "",
    allow_insecure: t?.allow_insecure ?? false,
  };
  return o;
}

function haPair(coordinator: string | undefined, checkpoint: string | undefined): [string, string] {
  const fromCheckpoint: Record<string, string> = { configmap: "lease", file: "none", dynamodb: "dynamodb" };
  const fromCoordinator: Record<string, string> = { lease: "configmap", none: "file", dynamodb: "dynamodb" };
  if (coordinator === undefined && checkpoint === undefined) return ["none", "file"];
  if (coordinator === undefined) return [fromCheckpoint[checkpoint ?? ""] ?? "", checkpoint ?? ""];
  if (checkpoint === undefined) return [coordinator, fromCoordinator[coordinator] ?? ""];
  return [coordinator, checkpoint];
}

function loop(
  f: FileLoop,
  at: string,
  defaults: ReturnType<SourceDefaults["loopDefaults"]>,
  applied: AppliedDefault[],
): LoopConfig {
  const l: LoopConfig = {
    enabled: f.enabled ?? false,
    cadence: dur(f.cadence),
    window: dur(f.window),
    bucket_settle: orZero(dur(f.bucket_settle), 600 * SECOND),
    bootstrap_lookback: dur(f.bootstrap_lookback),
    max_backfill: dur(f.max_backfill),
    metric_prefix: f.metric_prefix ?? "",
    graphs: f.graphs ?? [],
    settings: f.settings ?? {},
  };
  const note = (key: string, value: string) => applied.push({ path: `${at}.${key}`, value });
  if (f.cadence === undefined) {
    l.cadence = defaults.cadence ?? DEFAULT_CADENCE;
    note("cadence", formatDuration(l.cadence));
  }
  if (f.window === undefined && defaults.window !== undefined) {
    l.window = defaults.window;
    note("window", formatDuration(defaults.window));
  }
  if (f.bootstrap_lookback === undefined && defaults.bootstrap_lookback !== undefined) {
    l.bootstrap_lookback = defaults.bootstrap_lookback;
    note("bootstrap_lookback", formatDuration(defaults.bootstrap_lookback));
  }
  if (f.max_backfill === undefined && defaults.max_backfill !== undefined) {
    l.max_backfill = defaults.max_backfill;
    note("max_backfill", formatDuration(defaults.max_backfill));
  }
  if (f.graphs === undefined && defaults.graphs !== undefined) {
    l.graphs = [...defaults.graphs];
    note("graphs", defaults.graphs.join(","));
  }
  return l;
}

function source(f: FileSource, i: number, types: SourceTypes, applied: AppliedDefault[]): SourceConfig {
  const at = `sources[${i}]`;
  let type = f.type ?? "";
  if (f.type === undefined) {
    type = types.defaultType;
    applied.push({ path: `${at}.type`, value: type });
  }
  const sd = types.lookup(type);
  let baseUrl = f.base_url ?? "";
  if (f.base_url === undefined && sd) {
    baseUrl = sd.defaultBaseUrl;
    applied.push({ path: `${at}.base_url`, value: baseUrl });
  }
  const loops: Record<string, LoopConfig> = {};
  for (const [name, fl] of Object.entries(f.loops ?? {})) {
    loops[name] = loop(fl, `${at}.loops.${name}`, sd?.loopDefaults(name) ?? {}, applied);
  }
  return {
    type,
    enabled: f.enabled ?? false,
    base_url: baseUrl,
    source_instance: f.source_instance ?? "",
    auth: { header: f.auth?.header ?? "", value: f.auth?.value ?? "" },
    rate_limit: { rps: orZero(f.rate_limit?.rps, 1), burst: orZero(f.rate_limit?.burst, 3) },
    http: {
      user_agent: f.http?.user_agent ?? "",
      allow_hosts: f.http?.allow_hosts ?? [],
      allow_private: f.http?.allow_private ?? false,
    },
    loops,
    api_key_use_cases: (f.api_key_use_cases ?? []).map((u) => ({
      label: u.label ?? "",
      api_key_ids: u.api_key_ids ?? [],
    })),
  };
}

export function applyDefaults(f: FileConfig, types: SourceTypes): { config: Config; applied: AppliedDefault[] } {
  const applied: AppliedDefault[] = [];
  const [coordinator, checkpoint] = haPair(f.ha?.coordinator, f.ha?.checkpoint);
  if (f.ha?.coordinator === undefined) applied.push({ path: "ha.coordinator", value: coordinator });
  if (f.ha?.checkpoint === undefined) applied.push({ path: "ha.checkpoint", value: checkpoint });
  const dynamo = coordinator === "dynamodb" || checkpoint === "dynamodb";
  const ddb = f.ha?.dynamodb;
  let emitWorkers = f.queue?.emit_workers ?? 0;
  if (f.queue?.emit_workers === undefined) {
    emitWorkers = 1;
    applied.push({ path: "queue.emit_workers", value: "1" });
  }
  const prof = f.selfobs?.profiling;
  const profEnabled = prof?.enabled ?? false;
  let mode = prof?.mode ?? "";
  let addr = prof?.pull?.addr ?? "";
  if (profEnabled) {
    if (mode === "") mode = "pull";
    if (mode === "pull" && addr === "") addr = ":6060";
  }
  const self = f.emit?.self;
  const config: Config = {
    emit: {
      telemetry: { otlp: otlp(f.emit?.telemetry?.otlp), metric_interval: dur(f.emit?.telemetry?.metric_interval) },
      ...(self ? { self: { otlp: otlp(self.otlp), metric_interval: dur(self.metric_interval) } } : {}),
    },
    identity: {
      service_namespace: f.identity?.service_namespace ?? "",
      deployment_environment: f.identity?.deployment_environment ?? "",
    },
    ha: {
      coordinator,
      checkpoint,
      dynamodb: {
        table: ddb?.table ?? "",
        region: ddb?.region ?? "",
        endpoint: ddb?.endpoint ?? "",
        lock_name: ddb?.lock_name || (dynamo ? "genai-otel-bridge-leader" : ""),
        key_prefix: ddb?.key_prefix ?? "",
        lease_duration: dynamo ? orZero(dur(ddb?.lease_duration), 15 * SECOND) : dur(ddb?.lease_duration),
        renew_deadline: dynamo ? orZero(dur(ddb?.renew_deadline), 10 * SECOND) : dur(ddb?.renew_deadline),
        retry_period: dynamo ? orZero(dur(ddb?.retry_period), 2 * SECOND) : dur(ddb?.retry_period),
      },
    },
    queue: {
      max_batches: orZero(f.queue?.max_batches, 256),
      max_batch_bytes: orZero(f.queue?.max_batch_bytes, 1_048_576),
      emit_workers: emitWorkers,
    },
    governance: {
      per_metric_cardinality_budget: orZero(f.governance?.per_metric_cardinality_budget, 10_000),
      max_dpm: orZero(f.governance?.max_dpm, 1),
      max_catchup_per_tick: orZero(f.governance?.max_catchup_per_tick, 1),
      max_stream_label_keys: orZero(f.governance?.max_stream_label_keys, 15),
      allow_label_keys: f.governance?.allow_label_keys ?? [],
    },
    log: { format: f.log?.format ?? "", level: f.log?.level ?? "" },
    selfobs: {
      profiling: {
        enabled: profEnabled,
        mode,
        pull: { addr },
        push: {
          endpoint: prof?.push?.endpoint ?? "",
          instance_id: prof?.push?.instance_id ?? "",
          token: prof?.push?.token ?? "",
        },
      },
      tracing: { enabled: f.selfobs?.tracing?.enabled ?? false },
    },
    sources: (f.sources ?? []).map((s, i) => source(s, i, types, applied)),
  };
  return { config, applied };
}
