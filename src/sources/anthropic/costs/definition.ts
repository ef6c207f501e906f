/**
 * The Anthropic `costs` loop's definition: the daily cost report as snapshot gauges. Amounts
 * are cents as decimal strings (`"123.45"` is $1.23; a JSON number is tolerated), summed
 * exactly and divided by 100 once. Grouped by `description`, a row's labels are the fields the
 * API parses out of it (cost type, model, token type, tier, context window, geography); the
 * free-text description itself never becomes a label.
 */
import type { Duration } from "../../../model/duration.ts";
import { formatRfc3339Seconds } from "../../../model/time.ts";
import { defineLoop } from "../../define.ts";
import type { CostRow } from "../../openai/report/costs.ts";
import { ReportCostsLoop } from "../../openai/report/costs-loop.ts";
import { type Decimal, decimalOfNumber, parseDecimal } from "../../openai/report/decimal.ts";
import { dimension, present, type Row } from "../../openai/report/rows.ts";
import { COSTS_CADENCE, checkSnapshot, readBounded, readDimensions } from "../../openai/report/settings.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { type AnthropicShared, decodeAnthropicBucket, decodeAnthropicPage } from "../shared.ts";
import { DEFAULT_PREFIX } from "../usage/definition.ts";

/** The cost report's `token_type` → this source's vocabulary (the usage loop's). */
const TOKEN_TYPES: Readonly<Record<string, string>> = {
  uncached_input_tokens: "input_uncached",
  output_tokens: "output",
  cache_read_input_tokens: "input_cache_read",
  "cache_creation.ephemeral_5m_input_tokens": "input_cache_write_5m",
  "cache_creation.ephemeral_1h_input_tokens": "input_cache_write_1h",
};

export interface AnthropicCostsSettings {
  cadence: Duration;
  prefix: string;
  lookbackDays: number;
  groupBy: string[];
  monthToDate: boolean;
  maxPages: number;
}

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

export const costs = defineLoop<AnthropicCostsSettings, AnthropicShared>({
  name: "costs",
  signal: "metrics",
  summary:
    "The organization's cost per UTC day from the cost report (`/organizations/cost_report`) as snapshot gauges in USD: `<metric_prefix>_daily_cost_usd{day_offset}` for today (`0`) and the last `settings.lookback_days` days, and `_month_to_date_cost_usd`, grouped by `description` (labels `cost_type`, `ai_model`, `token_type`, …) by default, summed exactly. A snapshot loop (`window` 0). Priority Tier spend is not in this report.",
  defaults: { cadence: COSTS_CADENCE },
  parse({ loop: l, warn }) {
    const where = "anthropic costs";
    checkSnapshot(where, l);
    const r = new SettingsReader(where, l.settings);
    const lookbackDays = readBounded(r, "lookback_days", 2, 0, 30);
    const groupBy = readDimensions(r, {
      key: "group_by",
      def: ["description"],
      allowed: ["description", "workspace_id"],
      refused: {},
      idDims: ["workspace_id"],
    });
    const monthToDate = r.bool("emit_month_to_date", true);
    const maxPages = readBounded(r, "max_pages", 20, 1, Number.MAX_SAFE_INTEGER);
    r.done();
    warnUnknown(r, "costs", warn);
    return {
      cadence: l.cadence,
      prefix: l.metric_prefix || DEFAULT_PREFIX,
      lookbackDays,
      groupBy,
      monthToDate,
      maxPages,
    };
  },
  instances: (s) => [
    {
      series: [`${s.prefix}_daily_cost_usd`, ...(s.monthToDate ? [`${s.prefix}_month_to_date_cost_usd`] : [])],
      naming: `prefix=${s.prefix}`,
    },
  ],
  create(s, planned, shared, deps) {
    return new ReportCostsLoop(
      planned.key,
      {
        api: shared.api,
        cadence: s.cadence,
        part: "cost_report",
        path: "/organizations/cost_report",
        maxPages: s.maxPages,
        shape: {
          prefix: s.prefix,
          grouped: s.groupBy.length > 0,
          lookbackDays: s.lookbackDays,
          monthToDate: s.monthToDate,
          shift: 2,
          read: readRow(s.groupBy),
        },
        query(firstDay, days) {
          // No ending_at: the report then runs up to the current day.
          const q = new URLSearchParams({
            starting_at: formatRfc3339Seconds(firstDay),
            bucket_width: "1d",
            limit: String(days),
          });
          for (const d of s.groupBy) q.append("group_by[]", d);
          return q;
        },
        decodePage: decodeAnthropicPage,
        bucket: decodeAnthropicBucket,
      },
      deps,
    );
  },
});
