/**
 * The chart's commented example of an OpenAI source: both loops with every setting at its
 * default, and a line of explanation per settings key.
 */
import type { SourceExample } from "../define.ts";

export const openaiExample: SourceExample = {
  source: {
    type: "openai",
    enabled: true,
    base_url: "https://api.openai.com/v1",
    source_instance: "openai-${ENV}",
    auth: { header: "Authorization", value: "Bearer ${OPENAI_ADMIN_KEY}" },
    rate_limit: { rps: 1, burst: 3 },
    loops: {
      usage: {
        enabled: true,
        cadence: "1m",
        window: "50m",
        bucket_settle: "15m",
        bootstrap_lookback: "50m",
        max_backfill: "1h30m",
        metric_prefix: "openai_api",
        settings: {
          allow_id_dims: "",
          bucket_width: "1m",
          endpoints: "completions",
          group_by: "model",
          max_pages: "50",
          page_buckets: "0",
          project_ids: "",
          token_types: "input,output,input_cache_read",
        },
      },
      costs: {
        enabled: true,
        cadence: "4m",
        metric_prefix: "openai_api",
        settings: {
          allow_id_dims: "",
          emit_month_to_date: "true",
          group_by: "line_item",
          lookback_days: "2",
          max_pages: "20",
          project_ids: "",
        },
      },
    },
  },
  settingsDocs: {
    usage: {
      allow_id_dims: "Id dimensions allowed in group_by (project_id, api_key_id): one series per id; off by default.",
      bucket_width: "1m or 1h buckets; query per-bucket values with sum_over_time, never rate.",
      endpoints:
        "Usage endpoints read each tick: completions, embeddings, moderations, images, audio_speeches, audio_transcriptions, code_interpreter_sessions.",
      group_by:
        "Dimensions: model, batch, service_tier, size, source (+ project_id, api_key_id with allow_id_dims); empty: none.",
      max_pages: "Page cap per endpoint and tick; more fails the tick (counted as pagination).",
      page_buckets: "Buckets per page (0: the API's maximum).",
      project_ids: "Only these projects (comma-separated); empty: the whole organization.",
      token_types:
        "token_type values of openai_api_tokens; input includes the cached and uncached parts, so never sum across token_type.",
    },
    costs: {
      allow_id_dims: "Id dimensions allowed in group_by (project_id, api_key_id); off by default.",
      emit_month_to_date: "Also emit month_to_date_cost_usd.",
      group_by: "Dimensions: line_item (+ project_id, api_key_id with allow_id_dims); empty: one total per day.",
      lookback_days: "Past days re-read each tick (0..30); later corrections to older days are not seen.",
      max_pages: "Page cap per tick.",
      project_ids: "Only these projects (comma-separated); empty: the whole organization.",
    },
  },
};
