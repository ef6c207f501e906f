/** The Portkey groups loop and the workspace guard, built through the vendor definition. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromMillis, type Time } from "../../../../src/model/time.ts";
import type { Sample, Watermark } from "../../../../src/model/types.ts";
import { decodeGroupsPage } from "../../../../src/sources/portkey/groups/decode.ts";
import { portkey } from "../../../../src/sources/portkey/index.ts";
import { goPathEscape } from "../../../../src/sources/portkey/path.ts";
import { loopBlock, portkeySource, type Reply, rig } from "./rig.ts";

const FIX = join(import.meta.dir, "../../../fixtures/portkey");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIX, name), "utf8"));
const B = Date.parse("2026-06-18T12:00:00Z");
const MIN = 60_000;
const signal = new AbortController().signal;
const since: Watermark = { time: fromMillis(B - 5 * MIN), cursor: "", epoch: 7 };
const list = (rows: Record<string, unknown>[]) => ({ object: "list", total: rows.length, data: rows });

function groups(
  settings: Record<string, string>,
  replies: Record<string, Reply>,
  opts: { now?: number; useCases?: { label: string; api_key_ids: string[] }[] } = {},
) {
  const source = portkeySource(
    { groups: loopBlock({ settings: { page_size: "100", ...settings } }) },
    { api_key_use_cases: opts.useCases ?? [] },
  );
  return rig(source, replies, opts.now ?? B);
}
const brief = (s: Sample[]) => s.map((x) => [x.name.replace("portkey_api_", ""), x.labels, x.value]);
const skipped = (r: ReturnType<typeof groups>) => r.reports.flatMap((x) => (x.kind === "part_skipped" ? [x.part] : []));
const T = (ms: number): Time => fromMillis(ms);

describe("groups collect", () => {
  test("#23 real shape: five rows, a zero cost still counts as cost", async () => {
    const r = groups({ emit_prompts: "false" }, { "ai-models": { body: fixture("groups_ai_models_24h.json") } });
    const b = await r.loop.collect(signal, since);
    expect(b.samples).toHaveLength(10);
    expect(brief(b.samples).slice(0, 2)).toEqual([
      ["requests_by_model", { ai_model: "gpt-5.4-2026-03-05" }, 3706],
      ["cost_usd_by_model", { ai_model: "gpt-5.4-2026-03-05" }, 66.19191450000001],
    ]);
    expect(brief(b.samples).at(-1)).toEqual(["cost_usd_by_model", { ai_model: "gpt-5.5-2026-04-24" }, 0]);
  });
  test("#24 dimension fallbacks and ignored stat fields", () => {
    expect(decodeGroupsPage("users", "user", fixture("groups_users_24h.json")).rows).toEqual([
      { dim: "", requests: 12616, costCents: 14888.057116999998 },
    ]);
    expect(
      decodeGroupsPage("metadata/use_case", "metadata_value", fixture("groups_metadata_use_case.json")).rows,
    ).toEqual([{ dim: "team-a", requests: 42, costCents: 1234.5 }]);
  });
  test("#25 cents to dollars; cost off; a metadata row without cost", async () => {
    const rows = { "ai-models": { body: list([{ ai_model: "gpt-5", requests: 100, cost: 12.5 }]) } };
    const on = await groups({ emit_prompts: "false" }, rows).loop.collect(signal, since);
    expect(brief(on.samples)).toEqual([
      ["requests_by_model", { ai_model: "gpt-5" }, 100],
      ["cost_usd_by_model", { ai_model: "gpt-5" }, 0.125],
    ]);
    const off = await groups({ emit_prompts: "false", emit_cost: "false" }, rows).loop.collect(signal, since);
    expect(brief(off.samples)).toEqual([["requests_by_model", { ai_model: "gpt-5" }, 100]]);
    const meta = await groups(
      { emit_prompts: "false", metadata_keys: "use_case" },
      { "ai-models": { body: list([]) }, use_case: { body: list([{ metadata_value: "chatbot", requests: 3 }]) } },
    ).loop.collect(signal, since);
    expect(brief(meta.samples)).toEqual([
      ["requests_by_metadata", { metadata_key: "use_case", metadata_value: "chatbot" }, 3],
    ]);
  });
  test("#26 pagination; heartbeat watermark = now with the epoch kept; samples at floor(now − settle)", async () => {
    const pages = [
      ["a", "b", "c"],
      ["d", "e"],
    ];
    const r = groups(
      { page_size: "3", emit_prompts: "false", emit_cost: "false" },
      {
        "ai-models": (q) => ({
          body: list((pages[Number(q.get("current_page"))] ?? []).map((m) => ({ ai_model: m, requests: 1 }))),
        }),
      },
    );
    const b = await r.loop.collect(signal, since);
    expect(b.samples.map((s) => s.labels.ai_model)).toEqual(["a", "b", "c", "d", "e"]);
    expect(b.watermark).toEqual({ time: T(B), cursor: "", epoch: 7 });
    expect(new Set(b.samples.map((s) => s.timestamp))).toEqual(new Set([T(B - 10 * MIN)]));
    expect(r.urls.map((u) => u.searchParams.get("current_page"))).toEqual(["0", "1"]);
  });
  test("#27 all-or-nothing per endpoint", async () => {
    const r = groups(
      { page_size: "3", emit_prompts: "false", metadata_keys: "use_case", emit_cost: "false" },
      {
        "ai-models": (q) =>
          q.get("current_page") === "0"
            ? { body: list(["a", "b", "c"].map((m) => ({ ai_model: m, requests: 1 }))) }
            : { status: 500 },
        use_case: { body: list([{ metadata_value: "x", requests: 1 }]) },
      },
    );
    const b = await r.loop.collect(signal, since);
    expect(brief(b.samples).map((x) => x[0])).toEqual(["requests_by_metadata"]);
    expect(skipped(r)).toEqual(["ai-models"]);
  });
  test("#28 endpoints are independent", async () => {
    const r = groups(
      { emit_prompts: "false", metadata_keys: "use_case", emit_cost: "false" },
      {
        "ai-models": {
          body: list([
            { ai_model: "a", requests: 1 },
            { ai_model: "b", requests: 2 },
          ]),
        },
        use_case: { status: 500 },
      },
    );
    expect((await r.loop.collect(signal, since)).samples).toHaveLength(2);
    expect(skipped(r)).toEqual(["metadata/use_case"]);
  });
  test("#29 every endpoint failed ⇒ throw; 401 also reports an auth error once", async () => {
    await expect(
      groups({ emit_prompts: "false" }, { "ai-models": { status: 500 } }).loop.collect(signal, since),
    ).rejects.toThrow("all 1 endpoint fetch(es) failed");
    const r = groups({ emit_prompts: "false" }, { "ai-models": { status: 401 } });
    await expect(r.loop.collect(signal, since)).rejects.toThrow();
    expect(r.reports.filter((x) => x.kind === "auth_error")).toHaveLength(1);
  });
  test("#30 quota on one endpoint skips it only", async () => {
    const r = groups(
      { emit_prompts: "false", metadata_keys: "use_case" },
      {
        "ai-models": { body: list([{ ai_model: "a", requests: 1 }]) },
        use_case: { body: { ...list([{ metadata_value: "x", requests: 1 }]), is_quota_exceeded: true } },
      },
    );
    const b = await r.loop.collect(signal, since);
    expect(brief(b.samples).map((x) => x[0])).toEqual(["requests_by_model"]);
    expect(skipped(r)).toEqual(["metadata/use_case"]);
  });
  test("#31 an empty endpoint is healthy: no samples, no report", async () => {
    const r = groups(
      { emit_prompts: "false", metadata_keys: "use_case" },
      {
        "ai-models": { body: list([{ ai_model: "a", requests: 1 }]) },
        use_case: { body: fixture("groups_past_end_empty.json") },
      },
    );
    expect(brief((await r.loop.collect(signal, since)).samples)).toEqual([["requests_by_model", { ai_model: "a" }, 1]]);
    expect(r.reports).toEqual([]);
  });
  test("#32 the query carries time and paging only", async () => {
    const r = groups({}, { "ai-models": { body: list([]) }, prompt: { body: list([]) } });
    await r.loop.collect(signal, since);
    expect([...(r.urls[0]?.searchParams.keys() ?? [])].sort()).toEqual([
      "current_page",
      "page_size",
      "time_of_generation_max",
      "time_of_generation_min",
    ]);
    for (const w of ["request", "response", "inputs", "outputs", "events", "metadata"]) {
      expect(r.urls[0]?.search).not.toContain(`${w}=`);
    }
    expect(r.urls[0]?.searchParams.get("time_of_generation_min")).toBe("2026-06-18T11:00:00Z");
    expect(r.urls[0]?.searchParams.get("time_of_generation_max")).toBe("2026-06-18T11:50:00Z");
  });
  test("#33 defaults: cost on, prompts polled; prompts off ⇒ never requested", async () => {
    const rows = {
      "ai-models": {
        body: list([
          { ai_model: "a", requests: 1, cost: 5 },
          { ai_model: "b", requests: 2, cost: 7 },
        ]),
      },
      prompt: { body: fixture("groups_prompt.json") },
    };
    const r = groups({}, rows);
    const names = brief((await r.loop.collect(signal, since)).samples).map((x) => x[0]);
    expect(names.filter((n) => n === "cost_usd_by_model")).toHaveLength(2);
    expect(names).toContain("requests_by_prompt");
    expect(names.some((n) => String(n).includes("cost_by"))).toBe(false);
    const off = groups({ emit_prompts: "false" }, rows);
    await off.loop.collect(signal, since);
    expect(off.urls.some((u) => u.pathname.endsWith("/prompt"))).toBe(false);
  });
  test("#34 prompt rows never carry cost", async () => {
    const r = groups(
      {},
      {
        "ai-models": { body: list([{ ai_model: "a", requests: 1, cost: 10 }]) },
        prompt: {
          body: list([
            { prompt: "p1", requests: 2, cost: 136.85 },
            { prompt: "p2", requests: 3, cost: 1 },
          ]),
        },
      },
    );
    const names = brief((await r.loop.collect(signal, since)).samples).map((x) => x[0]);
    expect(names.filter((n) => n === "requests_by_prompt")).toHaveLength(2);
    expect(names.filter((n) => String(n).includes("cost_usd_by_prompt"))).toHaveLength(0);
    expect(names).toContain("cost_usd_by_model");
  });
  test("#35 series names and the checkpoint key vector", () => {
    const plan = (settings: Record<string, string>) =>
      portkey.plan(portkeySource({ groups: loopBlock({ settings }) }), () => {}).loops[0];
    expect(
      plan({ metadata_keys: "use_case" })
        ?.series.map((n) => n.replace("portkey_api_", ""))
        .sort(),
    ).toEqual(
      [
        "cost_usd_by_metadata",
        "cost_usd_by_model",
        "requests_by_metadata",
        "requests_by_model",
        "requests_by_prompt",
      ].sort(),
    );
    expect(plan({})?.checkpointKey).toBe("pk-test/groups/1a0c9dff442c8892");
  });
  test.each([
    [{ settle: "2h" }, "settings.settle 2h0m0s must be < settings.window_span 1h0m0s"],
    [{ settle: "1h" }, "settings.settle 1h0m0s must be < settings.window_span 1h0m0s"],
    [{ page_size: "notanint" }, "settings.page_size"],
    [{ page_size: "0" }, "settings.page_size must be > 0"],
  ])("#36/#40 settings %p are refused", (settings, msg) => {
    expect(() => portkey.plan(portkeySource({ groups: loopBlock({ settings }) }), () => {})).toThrow(msg);
  });
  test("#40 unknown key warns only; listed settings are applied", async () => {
    const warnings: unknown[] = [];
    portkey.plan(portkeySource({ groups: loopBlock({ settings: { colour: "blue" } }) }), (m, a) =>
      warnings.push([m, a]),
    );
    expect(warnings).toEqual([["unknown settings key ignored", { loop: "groups", key: "colour" }]]);
    const r = groups(
      {
        window_span: "30m",
        settle: "5m",
        page_size: "250",
        max_groups: "500",
        metadata_keys: "use_case, tenant",
        emit_cost: "true",
      },
      {
        "ai-models": { body: list([]) },
        use_case: { body: list([]) },
        tenant: { body: list([]) },
        prompt: { body: list([]) },
      },
    );
    await r.loop.collect(signal, since);
    expect(r.urls.map((u) => u.pathname.replace("/v1/analytics/groups/", ""))).toEqual([
      "ai-models",
      "metadata/use_case",
      "metadata/tenant",
      "prompt",
    ]);
    expect(r.urls[0]?.searchParams.get("page_size")).toBe("250");
    expect(r.urls[0]?.searchParams.get("time_of_generation_min")).toBe("2026-06-18T11:30:00Z");
    expect(r.urls[0]?.searchParams.get("time_of_generation_max")).toBe("2026-06-18T11:55:00Z");
  });
  test("#37 a server that ignores current_page: the page cap stops it, duplicates reported", async () => {
    const r = groups(
      { page_size: "3", max_groups: "6", emit_prompts: "false", emit_cost: "false" },
      { "ai-models": { body: list(["a", "b", "c"].map((m) => ({ ai_model: m, requests: 1 }))) } },
    );
    const b = await r.loop.collect(signal, since);
    expect(r.urls).toHaveLength(2);
    expect(b.samples).toHaveLength(3);
    expect(skipped(r)).toContain("ai-models_dup_dim");
  });
  test("#38 non-string dimensions collapse to one unattributed row; the first wins", async () => {
    const r = groups(
      { emit_prompts: "false", emit_cost: "false" },
      {
        "ai-models": {
          body: list([
            { ai_model: 0, requests: 100 },
            { ai_model: 1, requests: 101 },
          ]),
        },
      },
    );
    expect(brief((await r.loop.collect(signal, since)).samples)).toEqual([
      ["requests_by_model", { ai_model: "" }, 100],
    ]);
    expect(skipped(r)).toEqual(["ai-models_dup_dim"]);
  });
  test("#39 at most one point per series and minute: a second poll in the stamp's minute asks and sends nothing", async () => {
    const rows = { "ai-models": { body: list([{ ai_model: "a", requests: 1 }]) } };
    const r = groups({ emit_prompts: "false" }, rows, { now: Date.parse("2026-06-18T12:00:37Z") });
    const a = await r.loop.collect(signal, since);
    const asked = r.urls.length;
    r.setNow(Date.parse("2026-06-18T12:00:50Z"));
    const b = await r.loop.collect(signal, a.watermark);
    expect(a.samples[0]?.timestamp).toBe(T(Date.parse("2026-06-18T11:50:00Z")));
    expect([b.samples.length, r.urls.length, b.watermark]).toEqual([0, asked, a.watermark]);
    r.setNow(Date.parse("2026-06-18T12:01:05Z"));
    const c = await r.loop.collect(signal, a.watermark);
    expect(c.samples[0]?.timestamp).toBe(T(Date.parse("2026-06-18T11:51:00Z")));
  });
  test("#41 use cases: one loop, one pass each, key unchanged, samples labelled", async () => {
    const useCases = [
      { label: "Data Gen", api_key_ids: ["uuid-a"] },
      { label: "Content Gen", api_key_ids: ["uuid-b"] },
    ];
    const planned = portkey.plan(
      portkeySource({ groups: loopBlock() }, { api_key_use_cases: useCases }),
      () => {},
    ).loops;
    expect(planned.map((p) => p.checkpointKey)).toEqual(["pk-test/groups/1a0c9dff442c8892"]);
    const r = groups(
      { emit_prompts: "false", emit_cost: "false" },
      { "ai-models": (q) => ({ body: list([{ ai_model: q.get("api_key_ids"), requests: 1 }]) }) },
      { useCases },
    );
    const b = await r.loop.collect(signal, since);
    expect(brief(b.samples)).toEqual([
      ["requests_by_model", { ai_model: "uuid-a", api_key_use_case: "data_gen" }, 1],
      ["requests_by_model", { ai_model: "uuid-b", api_key_use_case: "content_gen" }, 1],
    ]);
  });
  test("metadata keys are path-escaped as Go's url.PathEscape does", () => {
    expect(goPathEscape("use_case")).toBe("use_case");
    expect(goPathEscape("a/b c;d,e?f")).toBe("a%2Fb%20c%3Bd%2Ce%3Ff");
    expect(goPathEscape("$&+:=@")).toBe("$&+:=@");
    expect(goPathEscape("é!")).toBe("%C3%A9%21");
  });
});

describe("workspace guard", () => {
  const probe = (body: unknown, status = 200) => ({ workspace: { status, body } });
  const analyticsWith = (replies: Record<string, Reply>) =>
    rig(
      portkeySource({
        analytics: loopBlock({
          window: 50 * MIN * 1e6,
          bucket_settle: 3 * MIN * 1e6,
          bootstrap_lookback: 50 * MIN * 1e6,
          max_backfill: 55 * MIN * 1e6,
          graphs: ["requests"],
          settings: { expected_workspace: "ws-acme-001" },
        }),
      }),
      { requests: { body: { data_points: [] } }, ...replies },
      B,
    );
  test("#42 matched once, then never probed again", async () => {
    const r = analyticsWith(probe(fixture("groups_workspace_single.json")));
    await r.loop.collect(signal, since);
    await r.loop.collect(signal, since);
    expect(r.urls.filter((u) => u.pathname.endsWith("/workspace"))).toHaveLength(1);
  });
  test("#42 undeterminable: proceeds unverified with a warning, probes again", async () => {
    const r = analyticsWith(probe(fixture("groups_workspace_none.json")));
    await r.loop.collect(signal, since);
    await r.loop.collect(signal, since);
    expect(r.urls.filter((u) => u.pathname.endsWith("/workspace"))).toHaveLength(2);
    expect(r.warnings.some((w) => w.includes("undeterminable"))).toBe(true);
  });
  test.each([
    [list([{ workspace: "ws-other-12ab34", requests: 1 }]), "ws-other-12ab34"],
    [fixture("groups_workspace_multi.json"), "ws-prod-99zz"],
  ])("#42 mismatch refuses before any data request", async (body, detail) => {
    const r = analyticsWith(probe(body));
    await expect(r.loop.collect(signal, since)).rejects.toThrow(detail);
    expect(r.urls.every((u) => u.pathname.endsWith("/workspace"))).toBe(true);
    expect(skipped(r as unknown as ReturnType<typeof groups>)).toEqual(["workspace_scope_mismatch"]);
  });
  test.each([
    [503, 0],
    [401, 1],
    [403, 1],
  ])("#42 probe status %p: error, auth reports %p", async (status, auth) => {
    const r = analyticsWith(probe({}, status));
    await expect(r.loop.collect(signal, since)).rejects.toThrow();
    expect(r.reports.filter((x) => x.kind === "auth_error")).toHaveLength(auth);
  });
  test("#43 groups: mismatch throws with no data request; probe 401 reports auth for groups", async () => {
    const r = groups(
      { expected_workspace: "ws-acme-001" },
      { workspace: { body: list([{ workspace: "ws-global-admin", requests: 1 }]) }, "ai-models": { body: list([]) } },
    );
    await expect(r.loop.collect(signal, since)).rejects.toThrow("ws-global-admin");
    expect(r.urls.every((u) => u.pathname.endsWith("/workspace"))).toBe(true);
    expect(skipped(r)).toEqual(["workspace_scope_mismatch"]);
    const a = groups({ expected_workspace: "ws-acme-001" }, { workspace: { status: 401, body: {} } });
    await expect(a.loop.collect(signal, since)).rejects.toThrow();
    expect(a.reports).toEqual([{ kind: "auth_error" }]);
  });
});
