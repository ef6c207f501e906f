/**
 * What both providers' `usage` definitions read and send the same way: the window settings
 * (the loop block's timing, `settings.bucket_width`, `page_buckets`, `max_pages`) and the
 * query of one part (aligned bounds in the provider's time form, width, limit, the part's
 * `group_by[]` values and an id filter).
 */
import type { LoopConfig } from "../../../config/types.ts";
import type { Duration } from "../../../model/duration.ts";
import type { Time } from "../../../model/time.ts";
import type { SettingsReader } from "../../settings.ts";
import { readBounded, readPageBuckets, readWidth } from "./settings.ts";
import type { UsageQueryBounds } from "./usage-loop.ts";
import type { WindowSettings } from "./window.ts";

export interface UsageCommon {
  cadence: Duration;
  window: WindowSettings;
  maxPages: number;
}

export function readUsageCommon(r: SettingsReader, l: LoopConfig): UsageCommon {
  const widthSeconds = readWidth(r);
  const pageBuckets = readPageBuckets(r, widthSeconds);
  const maxPages = readBounded(r, "max_pages", 50, 1, Number.MAX_SAFE_INTEGER);
  return {
    cadence: l.cadence,
    window: {
      window: l.window,
      bucketSettle: l.bucket_settle,
      bootstrapLookback: l.bootstrap_lookback,
      maxBackfill: l.max_backfill,
      widthSeconds,
      pageBuckets,
    },
    maxPages,
  };
}

/** How a provider names its bounds and writes an instant (Unix seconds, RFC 3339). */
export interface TimeParams {
  start: string;
  end: string;
  format(t: Time): string;
}

export function usageQuery(
  time: TimeParams,
  widthSeconds: number,
  bounds: UsageQueryBounds,
  dims: readonly string[],
  filter: { param: string; values: readonly string[] },
): URLSearchParams {
  const q = new URLSearchParams({
    [time.start]: time.format(bounds.queryStart),
    [time.end]: time.format(bounds.queryEnd),
    bucket_width: widthSeconds === 60 ? "1m" : "1h",
    limit: String(bounds.limit),
  });
  for (const d of dims) q.append("group_by[]", d);
  for (const id of filter.values) q.append(`${filter.param}[]`, id);
  return q;
}
