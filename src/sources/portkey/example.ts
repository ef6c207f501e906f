/**
 * The chart's commented example of the Portkey loops beyond the default analytics loop
 * (groups and logs_export), with every setting at its default or an example
 * value, and an explanation of every settings key.
 */
import type { SourceExample } from "../define.ts";

/** What logs_export asks the export job for when `requested_data` is not set. */
const DEFAULT_REQUESTED_DATA = [
  "ai_model",
  "ai_org",
  "cache_status",
  "cost",
  "created_at",
  "id",
  "prompt_id",
  "prompt_slug",
  "prompt_version_id",
  "req_units",
  "res_units",
  "response_status_code",
  "response_time",
  "total_units",
  "trace_id",
].join(",");

/**
 * The source fields both the chart's default config and its example share:
 * Portkey's API, the instance named after ENV, the key from the chart's Secret, 1 rps / burst 3.
 */
export const PORTKEY_CHART_SOURCE = {
  type: "portkey",
  enabled: true,
  base_url: "https://api.portkey.ai/v1",
  source_instance: "portkey-${ENV}",
  auth: { header: "x-portkey-api-key", value: "${PORTKEY_API_KEY}" },
  rate_limit: { rps: 1, burst: 3 },
};

export const portkeyExample: SourceExample = {
  source: {
    ...PORTKEY_CHART_SOURCE,
    loops: {
      groups: {
        enabled: true,
        cadence: "1m",
        settings: {
          api_key_ids: "",
          emit_cost: "true",
          emit_prompts: "true",
          expected_workspace: "",
          max_groups: "10000",
          metadata_keys: "use_case",
          page_size: "1000",
          settle: "10m",
          window_span: "1h",
        },
      },
      logs_export: {
        enabled: true,
        cadence: "1m",
        settings: {
          chunk_max_records: "5000",
          download_timeout: "5m",
          extra_indexed_fields: "",
          extra_record_fields: "cache_status",
          job_poll_timeout: "30m",
          max_backfill: "24h",
          max_pages_per_window: "50",
          metadata_record_fields: "",
          metadata_trace_id_field: "",
          page_size: "50000",
          requested_data: DEFAULT_REQUESTED_DATA,
          settle: "10m",
          signed_url_allow_hosts: "signed-url-host.example.com",
          trace_id_field: "",
          window: "1h",
          workspace_id: "<your-workspace-id>",
        },
      },
    },
    api_key_use_cases: [{ label: "Data Gen", api_key_ids: ["<api-key-uuid>"] }],
  },
  settingsDocs: {
    groups: {
      api_key_ids:
        "Legacy filter: comma-separated API key ids to count (must stay empty when api_key_use_cases is set).",
      emit_cost: "Emit the per-group cost series.",
      emit_prompts: "Also group by prompt (the prompts endpoint).",
      expected_workspace: "Refuse to emit when the API key's workspace is not this one (empty: no check).",
      max_groups: "Row cap per endpoint per pass; a larger result is truncated and logged.",
      metadata_keys: "Comma-separated metadata keys; each adds a per-value metadata endpoint.",
      page_size: "Rows per page of the grouped endpoints.",
      settle: "How long a window is left to settle before it is read (must be below window_span).",
      window_span: "Length of one grouped window.",
    },
    logs_export: {
      chunk_max_records: "Log records per emitted batch while a downloaded export is streamed.",
      download_timeout: "Time limit for one download request of an export page.",
      extra_indexed_fields:
        "Extra fields promoted to stream labels (comma-separated; adds Loki streams, changes the checkpoint key).",
      extra_record_fields: "Extra record fields to keep; replaces the default, so re-list cache_status.",
      job_poll_timeout: "Time limit for an export job; a job still running then is cancelled and the window redone.",
      max_backfill: "Oldest window read after a gap; keep it within the log backend's sample-age limit (7d).",
      max_pages_per_window: "Page cap per window; a larger window is parked and reported (shrink window), never cut.",
      metadata_record_fields: "Metadata sub-keys copied into each record (comma-separated).",
      metadata_trace_id_field: "Metadata key holding a trace id (exclusive with trace_id_field).",
      page_size: "Records per export page (at most 50000).",
      requested_data:
        "Fields the export job is asked for; replaces this default list. Content fields (prompt, request, response, messages, …) are refused.",
      settle: "How long a window is left to settle before it is exported.",
      signed_url_allow_hosts: "Hosts an export's signed download URL may point at (required).",
      trace_id_field: "Record field holding a trace id (exclusive with metadata_trace_id_field).",
      window: "Length of one export window.",
      workspace_id: "Portkey workspace whose logs are exported (required).",
    },
  },
};
