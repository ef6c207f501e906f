/**
 * From checked daily cost buckets to snapshot gauges (`openai.md` §6.3, shared by Anthropic §7):
 * `<prefix>_daily_cost_usd{day_offset}` for today and the last `lookback_days` days, and
 * `<prefix>_month_to_date_cost_usd` over the days of the current month. Amounts are summed as
 * exact decimals per (day, label set) and become doubles once. `day_offset` ("0" today) instead
 * of a date keeps the label's values bounded: a date would add a series every day.
 */
import { labelKey } from "../../../model/order.ts";
import { NS_PER_S, type Time } from "../../../model/time.ts";
import { gauge, type Labels, type Sample } from "../../../model/types.ts";
import { type Bucket, DAY_SECONDS } from "./buckets.ts";
import { addDecimal, type Decimal, decimalToNumber, ZERO_DECIMAL } from "./decimal.ts";
import { asRow, type Row } from "./rows.ts";

const DAY = BigInt(DAY_SECONDS) * NS_PER_S;

/** One cost row as a provider reads it. */
export type CostRow =
  | { kind: "amount"; labels: Labels; amount: Decimal }
  /** No amount on the row: nothing to add. */
  | { kind: "none" }
  /** A currency the series cannot carry (their unit is USD). */
  | { kind: "other_currency" };

export interface CostShape {
  prefix: string;
  /** Whether any dimension is grouped (an empty ungrouped day is then a known zero). */
  grouped: boolean;
  lookbackDays: number;
  monthToDate: boolean;
  /** 2 when amounts are cents (Anthropic), 0 when dollars. */
  shift: number;
  read(row: Row, where: string): CostRow;
}

/** 00:00 UTC of `now`'s day, and of the first day of its month. */
export function dayStarts(now: Time): { day0: Time; monthStart: Time } {
  const day0 = now - (((now % DAY) + DAY) % DAY);
  const date = new Date(Number(day0 / 1_000_000n));
  const monthStart = BigInt(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)) * 1_000_000n;
  return { day0, monthStart };
}

/** The first day a costs request asks for, and how many daily buckets that is. */
export function costRange(now: Time, lookbackDays: number, monthToDate: boolean): { firstDay: Time; days: number } {
  const { day0, monthStart } = dayStarts(now);
  let firstDay = day0 - BigInt(lookbackDays) * DAY;
  if (monthToDate && monthStart < firstDay) firstDay = monthStart;
  return { firstDay, days: Number((day0 - firstDay) / DAY) + 1 };
}

export function deriveCosts(
  shape: CostShape,
  buckets: readonly Bucket[],
  now: Time,
  stamp: Time,
  where: string,
  skipped: () => void,
): Sample[] {
  const { day0, monthStart } = dayStarts(now);
  const days = new Map<Time, Map<string, { labels: Labels; sum: Decimal }>>();
  for (const bucket of buckets) {
    if (bucket.start > day0) continue;
    const sums = new Map<string, { labels: Labels; sum: Decimal }>();
    days.set(bucket.start, sums);
    for (const raw of bucket.results) {
      const row = shape.read(asRow(raw, where), where);
      if (row.kind === "none") continue;
      if (row.kind === "other_currency") {
        skipped();
        continue;
      }
      const key = labelKey(row.labels);
      const acc = sums.get(key);
      if (acc) acc.sum = addDecimal(acc.sum, row.amount);
      else sums.set(key, { labels: row.labels, sum: row.amount });
    }
  }
  const samples: Sample[] = [];
  const daily = `${shape.prefix}_daily_cost_usd`;
  const starts = [...days.keys()].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  for (const start of starts) {
    const offset = (day0 - start) / DAY;
    if (offset > BigInt(shape.lookbackDays)) continue;
    const sums = days.get(start) ?? new Map();
    if (sums.size === 0 && !shape.grouped) {
      samples.push(gauge(daily, { day_offset: String(offset) }, 0, stamp));
      continue;
    }
    for (const key of [...sums.keys()].sort()) {
      const acc = sums.get(key);
      if (acc)
        samples.push(
          gauge(daily, { ...acc.labels, day_offset: String(offset) }, decimalToNumber(acc.sum, shape.shift), stamp),
        );
    }
  }
  if (!shape.monthToDate) return samples;
  const month = new Map<string, { labels: Labels; sum: Decimal }>();
  if (!shape.grouped) month.set(labelKey({}), { labels: {}, sum: ZERO_DECIMAL });
  for (const [start, sums] of days) {
    if (start < monthStart) continue;
    for (const [key, acc] of sums) {
      const total = month.get(key);
      if (total) total.sum = addDecimal(total.sum, acc.sum);
      else month.set(key, { labels: acc.labels, sum: acc.sum });
    }
  }
  const mtd = `${shape.prefix}_month_to_date_cost_usd`;
  for (const key of [...month.keys()].sort()) {
    const acc = month.get(key);
    if (acc) samples.push(gauge(mtd, acc.labels, decimalToNumber(acc.sum, shape.shift), stamp));
  }
  return samples;
}
