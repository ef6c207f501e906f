/** `openai.md` §9 costs cases 20–27, each named by its number. */
import { describe, expect, test } from "bun:test";
import { openai } from "../../../../src/sources/openai/index.ts";
import { decimalOfNumber, decimalToNumber, parseDecimal } from "../../../../src/sources/openai/report/decimal.ts";
import { B, fixture, json, loopBlock, providerSource, query, rig, served, T } from "./rig.ts";

const source = (settings: Record<string, string> = {}, over = {}) =>
  providerSource("openai", { costs: loopBlock(settings, over) });
const values = (samples: { name: string; labels: Record<string, string>; value: number }[]) =>
  samples.map((s) => {
    const { day_offset, ...rest } = s.labels;
    const name = s.name.replace("openai_api_", "");
    return `${name}${day_offset === undefined ? "" : `[${day_offset}]`} ${Object.values(rest).join("|")} ${s.value}`;
  });

describe("openai costs", () => {
  test("20 the request: month start to today, grouped by line_item, no end_time", async () => {
    const r = rig(
      openai,
      source(),
      () => json(served("openai", "costs_1d_line_item_page_last.json")),
      "2026-06-18T12:00:00Z",
    );
    await r.collect();
    expect(r.seen[0]?.url.pathname).toBe("/v1/organization/costs");
    expect(query(r.seen[0]?.url as URL)).toEqual({
      start_time: "1780272000",
      bucket_width: "1d",
      limit: "18",
      "group_by[]": ["line_item"],
    });
  });

  test("21 grouped over two pages: daily per offset and month to date, all stamped at the poll minute", async () => {
    const r = rig(
      openai,
      source(),
      (_, n) =>
        json(
          served("openai", n === 1 ? "costs_1d_line_item_page_with_next.json" : "costs_1d_line_item_page_last.json"),
        ),
      "2026-06-18T12:00:00Z",
    );
    const batch = await r.collect();
    expect(query(r.seen[1]?.url as URL).page).toBe("page_AAAAAGhRXwAAAAAAaFIOgA==");
    expect(values(batch.samples)).toEqual([
      "daily_cost_usd[0] gpt-5.4-2026-03-05, input 0.4",
      "daily_cost_usd[1] gpt-5.4-2026-03-05, input 2.5",
      "daily_cost_usd[1] gpt-5.4-2026-03-05, output 4.75",
      "daily_cost_usd[2] gpt-5.4-2026-03-05, input 1.25",
      "daily_cost_usd[2] gpt-5.4-2026-03-05, output 3.5",
      "daily_cost_usd[2] gpt-5-mini-2025-08-07, input 0.06",
      "month_to_date_cost_usd gpt-5.4-2026-03-05, input 4.15",
      "month_to_date_cost_usd gpt-5.4-2026-03-05, output 8.25",
      "month_to_date_cost_usd gpt-5-mini-2025-08-07, input 0.06",
    ]);
    // Within an offset, label sets follow the canonical label signature (length-prefixed), not plain text order.
    expect(batch.samples.every((s) => s.timestamp === B)).toBe(true);
    expect(batch.watermark.time).toBe(B);
  });

  test("22 ungrouped: an empty day is 0, and the month sums exactly (5.73, not 5.7299999999999995)", async () => {
    const r = rig(
      openai,
      source({ group_by: "" }),
      () => json(served("openai", "costs_1d_ungrouped.json")),
      "2026-06-18T12:00:00Z",
    );
    const batch = await r.collect();
    expect(values(batch.samples)).toEqual([
      "daily_cost_usd[0]  0.42",
      "daily_cost_usd[1]  0",
      "daily_cost_usd[2]  5.31",
      "month_to_date_cost_usd  5.73",
    ]);
    expect(query(r.seen[0]?.url as URL)["group_by[]"]).toBeUndefined();
  });

  test("23 a string amount is read exactly; a comma decimal is a decode error", async () => {
    const r = rig(
      openai,
      source(),
      () => json(served("openai", "costs_1d_amount_value_string.json")),
      "2026-06-18T12:00:00Z",
    );
    const batch = await r.collect();
    expect(batch.samples.find((s) => s.labels.day_offset === "1" && s.labels.line_item === "Text tokens")?.value).toBe(
      12.5,
    );
    const page = fixture("openai", "costs_1d_amount_value_string.json");
    const text = JSON.stringify(page).replace('"12.50"', '"12,50"');
    expect(text).toContain('"12,50"');
    const bad = rig(openai, source(), () => new Response(text, { status: 200 }), "2026-06-18T12:00:00Z");
    await expect(bad.collect()).rejects.toThrow("amount.value is not a decimal number");
  });

  test("24 a row in another currency is skipped and reported", async () => {
    const page = fixture("openai", "costs_1d_ungrouped.json");
    const days = page.data as { results: { amount: { currency: string } }[] }[];
    const first = days[0]?.results[0];
    if (first) first.amount.currency = "eur";
    const r = rig(openai, source({ group_by: "" }), () => json(page), "2026-06-18T12:00:00Z");
    const batch = await r.collect();
    expect(r.reports).toEqual([
      { kind: "part_skipped", part: "currency_unsupported", reason: "a cost row not in USD" },
    ]);
    expect(values(batch.samples)).toContain("daily_cost_usd[2]  0");
  });

  test("25 month boundary: three days asked, month to date only today's", async () => {
    const page = {
      object: "page",
      data: [29, 30].map((d) => ({
        object: "bucket",
        start_time: Date.UTC(2026, 5, d) / 1000,
        end_time: Date.UTC(2026, 5, d + 1) / 1000,
        results: [{ object: "organization.costs.result", amount: { value: 1, currency: "usd" }, line_item: null }],
      })),
      has_more: false,
      next_page: null,
    };
    page.data.push({
      object: "bucket",
      start_time: Date.UTC(2026, 6, 1) / 1000,
      end_time: Date.UTC(2026, 6, 1, 0, 3) / 1000,
      results: [{ object: "organization.costs.result", amount: { value: 0.25, currency: "usd" }, line_item: null }],
    });
    const r = rig(openai, source({ group_by: "" }), () => json(page), "2026-07-01T00:03:00Z");
    const batch = await r.collect();
    expect(query(r.seen[0]?.url as URL)).toMatchObject({
      start_time: String(Date.UTC(2026, 5, 29) / 1000),
      limit: "3",
    });
    expect(values(batch.samples)).toEqual([
      "daily_cost_usd[0]  0.25",
      "daily_cost_usd[1]  1",
      "daily_cost_usd[2]  1",
      "month_to_date_cost_usd  0.25",
    ]);
  });

  test("26 stamped at the poll's minute; a second poll in the same minute asks and sends nothing", async () => {
    const r = rig(
      openai,
      source(),
      () => json(served("openai", "costs_1d_line_item_page_last.json")),
      "2026-06-18T12:00:37Z",
    );
    const first = await r.collect();
    expect(first.samples.every((s) => s.timestamp === B)).toBe(true);
    expect(first.watermark.time).toBe(T("2026-06-18T12:00:37Z"));
    r.setNow("2026-06-18T12:00:50Z");
    const second = await r.collect(first.watermark.time);
    expect(second.samples).toEqual([]);
    expect(second.watermark.time).toBe(first.watermark.time);
    expect(r.seen).toHaveLength(1);
    const fresh = await r.collect();
    expect(fresh.samples.every((s) => s.timestamp === B)).toBe(true);
    expect(fresh.watermark.time).toBe(T("2026-06-18T12:00:50Z"));
  });

  test("27 settings errors name the key; the checkpoint keys are frozen", () => {
    const plan =
      (settings: Record<string, string>, over = {}) =>
      () =>
        openai.plan(source(settings, over), () => {});
    expect(plan({}, { window: 50 * 60e9 })).toThrow("settings.lookback_days");
    expect(plan({ lookback_days: "31" })).toThrow("settings.lookback_days");
    expect(plan({ group_by: "project_id" })).toThrow("settings.allow_id_dims");
    expect(plan({ group_by: "project_id", allow_id_dims: "project_id" })).not.toThrow();
    expect(plan({ emit_month_to_date: "maybe" })).toThrow("settings.emit_month_to_date");
    const key = (settings: Record<string, string>) => openai.plan(source(settings), () => {}).loops[0]?.checkpointKey;
    expect(key({})).toBe("oa-test/costs/d6b5e886f75e68da");
    expect(key({ emit_month_to_date: "false" })).toBe("oa-test/costs/c486ff3d424789db");
  });

  test("exact decimals: strings, numbers in exponent form, cents", () => {
    const sum = (a: string, b: string) => {
      const x = parseDecimal(a);
      const y = parseDecimal(b);
      if (!x || !y) throw new Error("parse");
      return decimalToNumber({
        units:
          x.units * 10n ** BigInt(Math.max(0, y.scale - x.scale)) +
          y.units * 10n ** BigInt(Math.max(0, x.scale - y.scale)),
        scale: Math.max(x.scale, y.scale),
      });
    };
    expect(sum("0.1", "0.2")).toBe(0.3);
    expect(decimalOfNumber(1e-7)).toEqual({ units: 1n, scale: 7 });
    expect(decimalOfNumber(1.5e21)).toEqual({ units: 1500000000000000000000n, scale: 0 });
    expect(decimalToNumber({ units: 74785162n, scale: 5 }, 2)).toBe(7.4785162);
    expect(decimalToNumber({ units: -5n, scale: 0 }, 2)).toBe(-0.05);
    for (const bad of ["12,50", "1e3", ".5", "5.", "", " 1"]) expect(parseDecimal(bad)).toBeUndefined();
  });
});
