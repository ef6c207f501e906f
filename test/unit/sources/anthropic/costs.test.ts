/** `anthropic.md` §9 costs cases 14–18, each named by its number. */
import { describe, expect, test } from "bun:test";
import { anthropic } from "../../../../src/sources/anthropic/index.ts";
import { B, CANARY, fixture, json, loopBlock, providerSource, query, rig, served } from "../openai/rig.ts";

const source = (settings: Record<string, string> = {}, over = {}) =>
  providerSource("anthropic", { costs: loopBlock(settings, over) });
const NOW = "2026-06-18T12:00:00Z";
const T_LABELS = "tokens|claude-opus-5|standard|0-200k|global";

function lines(samples: { name: string; labels: Record<string, string>; value: number }[]): string[] {
  return samples.map((s) => {
    const l = s.labels;
    const base = [l.cost_type, l.ai_model, l.service_tier, l.context_window, l.inference_geo]
      .map((x) => x ?? "")
      .join("|");
    const day = l.day_offset === undefined ? "mtd" : `d${l.day_offset}`;
    return `${day} ${base === T_LABELS ? "T" : base} ${l.token_type ?? "-"} ${s.value}`;
  });
}

describe("anthropic costs", () => {
  test("14 the request: month start to today by description, no ending_at", async () => {
    const r = rig(
      anthropic,
      source(),
      () => json(served("anthropic", "cost_report_1d_description_page_last.json")),
      NOW,
    );
    await r.collect();
    expect(r.seen[0]?.url.pathname).toBe("/v1/organizations/cost_report");
    expect(query(r.seen[0]?.url as URL)).toEqual({
      starting_at: "2026-06-01T00:00:00Z",
      bucket_width: "1d",
      limit: "18",
      "group_by[]": ["description"],
    });
  });

  test("15 grouped by description over two pages: 15 samples in dollars, no description label", async () => {
    const r = rig(
      anthropic,
      source(),
      (_, n) =>
        json(
          served(
            "anthropic",
            n === 1 ? "cost_report_1d_description_page_with_next.json" : "cost_report_1d_description_page_last.json",
          ),
        ),
      NOW,
    );
    const batch = await r.collect();
    expect(query(r.seen[1]?.url as URL).page).toBe("page_MjAyNi0wNi0xOFQwMDowMDowMFo=");
    const got = lines(batch.samples);
    expect(got).toHaveLength(15);
    expect(new Set(got)).toEqual(
      new Set([
        "d2 T input_uncached 1.2378912",
        "d2 T output 4.565",
        "d2 T input_cache_read 0.120625",
        "d2 T input_cache_write_5m 0.3",
        "d2 web_search|||| - 1",
        "d2 code_execution|||| - 0.255",
        "d1 T input_uncached 0.8025",
        "d1 T output 2",
        "d0 T input_uncached 0.075",
        "mtd T input_uncached 2.1153912",
        "mtd T output 6.565",
        "mtd T input_cache_read 0.120625",
        "mtd T input_cache_write_5m 0.3",
        "mtd web_search|||| - 1",
        "mtd code_execution|||| - 0.255",
      ]),
    );
    expect(batch.samples.every((s) => s.timestamp === B && s.labels.description === undefined)).toBe(true);
    expect(JSON.stringify(batch.samples.map((s) => s.labels))).not.toContain(CANARY);
  });

  test("16 ungrouped, summed exactly: 7.4785162, not 7.4785162000000005", async () => {
    const r = rig(
      anthropic,
      source({ group_by: "" }),
      () => json(served("anthropic", "cost_report_1d_ungrouped.json")),
      NOW,
    );
    const batch = await r.collect();
    expect(batch.samples.map((s) => [s.name, s.labels.day_offset, s.value])).toEqual([
      ["anthropic_api_daily_cost_usd", "0", 0.075],
      ["anthropic_api_daily_cost_usd", "1", 0],
      ["anthropic_api_daily_cost_usd", "2", 7.4785162],
      ["anthropic_api_month_to_date_cost_usd", undefined, 7.5535162],
    ]);
  });

  test("17 amount forms: a number is tolerated, a comma decimal is an error, another currency is skipped", async () => {
    const page = (amount: unknown, currency = "USD") => ({
      data: [
        {
          starting_at: "2026-06-18T00:00:00Z",
          ending_at: "2026-06-18T12:00:00Z",
          results: [{ amount, currency, description: null, cost_type: null }],
        },
      ],
      has_more: false,
      next_page: null,
    });
    const number = rig(
      anthropic,
      source({ group_by: "", emit_month_to_date: "false", lookback_days: "0" }),
      () => json(page(250)),
      NOW,
    );
    expect((await number.collect()).samples.map((s) => s.value)).toEqual([2.5]);
    const comma = rig(anthropic, source({ group_by: "" }), () => json(page("1,5")), NOW);
    await expect(comma.collect()).rejects.toThrow("amount is not a decimal string");
    const euro = rig(anthropic, source({ group_by: "" }), () => json(page("100", "EUR")), NOW);
    await euro.collect();
    expect(euro.reports).toEqual([
      { kind: "part_skipped", part: "currency_unsupported", reason: "a cost row not in USD" },
    ]);
  });

  test("18 settings errors name the key; the checkpoint keys are frozen", () => {
    const plan =
      (settings: Record<string, string>, over = {}) =>
      () =>
        anthropic.plan(source(settings, over), () => {});
    expect(plan({}, { window: 50 * 60e9 })).toThrow("settings.lookback_days");
    expect(plan({ group_by: "workspace_id" })).toThrow("settings.allow_id_dims");
    expect(plan({ lookback_days: "31" })).toThrow("settings.lookback_days");
    const key = (settings: Record<string, string>) =>
      anthropic.plan(source(settings), () => {}).loops[0]?.checkpointKey;
    expect(key({})).toBe("an-test/costs/2bce885048baaab3");
    expect(key({ emit_month_to_date: "false" })).toBe("an-test/costs/621036f8db8c06a9");
  });

  test("an error body's message never reaches the error text", async () => {
    const r = rig(
      anthropic,
      source(),
      () => json(fixture("anthropic", "error_401_authentication_error.json"), 401),
      NOW,
    );
    const err = String(await r.collect().catch((e: Error) => e.message));
    expect(err).toContain("request_id=req_011CSHoEeqs5C35K2UUqR7Fy");
    expect(err).not.toContain(CANARY);
  });
});
