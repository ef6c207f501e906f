/**
 * Lease timings are fixed at 15 s / 10 s / 2 s, as in the reference. For tests only,
 * GENAI_OTEL_BRIDGE_LEASE_TIMINGS=<duration>/<duration>/<duration> shortens them (e.g. 4s/3s/1s);
 * the elector still validates duration > deadline > 1.2 × retry.
 */

import { DEFAULT_TIMINGS, type LeaseTimings } from "../coordinate/lease/elector.ts";
import { parseDuration } from "../model/duration.ts";

export function leaseTimings(env: Record<string, string | undefined>): LeaseTimings {
  const v = env.GENAI_OTEL_BRIDGE_LEASE_TIMINGS ?? "";
  if (v === "") return DEFAULT_TIMINGS;
  const parts = v.split("/");
  if (parts.length !== 3)
    throw new Error(`GENAI_OTEL_BRIDGE_LEASE_TIMINGS must be lease/renew/retry, got ${JSON.stringify(v)}`);
  const [l, r, p] = parts.map((x) => parseDuration(x) / 1e6);
  return { leaseDurationMs: l ?? 0, renewDeadlineMs: r ?? 0, retryPeriodMs: p ?? 0 };
}
