/**
 * One definition for both providers' `costs` loops: the same settings (`lookback_days`,
 * `group_by` with its id opt-in, `emit_month_to_date`, `max_pages`, an optional id filter), the
 * same series and checkpoint naming, the same snapshot loop; each provider supplies its path,
 * its row reader, the form of its start parameter and its envelopes.
 */
import type { Duration } from "../../../model/duration.ts";
import type { Time } from "../../../model/time.ts";
import { defineLoop, type LoopSpec } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import type { Bucket } from "./buckets.ts";
import type { CostRow } from "./costs.ts";
import { ReportCostsLoop } from "./costs-loop.ts";
import type { Page } from "./pages.ts";
import type { AdminApi } from "./request.ts";
import type { Row } from "./rows.ts";
import { COSTS_CADENCE, checkSnapshot, type DimensionRules, readBounded, readDimensions } from "./settings.ts";

export interface CostsLoopSpec {
  vendor: string;
  summary: string;
  defaultPrefix: string;
  groupBy: Omit<DimensionRules, "key">;
  /** An id filter setting, sent as one `<param>[]` per value (OpenAI's `project_ids`). */
  filter?: { key: string; param: string };
  /** What a 404 is reported as, and where the report lives. */
  part: string;
  path: string;
  /** 2 when amounts are cents, 0 when dollars. */
  shift: number;
  readRow(groupBy: string[]): (row: Row, where: string) => CostRow;
  /** The first day's parameter: its name and how an instant is written in it. */
  start: { param: string; format(t: Time): string };
  decodePage(json: unknown, where: string): Page;
  bucket(raw: unknown, where: string): Bucket;
}

export interface CostsSettings {
  cadence: Duration;
  prefix: string;
  lookbackDays: number;
  groupBy: string[];
  monthToDate: boolean;
  filterValues: string[];
  maxPages: number;
}

export function costsLoop(spec: CostsLoopSpec): LoopSpec<{ api: AdminApi }> {
  return defineLoop<CostsSettings, { api: AdminApi }>({
    name: "costs",
    signal: "metrics",
    summary: spec.summary,
    defaults: { cadence: COSTS_CADENCE },
    parse({ loop: l, warn }) {
      const where = `${spec.vendor} costs`;
      checkSnapshot(where, l);
      const r = new SettingsReader(where, l.settings);
      const lookbackDays = readBounded(r, "lookback_days", 2, 0, 30);
      const groupBy = readDimensions(r, { key: "group_by", ...spec.groupBy });
      const monthToDate = r.bool("emit_month_to_date", true);
      const filterValues = spec.filter ? r.csv(spec.filter.key) : [];
      const maxPages = readBounded(r, "max_pages", 20, 1, Number.MAX_SAFE_INTEGER);
      r.done();
      warnUnknown(r, "costs", warn);
      const prefix = l.metric_prefix || spec.defaultPrefix;
      return { cadence: l.cadence, prefix, lookbackDays, groupBy, monthToDate, filterValues, maxPages };
    },
    instances: (s) => [
      {
        series: [`${s.prefix}_daily_cost_usd`, ...(s.monthToDate ? [`${s.prefix}_month_to_date_cost_usd`] : [])],
        naming: `prefix=${s.prefix}`,
      },
    ],
    create(s, planned, shared, deps) {
      const shape = {
        prefix: s.prefix,
        grouped: s.groupBy.length > 0,
        lookbackDays: s.lookbackDays,
        monthToDate: s.monthToDate,
        shift: spec.shift,
        read: spec.readRow(s.groupBy),
      };
      const query = (firstDay: Time, days: number) => {
        // No end: the report then runs to now, today's bucket cut at the request time.
        const q = new URLSearchParams({
          [spec.start.param]: spec.start.format(firstDay),
          bucket_width: "1d",
          limit: String(days),
        });
        for (const d of s.groupBy) q.append("group_by[]", d);
        if (spec.filter) for (const id of s.filterValues) q.append(`${spec.filter.param}[]`, id);
        return q;
      };
      const { part, path, decodePage, bucket } = spec;
      return new ReportCostsLoop(
        planned.key,
        { api: shared.api, cadence: s.cadence, part, path, maxPages: s.maxPages, shape, query, decodePage, bucket },
        deps,
      );
    },
  });
}
