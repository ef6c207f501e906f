/** ConfigMap data-key vectors, MicroTime format, Lease timing validation. */
import { expect, test } from "bun:test";
import { dataKey } from "../../../src/checkpoint/configmap/store.ts";
import { validateTimings } from "../../../src/coordinate/lease/elector.ts";
import { microTime } from "../../../src/kube/microtime.ts";

test.each([
  ["pk/analytics/fp", "pk_analytics_fp.2fb430c5360e"],
  ["portkey-prod-eu/analytics/abc123", "portkey-prod-eu_analytics_abc123.2413d1e561c9"],
  ["a:b/c/d", "a_b_c_d.84ff8bc6338f"],
  ["a;b/c/d", "a_b_c_d.7fcb6fbf3b54"],
  ["é/x/y", "___x_y.ec3059904c49"],
  ["portkey-e2e/analytics/a2e79cb406df867d", "portkey-e2e_analytics_a2e79cb406df867d.d33c5a4a26c4"],
])("dataKey(%p) = %p", (s, want) => {
  expect(dataKey(s)).toBe(want);
});

test("long keys are truncated to 200 characters plus the hash", () => {
  const k = dataKey(`${"x".repeat(300)}/analytics/f`);
  expect(k).toHaveLength(213);
  expect(k).toMatch(/^[-._a-zA-Z0-9]+$/);
});

test("MicroTime has exactly six fractional digits, UTC", () => {
  expect(microTime(Date.parse("2026-11-24T13:05:07.123Z"))).toBe("2026-11-24T13:05:07.123000Z");
  expect(microTime(0)).toBe("1970-01-01T00:00:00.000000Z");
});

test("lease timing validation", () => {
  expect(() =>
    validateTimings({ leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 }, "p"),
  ).not.toThrow();
  expect(() => validateTimings({ leaseDurationMs: 10000, renewDeadlineMs: 10000, retryPeriodMs: 2000 }, "p")).toThrow();
  expect(() => validateTimings({ leaseDurationMs: 15000, renewDeadlineMs: 2400, retryPeriodMs: 2000 }, "p")).toThrow();
  expect(() => validateTimings({ leaseDurationMs: 15000, renewDeadlineMs: 10000, retryPeriodMs: 2000 }, "")).toThrow();
});
