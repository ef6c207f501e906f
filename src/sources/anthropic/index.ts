/** The Anthropic source: the Admin API's usage and cost reports, in the order a source plans them. */
import { defineVendor } from "../define.ts";
import { costs } from "./costs/definition.ts";
import { anthropicExample } from "./example.ts";
import { type AnthropicShared, connectAnthropic } from "./shared.ts";
import { usage } from "./usage/definition.ts";

export const anthropic = defineVendor<AnthropicShared>({
  type: "anthropic",
  defaultBaseUrl: "https://api.anthropic.com/v1",
  labelKeys: [
    "token_type",
    "ai_model",
    "service_tier",
    "context_window",
    "inference_geo",
    "workspace_id",
    "api_key_id",
    "service_account_id",
    "cost_type",
    "day_offset",
  ],
  summary:
    "Anthropic's organization usage and costs through the Usage and Cost Admin API (an Admin key, `sk-ant-admin…`: `auth.header: x-api-key`; workspace keys are refused by the API). Grouping by model is on; workspace, API-key and service-account ids become labels only when `settings.allow_id_dims` lists them; account ids never do.",
  example: anthropicExample,
  loops: [usage, costs],
  connect: connectAnthropic,
});
