import { describe, expect, test } from "bun:test";
import { fromMillis, type Time } from "../../../src/model/time.ts";
import type { Sample } from "../../../src/model/types.ts";
import { RevisionHistory } from "../../../src/sources/revision-history.ts";

const B = Date.parse("2026-06-18T12:00:00Z");
const T = (ms: number): Time => fromMillis(ms);

describe("revision history (Portkey analytics, provider usage reports)", () => {
  const s = (end: number, v: number, labels: Record<string, string> = {}): Sample => ({
    name: "m",
    kind: "gauge",
    temporality: "unset",
    monotonic: false,
    unit: "",
    labels,
    value: v,
    timestamp: T(B + end * 60_000),
  });
  test("new, unchanged, changed, changed again, per label set, aged out", () => {
    const h = new RevisionHistory(T(5 * 60_000));
    const ref = T(B + 3 * 60_000);
    expect(h.observe([s(1, 10), s(2, 20)], ref)).toEqual([]);
    expect(h.observe([s(1, 10), s(2, 20), s(3, 30)], ref)).toEqual([]);
    expect(h.observe([s(2, 999)], ref)).toEqual([T(B + 2 * 60_000)]);
    expect(h.observe([s(2, 999)], ref)).toEqual([]);
    h.observe([s(4, 1, { quantile: "p50" }), s(4, 1, { quantile: "p90" })], ref);
    expect(h.observe([s(4, 1, { quantile: "p50" }), s(4, 2, { quantile: "p90" })], ref)).toHaveLength(1);
    h.observe([], T(B + 40 * 60_000));
    expect(h.observe([s(2, 5)], T(B + 40 * 60_000))).toEqual([]);
  });
  test("series differing only in unit are kept apart", () => {
    const h = new RevisionHistory(T(5 * 60_000));
    const ref = T(B + 3 * 60_000);
    const seconds: Sample = { ...s(1, 1), unit: "s" };
    const millis: Sample = { ...s(1, 1000), unit: "ms" };
    // Sharing one key, each would overwrite the other and read as revised on the next poll.
    expect(h.observe([seconds, millis], ref)).toEqual([]);
    expect(h.observe([seconds, millis], ref)).toEqual([]);
    expect(h.observe([{ ...millis, value: 999 }], ref)).toEqual([T(B + 60_000)]);
  });
});
