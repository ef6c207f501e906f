/** `anthropic.md` §9 usage cases 1–13, each named by its number. */
import { describe, expect, test } from "bun:test";
import { MINUTE } from "../../../../src/model/duration.ts";
import { anthropic } from "../../../../src/sources/anthropic/index.ts";
import { LoopDegraded } from "../../../../src/sources/outcome.ts";
import { B, CANARY, fixture, json, line, MIN, providerSource, query, rig, served, usageBlock } from "../openai/rig.ts";

const source = (over: Record<string, string> = {}, loop = {}) =>
  providerSource("anthropic", { usage: usageBlock(10 * MINUTE, { group_by: "", ...over }, loop) });
const pages =
  (...names: string[]) =>
  (_: unknown, n: number) =>
    json(served("anthropic", names[Math.min(n, names.length) - 1] ?? ""));
const at = (minutes: number) => new Date(Number((B + BigInt(minutes) * MIN) / 1_000_000n)).toISOString();
const TOKEN_TYPES = ["input_uncached", "input_cache_read", "input_cache_write_5m", "input_cache_write_1h", "output"];
const bucketPage = (results: unknown[], start = "2026-06-18T12:00:00Z", end = "2026-06-18T12:01:00Z") => ({
  data: [{ starting_at: start, ending_at: end, results }],
  has_more: false,
  next_page: null,
});

describe("anthropic usage", () => {
  test("1 headers: the key, the API version, our user agent, no beta header", async () => {
    const r = rig(anthropic, source(), pages("usage_messages_1m_empty.json"), at(20));
    await r.collect(B);
    const h = r.seen[0]?.headers as Headers;
    expect(h.get("x-api-key")).toBe("sk-ant-admin01-secret-value");
    expect(h.get("anthropic-version")).toBe("2023-06-01");
    expect(h.get("user-agent")).toBe("genai-otel-bridge/test");
    expect(h.get("anthropic-beta")).toBeNull();
  });

  test("2 bootstrap: RFC 3339 aligned bounds, limit 60; watermark B−10m", async () => {
    const r = rig(anthropic, source(), pages("usage_messages_1m_empty.json"), at(0));
    const batch = await r.collect();
    expect(r.seen[0]?.url.pathname).toBe("/v1/organizations/usage_report/messages");
    expect(query(r.seen[0]?.url as URL)).toEqual({
      starting_at: "2026-06-18T10:50:00Z",
      ending_at: "2026-06-18T11:50:00Z",
      bucket_width: "1m",
      limit: "60",
    });
    expect(batch.watermark.time).toBe(B - 10n * MIN);
  });

  test("3 ungrouped over two pages: 30 samples, five token types and web searches per bucket", async () => {
    const r = rig(
      anthropic,
      source(),
      pages("usage_messages_1m_page_with_next.json", "usage_messages_1m_page_last.json"),
      at(20),
    );
    const batch = await r.collect(B);
    const [first, second] = r.seen.map((s) => query(s.url));
    expect(first).toEqual({
      starting_at: "2026-06-18T11:40:00Z",
      ending_at: "2026-06-18T12:10:00Z",
      bucket_width: "1m",
      limit: "30",
    });
    expect(second).toEqual({ ...first, page: "page_MjAyNi0wNi0xOFQxMjowMzowMFo=" });
    const rows: [number, number[]][] = [
      [1, [1500, 200, 500, 1000, 500, 1]],
      [2, [300, 0, 0, 0, 80, 0]],
      [3, [2200, 4096, 0, 0, 900, 2]],
      [4, [0, 0, 0, 0, 0, 0]],
      [5, [42, 0, 0, 0, 7, 0]],
    ];
    expect(batch.samples.map(line)).toEqual(
      rows.flatMap(([m, v]) => [
        ...TOKEN_TYPES.map((t, i) => `anthropic_api_tokens{token_type=${t}}@${m}=${v[i]}`),
        `anthropic_api_web_search_requests{}@${m}=${v[5]}`,
      ]),
    );
    expect(batch.watermark.time).toBe(B + 10n * MIN);
    expect(batch.samples.map(line).join()).not.toContain(CANARY);
  });

  test("4 grouped by model: 18 samples labelled ai_model", async () => {
    const r = rig(anthropic, source({ group_by: "model" }), pages("usage_messages_1m_grouped_model.json"), at(20));
    const batch = await r.collect(B);
    expect(query(r.seen[0]?.url as URL)["group_by[]"]).toEqual(["model"]);
    expect(batch.samples).toHaveLength(18);
    const values = (model: string, m: number) =>
      batch.samples
        .filter((s) => s.labels.ai_model === model && s.timestamp === B + BigInt(m) * MIN)
        .map((s) => s.value);
    expect(values("claude-opus-5", 1)).toEqual([1200, 200, 500, 0, 400, 1]);
    expect(values("claude-sonnet-5", 1)).toEqual([300, 0, 0, 1000, 100, 0]);
    expect(values("claude-sonnet-5", 2)).toEqual([300, 0, 0, 0, 80, 0]);
  });

  test("5 id dimensions with the opt-in: three label sets, the default workspace and the playground unlabelled", async () => {
    const r = rig(
      anthropic,
      source({
        group_by: "workspace_id,api_key_id",
        allow_id_dims: "workspace_id,api_key_id",
        token_types: "input_uncached,output",
      }),
      pages("usage_messages_1m_grouped_workspace_api_key.json"),
      at(20),
    );
    const batch = await r.collect(B);
    const sets = new Map<string, number[]>();
    for (const s of batch.samples.filter((x) => x.name === "anthropic_api_tokens")) {
      const key = `${s.labels.workspace_id ?? ""}|${s.labels.api_key_id ?? ""}`;
      sets.set(key, [...(sets.get(key) ?? []), s.value]);
    }
    expect(Object.fromEntries(sets)).toEqual({
      "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ|apikey_01Rj2N8SVvo6BePZj99NhmiT": [1000, 250],
      "|apikey_01ABC123DEF456GHI789JKL": [400, 90],
      "|": [60, 20],
    });
    expect(() => anthropic.plan(source({ group_by: "workspace_id,api_key_id" }), () => {})).toThrow(
      "settings.allow_id_dims",
    );
  });

  test("6 empty buckets: grouped ⇒ nothing, watermark advances; ungrouped ⇒ 18 zeros", async () => {
    const grouped = rig(anthropic, source({ group_by: "model" }), pages("usage_messages_1m_empty.json"), at(20));
    const g = await grouped.collect(B);
    expect(g.samples).toEqual([]);
    expect(g.watermark.time).toBe(B + 10n * MIN);
    const plain = rig(anthropic, source(), pages("usage_messages_1m_empty.json"), at(20));
    const p = await plain.collect(B);
    expect(p.samples).toHaveLength(18);
    expect(p.samples.every((s) => s.value === 0)).toBe(true);
  });

  test("7 a token subset: output and web searches only", async () => {
    const r = rig(
      anthropic,
      source({ token_types: "output" }),
      pages("usage_messages_1m_page_with_next.json", "usage_messages_1m_page_last.json"),
      at(20),
    );
    const batch = await r.collect(B);
    expect(batch.samples).toHaveLength(10);
  });

  test("8 missing objects are absent values; a string number is a decode error", async () => {
    const row = { uncached_input_tokens: 5, cache_read_input_tokens: 0, cache_creation: null, output_tokens: 7 };
    const r = rig(anthropic, source(), () => json(bucketPage([row])), at(20));
    const batch = await r.collect(B);
    expect(batch.samples.map(line)).toEqual([
      "anthropic_api_tokens{token_type=input_uncached}@1=5",
      "anthropic_api_tokens{token_type=input_cache_read}@1=0",
      "anthropic_api_tokens{token_type=output}@1=7",
    ]);
    const bad = rig(anthropic, source(), () => json(bucketPage([{ ...row, output_tokens: "7" }])), at(20));
    await expect(bad.collect(B)).rejects.toThrow("output_tokens is not a number");
  });

  test("9 alignment: a half-minute start or a 2-minute bucket degrades; an unreadable time is a decode error", async () => {
    for (const [start, end] of [
      ["2026-06-18T12:00:30Z", "2026-06-18T12:01:30Z"],
      ["2026-06-18T12:00:00Z", "2026-06-18T12:02:00Z"],
    ] as const) {
      const r = rig(anthropic, source(), () => json(bucketPage([], start, end)), at(20));
      await expect(r.collect(B)).rejects.toBeInstanceOf(LoopDegraded);
    }
    const noon = rig(anthropic, source(), () => json(bucketPage([], "noon")), at(20));
    const err = await noon.collect(B).catch((e) => e);
    expect(err).not.toBeInstanceOf(LoopDegraded);
    expect(String(err)).toContain("starting_at is not an RFC 3339 time");
  });

  test("10 one-hour buckets", async () => {
    const page = {
      data: [12, 13].map((h) => ({
        starting_at: `2026-06-18T${h}:00:00Z`,
        ending_at: `2026-06-18T${h + 1}:00:00Z`,
        results: [{ uncached_input_tokens: h, output_tokens: 1 }],
      })),
      has_more: false,
      next_page: null,
    };
    const r = rig(anthropic, source({ bucket_width: "1h" }), () => json(page), at(140));
    const batch = await r.collect(B + 110n * MIN);
    expect(query(r.seen[0]?.url as URL)).toEqual({
      starting_at: "2026-06-18T12:00:00Z",
      ending_at: "2026-06-18T14:00:00Z",
      bucket_width: "1h",
      limit: "2",
    });
    expect(new Set(batch.samples.map((s) => Number((s.timestamp - B) / MIN)))).toEqual(new Set([120]));
    expect(batch.watermark.time).toBe(B + 130n * MIN);
  });

  test("11 a revised settled bucket is reported once", async () => {
    let revised = false;
    const r = rig(
      anthropic,
      source(),
      (_, n) => {
        const page = served(
          "anthropic",
          n % 2 === 1 ? "usage_messages_1m_page_with_next.json" : "usage_messages_1m_page_last.json",
        );
        if (revised) {
          const b = (page.data as { starting_at: string; results: { uncached_input_tokens: number }[] }[]).find(
            (x) => x.starting_at === "2026-06-18T12:02:00Z",
          );
          if (b?.results[0]) b.results[0].uncached_input_tokens = 2300;
        }
        return json(page);
      },
      at(20),
    );
    const first = await r.collect(B);
    revised = true;
    r.setNow(at(21));
    await r.collect(first.watermark.time);
    expect(r.reports).toEqual([{ kind: "revised_after_settle", ageSeconds: 18 * 60 }]);
  });

  test("12 errors: 401 reports auth and names type and request id; 529 throws without auth; 429 cools down", async () => {
    const auth = rig(
      anthropic,
      source(),
      () => json(fixture("anthropic", "error_401_authentication_error.json"), 401),
      at(20),
    );
    const err = String(await auth.collect(B).catch((e: Error) => e.message));
    expect(err).toContain("authentication_error");
    expect(err).toContain("req_011CSHoEeqs5C35K2UUqR7Fy");
    expect(err).not.toContain("invalid x-api-key");
    expect(err).not.toContain(CANARY);
    expect(auth.reports).toEqual([{ kind: "auth_error" }]);

    const overloaded = rig(
      anthropic,
      source(),
      () => json(fixture("anthropic", "error_529_overloaded_error.json"), 529),
      at(20),
    );
    await expect(overloaded.collect(B)).rejects.toThrow("status 529 (type=overloaded_error");
    expect(overloaded.reports).toEqual([]);

    const limited = rig(
      anthropic,
      source(),
      () => json(fixture("anthropic", "error_429_rate_limit_error.json"), 429, { "retry-after": "30" }),
      at(20),
    );
    await expect(limited.collect(B)).rejects.toThrow("status 429");
    expect(limited.reports).toContainEqual({
      kind: "part_skipped",
      part: "rate_limited",
      reason: "429 from the provider",
    });
    limited.setNow("2026-06-18T12:20:10Z");
    await expect(limited.collect(B)).rejects.toThrow("cooling down");
    expect(limited.seen).toHaveLength(1);
    limited.setNow("2026-06-18T12:20:31Z");
    await expect(limited.collect(B)).rejects.toThrow("status 429");
    expect(limited.seen).toHaveLength(2);
  });

  test("12 a 404 is reported as usage_report and fails the collect", async () => {
    const r = rig(
      anthropic,
      source(),
      () => json({ type: "error", error: { type: "not_found_error", message: CANARY } }, 404),
      at(20),
    );
    await expect(r.collect(B)).rejects.toThrow("404");
    expect(r.reports).toEqual([{ kind: "part_skipped", part: "usage_report", reason: "not found" }]);
  });

  test("13 settings errors name the key; the checkpoint key is frozen", () => {
    const plan = (over: Record<string, string>) => () => anthropic.plan(source(over), () => {});
    expect(plan({ group_by: "account_id" })).toThrow('settings.group_by "account_id" is a personal identifier');
    expect(plan({ group_by: "speed" })).toThrow('settings.group_by "speed"');
    expect(plan({ bucket_width: "1d" })).toThrow("settings.bucket_width");
    expect(plan({ token_types: "input" })).toThrow("settings.token_types");
    expect(anthropic.plan(source(), () => {}).loops[0]?.checkpointKey).toBe("an-test/usage/8137a16131e23478");
  });
});
