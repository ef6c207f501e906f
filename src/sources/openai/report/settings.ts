/**
 * Settings both providers' report loops read the same way: the bucket width, `group_by` with
 * its default-deny rule for id dimensions and its refusal of personal identifiers, bounded
 * integers, and the timing rules of a windowed loop or a snapshot loop. Every error names the
 * key it is about.
 */

import type { LoopConfig } from "../../../config/types.ts";
import { formatDuration, MINUTE } from "../../../model/duration.ts";
import type { SettingsReader } from "../../settings.ts";
import { apiMaxBuckets } from "./window.ts";

/** `settings.bucket_width`: `1m` (default) or `1h`, in seconds. */
export function readWidth(r: SettingsReader): number {
  const raw = (r.raw("bucket_width") ?? "").trim();
  if (raw === "" || raw === "1m") return 60;
  if (raw === "1h") return 3600;
  r.check(
    false,
    `settings.bucket_width ${JSON.stringify(raw)} is not supported (1m or 1h; 1d buckets would stamp a day's usage once — sum 1m or 1h buckets with sum_over_time instead)`,
  );
  return 60;
}

/** A csv setting whose absence means `def` and whose empty value means none. */
export function csvOr(r: SettingsReader, key: string, def: string[]): string[] {
  const raw = r.raw(key);
  return raw === undefined ? [...def] : r.csv(key);
}

export interface DimensionRules {
  key: string;
  def: string[];
  allowed: readonly string[];
  /** Never a label: a person (or, for Anthropic, a value behind a beta header), with why. */
  refused: Readonly<Record<string, string>>;
  /** High-cardinality ids: only with `settings.allow_id_dims`. */
  idDims: readonly string[];
}

/** `group_by` (or another key) checked against the allowed values and the id opt-in. */
export function readDimensions(r: SettingsReader, rules: DimensionRules): string[] {
  const dims = csvOr(r, rules.key, rules.def);
  const optedIn = r.csv("allow_id_dims");
  for (const d of optedIn) {
    r.check(
      rules.idDims.includes(d),
      `settings.allow_id_dims: ${JSON.stringify(d)} is not an id dimension (${rules.idDims.join(", ")})`,
    );
  }
  const seen = new Set<string>();
  for (const d of dims) {
    const why = rules.refused[d];
    if (why !== undefined) r.check(false, `settings.${rules.key} ${JSON.stringify(d)} ${why}`);
    else if (!rules.allowed.includes(d)) {
      r.check(
        false,
        `settings.${rules.key}: unknown value ${JSON.stringify(d)} (supported: ${rules.allowed.join(", ")})`,
      );
    } else if (rules.idDims.includes(d) && !optedIn.includes(d)) {
      r.check(
        false,
        `settings.${rules.key} ${JSON.stringify(d)} is a high-cardinality id dimension; list it in settings.allow_id_dims to opt in`,
      );
    }
    r.check(!seen.has(d), `settings.${rules.key}: ${JSON.stringify(d)} is listed twice`);
    seen.add(d);
  }
  return dims;
}

/** A csv of values each from `allowed`, listed once. */
export function readChoices(
  r: SettingsReader,
  key: string,
  def: readonly string[],
  allowed: readonly string[],
): string[] {
  const values = csvOr(r, key, [...def]);
  const seen = new Set<string>();
  for (const v of values) {
    r.check(
      allowed.includes(v),
      `settings.${key}: unknown value ${JSON.stringify(v)} (supported: ${allowed.join(", ")})`,
    );
    r.check(!seen.has(v), `settings.${key}: ${JSON.stringify(v)} is listed twice`);
    seen.add(v);
  }
  return values;
}

/** An integer within `[min, max]`. */
export function readBounded(r: SettingsReader, key: string, def: number, min: number, max: number): number {
  const value = r.int(key, def);
  r.check(value >= min && value <= max, `settings.${key} ${value} is out of range (${min}..${max})`);
  return value;
}

/** `settings.page_buckets`: 0 (the API's maximum) or 1..max for the width. */
export function readPageBuckets(r: SettingsReader, widthSeconds: number): number {
  const max = apiMaxBuckets(widthSeconds);
  const value = r.int("page_buckets", 0);
  r.check(value >= 0 && value <= max, `settings.page_buckets ${value} is out of range (0 = API maximum, or 1..${max})`);
  return value;
}

/** The timing rules of a usage loop (`openai.md` §3.2). */
export function checkWindowed(where: string, l: LoopConfig): void {
  if (!(l.window > 0))
    throw new Error(`${where}: requires a positive window (time-bucketed report); got ${formatDuration(l.window)}`);
  if (!(l.bootstrap_lookback > l.bucket_settle)) {
    throw new Error(
      `${where}: bootstrap_lookback ${formatDuration(l.bootstrap_lookback)} must be > bucket_settle ${formatDuration(l.bucket_settle)}`,
    );
  }
  if (l.bootstrap_lookback > l.max_backfill) {
    throw new Error(
      `${where}: bootstrap_lookback ${formatDuration(l.bootstrap_lookback)} must be <= max_backfill ${formatDuration(l.max_backfill)}`,
    );
  }
  if (!(l.max_backfill > l.bucket_settle)) {
    throw new Error(
      `${where}: max_backfill ${formatDuration(l.max_backfill)} must be > bucket_settle ${formatDuration(l.bucket_settle)}`,
    );
  }
}

/** A costs loop is a snapshot loop: its look-back is days, set in `settings.lookback_days`. */
export function checkSnapshot(where: string, l: LoopConfig): void {
  if (l.window !== 0) {
    throw new Error(
      `${where}: window must be 0 or unset (a snapshot loop; set how many past days it re-reads with settings.lookback_days); got ${formatDuration(l.window)}`,
    );
  }
}

/** The usage loops' defaults (`openai.md` §3.2): window and bootstrap 50m, backfill 90m. */
export const USAGE_TIMING = { window: 50 * MINUTE, bootstrap_lookback: 50 * MINUTE, max_backfill: 90 * MINUTE };

/** Snapshot loops' recommended cadence: under Prometheus' 5-minute look-back even with jitter. */
export const COSTS_CADENCE = 4 * MINUTE;
