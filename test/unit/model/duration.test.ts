import { describe, expect, test } from "bun:test";
import { formatDuration, HOUR, MINUTE, MS, parseDuration, SECOND, US } from "../../../src/model/duration.ts";

describe("parseDuration (Go grammar)", () => {
  test.each([
    ["60s", 60 * SECOND],
    ["1h30m", 90 * MINUTE],
    ["1.5m", 90 * SECOND],
    ["1.5h", 90 * MINUTE],
    ["500ms", 500 * MS],
    ["+5s", 5 * SECOND],
    ["-5m", -5 * MINUTE],
    ["90s0ms", 90 * SECOND],
    ["1µs", US],
    ["1μs", US],
    ["1us", US],
    [".5s", 500 * MS],
    ["1.s", SECOND],
    ["0", 0],
    ["-0", 0],
    ["1.0000000009s", SECOND],
  ])("%p", (s, want) => expect(parseDuration(s)).toBe(want));
  test.each([
    ["60", 'time: missing unit in duration "60"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["1m 30s", 'time: unknown unit "m " in duration "1m 30s"'],
    ["", 'time: invalid duration ""'],
    ["PT1M", 'time: invalid duration "PT1M"'],
    [".s", 'time: invalid duration ".s"'],
    ["9999999999h", 'time: invalid duration "9999999999h"'],
  ])("%p fails", (s, msg) => expect(() => parseDuration(s)).toThrow(msg));
});

describe("formatDuration (Go Duration.String)", () => {
  test.each([
    [0, "0s"],
    [1, "1ns"],
    [1500, "1.5µs"],
    [500 * MS, "500ms"],
    [SECOND, "1s"],
    [1.5 * SECOND, "1.5s"],
    [MINUTE, "1m0s"],
    [252 * SECOND, "4m12s"],
    [672 * SECOND, "11m12s"],
    [50 * MINUTE, "50m0s"],
    [HOUR, "1h0m0s"],
    [70 * MINUTE, "1h10m0s"],
    [-10 * MINUTE, "-10m0s"],
    [8_571_428_571, "8.571428571s"],
  ])("%p ⇒ %p", (d, s) => expect(formatDuration(d)).toBe(s));
});
