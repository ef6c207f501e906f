/** langsmith.md §7.3–7.4: the `runs` loop's settings, field policy, strip and content gate (RU-20 … RU-42, CA-01). */
import { describe, expect, test } from "bun:test";
import { encodeLogs } from "../../../../src/emit/otlp/logs.ts";
import { Guard } from "../../../../src/governance/guard.ts";
import { releasedKeys } from "../../../../src/governance/promotions.ts";
import { HOUR, MINUTE } from "../../../../src/model/duration.ts";
import { formatRfc3339Nano, ZERO_TIME } from "../../../../src/model/time.ts";
import { langsmith } from "../../../../src/sources/langsmith/index.ts";
import {
  DEFAULT_EXTRA_RECORD,
  DEFAULT_INDEXED,
  DEFAULT_RECORD,
  HARD_DENIED,
  SELECT_ENUM,
} from "../../../../src/sources/langsmith/runs/fields.ts";
import { type RunPolicy, renderField, runTime, stripRun } from "../../../../src/sources/langsmith/runs/strip.ts";
import { Registry } from "../../../../src/sources/registry.ts";
import { fixture, json, loopBlock, lsRig, lsSource, type Seen, T } from "./rig.ts";

const signal = new AbortController().signal;
const unset = { time: ZERO_TIME, cursor: "", epoch: 1 };
const source = (settings: Record<string, string>, over = {}) => lsSource({ runs: loopBlock(settings, over) });
const plan = (settings: Record<string, string>, over = {}) => langsmith.plan(source(settings, over), () => {});
const DEFAULT_SELECT = [
  "app_path",
  "child_run_ids",
  "completion_cost",
  "completion_tokens",
  "dotted_order",
  "end_time",
  "first_token_time",
  "id",
  "parent_run_id",
  "prompt_cost",
  "prompt_tokens",
  "run_type",
  "session_id",
  "start_time",
  "status",
  "tags",
  "thread_id",
  "total_cost",
  "total_tokens",
  "trace_id",
];

async function firstQuery(settings: Record<string, string>) {
  const seen: Seen[] = [];
  const r = lsRig(
    source(settings),
    (req) => {
      seen.push(req);
      return json(fixture("runs_query_empty.json"));
    },
    "2026-06-20T02:00:00Z",
  );
  await r.loop.collect(signal, unset);
  return seen[0]?.body as Record<string, unknown>;
}

describe("runs settings", () => {
  test.each([
    [{}, "settings.session_ids or settings.session_filter"],
    [{ session_ids: "a", page_size: "500" }, "settings.page_size"],
    [{ session_ids: "a", window: "10m", settle: "10m" }, "settings.settle"],
    [{ session_ids: "a", window: "0s" }, "settings.window"],
    [{ session_ids: "a", max_response_bytes: "0" }, "settings.max_response_bytes"],
    [{ session_ids: "a", root_only: "maybe" }, "settings.root_only"],
  ])("RU-20 %p is refused naming %s", (settings, key) => {
    expect(() => plan(settings)).toThrow(key);
  });
  test("RU-20 a filter or ids alone are fine; an unknown key only warns", () => {
    expect(() => plan({ session_filter: "x" })).not.toThrow();
    expect(() => plan({ session_ids: "a,b" })).not.toThrow();
    const warnings: string[] = [];
    langsmith.plan(source({ session_ids: "a", bogus: "1" }), (m) => warnings.push(m));
    expect(warnings).toContain("unknown settings key ignored");
  });
  test("RU-21 a full overlay is applied", async () => {
    const settings = {
      session_ids: "s1, s2",
      session_filter: "x",
      window: "30m",
      settle: "5m",
      max_backfill: "12h",
      page_size: "50",
      max_pages_per_window: "10",
      max_sessions: "20",
      session_refresh: "2m",
      max_response_bytes: "1048576",
      root_only: "true",
      run_type: "llm",
    };
    const q = await firstQuery(settings);
    expect(q).toMatchObject({
      session: ["s1", "s2"],
      limit: 50,
      is_root: true,
      run_type: "llm",
      start_time: "2026-06-20T01:30:00Z",
      end_time: "2026-06-20T01:55:00Z",
    });
  });
  test("RU-22 extra_record_fields is trimmed; RU-25 the default select and bounds", async () => {
    const q = await firstQuery({ session_ids: "a", extra_record_fields: "tags, child_run_ids , app_path" });
    expect(q.select).toEqual(DEFAULT_SELECT);
    const d = await firstQuery({ session_ids: "a" });
    expect(d.select).toEqual(DEFAULT_SELECT);
    expect(DEFAULT_SELECT.every((f) => SELECT_ENUM.has(f))).toBe(true);
    expect([d.limit, d.start_time, d.end_time]).toEqual([100, "2026-06-20T01:00:00Z", "2026-06-20T01:50:00Z"]);
    expect(HOUR - 10 * MINUTE).toBe(50 * MINUTE);
  });
  test.each([...HARD_DENIED.exact, "gen_ai.prompt.0.content"].map((f) => [f]))(
    "RU-23 / RU-39 %p can never be opted in",
    (f) => {
      expect(() => plan({ session_ids: "a", extra_record_fields: `tags,${f}` })).toThrow(
        `settings.extra_record_fields: "${f}"`,
      );
      expect(() => plan({ session_ids: "a", extra_indexed_fields: `app_path,${f}` })).toThrow(
        `settings.extra_indexed_fields: "${f}"`,
      );
    },
  );
  test("RU-24 a field outside the select enum is refused; valid opt-ins plan", () => {
    expect(() => plan({ session_ids: "a", extra_record_fields: "tags,app-path" })).toThrow(
      '"app-path" is not a LangSmith run field',
    );
    expect(() => plan({ session_ids: "a", extra_indexed_fields: "not_a_real_select_field" })).toThrow(
      "settings.extra_indexed_fields",
    );
    expect(() =>
      plan({ session_ids: "a", extra_record_fields: "reference_example_id", extra_indexed_fields: "app_path" }),
    ).not.toThrow();
  });
  test("RU-26 indexed keys with promotions, sorted", () => {
    const [p] = plan({ session_ids: "a", extra_indexed_fields: "app_path, reference_dataset_id" }).loops;
    expect(p?.indexedKeys).toEqual(["app_path", "reference_dataset_id", "run_type", "status"]);
  });
  test("RU-27 a loop-level window is refused, pointing at settings.window", () => {
    expect(() => plan({ session_ids: "a" }, { window: HOUR })).toThrow("settings.window");
  });
  test("RU-36 sessions + runs / runs only / none", () => {
    const both = lsSource({ sessions: loopBlock(), runs: loopBlock({ session_ids: "s1" }) });
    expect(langsmith.plan(both, () => {}).loops.map((l) => l.name)).toEqual(["sessions", "runs"]);
    expect(plan({ session_ids: "s1" }).loops.map((l) => l.name)).toEqual(["runs"]);
    const none = lsSource({ runs: loopBlock({}, { enabled: false }) });
    expect(langsmith.plan(none, () => {}).loops).toEqual([]);
  });
  test("RU-42 checkpoint keys of the defaults", () => {
    const all = lsSource(
      { sessions: loopBlock(), usage: loopBlock(), runs: loopBlock({ session_ids: "a" }) },
      { source_instance: "ls" },
    );
    expect(langsmith.plan(all, () => {}).loops.map((l) => l.checkpointKey)).toEqual([
      "ls/sessions/58d2aeb8a824d134",
      "ls/runs/9c4280c9679ff01e",
      "ls/usage/570df90e7a808d48",
    ]);
    const promoted = lsSource(
      { runs: loopBlock({ session_ids: "a", extra_indexed_fields: "app_path" }) },
      { source_instance: "ls" },
    );
    expect(langsmith.plan(promoted, () => {}).loops[0]?.checkpointKey).toBe("ls/runs/c58ac5990366de17");
  });
});

const policy = (indexed: string[], record: string[]): RunPolicy => ({
  indexed: new Set(indexed),
  record: new Set(record),
});
/** The default tiers (their exact contents are pinned by RU-25's select above). */
const DEFAULT_POLICY = policy([...DEFAULT_INDEXED], [...DEFAULT_RECORD, ...DEFAULT_EXTRA_RECORD.split(",")]);

describe("strip", () => {
  test("RU-28 start_time: naive with microseconds, naive, RFC 3339; anything else falls back", () => {
    const cases: [unknown, string | undefined][] = [
      ["2026-06-19T13:22:24.560930", "2026-06-19T13:22:24.56093Z"],
      ["2026-06-19T13:22:24", "2026-06-19T13:22:24Z"],
      ["2026-06-19T13:22:24.560930Z", "2026-06-19T13:22:24.56093Z"],
      ["2026-06-19T15:22:24.5+02:00", "2026-06-19T13:22:24.5Z"],
      [null, undefined],
      ["not-a-time", undefined],
      [123, undefined],
      ["", undefined],
    ];
    for (const [input, want] of cases) {
      const t = runTime(input);
      expect(t === undefined ? undefined : formatRfc3339Nano(t)).toBe(want);
    }
    expect(stripRun({ start_time: "nope" }, T("2026-06-19T01:00:00Z"), DEFAULT_POLICY).timestamp).toBe(
      T("2026-06-19T01:00:00Z"),
    );
  });
  test.each([["success"], ["pending"], ["running"], [""]])("RU-29 status %p is INFO", (status) => {
    expect(stripRun({ status }, 0n, DEFAULT_POLICY).severity).toBe("INFO");
  });
  test.each([["error"], ["timeout"], ["interrupted"]])("RU-29 / RU-33 status %p is ERROR", (status) => {
    expect(stripRun({ run_type: "llm", status }, 0n, DEFAULT_POLICY).severity).toBe("ERROR");
  });
  test("RU-30 the mixed-content run: exactly the content-free fields", () => {
    const rec = stripRun(fixture("run_record_mixed_content.json") as Record<string, unknown>, 0n, DEFAULT_POLICY);
    expect(rec.indexedAttributes).toEqual({ run_type: "llm", status: "success" });
    expect(rec.recordAttributes).toEqual({
      id: "r1",
      trace_id: "t1",
      session_id: "proj-1",
      start_time: "2026-06-19T13:22:24.560930",
      total_tokens: "1312",
      total_cost: "0.0194",
      source: "langsmith",
    });
    expect([rec.body, rec.severity, formatRfc3339Nano(rec.timestamp), rec.traceId.length]).toEqual([
      "",
      "INFO",
      "2026-06-19T13:22:24.56093Z",
      0,
    ]);
    expect(JSON.stringify({ ...rec, timestamp: 0 })).not.toMatch(/ZZ[A-Z]+ZZ/);
  });
  test.each([
    [0.0194, "0.0194"],
    ["0.0194", "0.0194"],
    [null, undefined],
    [{ x: 1 }, undefined],
    [1e21, "1000000000000000000000"],
    [1e-7, "0.0000001"],
  ])("RU-31 total_cost %p ⇒ %p", (value, want) => {
    expect(stripRun({ total_cost: value }, 0n, DEFAULT_POLICY).recordAttributes.total_cost).toBe(want);
  });
  test("RU-32 arrays of scalars join with commas; anything else drops the field", () => {
    const run = {
      tags: ["prod", "eu", "v2"],
      child_run_ids: ["a", "b"],
      scores: [1, 2.5, 3],
      flags: [true, false],
      mixed: ["a", { x: "ZZOBJZZ" }],
      empty: [],
      nested: [[1, 2], [3]],
      withnull: ["a", null, "b"],
    };
    const rec = stripRun(run, 0n, policy([], Object.keys(run)));
    expect(rec.recordAttributes).toEqual({
      tags: "prod,eu,v2",
      child_run_ids: "a,b",
      scores: "1,2.5,3",
      flags: "true,false",
      source: "langsmith",
    });
    expect(renderField(false)).toBe("false");
  });
  test("RU-34 source is always there; RU-35 an indexed key is not also a record attribute", () => {
    expect(stripRun({ id: "r1", status: "success" }, 0n, DEFAULT_POLICY).recordAttributes.source).toBe("langsmith");
    const rec = stripRun(
      { run_type: "llm", app_path: "/team/app" },
      0n,
      policy(["app_path", "run_type", "status"], ["app_path", "id"]),
    );
    expect([rec.indexedAttributes.app_path, rec.recordAttributes.app_path]).toEqual(["/team/app", undefined]);
  });
});

/** RU-37 … RU-41: one page of the content-injected fixture through strip, guard and the OTLP encoder. */
async function payload(settings: Record<string, string>): Promise<string> {
  const r = lsRig(
    source({ session_ids: "s1", ...settings }),
    () => json(fixture("runs_query_content_injected.json")),
    "2026-06-20T02:00:00Z",
  );
  const b = await r.loop.collect(signal, unset);
  const planned = langsmith.plan(source({ session_ids: "s1", ...settings }), () => {}).loops[0];
  const registry = new Registry([langsmith]);
  const guard = new Guard({
    allowKeys: [...langsmith.labelKeys, ...(planned?.indexedKeys ?? [])],
    budget: 0,
    floor: registry.floor,
    logsReleases: new Map([[planned?.checkpointKey ?? "", releasedKeys({ session_ids: "s1", ...settings })]]),
  });
  const { kept } = guard.sanitizeLogs(planned?.checkpointKey ?? "", b.logs);
  return Buffer.from(encodeLogs({}, kept)).toString("latin1");
}

describe("content gate end to end", () => {
  const ALL = [
    "ZZINPUTSZZ",
    "ZZOUTPUTSZZ",
    "ZZPREVIEWZZ",
    "ZZMSGZZ",
    "ZZEVENTZZ",
    "ZZEXTRAZZ",
    "ZZSERIALZZ",
    "ZZERRORTXTZZ",
    "ZZRUNNAMEZZ",
  ];
  test("RU-37 defaults: the values are there, no marker is", async () => {
    const bytes = await payload({});
    expect(bytes).toContain("llm");
    expect(bytes).toContain("prod,eu");
    for (const m of ALL) expect(bytes).not.toContain(m);
  });
  test("RU-38 error opted in as a record field: only the error text comes through", async () => {
    const bytes = await payload({ extra_record_fields: "tags, error" });
    expect(bytes).toContain("prod,eu");
    expect(bytes).toContain("ZZERRORTXTZZ");
    for (const m of ["ZZINPUTSZZ", "ZZOUTPUTSZZ", "ZZMSGZZ", "ZZRUNNAMEZZ", "ZZEVENTZZ"])
      expect(bytes).not.toContain(m);
  });
  test("RU-40 error promoted to indexed: the record is kept with it, nothing else", async () => {
    const bytes = await payload({ extra_indexed_fields: "error" });
    expect(bytes).toContain("ZZERRORTXTZZ");
    for (const m of ["ZZINPUTSZZ", "ZZOUTPUTSZZ", "ZZMSGZZ", "ZZPREVIEWZZ"]) expect(bytes).not.toContain(m);
  });
  test("RU-41 a promoted dataset id is there; no content is", async () => {
    const bytes = await payload({ extra_indexed_fields: "reference_dataset_id" });
    expect(bytes).toContain("ds-eval-42");
    for (const m of ["ZZINPUTSZZ", "ZZOUTPUTSZZ", "ZZMSGZZ", "ZZRUNNAMEZZ"]) expect(bytes).not.toContain(m);
  });
  test("CA-01 the declared label keys are exactly those the LangSmith signals carry", async () => {
    const all = lsSource({ sessions: loopBlock(), usage: loopBlock(), runs: loopBlock({ session_ids: "s1" }) });
    const r = lsRig(
      all,
      (req) =>
        req.url.pathname === "/runs/query"
          ? json(fixture("runs_query_content_injected.json"))
          : req.url.pathname === "/runs/stats"
            ? json(fixture("runs_stats.json"))
            : json([
                ...(fixture("sessions_with_stats.json") as object[]),
                ...(fixture("sessions_usage_two_tiers.json") as object[]),
              ]),
      "2026-06-20T02:00:00Z",
    );
    const used = new Set<string>();
    for (const loop of r.loops.values()) {
      const b = await loop.collect(signal, unset);
      for (const s of b.samples) for (const k of Object.keys(s.labels)) used.add(k);
      for (const l of b.logs) for (const k of Object.keys(l.indexedAttributes)) used.add(k);
    }
    expect(used).toEqual(new Set(langsmith.labelKeys));
  });
});
