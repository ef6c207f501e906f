/**
 * The Anthropic `costs` loop's definition: the daily cost report as snapshot gauges. Amounts
 * are cents as decimal strings (`"123.45"` is $1.2345; a JSON number is tolerated), summed
 * exactly and divided by 100 once. Grouped by `description`, a row's labels are the fields the
 * API parses out of it (cost type, model, token type, tier, context window, geography); the
 * free-text description itself never becomes a label.
 */
import { formatRfc3339Seconds } from "../../../model/time.ts";
import type { CostRow } from "../../openai/report/costs.ts";
import { costsLoop } from "../../openai/report/costs-definition.ts";
import { type Decimal, decimalOfNumber, parseDecimal } from "../../openai/report/decimal.ts";
import { dimension, present, type Row } from "../../openai/report/rows.ts";
import { decodeAnthropicBucket, decodeAnthropicPage } from "../shared.ts";
import { DEFAULT_PREFIX } from "../usage/definition.ts";

/** The cost report's `token_type` → this source's vocabulary (the usage loop's). */
const TOKEN_TYPES: Readonly<Record<string, string>> = {
  uncached_input_tokens: "input_uncached",
  output_tokens: "output",
  cache_read_input_tokens: "input_cache_read",
  "cache_creation.ephemeral_5m_input_tokens": "input_cache_write_5m",
  "cache_creation.ephemeral_1h_input_tokens": "input_cache_write_1h",
};

function cents(value: unknown): Decimal | undefined {
  if (typeof value === "string") return parseDecimal(value);
  if (typeof value === "number") return decimalOfNumber(value);
  return undefined;
}

function readRow(groupBy: string[]): (row: Row, where: string) => CostRow {
  const byDescription = groupBy.includes("description");
  const byWorkspace = groupBy.includes("workspace_id");
  return (row, where) => {
    if (row.amount === undefined || row.amount === null) return { kind: "none" };
    const amount = cents(row.amount);
    if (amount === undefined) throw new Error(`${where}: amount is not a decimal string`);
    if (typeof row.currency !== "string" || row.currency.toUpperCase() !== "USD") return { kind: "other_currency" };
    const labels: Record<string, string> = {};
    if (byDescription) {
      labels.cost_type = dimension(row, "cost_type", where);
      labels.ai_model = dimension(row, "model", where);
      const tokenType = dimension(row, "token_type", where);
      labels.token_type = TOKEN_TYPES[tokenType] ?? tokenType;
      labels.service_tier = dimension(row, "service_tier", where);
      labels.context_window = dimension(row, "context_window", where);
      labels.inference_geo = dimension(row, "inference_geo", where);
    }
    if (byWorkspace) labels.workspace_id = dimension(row, "workspace_id", where);
    return { kind: "amount", labels: present(labels), amount };
  };
}

export const costs = costsLoop({
  vendor: "anthropic",
  summary:
    "The organization's cost per UTC day from the cost report (`/organizations/cost_report`) as snapshot gauges in USD: `<metric_prefix>_daily_cost_usd{day_offset}` for today (`0`) and the last `settings.lookback_days` days, and `_month_to_date_cost_usd`, grouped by `description` (labels `cost_type`, `ai_model`, `token_type`, …) by default, summed exactly. A snapshot loop (`window` 0). Priority Tier spend is not in this report.",
  defaultPrefix: DEFAULT_PREFIX,
  groupBy: { def: ["description"], allowed: ["description", "workspace_id"], refused: {}, idDims: ["workspace_id"] },
  part: "cost_report",
  path: "/organizations/cost_report",
  shift: 2,
  readRow,
  start: { param: "starting_at", format: formatRfc3339Seconds },
  decodePage: decodeAnthropicPage,
  bucket: decodeAnthropicBucket,
});
