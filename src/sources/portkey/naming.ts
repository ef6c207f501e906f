/** Series naming shared by Portkey's metrics loops. */
export const DEFAULT_PREFIX = "portkey_api";

/** `metric_prefix`, or the default when unset. */
export function seriesPrefix(metricPrefix: string): string {
  return metricPrefix || DEFAULT_PREFIX;
}
