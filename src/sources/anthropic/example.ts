/**
 * The chart's commented example of an Anthropic source: both loops with every setting at its
 * default, and a line of explanation per settings key.
 */
import type { SourceExample } from "../define.ts";

export const anthropicExample: SourceExample = {
  source: {
    type: "anthropic",
    enabled: true,
    base_url: "https://api.anthropic.com/v1",
    source_instance: "anthropic-${ENV}",
    auth: { header: "x-api-key", value: "${ANTHROPIC_ADMIN_KEY}" },
    rate_limit: { rps: 1, burst: 3 },
    loops: {
      usage: {
        enabled: true,
        cadence: "2m",
        window: "50m",
        bucket_settle: "10m",
        bootstrap_lookback: "50m",
        max_backfill: "1h30m",
        metric_prefix: "anthropic_api",
        settings: {
          allow_id_dims: "",
          bucket_width: "1m",
          group_by: "model",
          max_pages: "50",
          page_buckets: "0",
          token_types: "input_uncached,input_cache_read,input_cache_write_5m,input_cache_write_1h,output",
          workspace_ids: "",
        },
      },
      costs: {
        enabled: true,
        cadence: "4m",
        metric_prefix: "anthropic_api",
        settings: {
          allow_id_dims: "",
          emit_month_to_date: "true",
          group_by: "description",
          lookback_days: "2",
          max_pages: "20",
        },
      },
    },
  },
  settingsDocs: {
    usage: {
      allow_id_dims:
        "Id dimensions allowed in group_by (workspace_id, api_key_id, service_account_id): one series per id; off by default.",
      bucket_width: "1m or 1h buckets; query per-bucket values with sum_over_time, never rate.",
      group_by:
        "Dimensions: model, service_tier, context_window, inference_geo (+ id dimensions with allow_id_dims); empty: none.",
      max_pages: "Page cap per tick; more fails the tick (counted as pagination).",
      page_buckets: "Buckets per page (0: the API's maximum).",
      token_types: "token_type values of anthropic_api_tokens; the five are disjoint and sum to the total.",
      workspace_ids: "Only these workspaces (comma-separated); empty: the whole organization.",
    },
    costs: {
      allow_id_dims: "Id dimensions allowed in group_by (workspace_id); off by default.",
      emit_month_to_date: "Also emit month_to_date_cost_usd.",
      group_by: "description (cost type, model, token type, …) and/or workspace_id; empty: one total per day.",
      lookback_days: "Past days re-read each tick (0..30); later corrections to older days are not seen.",
      max_pages: "Page cap per tick.",
    },
  },
};
