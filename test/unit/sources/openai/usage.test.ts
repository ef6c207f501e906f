/** `openai.md` §9 usage cases 1–19, each named by its number. */
import { describe, expect, test } from "bun:test";
import { MINUTE } from "../../../../src/model/duration.ts";
import { openai } from "../../../../src/sources/openai/index.ts";
import { LoopDegraded } from "../../../../src/sources/outcome.ts";
import { B, CANARY, fixture, json, line, MIN, providerSource, query, rig, served, usageBlock } from "./rig.ts";

const settings = (over: Record<string, string> = {}) => ({ group_by: "", ...over });
const source = (over: Record<string, string> = {}, loop = {}) =>
  providerSource("openai", { usage: usageBlock(15 * MINUTE, settings(over), loop) });
const pages =
  (...names: string[]) =>
  (_: unknown, n: number) =>
    json(served("openai", names[Math.min(n, names.length) - 1] ?? ""));
const at = (minutes: number) => new Date(Number((B + BigInt(minutes) * MIN) / 1_000_000n)).toISOString();
const unix = (minutes: number) => String(1781784000 + minutes * 60);

describe("openai usage", () => {
  test("1 bootstrap: aligned bounds, limit, no group_by; watermark B−15m", async () => {
    const r = rig(openai, source(), pages("usage_completions_1m_empty.json"), at(0));
    const batch = await r.collect();
    expect(r.seen).toHaveLength(1);
    expect(r.seen[0]?.url.pathname).toBe("/v1/organization/usage/completions");
    expect(query(r.seen[0]?.url as URL)).toEqual({
      start_time: "1781779200",
      end_time: "1781783100",
      bucket_width: "1m",
      limit: "65",
    });
    expect(batch.watermark.time).toBe(B - 15n * MIN);
  });

  test("2 ungrouped, two pages: 20 samples at bucket ends, the empty bucket a known zero", async () => {
    const r = rig(
      openai,
      source(),
      pages("usage_completions_1m_page_with_next.json", "usage_completions_1m_page_last.json"),
      at(20),
    );
    const batch = await r.collect(B);
    const [first, second] = r.seen.map((s) => query(s.url));
    expect(first).toEqual({ start_time: "1781782200", end_time: "1781784300", bucket_width: "1m", limit: "35" });
    expect(second).toEqual({ ...first, page: "page_AAAAAGhTw8wAAAAAaFPDkA==" });
    const expected: [number, number, number, number, number][] = [
      [1, 4, 1200, 300, 400],
      [2, 2, 800, 150, 0],
      [3, 7, 2500, 640, 1024],
      [4, 0, 0, 0, 0],
      [5, 1, 90, 12, 0],
    ];
    expect(batch.samples.map(line)).toEqual(
      expected.flatMap(([m, req, input, output, cached]) => [
        `openai_api_requests{endpoint=completions}@${m}=${req}`,
        `openai_api_tokens{endpoint=completions,token_type=input}@${m}=${input}`,
        `openai_api_tokens{endpoint=completions,token_type=output}@${m}=${output}`,
        `openai_api_tokens{endpoint=completions,token_type=input_cache_read}@${m}=${cached}`,
      ]),
    );
    expect(batch.samples.every((s) => s.kind === "gauge" && s.unit === "")).toBe(true);
    expect(batch.watermark.time).toBe(B + 5n * MIN);
    expect(batch.samples.map(line).join()).not.toContain(CANARY);
  });

  test("3 grouped by model: group_by[]=model, 12 samples labelled ai_model", async () => {
    const r = rig(openai, source({ group_by: "model" }), pages("usage_completions_1m_grouped_model.json"), at(20));
    const batch = await r.collect(B);
    expect(query(r.seen[0]?.url as URL)["group_by[]"]).toEqual(["model"]);
    const values = (model: string, m: number) =>
      batch.samples
        .filter((s) => s.labels.ai_model === model && s.timestamp === B + BigInt(m) * MIN)
        .map((s) => s.value);
    expect(batch.samples).toHaveLength(12);
    expect(values("gpt-5.4-2026-03-05", 1)).toEqual([5, 5000, 1000, 1800]);
    expect(values("gpt-5-mini-2025-08-07", 1)).toEqual([3, 640, 128, 0]);
    expect(values("gpt-5.4-2026-03-05", 2)).toEqual([2, 3000, 700, 1000]);
  });

  test("4 extended token types: present fields emitted; absent fields never fabricated", async () => {
    const tokenTypes = "input_cache_write,input_uncached,input_image";
    const grouped = rig(
      openai,
      source({ group_by: "model", token_types: tokenTypes }),
      pages("usage_completions_1m_grouped_model.json"),
      at(20),
    );
    const g = await grouped.collect(B);
    expect(
      g.samples
        .filter((s) => s.labels.ai_model === "gpt-5.4-2026-03-05" && s.timestamp === B + MIN && s.labels.token_type)
        .map((s) => [s.labels.token_type, s.value]),
    ).toEqual([
      ["input_cache_write", 200],
      ["input_uncached", 3000],
      ["input_image", 200],
    ]);
    const old = rig(
      openai,
      source({ token_types: tokenTypes }),
      pages("usage_completions_1m_page_with_next.json", "usage_completions_1m_page_last.json"),
      at(20),
    );
    const o = await old.collect(B);
    expect(o.samples.filter((s) => s.name === "openai_api_requests")).toHaveLength(5);
    // The 2025-era rows carry none of these fields: no token sample, except the empty bucket's known zeros.
    const tokens = o.samples.filter((s) => s.name === "openai_api_tokens");
    expect(tokens.map((s) => [Number((s.timestamp - B) / MIN), s.value])).toEqual([
      [4, 0],
      [4, 0],
      [4, 0],
    ]);
  });

  test("5 empty buckets: grouped ⇒ nothing but the watermark; ungrouped ⇒ 12 zeros", async () => {
    const grouped = rig(openai, source({ group_by: "model" }), pages("usage_completions_1m_empty.json"), at(20));
    const g = await grouped.collect(B);
    expect(g.samples).toEqual([]);
    expect(g.watermark.time).toBe(B + 5n * MIN);
    const plain = rig(openai, source(), pages("usage_completions_1m_empty.json"), at(20));
    const p = await plain.collect(B);
    expect(p.samples).toHaveLength(12);
    expect(p.samples.every((s) => s.value === 0)).toBe(true);
  });

  test("6 embeddings beside completions: requests and input tokens per model; an empty grouped bucket is nothing", async () => {
    const r = rig(
      openai,
      source({ endpoints: "embeddings,completions", group_by: "model" }),
      (s) =>
        json(
          served(
            "openai",
            s.url.pathname.endsWith("/embeddings")
              ? "usage_embeddings_1m_grouped_model.json"
              : "usage_completions_1m_empty.json",
          ),
        ),
      at(20),
    );
    const batch = await r.collect(B);
    // Visited in the fixed table order, whatever the config's order.
    expect(r.seen.map((s) => s.url.pathname.split("/").at(-1))).toEqual(["completions", "embeddings"]);
    expect(batch.samples.map(line)).toEqual([
      "openai_api_requests{ai_model=text-embedding-3-large,endpoint=embeddings}@1=2",
      "openai_api_tokens{ai_model=text-embedding-3-large,endpoint=embeddings,token_type=input}@1=512",
      "openai_api_requests{ai_model=text-embedding-3-small,endpoint=embeddings}@1=16",
      "openai_api_tokens{ai_model=text-embedding-3-small,endpoint=embeddings,token_type=input}@1=2048",
    ]);
  });

  test("7 each endpoint gets only the dimensions it accepts", async () => {
    const r = rig(
      openai,
      source({ endpoints: "completions,code_interpreter_sessions", group_by: "model,batch" }),
      pages("usage_completions_1m_empty.json"),
      at(20),
    );
    const batch = await r.collect(B);
    expect(query(r.seen[0]?.url as URL)["group_by[]"]).toEqual(["model", "batch"]);
    expect(query(r.seen[1]?.url as URL)["group_by[]"]).toBeUndefined();
    // code_interpreter is ungrouped: its empty buckets are known zeros; completions' are unknown groups.
    expect(batch.samples.map(line)).toEqual(
      [1, 2, 3].map((m) => `openai_api_code_interpreter_sessions{endpoint=code_interpreter_sessions}@${m}=0`),
    );
  });

  test("8 alignment: unaligned, wrong width and repeated buckets degrade; a partial day fails the cost check", async () => {
    const page = (data: unknown[]) => ({ object: "page", data, has_more: false, next_page: null });
    const bucket = (start: number, end: number) => ({
      object: "bucket",
      start_time: start,
      end_time: end,
      results: [],
    });
    for (const data of [[bucket(1781784030, 1781784090)], [bucket(1781784000, 1781784120)]]) {
      const r = rig(openai, source(), () => json(page(data)), at(20));
      await expect(r.collect(B)).rejects.toBeInstanceOf(LoopDegraded);
    }
    const twice = rig(
      openai,
      source(),
      (_, n) =>
        json(
          n === 1
            ? { ...page([bucket(1781784000, 1781784060)]), has_more: true, next_page: "p2" }
            : page([bucket(1781784000, 1781784060)]),
        ),
      at(20),
    );
    await expect(twice.collect(B)).rejects.toThrow("duplicate bucket");
    const costs = rig(
      openai,
      providerSource("openai", { costs: { ...usageBlock(0), window: 0, settings: { group_by: "" } } }),
      () => json(fixture("openai", "usage_completions_1d_partial_buckets_observed.json")),
      "2025-02-10T17:31:03Z",
    );
    await expect(costs.collect()).rejects.toBeInstanceOf(LoopDegraded);
  });

  test("9 one-hour buckets: aligned to the hour; the older bucket only feeds revision detection", async () => {
    const page = {
      object: "page",
      data: [0, 1].map((h) => ({
        object: "bucket",
        start_time: 1781784000 + h * 3600,
        end_time: 1781784000 + (h + 1) * 3600,
        results: [
          {
            object: "organization.usage.completions.result",
            input_tokens: 10,
            output_tokens: 1,
            num_model_requests: h + 1,
          },
        ],
      })),
      has_more: false,
      next_page: null,
    };
    const r = rig(openai, source({ bucket_width: "1h" }), () => json(page), at(140));
    const batch = await r.collect(B + 110n * MIN);
    expect(query(r.seen[0]?.url as URL)).toEqual({
      start_time: "1781784000",
      end_time: String(1781784000 + 7200),
      bucket_width: "1h",
      limit: "2",
    });
    expect(new Set(batch.samples.map((s) => Number((s.timestamp - B) / MIN)))).toEqual(new Set([120]));
    expect(batch.samples.find((s) => s.name === "openai_api_requests")?.value).toBe(2);
    expect(batch.watermark.time).toBe(B + 125n * MIN);
    const again = await r.collect(B + 121n * MIN);
    expect(r.seen).toHaveLength(1);
    expect(again.samples).toEqual([]);
    expect(again.watermark.time).toBe(B + 125n * MIN);
  });

  test("10 nothing settled: no request, watermark unchanged", async () => {
    const r = rig(openai, source(), pages("usage_completions_1m_empty.json"), at(20));
    const batch = await r.collect(B + 10n * MIN);
    expect(r.seen).toEqual([]);
    expect(batch.watermark.time).toBe(B + 10n * MIN);
  });

  test("11 an old watermark is clamped to max_backfill and the window", async () => {
    const r = rig(openai, source(), pages("usage_completions_1m_empty.json"), at(0));
    const batch = await r.collect(B - 180n * MIN);
    expect(query(r.seen[0]?.url as URL).start_time).toBe(unix(-90));
    expect(batch.watermark.time).toBe(B - 40n * MIN);
  });

  test("12 a settled bucket that changes is reported once and not re-emitted", async () => {
    let revised = false;
    const r = rig(
      openai,
      source(),
      (_, n) => {
        const page = served(
          "openai",
          n % 2 === 1 ? "usage_completions_1m_page_with_next.json" : "usage_completions_1m_page_last.json",
        );
        if (revised && n % 2 === 1) {
          const data = page.data as { start_time: number; results: { input_tokens: number }[] }[];
          const b = data.find((x) => x.start_time === 1781784120);
          if (b?.results[0]) b.results[0].input_tokens = 2600;
        }
        return json(page);
      },
      at(20),
    );
    const first = await r.collect(B);
    expect(r.reports.filter((x) => x.kind === "revised_after_settle")).toEqual([]);
    revised = true;
    r.setNow(at(21));
    const second = await r.collect(first.watermark.time);
    expect(r.reports.filter((x) => x.kind === "revised_after_settle")).toEqual([
      { kind: "revised_after_settle", ageSeconds: 18 * 60 },
    ]);
    expect(second.samples).toEqual([]);
  });

  test("13 one endpoint 404 is skipped and reported; all 404 fails", async () => {
    const notFound = () => json({ error: { type: "invalid_request_error", code: null, message: CANARY } }, 404);
    const r = rig(
      openai,
      source({ endpoints: "completions,images" }),
      (s) =>
        s.url.pathname.endsWith("/images") ? notFound() : json(served("openai", "usage_completions_1m_empty.json")),
      at(20),
    );
    const batch = await r.collect(B);
    expect(r.reports).toEqual([{ kind: "part_skipped", part: "images", reason: "not found" }]);
    expect(batch.watermark.time).toBe(B + 5n * MIN);
    const all = rig(openai, source({ endpoints: "completions,images" }), notFound, at(20));
    await expect(all.collect(B)).rejects.toThrow("all 2 usage reports returned 404");
    expect(all.reports.filter((x) => x.kind === "part_skipped")).toHaveLength(2);
  });

  test("14 a 401 is an auth report; the error names type and code, never the message or the key", async () => {
    const r = rig(openai, source(), () => json(fixture("openai", "error_401_invalid_api_key.json"), 401), at(20));
    const err = await r.collect(B).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const text = String((err as Error).message);
    expect(text).toContain("invalid_request_error");
    expect(text).toContain("invalid_api_key");
    expect(text).not.toContain("sk-admin");
    expect(text).not.toContain(CANARY);
    expect(r.reports).toEqual([{ kind: "auth_error" }]);
  });

  test("15 a 429 with Retry-After cools both loops down without requests; without it, the next tick asks", async () => {
    const body = fixture("openai", "error_429_rate_limit.json");
    const both = providerSource("openai", {
      usage: usageBlock(15 * MINUTE, settings()),
      costs: { ...usageBlock(0), window: 0 },
    });
    const planned = openai.plan(both, () => {});
    let now = B + 20n * MIN;
    let requests = 0;
    const reports: unknown[] = [];
    const [usage, costs] = planned.start(
      {
        userAgent: "t",
        resolve: async () => ["203.0.113.10"],
        fetch: async () => {
          requests++;
          return json(body, 429, { "retry-after": "20" });
        },
        warn: () => {},
      },
      () => ({ report: (x) => reports.push(x), now: () => now, warn: () => {} }),
    );
    const since = { time: B, cursor: "", epoch: 1 };
    const signal = new AbortController().signal;
    await expect(usage?.collect(signal, since)).rejects.toThrow("status 429");
    expect(reports).toContainEqual({ kind: "part_skipped", part: "rate_limited", reason: "429 from the provider" });
    now += 10_000_000_000n;
    await expect(usage?.collect(signal, since)).rejects.toThrow("cooling down until 2026-06-18T12:20:20Z");
    await expect(costs?.collect(signal, since)).rejects.toThrow("cooling down");
    expect(requests).toBe(1);
    now += 11_000_000_000n;
    await expect(usage?.collect(signal, since)).rejects.toThrow("status 429");
    expect(requests).toBe(2);

    let plainRequests = 0;
    const plain = rig(
      openai,
      source(),
      () => {
        plainRequests++;
        return json(body, 429);
      },
      at(20),
    );
    await expect(plain.collect(B)).rejects.toThrow("status 429");
    await expect(plain.collect(B)).rejects.toThrow("status 429");
    expect(plainRequests).toBe(2);
  });

  test("16 pagination guards: a missing cursor, a repeated cursor, more than max_pages", async () => {
    const page = (next: string | null, more = true) => ({ object: "page", data: [], has_more: more, next_page: next });
    const noCursor = rig(openai, source(), () => json(page(null)), at(20));
    await expect(noCursor.collect(B)).rejects.toThrow("pagination");
    expect(noCursor.reports).toContainEqual({
      kind: "part_skipped",
      part: "pagination",
      reason: "has_more without a next_page",
    });
    const repeated = rig(openai, source(), () => json(page("same")), at(20));
    await expect(repeated.collect(B)).rejects.toThrow("seen before");
    expect(repeated.seen).toHaveLength(2);
    const capped = rig(openai, source({ max_pages: "2" }), (_, n) => json(page(`p${n}`, n < 3)), at(20));
    await expect(capped.collect(B)).rejects.toThrow("max_pages");
    expect(capped.seen).toHaveLength(2);
  });

  test("17 settings errors name the key", () => {
    const plan =
      (over: Record<string, string>, loop = {}) =>
      () =>
        openai.plan(source(over, loop), () => {});
    expect(plan({ group_by: "user_id" })).toThrow('settings.group_by "user_id" is a personal identifier');
    expect(plan({ group_by: "api_key_id" })).toThrow("list it in settings.allow_id_dims");
    expect(plan({ group_by: "api_key_id", allow_id_dims: "api_key_id" })).not.toThrow();
    expect(plan({ endpoints: "vector_stores" })).toThrow("settings.endpoints");
    expect(plan({ endpoints: "completions,completions" })).toThrow("listed twice");
    expect(plan({ bucket_width: "1d" })).toThrow("settings.bucket_width");
    expect(plan({}, { window: 0 })).toThrow("requires a positive window");
    expect(
      plan({}, { bucket_settle: 15 * MINUTE, max_backfill: 15 * MINUTE, bootstrap_lookback: 14 * MINUTE }),
    ).toThrow("bucket_settle");
    expect(plan({ token_types: "input,bogus" })).toThrow("settings.token_types");
    expect(plan({ page_buckets: "1441" })).toThrow("settings.page_buckets");
    expect(plan({ max_pages: "0" })).toThrow("settings.max_pages");
  });

  test("17 an opted-in id dimension becomes its label", async () => {
    const page = {
      object: "page",
      data: [
        {
          object: "bucket",
          start_time: 1781784000,
          end_time: 1781784060,
          results: [{ num_model_requests: 3, api_key_id: "key_1", user_id: "user_SECRET" }],
        },
      ],
      has_more: false,
      next_page: null,
    };
    const r = rig(
      openai,
      source({ group_by: "api_key_id", allow_id_dims: "api_key_id", token_types: "" }),
      () => json(page),
      at(20),
    );
    const batch = await r.collect(B);
    expect(batch.samples.map(line)).toEqual(["openai_api_requests{api_key_id=key_1,endpoint=completions}@1=3"]);
  });

  test("18 checkpoint key: frozen, and adding an endpoint's shared series keeps it", () => {
    const key = (over: Record<string, string>) => openai.plan(source(over), () => {}).loops[0]?.checkpointKey;
    expect(key({})).toBe("oa-test/usage/0bd011939e6b0c1f");
    expect(key({ endpoints: "completions,embeddings" })).toBe("oa-test/usage/0bd011939e6b0c1f");
    expect(key({ bucket_width: "1h", group_by: "model,batch" })).toBe("oa-test/usage/0bd011939e6b0c1f");
    expect(
      key({
        endpoints:
          "completions,embeddings,moderations,images,audio_speeches,audio_transcriptions,code_interpreter_sessions",
      }),
    ).toBe("oa-test/usage/9abeeac9bca0981c");
  });

  test("19 the query carries only times, widths, limits, cursors, groupings and project filters; the headers only auth and agent", async () => {
    const r = rig(
      openai,
      source({ group_by: "model", project_ids: "proj_1,proj_2" }),
      pages("usage_completions_1m_page_with_next.json", "usage_completions_1m_page_last.json"),
      at(20),
    );
    await r.collect(B);
    const allowed = new Set(["start_time", "end_time", "bucket_width", "limit", "page", "group_by[]", "project_ids[]"]);
    for (const s of r.seen) for (const k of s.url.searchParams.keys()) expect(allowed.has(k)).toBe(true);
    expect(query(r.seen[0]?.url as URL)["project_ids[]"]).toEqual(["proj_1", "proj_2"]);
    const headers = r.seen[0]?.headers as Headers;
    expect(headers.get("authorization")).toBe("Bearer sk-admin-secret-value");
    expect(headers.get("user-agent")).toBe("genai-otel-bridge/test");
    expect(headers.get("openai-organization")).toBeNull();
  });
});
