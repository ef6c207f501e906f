/**
 * The provider-bills dashboard: what OpenAI and Anthropic bill per day and model, how much they
 * were used, and the gateway's cost beside the bill for the same UTC day. The reconciliation
 * panels read the recording rules of deploy/grafana/rules.yaml (load them into the ruler).
 */
import { DATASOURCES, type Dashboard, instant, labelVariable, panel, promTarget as q } from "./model.ts";

const IDS = 'service_namespace=~"$service_namespace", deployment_environment_name=~"$deployment_environment_name"';
const BILLS = '__name__=~"openai_api_daily_cost_usd|anthropic_api_daily_cost_usd"';
/** The providers' daily snapshots of one day, with the provider taken from the series name. */
const byProvider = (dayOffset: string) =>
  `sum by (provider) (label_replace({${BILLS}, day_offset="${dayOffset}", ${IDS}}, "provider", "$1", "__name__", "(openai|anthropic)_api_.*"))`;
/** Per-bucket gauges: totals per step are sums over the step, never rates. */
const perStep = (name: string, by: string, extra = "") =>
  `sum by (${by}) (sum_over_time(${name}{${IDS}${extra}}[$__interval]))`;

export const providersDashboard: Dashboard = {
  uid: "genai-otel-bridge-providers",
  title: "genai-otel-bridge — Provider bills",
  description:
    "What OpenAI and Anthropic bill per UTC day and model, the usage behind it, and the gateway's cost estimate beside the bill for the same day.",
  tags: ["genai-otel-bridge", "openai", "anthropic", "llm", "cost"],
  variables: [
    ...DATASOURCES,
    labelVariable("service_namespace", "Namespace", `{${BILLS}}`),
    labelVariable("deployment_environment_name", "Environment", `{${BILLS}}`),
  ],
  tabs: [
    {
      title: "Bills",
      panels: [
        panel(
          "stat",
          "Billed today",
          "What have the providers billed so far today (UTC)?",
          [instant(`sum(${byProvider("0")})`)],
          {
            unit: "currencyUSD",
          },
        ),
        panel(
          "stat",
          "Billed this month",
          "What have they billed this month so far?",
          [
            instant(
              `sum({__name__=~"openai_api_month_to_date_cost_usd|anthropic_api_month_to_date_cost_usd", ${IDS}})`,
            ),
          ],
          { unit: "currencyUSD" },
        ),
        panel(
          "timeseries",
          "Today by provider",
          "How does today's bill grow, per provider?",
          [q(byProvider("0"), "{{provider}}")],
          {
            unit: "currencyUSD",
          },
        ),
        panel(
          "timeseries",
          "Yesterday by provider",
          "What did yesterday cost, as the bill settles (late costs, credits)?",
          [q(byProvider("1"), "{{provider}}")],
          { unit: "currencyUSD" },
        ),
        panel(
          "bargauge",
          "Today by model",
          "Which models cost most today (OpenAI's line items name the model before the comma)?",
          [
            instant(
              `topk(15, sum by (provider, ai_model) (providers:billed_cost_usd_by_model:today{${IDS}}))`,
              "{{provider}} {{ai_model}}",
            ),
          ],
          { unit: "currencyUSD" },
        ),
        panel(
          "table",
          "OpenAI line items today",
          "What did each OpenAI line item cost today?",
          [instant(`sum by (line_item) (openai_api_daily_cost_usd{day_offset="0", ${IDS}})`, "{{line_item}}")],
          { unit: "currencyUSD" },
        ),
        panel(
          "table",
          "Anthropic cost types today",
          "What did each Anthropic cost type and token type cost today?",
          [
            instant(
              `sum by (cost_type, ai_model, token_type) (anthropic_api_daily_cost_usd{day_offset="0", ${IDS}})`,
              "{{cost_type}} {{ai_model}} {{token_type}}",
            ),
          ],
          { unit: "currencyUSD" },
        ),
      ],
    },
    {
      title: "Gateway vs bill",
      panels: [
        panel(
          "stat",
          "Gateway ÷ billed, today",
          "How much of today's bill did the gateway see (below 100 %: traffic around the gateway or costs it does not price)?",
          [instant(`reconciliation:gateway_to_billed_cost:ratio_today{${IDS}}`)],
          { unit: "percentunit" },
        ),
        panel(
          "stat",
          "Gateway ÷ billed, yesterday",
          "The same for yesterday, whose bill is nearly final",
          [instant(`reconciliation:gateway_to_billed_cost:ratio_yesterday{${IDS}}`)],
          { unit: "percentunit" },
        ),
        panel(
          "timeseries",
          "Gateway estimate and bills, today",
          "Does the gateway's cost for today track the providers' bills?",
          [
            q(`sum(portkey:gateway_cost_usd:today{${IDS}})`, "gateway (Portkey)"),
            q(`sum by (provider) (providers:billed_cost_usd:today{${IDS}})`, "billed: {{provider}}"),
          ],
          { unit: "currencyUSD" },
        ),
        panel(
          "table",
          "Per model: billed today and the gateway's last window",
          "Which models does the gateway see, and what do the providers bill for them? (Portkey prices models only per groups window, not per day.)",
          [
            instant(`sum by (ai_model) (providers:billed_cost_usd_by_model:today{${IDS}})`, "billed {{ai_model}}"),
            instant(
              `sum by (ai_model) (last_over_time(portkey_api_cost_usd_by_model{${IDS}}[$__range]))`,
              "gateway window {{ai_model}}",
            ),
          ],
          { unit: "currencyUSD" },
        ),
      ],
    },
    {
      title: "Usage",
      panels: [
        panel("timeseries", "OpenAI tokens by model", "How many input and output tokens per OpenAI model?", [
          q(
            perStep("openai_api_tokens", "ai_model, token_type", ', token_type=~"input|output"'),
            "{{ai_model}} {{token_type}}",
          ),
        ]),
        panel("timeseries", "OpenAI requests by endpoint", "How many model requests per endpoint?", [
          q(perStep("openai_api_requests", "endpoint"), "{{endpoint}}"),
        ]),
        panel("timeseries", "Anthropic tokens by type", "How many tokens per type (they sum to the total)?", [
          q(perStep("anthropic_api_tokens", "token_type"), "{{token_type}}"),
        ]),
        panel("timeseries", "Anthropic tokens by model", "Which Claude models process the most tokens?", [
          q(perStep("anthropic_api_tokens", "ai_model"), "{{ai_model}}"),
        ]),
        panel("timeseries", "Anthropic web searches", "How many server-side web searches?", [
          q(perStep("anthropic_api_web_search_requests", "ai_model"), "{{ai_model}}"),
        ]),
      ],
    },
  ],
};
