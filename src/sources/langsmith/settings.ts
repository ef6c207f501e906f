/** Settings the `sessions` and `usage` loops share (the project list and its labels). */
import { type Duration, formatDuration } from "../../model/duration.ts";
import type { SettingsReader } from "../settings.ts";

export type LabelValue = "id" | "name";

export interface ProjectListSettings {
  statsWindow: Duration;
  sessionFilter: string;
  labelValue: LabelValue;
  pageLimit: number;
  maxSessions: number;
}

/**
 * The snapshot loops take no generic `window` (a non-zero one would make the scheduler treat
 * them as windowed); their look-back is `settings.stats_window`.
 */
export function requireNoWindow(where: string, window: Duration): void {
  if (window !== 0) {
    throw new Error(
      `${where}: window must be 0 (snapshot loop; the look-back is settings.stats_window); got ${formatDuration(window)}`,
    );
  }
}

export function readProjectList(r: SettingsReader, defaultStatsWindow: Duration): ProjectListSettings {
  const parsed = r.duration("stats_window", defaultStatsWindow);
  // As the reference: a zero or negative look-back silently falls back to the default.
  const statsWindow = parsed > 0 ? parsed : defaultStatsWindow;
  const sessionFilter = r.raw("session_filter") ?? "";
  const label = r.raw("session_label_value") ?? "id";
  r.check(
    label === "id" || label === "name",
    `settings.session_label_value must be "id" or "name"; got ${JSON.stringify(label)}`,
  );
  const pageLimit = r.int("page_limit", 100);
  r.check(pageLimit > 0, "settings.page_limit must be > 0");
  const maxSessions = r.int("max_sessions", 1000);
  r.check(maxSessions > 0, "settings.max_sessions must be > 0");
  return { statsWindow, sessionFilter, labelValue: label === "name" ? "name" : "id", pageLimit, maxSessions };
}

/** `{p}`: the loop's metric_prefix, or `langsmith`. */
export function langsmithPrefix(metricPrefix: string): string {
  return metricPrefix === "" ? "langsmith" : metricPrefix;
}
