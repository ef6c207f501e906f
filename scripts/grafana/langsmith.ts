/** The LangSmith dashboard: per-project runs, latency, tokens, cost, quality; the platform's cost drivers; the run log. */
import { DATASOURCES, type Dashboard, instant, labelVariable, logql, panel, promTarget as q } from "./model.ts";

const SEL =
  'service_namespace=~"$service_namespace", deployment_environment_name=~"$deployment_environment_name", session=~"$session"';
/** Snapshot gauges (stats over `stats_window`): the latest value per step, never summed over time. */
const last = (name: string, by = "session", extra = "") =>
  `max by (${by}) (last_over_time(langsmith_${name}{${SEL}${extra}}[$__interval]))`;
const LOGS = '{service_name="genai-otel-bridge", service_namespace=~"$service_namespace"} | source="langsmith"';

export const langsmithDashboard: Dashboard = {
  uid: "genai-otel-bridge-langsmith",
  title: "genai-otel-bridge — LangSmith",
  description:
    "Per-project runs, latency, tokens, cost, error and streaming rates and feedback scores; traces and spans by retention tier; the run log.",
  tags: ["genai-otel-bridge", "langsmith", "llm"],
  variables: [
    ...DATASOURCES,
    labelVariable("service_namespace", "Namespace", "langsmith_runs"),
    labelVariable("deployment_environment_name", "Environment", "langsmith_runs"),
    labelVariable("session", "Project", "langsmith_runs", ".+"),
  ],
  tabs: [
    {
      title: "Projects",
      panels: [
        panel("bargauge", "Runs per project", "Which projects run most (latest stats window)?", [
          instant(`topk(15, sum by (session) (last_over_time(langsmith_runs{${SEL}}[$__range])))`, "{{session}}"),
        ]),
        panel("timeseries", "Runs", "How many runs per project in the stats window?", [q(last("runs"), "{{session}}")]),
        panel(
          "timeseries",
          "Latency p50 / p99",
          "How long do runs take?",
          [q(last("latency_seconds", "session, quantile"), "{{session}} {{quantile}}")],
          { unit: "s" },
        ),
        panel(
          "timeseries",
          "Time to first token",
          "How fast do streaming runs start answering?",
          [q(last("first_token_seconds", "session, quantile"), "{{session}} {{quantile}}")],
          { unit: "s" },
        ),
        panel("timeseries", "Tokens", "How many prompt and completion tokens?", [
          q(last("prompt_tokens"), "{{session}} prompt"),
          q(last("completion_tokens"), "{{session}} completion"),
        ]),
        panel("timeseries", "Cost", "What do the runs cost per project?", [q(last("cost_usd"), "{{session}}")], {
          unit: "currencyUSD",
        }),
        panel("timeseries", "Error rate", "What share of runs fail?", [q(last("error_rate"), "{{session}}")], {
          unit: "percentunit",
        }),
        panel(
          "timeseries",
          "Streaming rate",
          "What share of runs stream?",
          [q(last("streaming_rate"), "{{session}}")],
          {
            unit: "percentunit",
          },
        ),
        panel("timeseries", "Feedback scores", "How do evaluators score each project?", [
          q(last("feedback_score", "session, feedback_key"), "{{session}} {{feedback_key}}"),
        ]),
      ],
    },
    {
      title: "Platform usage",
      panels: [
        panel(
          "timeseries",
          "Traces by retention tier",
          "How many traces are ingested, and at which retention (cost driver)?",
          [
            q(
              `sum by (retention_tier) (last_over_time(langsmith_usage_traces{${SEL}}[$__interval]))`,
              "{{retention_tier}}",
            ),
          ],
        ),
        panel("timeseries", "Spans by retention tier", "How many spans are stored?", [
          q(
            `sum by (retention_tier) (last_over_time(langsmith_usage_spans{${SEL}}[$__interval]))`,
            "{{retention_tier}}",
          ),
        ]),
        panel("bargauge", "Traces per project", "Which projects drive the bill?", [
          instant(
            `topk(15, sum by (session) (last_over_time(langsmith_usage_traces{${SEL}}[$__range])))`,
            "{{session}}",
          ),
        ]),
      ],
    },
    {
      title: "Run log",
      panels: [
        panel("timeseries", "Runs by type and status", "Which runs are logged, and do they fail?", [
          logql(`sum by (run_type, status) (count_over_time(${LOGS} [$__interval]))`, "{{run_type}} {{status}}"),
        ]),
        panel("table", "Most expensive runs", "Which runs cost most?", [
          logql(`topk(20, max_over_time(${LOGS} | unwrap total_cost [$__range]) by (id, session_id))`),
        ]),
        panel("logs", "Runs", "What were the last runs (no inputs or outputs, only their metadata)?", [logql(LOGS)]),
      ],
    },
  ],
};
