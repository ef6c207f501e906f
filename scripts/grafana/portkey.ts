/** The Portkey dashboard: gateway traffic, cost and latency, and who drives them (models, metadata, prompts). */
import { DATASOURCES, type Dashboard, instant, labelVariable, logql, panel, promTarget as q } from "./model.ts";

const SEL =
  'service_namespace=~"$service_namespace", deployment_environment_name=~"$deployment_environment_name", api_key_use_case=~"$api_key_use_case"';
/** Per-bucket gauges: totals per step are sums over the step, never rates. */
const total = (name: string, by = "") =>
  `sum${by ? ` by (${by})` : ""} (sum_over_time(portkey_api_${name}{${SEL}}[$__interval]))`;
/** Window totals of the groups loop: the latest snapshot over the range. */
const latest = (name: string, by: string, k = 10) =>
  `topk(${k}, sum by (${by}) (last_over_time(portkey_api_${name}{${SEL}}[$__range])))`;
const LOGS = '{service_name="genai-otel-bridge", service_namespace=~"$service_namespace"} | source="portkey"';

export const portkeyDashboard: Dashboard = {
  uid: "genai-otel-bridge-portkey",
  title: "genai-otel-bridge — Portkey",
  description:
    "Requests, errors, cost, tokens and latency through the Portkey gateway, and the models, metadata values and prompts behind them.",
  tags: ["genai-otel-bridge", "portkey", "llm"],
  variables: [
    ...DATASOURCES,
    labelVariable("service_namespace", "Namespace", "portkey_api_requests"),
    labelVariable("deployment_environment_name", "Environment", "portkey_api_requests"),
    labelVariable("api_key_use_case", "API-key use case", "portkey_api_requests"),
  ],
  tabs: [
    {
      title: "Traffic",
      panels: [
        panel("stat", "Requests (range)", "How many requests went through the gateway?", [
          instant(`sum(sum_over_time(portkey_api_requests{${SEL}}[$__range]))`),
        ]),
        panel(
          "stat",
          "Cost (range)",
          "What did they cost?",
          [instant(`sum(sum_over_time(portkey_api_cost_usd{${SEL}}[$__range]))`)],
          { unit: "currencyUSD" },
        ),
        panel(
          "stat",
          "Error ratio (range)",
          "What share of requests failed?",
          [
            instant(
              `sum(sum_over_time(portkey_api_errors{${SEL}}[$__range])) / clamp_min(sum(sum_over_time(portkey_api_requests{${SEL}}[$__range])), 1)`,
            ),
          ],
          {
            unit: "percentunit",
            thresholds: [
              { value: 0, color: "green" },
              { value: 0.05, color: "yellow" },
              { value: 0.2, color: "red" },
            ],
          },
        ),
        panel("timeseries", "Requests and errors", "How much traffic, and how many failures, over time?", [
          q(total("requests"), "requests"),
          q(total("errors"), "errors"),
        ]),
        panel(
          "timeseries",
          "Error ratio",
          "Is the failure share rising?",
          [q(`${total("errors")} / clamp_min(${total("requests")}, 1)`, "error ratio")],
          { unit: "percentunit" },
        ),
        panel("timeseries", "Cost", "Where is spend going over time?", [q(total("cost_usd"), "cost")], {
          unit: "currencyUSD",
        }),
        panel("timeseries", "Tokens by type", "How many input and output tokens?", [
          q(total("tokens", "token_type"), "{{token_type}}"),
        ]),
        panel(
          "timeseries",
          "Latency quantiles",
          "How slow are requests (p50, p90, p99, average)?",
          [q(`max by (quantile) (max_over_time(portkey_api_latency_seconds{${SEL}}[$__interval]))`, "{{quantile}}")],
          { unit: "s" },
        ),
      ],
    },
    {
      title: "Who drives it",
      panels: [
        panel("bargauge", "Top models by requests", "Which models get the most requests (latest window)?", [
          instant(latest("requests_by_model", "ai_model"), "{{ai_model}}"),
        ]),
        panel(
          "bargauge",
          "Top models by cost",
          "Which models cost the most (latest window)?",
          [instant(latest("cost_usd_by_model", "ai_model"), "{{ai_model}}")],
          { unit: "currencyUSD" },
        ),
        panel("bargauge", "Top metadata values by requests", "Which team or use case sends the most?", [
          instant(
            latest("requests_by_metadata", "metadata_key, metadata_value"),
            "{{metadata_key}}={{metadata_value}}",
          ),
        ]),
        panel(
          "bargauge",
          "Top metadata values by cost",
          "Which team or use case spends the most?",
          [
            instant(
              latest("cost_usd_by_metadata", "metadata_key, metadata_value"),
              "{{metadata_key}}={{metadata_value}}",
            ),
          ],
          { unit: "currencyUSD" },
        ),
        panel("bargauge", "Top prompts by requests", "Which saved prompts are used most?", [
          instant(latest("requests_by_prompt", "prompt"), "{{prompt}}"),
        ]),
        panel(
          "timeseries",
          "Cost by model over time",
          "How does each model's spend move?",
          [q(`sum by (ai_model) (last_over_time(portkey_api_cost_usd_by_model{${SEL}}[$__interval]))`, "{{ai_model}}")],
          { unit: "currencyUSD" },
        ),
      ],
    },
    {
      title: "Request log",
      panels: [
        panel("timeseries", "Requests by status code", "Which status codes do requests end with (from logs_export)?", [
          logql(`sum by (response_status_code) (count_over_time(${LOGS} [$__interval]))`, "{{response_status_code}}"),
        ]),
        panel("table", "Slowest requests", "Which requests took longest?", [
          logql(`topk(20, max_over_time(${LOGS} | unwrap response_time [$__range]) by (id, ai_model))`),
        ]),
        panel("timeseries", "Cost by model (from the request log)", "What did each model cost, request by request?", [
          logql(`sum by (ai_model) (sum_over_time(${LOGS} | unwrap cost [$__interval]))`, "{{ai_model}}"),
        ]),
        panel("logs", "Requests", "What were the last requests (no content, only their metadata)?", [logql(LOGS)]),
      ],
    },
  ],
};
