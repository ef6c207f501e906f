/**
 * The chart's commented example of a LangSmith source: the runs, sessions and
 * usage loops with every setting at its default or an example value, and per-key explanations
 * for every settings key.
 */
import type { SourceExample } from "../define.ts";

const FILTER = 'LangSmith filter expression selecting projects, e.g. eq(name, "my-project")';

export const langsmithExample: SourceExample = {
  source: {
    type: "langsmith",
    enabled: true,
    base_url: "https://api.smith.langchain.com",
    source_instance: "langsmith-${ENV}",
    auth: { header: "x-api-key", value: "${LANGSMITH_API_KEY}" },
    rate_limit: { rps: 10, burst: 20 },
    loops: {
      runs: {
        enabled: true,
        cadence: "1m",
        settings: {
          extra_indexed_fields: "",
          extra_record_fields: "tags,child_run_ids,app_path",
          max_backfill: "24h",
          max_pages_per_window: "100",
          max_response_bytes: "33554432",
          max_sessions: "1000",
          page_size: "100",
          root_only: "false",
          run_type: "",
          session_filter: 'eq(name, "my-project")',
          session_ids: "",
          session_refresh: "5m",
          settle: "10m",
          window: "1h",
        },
      },
      sessions: {
        enabled: true,
        cadence: "1m",
        metric_prefix: "langsmith",
        settings: {
          emit_feedback: "true",
          feedback_keys: "",
          max_sessions: "1000",
          page_limit: "100",
          session_filter: "",
          session_label_value: "id",
          stats_window: "1h",
          use_approx_stats: "false",
        },
      },
      usage: {
        enabled: true,
        cadence: "10m",
        metric_prefix: "langsmith",
        settings: {
          emit_span_counts: "true",
          max_sessions: "1000",
          page_limit: "100",
          session_filter: "",
          session_label_value: "id",
          stats_window: "10m",
        },
      },
    },
  },
  settingsDocs: {
    runs: {
      extra_indexed_fields: "Run fields promoted to stream labels (comma-separated; adds Loki streams).",
      extra_record_fields: "Run fields kept on each record; replaces this default list (empty: none).",
      max_backfill: "Oldest window read after a gap; keep it within the log backend's sample-age limit (7d).",
      max_pages_per_window: "Page cap per window of runs/query.",
      max_response_bytes: "Size cap for one runs/query or project-discovery response body.",
      max_sessions: "Cap on the projects discovered by session_filter.",
      page_size: "Runs per runs/query page (at most 100).",
      root_only: "Only root runs (traces), not their child runs.",
      run_type: "Only runs of this type (chain, llm, tool, …); empty: all.",
      session_filter: `${FILTER}; this loop needs it or session_ids.`,
      session_ids: "Comma-separated project ids; when set, wins over session_filter.",
      session_refresh: "How often the project list is re-discovered (0: every idle tick).",
      settle: "How long a window is left to settle before it is read (must be below window).",
      window: "Length of one runs window.",
    },
    sessions: {
      emit_feedback: "Emit per-project feedback score gauges.",
      feedback_keys: "Comma-separated feedback keys to emit; empty: every numeric key.",
      max_sessions: "Cap on the projects read per tick.",
      page_limit: "Projects per page of the project list.",
      session_filter: `${FILTER}; empty: all projects (set it to bound cardinality).`,
      session_label_value: "Label projects by id or name.",
      stats_window: "Look-back of the per-project statistics.",
      use_approx_stats: "Ask LangSmith for approximate (cheaper) statistics.",
    },
    usage: {
      emit_span_counts: "Also count spans per project (one runs/stats call per project).",
      max_sessions: "Cap on the projects read per tick (also bounds the runs/stats calls).",
      page_limit: "Projects per page of the project list.",
      session_filter: `${FILTER}; empty: all projects.`,
      session_label_value: "Label projects by id or name.",
      stats_window: "Look-back of the usage statistics; match it to cadence so windows tile.",
    },
  },
};
