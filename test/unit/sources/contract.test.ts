/** Every loop of this build, and the test-only logs loop, through the shared loop contract. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SourceConfig } from "../../../src/config/types.ts";
import { MINUTE, SECOND } from "../../../src/model/duration.ts";
import { fromMillis, ZERO_TIME } from "../../../src/model/time.ts";
import { anthropic } from "../../../src/sources/anthropic/index.ts";
import { langsmith } from "../../../src/sources/langsmith/index.ts";
import { openai } from "../../../src/sources/openai/index.ts";
import { portkey } from "../../../src/sources/portkey/index.ts";
import { CANARY, upstreamRecord } from "../../support/test-vendor/fake-upstream.ts";
import { testlogs } from "../../support/test-vendor/index.ts";
import { loopContract, type UpstreamMode } from "./loop-contract.ts";
import { CANARY as PROVIDER_CANARY, served } from "./openai/rig.ts";

const FIX = join(import.meta.dir, "../../fixtures/portkey");
const NOW = Date.parse("2026-06-18T12:10:00Z");

/** Wait for the request's abort, then fail as a transport would. */
const hang = (req: Request) =>
  new Promise<Response>((_, reject) => req.signal.addEventListener("abort", () => reject(new Error("aborted"))));

function base(type: string, loops: SourceConfig["loops"]): SourceConfig {
  return {
    type,
    enabled: true,
    base_url: "https://api.vendor.test/v1",
    source_instance: `${type}-contract`,
    auth: { header: "x-api-key", value: "k" },
    rate_limit: { rps: 1000, burst: 1000 },
    http: { user_agent: "", allow_hosts: [], allow_private: false },
    loops,
    api_key_use_cases: [],
  };
}

const loopBlock = {
  enabled: true,
  cadence: 60 * SECOND,
  window: 0,
  bucket_settle: 10 * MINUTE,
  bootstrap_lookback: 0,
  max_backfill: 0,
  metric_prefix: "",
  graphs: [] as string[],
  settings: {} as Record<string, string>,
};

loopContract({
  title: "portkey analytics",
  vendor: portkey,
  loop: "analytics",
  source: () =>
    base("portkey", {
      analytics: {
        ...loopBlock,
        window: 50 * MINUTE,
        bucket_settle: 3 * MINUTE,
        bootstrap_lookback: 50 * MINUTE,
        max_backfill: 55 * MINUTE,
        graphs: ["requests", "latency"],
      },
    }),
  checkpointKey: "portkey-contract/analytics/8a0eb1e13b148daa",
  badSettings: [],
  canary: CANARY,
  upstream: (mode: UpstreamMode, req: Request) => {
    if (mode === "hang") return hang(req);
    if (mode === "malformed") return Response.json({ data_points: "not a list" });
    const graph = new URL(req.url).pathname.split("/").at(-1);
    const file = graph === "latency" ? "graph_latency.json" : "graph_requests_1min.json";
    const body = JSON.parse(readFileSync(join(FIX, file), "utf8"));
    // Fields the graph API never sends, carrying the canary: the decoder must ignore them.
    body.prompt = CANARY;
    for (const p of body.data_points) p.request = { messages: [CANARY] };
    return Response.json(body);
  },
  since: { time: fromMillis(Date.parse("2026-06-18T12:00:00Z")), cursor: "", epoch: 1 },
  now: fromMillis(NOW),
});

loopContract({
  title: "portkey groups",
  vendor: portkey,
  loop: "groups",
  source: () => base("portkey", { groups: { ...loopBlock, settings: { metadata_keys: "use_case" } } }),
  checkpointKey: "portkey-contract/groups/203424e120f83379",
  badSettings: [
    [{ page_size: "x" }, "page_size"],
    [{ max_groups: "0" }, "max_groups"],
    [{ window_span: "forever" }, "window_span"],
    [{ settle: "2h" }, "settle"],
    [{ emit_cost: "maybe" }, "emit_cost"],
    [{ emit_prompts: "2" }, "emit_prompts"],
  ],
  canary: CANARY,
  upstream: (mode: UpstreamMode, req: Request) => {
    if (mode === "hang") return hang(req);
    if (mode === "malformed") return Response.json({ data: [{ ai_model: "a", requests: "many" }] });
    const dimension = new URL(req.url).pathname.split("/").slice(4).join("/");
    const file =
      dimension === "prompt"
        ? "groups_prompt.json"
        : dimension === "metadata/use_case"
          ? "groups_metadata_use_case.json"
          : "groups_ai_models_24h.json";
    const body = JSON.parse(readFileSync(join(FIX, file), "utf8"));
    // Fields the groups API never sends, carrying the canary: the decoder must ignore them.
    body.prompt_text = CANARY;
    for (const row of body.data)
      Object.assign(row, { request: CANARY, messages: [CANARY], metadata: { note: CANARY } });
    return Response.json(body);
  },
  since: { time: ZERO_TIME, cursor: "", epoch: 1 },
  now: fromMillis(NOW),
});

loopContract({
  title: "portkey logs_export (mid-window, downloading)",
  vendor: portkey,
  loop: "logs_export",
  source: () =>
    base("portkey", {
      logs_export: {
        ...loopBlock,
        settings: {
          workspace_id: "ws-test",
          signed_url_allow_hosts: "objects.vendor.test",
          metadata_record_fields: "team",
        },
      },
    }),
  checkpointKey: "portkey-contract/logs_export/51240f1f0f9b23c4",
  badSettings: [
    [{ workspace_id: "" }, "workspace_id"],
    [{ page_size: "50001" }, "page_size"],
    [{ chunk_max_records: "none" }, "chunk_max_records"],
    [{ job_poll_timeout: "0s" }, "job_poll_timeout"],
    [{ requested_data: "id,prompt" }, "requested_data"],
    [{ trace_id_field: "a,b" }, "trace_id_field"],
  ],
  canary: CANARY,
  upstream: (mode: UpstreamMode, req: Request) => {
    if (mode === "hang") return hang(req);
    const path = new URL(req.url).pathname;
    if (path.endsWith("/download")) {
      if (mode === "malformed") return Response.json({ signed_url: 42 });
      return Response.json({ signed_url: "https://objects.vendor.test/o.jsonl?X-Amz-Signature=s" });
    }
    const line = (i: number) =>
      JSON.stringify({
        id: `r${i}`,
        ai_model: "gpt-5",
        response_status_code: 200,
        prompt: CANARY,
        request: { messages: [CANARY] },
        response: CANARY,
        metadata: { team: "t", owner: CANARY },
        portkeyHeaders: { cfg: CANARY },
        error: CANARY,
      });
    return new Response(`${line(0)}\n${line(1)}\n`);
  },
  since: {
    time: ZERO_TIME,
    cursor: JSON.stringify({
      phase: "downloading",
      job_id: "job-1",
      win_min: "2026-06-18T11:00:00Z",
      win_max: "2026-06-18T11:50:00Z",
      pages: 1,
      total_records: 2,
    }),
    epoch: 1,
  },
  now: fromMillis(NOW),
});

loopContract({
  title: "test-only logs loop (records)",
  vendor: testlogs,
  loop: "records",
  source: () =>
    base("testlogs", {
      records: { ...loopBlock, settings: { window_start: "2026-06-18T11:00:00Z", per_page: "3" } },
    }),
  checkpointKey: "testlogs-contract/records/f1aedda21623558f",
  badSettings: [
    [{ per_page: "many" }, "per_page"],
    [{ per_page: "0" }, "per_page"],
    [{ window_start: "yesterday" }, "window_start"],
    [{ window_span: "1 hour" }, "window_span"],
  ],
  canary: CANARY,
  upstream: (mode: UpstreamMode, req: Request) => {
    if (mode === "hang") return hang(req);
    if (mode === "malformed") return Response.json({ records: [{ id: 7 }], next: null });
    return Response.json({ records: [0, 1, 2].map((i) => upstreamRecord(0, i, 3)), next: "p1", prompt: CANARY });
  },
  since: { time: ZERO_TIME, cursor: "", epoch: 1 },
  now: fromMillis(NOW),
});

const LS = join(import.meta.dir, "../../fixtures/langsmith");
const lsFixture = (name: string) => JSON.parse(readFileSync(join(LS, name), "utf8"));
/** Every LangSmith fixture marks its content fields with ZZ…ZZ; the contract's canary is one of them. */
const LS_CANARY = "ZZDESCRIPTIONZZ";
const lsNow = fromMillis(Date.parse("2026-06-20T02:00:00Z"));

function langsmithUpstream(mode: UpstreamMode, req: Request) {
  if (mode === "hang") return hang(req);
  const path = new URL(req.url).pathname;
  if (mode === "malformed") return Response.json(path.endsWith("/runs/query") ? { runs: "nope" } : { not: "an array" });
  if (path.endsWith("/runs/query")) {
    const page = lsFixture("runs_query_content_injected.json");
    for (const run of page.runs) run.description = LS_CANARY;
    return Response.json(page);
  }
  if (path.endsWith("/runs/stats")) return Response.json({ ...lsFixture("runs_stats.json"), note: LS_CANARY });
  return Response.json([...lsFixture("sessions_with_stats.json"), ...lsFixture("sessions_usage_two_tiers.json")]);
}

loopContract({
  title: "langsmith sessions",
  vendor: langsmith,
  loop: "sessions",
  source: () => base("langsmith", { sessions: { ...loopBlock, bucket_settle: 0 } }),
  checkpointKey: "langsmith-contract/sessions/58d2aeb8a824d134",
  badSettings: [
    [{ max_sessions: "0" }, "max_sessions"],
    [{ session_label_value: "Name" }, "session_label_value"],
    [{ stats_window: "1d" }, "stats_window"],
  ],
  canary: LS_CANARY,
  upstream: langsmithUpstream,
  since: { time: lsNow - 60_000_000_000n, cursor: "", epoch: 1 },
  now: lsNow,
});

loopContract({
  title: "langsmith usage",
  vendor: langsmith,
  loop: "usage",
  source: () => base("langsmith", { usage: { ...loopBlock, bucket_settle: 0, settings: { session_filter: "x" } } }),
  checkpointKey: "langsmith-contract/usage/570df90e7a808d48",
  badSettings: [
    [{ page_limit: "-1" }, "page_limit"],
    [{ emit_span_counts: "yes" }, "emit_span_counts"],
  ],
  canary: LS_CANARY,
  upstream: langsmithUpstream,
  since: { time: lsNow - 600_000_000_000n, cursor: "", epoch: 1 },
  now: lsNow,
});

loopContract({
  title: "langsmith runs",
  vendor: langsmith,
  loop: "runs",
  source: () => base("langsmith", { runs: { ...loopBlock, bucket_settle: 0, settings: { session_filter: "x" } } }),
  checkpointKey: "langsmith-contract/runs/9c4280c9679ff01e",
  badSettings: [
    [{ page_size: "101" }, "page_size"],
    [{ extra_record_fields: "inputs" }, "extra_record_fields"],
    [{ extra_indexed_fields: "app-path" }, "extra_indexed_fields"],
    [{ settle: "2h" }, "settle"],
  ],
  canary: LS_CANARY,
  upstream: langsmithUpstream,
  since: { time: ZERO_TIME, cursor: "", epoch: 1 },
  now: lsNow,
});

/** The providers' fixtures, served with content fields injected into every result row. */
function providerUpstream(vendor: "openai" | "anthropic", file: string) {
  return (mode: UpstreamMode, req: Request) => {
    if (mode === "hang") return hang(req);
    if (mode === "malformed") return Response.json({ object: "page", data: "not a list", has_more: false });
    return Response.json(served(vendor, file));
  };
}
const providerNow = fromMillis(Date.parse("2026-06-18T12:20:00Z"));
const usageBlock = {
  ...loopBlock,
  window: 50 * MINUTE,
  bucket_settle: 15 * MINUTE,
  bootstrap_lookback: 50 * MINUTE,
  max_backfill: 90 * MINUTE,
};

loopContract({
  title: "openai usage",
  vendor: openai,
  loop: "usage",
  source: () => base("openai", { usage: { ...usageBlock, settings: { group_by: "model" } } }),
  checkpointKey: "openai-contract/usage/0bd011939e6b0c1f",
  badSettings: [
    [{ group_by: "user_id" }, "group_by"],
    [{ group_by: "project_id" }, "group_by"],
    [{ endpoints: "vector_stores" }, "endpoints"],
    [{ bucket_width: "1d" }, "bucket_width"],
    [{ token_types: "input,bogus" }, "token_types"],
    [{ page_buckets: "-1" }, "page_buckets"],
    [{ max_pages: "0" }, "max_pages"],
    [{ allow_id_dims: "model" }, "allow_id_dims"],
  ],
  canary: PROVIDER_CANARY,
  upstream: providerUpstream("openai", "usage_completions_1m_grouped_model.json"),
  since: { time: providerNow - 20n * 60_000_000_000n, cursor: "", epoch: 1 },
  now: providerNow,
});

loopContract({
  title: "openai costs",
  vendor: openai,
  loop: "costs",
  source: () => base("openai", { costs: { ...loopBlock } }),
  checkpointKey: "openai-contract/costs/d6b5e886f75e68da",
  badSettings: [
    [{ lookback_days: "31" }, "lookback_days"],
    [{ group_by: "api_key_id" }, "group_by"],
    [{ emit_month_to_date: "yes" }, "emit_month_to_date"],
    [{ max_pages: "x" }, "max_pages"],
  ],
  canary: PROVIDER_CANARY,
  upstream: providerUpstream("openai", "costs_1d_line_item_page_last.json"),
  since: { time: ZERO_TIME, cursor: "", epoch: 1 },
  now: providerNow,
});

loopContract({
  title: "anthropic usage",
  vendor: anthropic,
  loop: "usage",
  source: () => base("anthropic", { usage: { ...usageBlock, bucket_settle: 10 * MINUTE } }),
  checkpointKey: "anthropic-contract/usage/8137a16131e23478",
  badSettings: [
    [{ group_by: "account_id" }, "group_by"],
    [{ group_by: "speed" }, "group_by"],
    [{ group_by: "workspace_id" }, "group_by"],
    [{ token_types: "input" }, "token_types"],
    [{ bucket_width: "1d" }, "bucket_width"],
  ],
  canary: PROVIDER_CANARY,
  upstream: providerUpstream("anthropic", "usage_messages_1m_grouped_model.json"),
  since: { time: providerNow - 20n * 60_000_000_000n, cursor: "", epoch: 1 },
  now: providerNow,
});

loopContract({
  title: "anthropic costs",
  vendor: anthropic,
  loop: "costs",
  source: () => base("anthropic", { costs: { ...loopBlock } }),
  checkpointKey: "anthropic-contract/costs/2bce885048baaab3",
  badSettings: [
    [{ lookback_days: "-1" }, "lookback_days"],
    [{ group_by: "workspace_id" }, "group_by"],
    [{ group_by: "model" }, "group_by"],
  ],
  canary: PROVIDER_CANARY,
  upstream: providerUpstream("anthropic", "cost_report_1d_description_page_last.json"),
  since: { time: ZERO_TIME, cursor: "", epoch: 1 },
  now: providerNow,
});
