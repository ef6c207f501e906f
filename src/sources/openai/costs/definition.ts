/**
 * The OpenAI `costs` loop's definition: daily costs as snapshot gauges. `amount.value` arrives
 * as a JSON number or as a decimal string (both seen); either enters the sum exactly.
 */
import type { CostRow } from "../report/costs.ts";
import { costsLoop } from "../report/costs-definition.ts";
import { type Decimal, decimalOfNumber, parseDecimal } from "../report/decimal.ts";
import { asRow, dimension, present, type Row } from "../report/rows.ts";
import { decodeOpenaiBucket, decodeOpenaiPage, unixSeconds } from "../shared.ts";
import { DEFAULT_PREFIX } from "../usage/definition.ts";

/** `amount.value`: a number, or a string like `12.50`; undefined when it is neither. */
export function amountValue(value: unknown): Decimal | undefined {
  if (typeof value === "number") return decimalOfNumber(value);
  if (typeof value === "string") return parseDecimal(value);
  return undefined;
}

function readRow(dims: string[]): (row: Row, where: string) => CostRow {
  return (row, where) => {
    if (row.amount === undefined || row.amount === null) return { kind: "none" };
    const amount = asRow(row.amount, `${where}: amount`);
    const value = amountValue(amount.value);
    if (value === undefined) throw new Error(`${where}: amount.value is not a decimal number`);
    if (typeof amount.currency !== "string" || amount.currency.toLowerCase() !== "usd")
      return { kind: "other_currency" };
    const labels: Record<string, string> = {};
    for (const d of dims) labels[d] = dimension(row, d, where);
    return { kind: "amount", labels: present(labels), amount: value };
  };
}

export const costs = costsLoop({
  vendor: "openai",
  summary:
    "The organization's billed cost per UTC day (`/organization/costs`) as snapshot gauges: `<metric_prefix>_daily_cost_usd{day_offset}` for today (`0`) and the last `settings.lookback_days` days, and `_month_to_date_cost_usd`, grouped by `line_item` by default, summed exactly. A snapshot loop (`window` 0) re-read every poll, so late costs and credits show.",
  defaultPrefix: DEFAULT_PREFIX,
  groupBy: {
    def: ["line_item"],
    allowed: ["line_item", "project_id", "api_key_id"],
    refused: {},
    idDims: ["project_id", "api_key_id"],
  },
  filter: { key: "project_ids", param: "project_ids" },
  part: "costs",
  path: "/organization/costs",
  shift: 0,
  readRow,
  start: { param: "start_time", format: unixSeconds },
  decodePage: decodeOpenaiPage,
  bucket: decodeOpenaiBucket,
});
