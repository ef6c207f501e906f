/**
 * `genai-otel-bridge demo`: the real pipeline — config load and validation, every Portkey,
 * LangSmith, OpenAI and Anthropic loop, guard, encoder, retrying emitter, file checkpoint —
 * against simulated vendor APIs and an in-process OTLP sink. No credentials, no sockets except the loopback health
 * server. Prints every point that lands.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMode } from "../app/start.ts";
import { writeStdout } from "../base/stdio.ts";
import { formatRfc3339Nano } from "../model/time.ts";
import { DEMO_OBJECT_HOST } from "./exports.ts";
import { DEMO_LANGSMITH_HOST, LangsmithWorkspace } from "./langsmith.ts";
import { DEMO_ANTHROPIC_HOST, DEMO_OPENAI_HOST, ProviderWorld } from "./providers.ts";
import { Sink } from "./sink.ts";
import { Workspace } from "./workspace.ts";

const DEMO_KEY = "demo-key-not-a-secret";

export const DEMO_CONFIG = `# Embedded demo config: Portkey, LangSmith, OpenAI and Anthropic sources with all their loops, simulated APIs.
emit:
  telemetry:
    otlp:
      endpoint: https://otlp.demo.invalid/otlp
identity:
  service_namespace: genai-otel-bridge-demo
  deployment_environment: demo
log:
  level: warn
sources:
  - type: portkey
    enabled: true
    base_url: https://api.portkey.demo.invalid/v1
    source_instance: portkey-demo
    auth: { header: x-portkey-api-key, value: ${DEMO_KEY} }
    rate_limit: { rps: 50, burst: 10 }
    loops:
      analytics:
        enabled: true
        cadence: 10s
        window: 50m
        bucket_settle: 3m
        bootstrap_lookback: 10m
        max_backfill: 55m
        graphs: [requests, cost, tokens, latency, errors]
      groups:
        enabled: true
        cadence: 60s
        settings: { window_span: 30m, settle: 3m, metadata_keys: use_case, expected_workspace: ws-demo-001 }
      logs_export:
        enabled: true
        cadence: 10s
        settings: { workspace_id: ws-demo-001, signed_url_allow_hosts: ${DEMO_OBJECT_HOST}, window: 5m, settle: 3m, max_backfill: 8m }
  - type: langsmith
    enabled: true
    base_url: https://${DEMO_LANGSMITH_HOST}
    source_instance: langsmith-demo
    auth: { header: x-api-key, value: ${DEMO_KEY} }
    rate_limit: { rps: 10, burst: 20 }
    loops:
      sessions:
        enabled: true
        cadence: 30s
        settings: { stats_window: 10m }
      usage:
        enabled: true
        cadence: 30s
        settings: { stats_window: 10m, session_filter: 'neq(name, "__none__")' }
      runs:
        enabled: true
        cadence: 10s
        settings: { session_filter: 'neq(name, "__none__")', window: 5m, settle: 1m, max_backfill: 10m }
  - type: openai
    enabled: true
    base_url: https://${DEMO_OPENAI_HOST}/v1
    source_instance: openai-demo
    auth: { header: Authorization, value: Bearer ${DEMO_KEY} }
    rate_limit: { rps: 10, burst: 10 }
    loops:
      usage:
        enabled: true
        cadence: 10s
        window: 10m
        bucket_settle: 3m
        bootstrap_lookback: 10m
        max_backfill: 15m
        settings: { endpoints: "completions,embeddings" }
      costs:
        enabled: true
        cadence: 30s
  - type: anthropic
    enabled: true
    base_url: https://${DEMO_ANTHROPIC_HOST}/v1
    source_instance: anthropic-demo
    auth: { header: x-api-key, value: ${DEMO_KEY} }
    rate_limit: { rps: 10, burst: 10 }
    loops:
      usage:
        enabled: true
        cadence: 10s
        window: 10m
        bucket_settle: 3m
        bootstrap_lookback: 10m
        max_backfill: 15m
      costs:
        enabled: true
        cadence: 30s
`;

export interface DemoOptions {
  durationMs: number;
  checkpointFile?: string;
  out?: (s: string) => void;
}

function fmtLabels(l: Record<string, string>): string {
  const keys = Object.keys(l).sort();
  return keys.length ? `{${keys.map((k) => `${k}="${l[k]}"`).join(",")}}` : "";
}

export async function demo(o: DemoOptions): Promise<number> {
  const out = o.out ?? writeStdout;
  const workspace = new Workspace();
  const langsmith = new LangsmithWorkspace();
  const providers = new ProviderWorld();
  const graphs = new Set<string>();
  // A window holds hundreds of records: show the first few of each source, count the rest.
  const SHOWN_PER_SOURCE = 4;
  const shown = new Map<string, number>();
  const sink = new Sink(
    (p, dup) => {
      graphs.add(p.metric);
      const when = formatRfc3339Nano(p.timeUnixNano);
      out(
        `${when}  ${`${p.metric}${fmtLabels(p.labels)}`.padEnd(58)} ${p.value}${dup ? "  (identical re-send)" : ""}\n`,
      );
    },
    (r) => {
      const source = r.attributes.source ?? "";
      const count = shown.get(source) ?? 0;
      if (count >= SHOWN_PER_SOURCE) return;
      shown.set(source, count + 1);
      const { service_name: _, ...indexed } = Object.fromEntries(
        Object.entries(r.resource).filter(([k]) => !k.includes(".")),
      );
      out(`${formatRfc3339Nano(r.timeUnixNano)}  log ${fmtLabels(indexed)} ${fmtLabels(r.attributes)}\n`);
    },
  );
  const dir = o.checkpointFile ? undefined : mkdtempSync(join(tmpdir(), "genai-otel-bridge-demo-"));
  const checkpointFile = o.checkpointFile ?? join(dir ?? "", "checkpoints.yaml");
  out(
    `genai-otel-bridge demo: simulated Portkey, LangSmith, OpenAI and Anthropic APIs → their loops → guard → OTLP → in-process sink\n` +
      `analytics: cadence 10s, settle 3m, first window = the last 10 minutes; groups: every 60s, totals of the last 30 minutes up to 3 minutes ago;\n` +
      `logs_export: one export job step every 10s (create, start, poll, download), then one record per request of the window\n` +
      `LangSmith: sessions and usage every 30s (per-project statistics of the last 10 minutes), runs every 10s (one record per run, windows of 5m settled 1m)\n` +
      `OpenAI and Anthropic: usage every 10s (minute buckets settled 3m, the first window the last 10 minutes), costs every 30s (today, the last 2 days, the month so far)\n` +
      `checkpoint ${checkpointFile}\n` +
      `landed points (bucket-end time, metric as Prometheus stores it, value) and log records (time, indexed, attributes):\n`,
  );
  const stop = new AbortController();
  const timer = o.durationMs > 0 ? setTimeout(() => stop.abort(), o.durationMs) : undefined;
  const sourceFetch = async (url: string, init: RequestInit) => {
    const req = new Request(url, init);
    // Requests go to the vetted address; the Host header names the simulated vendor.
    const host = req.headers.get("host");
    if (host === DEMO_LANGSMITH_HOST) return langsmith.handle(req, DEMO_KEY);
    if (host === DEMO_OPENAI_HOST || host === DEMO_ANTHROPIC_HOST) return providers.handle(req, DEMO_KEY);
    return workspace.handle(req, DEMO_KEY);
  };
  const sinkFetch = async (url: string, init: RequestInit) => sink.handle(new Request(url, init));
  const code = await runMode({
    config: "",
    configText: DEMO_CONFIG,
    healthAddr: "127.0.0.1:0",
    namespace: "",
    identity: "demo-0",
    containerMemBytes: 0n,
    checkpointFile,
    checkpointFileExplicit: true,
    dryRun: false,
    env: {},
    signal: stop.signal,
    // The simulated workspace's name resolves to a documentation address (TEST-NET-3).
    wiring: { sourceFetch, emitFetch: sinkFetch, selfFetch: sinkFetch, sourceResolve: async () => ["203.0.113.10"] },
  });
  if (timer) clearTimeout(timer);
  const shownTotal = [...shown.values()].reduce((a, b) => a + b, 0);
  const more = sink.records.length > shownTotal ? ` (${sink.records.length - shownTotal} not shown)` : "";
  out(
    `\n${sink.points.size} points landed in ${sink.requests} OTLP requests; series: ${[...graphs].sort().join(", ")}\n` +
      `${sink.records.length} log records landed${more}; requests carrying the simulated prompt, request, response, metadata, header or run content: ${sink.contentLeaks}\n` +
      `Run again with --checkpoint-file=<path> twice to see a restart resume from its watermark without re-sending.\n`,
  );
  if (dir) rmSync(dir, { recursive: true, force: true });
  return code;
}
