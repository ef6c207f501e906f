/**
 * Portkey source descriptor (portkey.md §1, §3): defaults, declared label keys and the
 * constructor checks of its three loops. Loop runtimes attach to the plans in later work.
 */
import { formatDuration, HOUR, MINUTE } from "../../config/duration.ts";
import type { LoopConfig, SourceConfig } from "../../config/types.ts";
import { FLOOR_EXACT } from "../../governance/content-floor.ts";
import { fingerprint, keyString } from "../../model/checkpoint-key.ts";
import { HttpClient } from "../../net/client.ts";
import type { LoopDeps } from "../loop.ts";
import { csv, SettingsReader } from "../settings.ts";
import type { LoopPlan, SourceDescriptor } from "../types.ts";
import { AnalyticsLoop } from "./analytics/loop.ts";
import { portkeyExample } from "./example.ts";
import { ScopeProbe } from "./scope.ts";
import { resolveUseCases } from "./use-cases.ts";

export const GRAPH_SUFFIX: Record<string, string> = {
  cost: "cost_usd",
  errors: "errors",
  latency: "latency_seconds",
  requests: "requests",
  tokens: "tokens",
  users: "users",
};
export const DEFAULT_GRAPHS = ["requests", "cost", "tokens", "latency", "errors"];
export const DEFAULT_PREFIX = "portkey_api";
const LOGS_BASE_INDEXED = ["ai_org", "ai_model", "response_status_code"];
/** Vendor fields that carry content; never requested, recorded or indexed. */
const LOGS_HARD_DENY = new Set([...FLOOR_EXACT, "prompt"]);

function analytics(inst: string, l: LoopConfig, warn: Warn): LoopPlan {
  const where = "portkey: analytics";
  if (!(l.window > 0)) {
    throw new Error(`${where} loop requires a positive window (time-bucketed source); got ${formatDuration(l.window)}`);
  }
  if (!(l.bootstrap_lookback > l.bucket_settle)) {
    throw new Error(
      `${where}: bootstrap_lookback ${formatDuration(l.bootstrap_lookback)} must be > bucket_settle ${formatDuration(l.bucket_settle)}`,
    );
  }
  if (!(l.max_backfill > l.bucket_settle)) {
    throw new Error(
      `${where}: max_backfill ${formatDuration(l.max_backfill)} must be > bucket_settle ${formatDuration(l.bucket_settle)}`,
    );
  }
  if (l.graphs.length === 0) throw new Error(`${where} loop enabled but no graphs configured`);
  for (const g of l.graphs) {
    if (GRAPH_SUFFIX[g] === undefined) {
      throw new Error(
        `${where}: unknown graph ${JSON.stringify(g)} (supported: cost,errors,latency,requests,tokens,users)`,
      );
    }
  }
  const r = new SettingsReader(where, l.settings);
  r.csv("api_key_ids");
  r.raw("expected_workspace");
  r.done();
  warnUnknown(r, "analytics", warn);
  const prefix = l.metric_prefix || DEFAULT_PREFIX;
  const series = [...new Set(l.graphs)].map((g) => `${prefix}_${GRAPH_SUFFIX[g]}`);
  return { name: "analytics", series, ...key(inst, "analytics", series, `prefix=${prefix}`) };
}

function groups(inst: string, l: LoopConfig, warn: Warn): LoopPlan {
  const where = "portkey groups";
  if (l.window !== 0) {
    throw new Error(
      `${where}: window must be 0 (snapshot loop; the span is settings.window_span); got ${formatDuration(l.window)}`,
    );
  }
  const r = new SettingsReader(where, l.settings);
  const span = r.duration("window_span", HOUR);
  const settle = r.duration("settle", 10 * MINUTE);
  r.check(span > 0, "settings.window_span must be > 0");
  r.check(settle >= 0, "settings.settle must be >= 0");
  r.check(r.int("page_size", 1000) > 0, "settings.page_size must be > 0");
  r.check(r.int("max_groups", 10000) > 0, "settings.max_groups must be > 0");
  const metadataKeys = r.csv("metadata_keys");
  const emitCost = r.bool("emit_cost", true);
  const emitPrompts = r.bool("emit_prompts", true);
  r.raw("expected_workspace");
  r.csv("api_key_ids");
  r.check(
    settle < span,
    `settings.settle ${formatDuration(settle)} must be < settings.window_span ${formatDuration(span)}`,
  );
  r.done();
  warnUnknown(r, "groups", warn);
  const prefix = l.metric_prefix || DEFAULT_PREFIX;
  const names = ["requests_by_model"];
  if (emitCost) names.push("cost_usd_by_model");
  if (metadataKeys.length > 0) {
    names.push("requests_by_metadata");
    if (emitCost) names.push("cost_usd_by_metadata");
  }
  if (emitPrompts) names.push("requests_by_prompt");
  const series = names.map((n) => `${prefix}_${n}`);
  return { name: "groups", series, ...key(inst, "groups", series, `prefix=${prefix}`) };
}

function logsExport(inst: string, l: LoopConfig, slugs: string[], warn: Warn): LoopPlan[] {
  const where = "portkey logs_export";
  if (l.window !== 0) {
    throw new Error(
      `${where}: window must be 0/unset (the export span is settings.window); got ${formatDuration(l.window)}`,
    );
  }
  const r = new SettingsReader(where, l.settings);
  const ws = r.raw("workspace_id");
  r.check(ws !== undefined && ws !== "", "settings.workspace_id is required");
  r.check(r.csv("signed_url_allow_hosts").length > 0, "settings.signed_url_allow_hosts is required");
  r.check(r.duration("window", HOUR) > 0, "settings.window must be > 0");
  r.check(r.duration("settle", 10 * MINUTE) >= 0, "settings.settle must be >= 0");
  r.check(r.duration("max_backfill", 24 * HOUR) > 0, "settings.max_backfill must be > 0");
  const pageSize = r.int("page_size", 50000);
  r.check(pageSize > 0 && pageSize <= 50000, "settings.page_size must be > 0 and <= 50000");
  r.check(r.int("max_pages_per_window", 50) > 0, "settings.max_pages_per_window must be > 0");
  r.check(r.int("chunk_max_records", 5000) > 0, "settings.chunk_max_records must be > 0");
  r.check(r.duration("job_poll_timeout", 30 * MINUTE) > 0, "settings.job_poll_timeout must be > 0");
  r.check(r.duration("download_timeout", 5 * MINUTE) > 0, "settings.download_timeout must be > 0");
  for (const f of r.csv("requested_data")) {
    r.check(
      !["prompt", "request", "response", "messages", "inputs", "outputs", "metadata", "portkeyHeaders"].includes(f),
      `settings.requested_data cannot include ${JSON.stringify(f)} — content is never requested`,
    );
  }
  for (const k of ["extra_record_fields", "extra_indexed_fields", "metadata_record_fields"]) {
    for (const f of r.csv(k)) {
      r.check(
        !LOGS_HARD_DENY.has(f),
        `${k} cannot include ${JSON.stringify(f)} — it is a hard-denied content/PII field (the guard would drop the whole record or it would leak)`,
      );
    }
  }
  const mt = r.raw("metadata_trace_id_field") ?? "";
  const tf = r.raw("trace_id_field") ?? "";
  r.check(!mt.includes(","), "settings.metadata_trace_id_field must not contain ','");
  r.check(!tf.includes(","), "settings.trace_id_field must not contain ','");
  r.check(
    mt === "" || tf === "",
    "settings.trace_id_field and settings.metadata_trace_id_field are mutually exclusive",
  );
  r.done();
  warnUnknown(r, "logs_export", warn);
  const extra = r.csv("extra_indexed_fields");
  if (extra.length > 0)
    warn("extra_indexed_fields raise Loki stream cardinality", { loop: "logs_export", source: inst });
  const indexed = [...new Set([...LOGS_BASE_INDEXED, ...extra])].sort();
  const namings = slugs.length === 0 ? ["logs_export"] : slugs.map((s) => `logs_export,api_key_use_case=${s}`);
  return namings.map((naming) => ({
    name: "logs_export",
    series: [],
    indexedKeys: indexed,
    ...key(inst, "logs_export", indexed, naming),
  }));
}

type Warn = (msg: string, attrs?: Record<string, unknown>) => void;

function warnUnknown(r: SettingsReader, loop: string, warn: Warn): void {
  for (const k of r.unknown()) warn("unknown settings key ignored", { loop, key: k });
}

function key(inst: string, loop: string, names: string[], naming: string): Pick<LoopPlan, "key" | "checkpointKey"> {
  const k = { sourceInstance: inst, loop, fingerprint: fingerprint(names, naming) };
  return { key: k, checkpointKey: keyString(k) };
}

export const portkey: SourceDescriptor = {
  type: "portkey",
  defaultBaseUrl: "https://api.portkey.ai/v1",
  loopNames: ["analytics", "groups", "logs_export"],
  example: portkeyExample,
  labelKeys: [
    "quantile",
    "token_type",
    "ai_model",
    "ai_org",
    "response_status_code",
    "metadata_key",
    "metadata_value",
    "prompt",
    "api_key_use_case",
  ],
  loopDefaults(loop) {
    if (loop !== "analytics") return {};
    return { window: 50 * MINUTE, bootstrap_lookback: 50 * MINUTE, max_backfill: 90 * MINUTE, graphs: DEFAULT_GRAPHS };
  },
  createLoops(s: SourceConfig, plans: LoopPlan[], deps: LoopDeps) {
    const client = new HttpClient({
      baseUrl: s.base_url,
      authHeader: s.auth.header,
      authValue: s.auth.value,
      userAgent: s.http.user_agent || deps.userAgent,
      rps: s.rate_limit.rps,
      burst: s.rate_limit.burst,
      allowPrivate: s.http.allow_private,
      allowHosts: s.http.allow_hosts,
      fetch: deps.fetch,
      resolve: deps.resolve,
      observer: deps.hooks.upstreamRequest,
    });
    const useCases = resolveUseCases(s);
    return plans.map((p) => {
      const l = s.loops[p.name];
      if (p.name !== "analytics" || !l) {
        throw new Error(
          `source ${JSON.stringify(s.source_instance)}: loop ${JSON.stringify(p.name)} is not available in this build yet`,
        );
      }
      const passes =
        useCases.length > 0
          ? useCases.map((u) => ({ slug: u.slug, apiKeyIds: u.apiKeyIds }))
          : [{ slug: "", apiKeyIds: csv(l.settings.api_key_ids) }];
      const scope = new ScopeProbe(
        client,
        (l.settings.expected_workspace ?? "").trim(),
        "analytics",
        s.source_instance,
        deps.hooks,
        deps.warn,
      );
      return new AnalyticsLoop(
        {
          key: p.key,
          sourceInstance: s.source_instance,
          loop: l,
          prefix: l.metric_prefix || DEFAULT_PREFIX,
          graphs: [...new Set(l.graphs)],
          passes,
        },
        client,
        scope,
        deps,
      );
    });
  },
  plan(s: SourceConfig, warn: Warn): LoopPlan[] {
    const useCases = resolveUseCases(s);
    const plans: LoopPlan[] = [];
    const a = s.loops.analytics;
    if (a?.enabled) plans.push(analytics(s.source_instance, a, warn));
    const g = s.loops.groups;
    if (g?.enabled) plans.push(groups(s.source_instance, g, warn));
    const le = s.loops.logs_export;
    if (le?.enabled)
      plans.push(
        ...logsExport(
          s.source_instance,
          le,
          useCases.map((u) => u.slug),
          warn,
        ),
      );
    return plans;
  },
};
