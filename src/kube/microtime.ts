/**
 * Kubernetes MicroTime: the API server parses `acquireTime`/`renewTime` with exactly six
 * fractional digits (`2026-11-24T13:05:07.123000Z`); `toISOString()`'s three are a 400.
 * Truncated, UTC. Wall clock in milliseconds is enough here: the value is informative, expiry
 * is judged from locally observed change.
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
