/**
 * The OpenAI `costs` loop's definition: daily costs as snapshot gauges. `amount.value` arrives
 * as a JSON number or as a decimal string (both seen); either enters the sum exactly.
 */
import type { Duration } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import type { CostRow } from "../report/costs.ts";
import { ReportCostsLoop } from "../report/costs-loop.ts";
import { type Decimal, decimalOfNumber, parseDecimal } from "../report/decimal.ts";
import { asRow, dimension, present, type Row } from "../report/rows.ts";
import { COSTS_CADENCE, checkSnapshot, readBounded, readDimensions } from "../report/settings.ts";
import { decodeOpenaiBucket, decodeOpenaiPage, type OpenaiShared, unixSeconds } from "../shared.ts";
import { DEFAULT_PREFIX } from "../usage/definition.ts";

export interface OpenaiCostsSettings {
  cadence: Duration;
  prefix: string;
  lookbackDays: number;
  groupBy: string[];
  monthToDate: boolean;
  projectIds: string[];
  maxPages: number;
}

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

export const costs = defineLoop<OpenaiCostsSettings, OpenaiShared>({
  name: "costs",
  signal: "metrics",
  summary:
    "The organization's billed cost per UTC day (`/organization/costs`) as snapshot gauges: `<metric_prefix>_daily_cost_usd{day_offset}` for today (`0`) and the last `settings.lookback_days` days, and `_month_to_date_cost_usd`, grouped by `line_item` by default, summed exactly. A snapshot loop (`window` 0) re-read every poll, so late costs and credits show.",
  defaults: { cadence: COSTS_CADENCE },
  parse({ loop: l, warn }) {
    const where = "openai costs";
    checkSnapshot(where, l);
    const r = new SettingsReader(where, l.settings);
    const lookbackDays = readBounded(r, "lookback_days", 2, 0, 30);
    const groupBy = readDimensions(r, {
      key: "group_by",
      def: ["line_item"],
      allowed: ["line_item", "project_id", "api_key_id"],
      refused: {},
      idDims: ["project_id", "api_key_id"],
    });
    const monthToDate = r.bool("emit_month_to_date", true);
    const projectIds = r.csv("project_ids");
    const maxPages = readBounded(r, "max_pages", 20, 1, Number.MAX_SAFE_INTEGER);
    r.done();
    warnUnknown(r, "costs", warn);
    return {
      cadence: l.cadence,
      prefix: l.metric_prefix || DEFAULT_PREFIX,
      lookbackDays,
      groupBy,
      monthToDate,
      projectIds,
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
        part: "costs",
        path: "/organization/costs",
        maxPages: s.maxPages,
        shape: {
          prefix: s.prefix,
          grouped: s.groupBy.length > 0,
          lookbackDays: s.lookbackDays,
          monthToDate: s.monthToDate,
          shift: 0,
          read: readRow(s.groupBy),
        },
        query(firstDay, days) {
          // No end_time: today's bucket then comes back cut at request time.
          const q = new URLSearchParams({ start_time: unixSeconds(firstDay), bucket_width: "1d", limit: String(days) });
          for (const d of s.groupBy) q.append("group_by[]", d);
          for (const id of s.projectIds) q.append("project_ids[]", id);
          return q;
        },
        decodePage: decodeOpenaiPage,
        bucket: decodeOpenaiBucket,
      },
      deps,
    );
  },
});
