/** The OpenAI source: the organization Admin API's usage and costs, in the order a source plans them. */
import { defineVendor } from "../define.ts";
import { costs } from "./costs/definition.ts";
import { openaiExample } from "./example.ts";
import { connectOpenai, type OpenaiShared } from "./shared.ts";
import { usage } from "./usage/definition.ts";

export const openai = defineVendor<OpenaiShared>({
  type: "openai",
  defaultBaseUrl: "https://api.openai.com/v1",
  labelKeys: [
    "endpoint",
    "token_type",
    "ai_model",
    "batch",
    "service_tier",
    "image_size",
    "image_source",
    "project_id",
    "api_key_id",
    "line_item",
    "day_offset",
  ],
  summary:
    "OpenAI's organization usage and costs through the Admin API (an admin key: `auth.header: Authorization`, `auth.value: Bearer <admin key>`). Grouping by model is on; project and API-key ids become labels only when `settings.allow_id_dims` lists them; user ids never do.",
  example: openaiExample,
  loops: [usage, costs],
  connect: connectOpenai,
});
