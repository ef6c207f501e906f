/** The resolved, defaulted configuration every other module reads. Durations are nanoseconds. */
import type { Duration } from "../model/duration.ts";

export interface OtlpTarget {
  endpoint: string;
  instance_id: string;
  token: string;
  allow_insecure: boolean;
}

export interface LoopConfig {
  enabled: boolean;
  cadence: Duration;
  window: Duration;
  bucket_settle: Duration;
  bootstrap_lookback: Duration;
  max_backfill: Duration;
  metric_prefix: string;
  graphs: string[];
  settings: Record<string, string>;
}

export interface SourceConfig {
  type: string;
  enabled: boolean;
  base_url: string;
  source_instance: string;
  auth: { header: string; value: string };
  rate_limit: { rps: number; burst: number };
  http: { user_agent: string; allow_hosts: string[]; allow_private: boolean };
  /** In document order. */
  loops: Record<string, LoopConfig>;
  api_key_use_cases: { label: string; api_key_ids: string[] }[];
}

export interface Config {
  emit: {
    telemetry: { otlp: OtlpTarget; metric_interval: Duration };
    /** Absent ⇒ the self plane reuses emit.telemetry.otlp. */
    self?: { otlp: OtlpTarget; metric_interval: Duration };
  };
  identity: { service_namespace: string; deployment_environment: string };
  ha: {
    coordinator: string;
    checkpoint: string;
    dynamodb: {
      table: string;
      region: string;
      endpoint: string;
      lock_name: string;
      key_prefix: string;
      lease_duration: Duration;
      renew_deadline: Duration;
      retry_period: Duration;
    };
  };
  queue: { max_batches: number; max_batch_bytes: number; emit_workers: number };
  governance: {
    per_metric_cardinality_budget: number;
    max_dpm: number;
    max_catchup_per_tick: number;
    max_stream_label_keys: number;
    allow_label_keys: string[];
  };
  log: { format: string; level: string };
  selfobs: {
    profiling: {
      enabled: boolean;
      mode: string;
      pull: { addr: string };
      push: { endpoint: string; instance_id: string; token: string };
    };
    tracing: { enabled: boolean };
  };
  sources: SourceConfig[];
}

/** A default this build applied where the reference binary would have refused the config. */
export interface AppliedDefault {
  path: string;
  value: string;
}
