/** langsmith.md §7.3: the `runs` loop's query, window/cursor state machine and scope (RU-01 … RU-21, RU-43 … RU-45). */
import { describe, expect, test } from "bun:test";
import { ZERO_TIME } from "../../../../src/model/time.ts";
import type { Watermark } from "../../../../src/model/types.ts";
import { sessionsPath } from "../../../../src/sources/langsmith/projects.ts";
import { decodeCursor, encodeCursor } from "../../../../src/sources/langsmith/runs/cursor.ts";
import { QuotaExhausted } from "../../../../src/sources/outcome.ts";
import { authErrors, fixture, json, loopBlock, lsRig, lsSource, type Seen, skipped, T } from "./rig.ts";

const signal = new AbortController().signal;
const unset: Watermark = { time: ZERO_TIME, cursor: "", epoch: 1 };
const source = (settings: Record<string, string>) => lsSource({ runs: loopBlock(settings) });
const queries = (seen: Seen[]) => seen.filter((s) => s.url.pathname === "/runs/query");
const lists = (seen: Seen[]) => seen.filter((s) => s.url.pathname === "/sessions");
const body = (s: Seen | undefined) => s?.body as Record<string, unknown>;
const CONTENT = [
  "inputs",
  "outputs",
  "messages",
  "events",
  "extra",
  "serialized",
  "inputs_preview",
  "outputs_preview",
  "error",
  "s3_urls",
  "manifest",
  "name",
];

describe("runs/query", () => {
  test("RU-01 first page: scope, asc, bounds, no cursor, a content-free select; next token parsed", async () => {
    const r = lsRig(
      source({ session_ids: "sess-1" }),
      () => json(fixture("runs_query_opaque_cursor.json")),
      "2026-06-19T01:10:00Z",
    );
    const since = { time: T("2026-06-19T00:00:00Z"), cursor: "", epoch: 1 };
    const b = await r.loop.collect(signal, since);
    const q = body(queries(r.seen)[0]);
    expect([q.session, q.order, q.start_time, q.end_time, "cursor" in q]).toEqual([
      ["sess-1"],
      "asc",
      "2026-06-19T00:00:00Z",
      "2026-06-19T01:00:00Z",
      false,
    ]);
    for (const f of CONTENT) expect(q.select).not.toContain(f);
    expect(b.logs).toHaveLength(1);
    expect(decodeCursor(b.watermark.cursor)).toMatchObject({
      kind: "draining",
      cursor: { next: "gt(cursor,'x')", page: 1 },
    });
    expect(queries(r.seen)[0]?.headers.get("content-type")).toBe("application/json");
  });
  test("RU-02 a resumed page sends the cursor; a null next ends the window", async () => {
    const r = lsRig(
      source({ session_ids: "sess-1" }),
      () => json({ runs: [{ id: "r2" }], cursors: { next: null } }),
      "2026-06-19T02:00:00Z",
    );
    const cursor = encodeCursor({
      winMin: T("2026-06-19T00:00:00Z"),
      winMax: T("2026-06-19T01:00:00Z"),
      next: "gt(cursor,'x')",
      page: 1,
    });
    const b = await r.loop.collect(signal, { time: T("2026-06-19T00:00:00Z"), cursor, epoch: 1 });
    expect(body(queries(r.seen)[0]).cursor).toBe("gt(cursor,'x')");
    expect(b.watermark).toEqual({ time: T("2026-06-19T01:00:00Z"), cursor: "", epoch: 1 });
  });
  test.each([
    [500, "error"],
    [401, "error"],
    [422, "error"],
    [429, "quota"],
  ])("RU-03 / RU-08 status %d ⇒ %s, the 422 body's snippet surfaces", async (status, kind) => {
    const r = lsRig(
      source({ session_ids: "a" }),
      () => json(fixture("runs_query_error_422.json"), status),
      "2026-06-20T02:00:00Z",
    );
    const err = await r.loop.collect(signal, unset).catch((e: Error) => e);
    if (kind === "quota") expect(err).toBeInstanceOf(QuotaExhausted);
    else {
      expect(err).not.toBeInstanceOf(QuotaExhausted);
      expect((err as Error).message).toContain(`langsmith runs: status ${status}: `);
      expect((err as Error).message).toContain("UPSTREAM-ERR-MARKER");
    }
  });
  test("RU-04 403 reports auth once", async () => {
    const r = lsRig(source({ session_ids: "a" }), () => json({}, 403), "2026-06-20T02:00:00Z");
    await expect(r.loop.collect(signal, unset)).rejects.toThrow("status 403");
    expect(authErrors(r.reports)).toBe(1);
  });
  test("RU-43 root_only and run_type are sent only when set", async () => {
    const set = lsRig(
      source({ session_ids: "a", root_only: "true", run_type: "llm" }),
      () => json(fixture("runs_query_empty.json")),
      "2026-06-20T02:00:00Z",
    );
    await set.loop.collect(signal, unset);
    expect([body(queries(set.seen)[0]).is_root, body(queries(set.seen)[0]).run_type]).toEqual([true, "llm"]);
    const plain = lsRig(
      source({ session_ids: "a" }),
      () => json(fixture("runs_query_empty.json")),
      "2026-06-20T02:00:00Z",
    );
    await plain.loop.collect(signal, unset);
    expect(Object.keys(body(queries(plain.seen)[0]))).toEqual([
      "end_time",
      "limit",
      "order",
      "select",
      "session",
      "start_time",
    ]);
  });
  test("undecodable answers fail the collect and move nothing", async () => {
    for (const answer of [[1], { runs: [1] }, { runs: {} }, { runs: [], cursors: { next: 5 } }, "text"]) {
      const r = lsRig(source({ session_ids: "a" }), () => json(answer), "2026-06-20T02:00:00Z");
      await expect(r.loop.collect(signal, unset)).rejects.toThrow("langsmith runs: decode");
    }
    const nulls = lsRig(
      source({ session_ids: "a" }),
      () => json({ runs: [null], cursors: null }),
      "2026-06-20T02:00:00Z",
    );
    const b = await nulls.loop.collect(signal, unset);
    expect(b.logs.map((l) => l.recordAttributes)).toEqual([{ source: "langsmith" }]);
  });
  test("an answer over max_response_bytes is an error that says what to change", async () => {
    const r = lsRig(
      source({ session_ids: "a", max_response_bytes: "64" }),
      () => json(fixture("runs_query_content_injected.json")),
      "2026-06-20T02:00:00Z",
    );
    await expect(r.loop.collect(signal, unset)).rejects.toThrow("settings.page_size");
  });
});

describe("window and cursor", () => {
  test("RU-05 bootstrap window over two pages, then nothing until the next window settles", async () => {
    const pages = [fixture("runs_query_page_with_next.json"), fixture("runs_query_page_last.json")];
    const r = lsRig(source({ session_ids: "a" }), () => json(pages.shift() ?? {}), "2026-06-20T02:00:00Z");
    const b1 = await r.loop.collect(signal, unset);
    expect(b1.logs.map((l) => l.indexedAttributes.run_type)).toEqual(["llm"]);
    expect([body(queries(r.seen)[0]).start_time, body(queries(r.seen)[0]).end_time]).toEqual([
      "2026-06-20T01:00:00Z",
      "2026-06-20T01:50:00Z",
    ]);
    expect(b1.watermark).toEqual({
      time: ZERO_TIME,
      cursor: '{"win_min":"2026-06-20T01:00:00Z","win_max":"2026-06-20T01:50:00Z","next":"N1","page":1}',
      epoch: 1,
    });
    const b2 = await r.loop.collect(signal, b1.watermark);
    expect(b2.logs).toHaveLength(1);
    expect(b2.watermark).toEqual({ time: T("2026-06-20T01:50:00Z"), cursor: "", epoch: 1 });
    const b3 = await r.loop.collect(signal, b2.watermark);
    expect([b3.logs.length, r.seen.length, b3.watermark]).toEqual([0, 2, b2.watermark]);
  });
  test("RU-06 nothing settled: no request, the watermark stays", async () => {
    const r = lsRig(source({ session_filter: "x" }), () => json([]), "2026-06-20T02:00:00Z");
    const since = { time: T("2026-06-20T01:55:00Z"), cursor: "", epoch: 1 };
    const b = await r.loop.collect(signal, since);
    expect([r.seen.length, b.logs.length, b.watermark]).toEqual([0, 0, since]);
  });
  test("RU-07 an empty settled window moves the time to its end", async () => {
    const r = lsRig(source({ session_ids: "a" }), () => json(fixture("runs_query_empty.json")), "2026-06-20T02:00:00Z");
    const b = await r.loop.collect(signal, unset);
    expect(b.watermark).toEqual({ time: T("2026-06-20T01:50:00Z"), cursor: "", epoch: 1 });
  });
  test("RU-09 a start older than max_backfill is clamped and counted", async () => {
    const r = lsRig(
      source({ session_ids: "a", window: "10m", settle: "1m", max_backfill: "1h" }),
      () => json(fixture("runs_query_empty.json")),
      "2026-06-20T12:00:00Z",
    );
    await r.loop.collect(signal, { time: T("2026-06-20T09:00:00Z"), cursor: "", epoch: 1 });
    expect([body(queries(r.seen)[0]).start_time, body(queries(r.seen)[0]).end_time]).toEqual([
      "2026-06-20T11:00:00Z",
      "2026-06-20T11:10:00Z",
    ]);
    expect(skipped(r.reports)).toEqual(["backfill_skipped"]);
  });
  test("RU-10 the page cap ends the window with a counted truncation", async () => {
    const r = lsRig(
      source({ session_ids: "a", max_pages_per_window: "1" }),
      () => json(fixture("runs_query_always_more.json")),
      "2026-06-20T02:00:00Z",
    );
    const b = await r.loop.collect(signal, unset);
    expect([b.logs.length, b.watermark.time, b.watermark.cursor]).toEqual([1, T("2026-06-20T01:50:00Z"), ""]);
    expect(skipped(r.reports)).toEqual(["window_truncated"]);
  });
  test("RU-19 cursor round-trip; empty, junk and missing bounds are idle", () => {
    const c = { winMin: T("2026-06-19T00:00:00Z"), winMax: T("2026-06-19T01:00:00Z"), next: "gt(cursor,'x')", page: 2 };
    expect(encodeCursor(c)).toBe(
      '{"win_min":"2026-06-19T00:00:00Z","win_max":"2026-06-19T01:00:00Z","next":"gt(cursor,\'x\')","page":2}',
    );
    expect(decodeCursor(encodeCursor(c))).toEqual({ kind: "draining", cursor: c });
    expect(decodeCursor("")).toEqual({ kind: "idle" });
    expect(decodeCursor("{not json").kind).toBe("corrupt");
    expect(decodeCursor('{"win_min":"2026-06-19T00:00:00Z"}').kind).toBe("corrupt");
    expect(decodeCursor('{"win_min":"2026-06-19T00:00:00Z","win_max":"yesterday"}').kind).toBe("corrupt");
    const frac = { ...c, winMin: T("2026-06-19T00:00:00.123456789Z") };
    expect(decodeCursor(encodeCursor(frac))).toEqual({ kind: "draining", cursor: frac });
  });
  test("a corrupt cursor is a warning and a new window from the watermark's time", async () => {
    const r = lsRig(source({ session_ids: "a" }), () => json(fixture("runs_query_empty.json")), "2026-06-20T02:00:00Z");
    const b = await r.loop.collect(signal, { time: T("2026-06-20T01:00:00Z"), cursor: "{not json", epoch: 1 });
    expect(body(queries(r.seen)[0]).start_time).toBe("2026-06-20T01:00:00Z");
    expect(r.warnings.some((w) => w.includes("cursor unreadable"))).toBe(true);
    expect(b.watermark.cursor).toBe("");
  });
  test("a failed page keeps the cursor where it was (the batch is never built)", async () => {
    let fail = false;
    const r = lsRig(
      source({ session_ids: "a" }),
      () => (fail ? json({}, 503) : json(fixture("runs_query_page_with_next.json"))),
      "2026-06-20T02:00:00Z",
    );
    const b1 = await r.loop.collect(signal, unset);
    fail = true;
    await expect(r.loop.collect(signal, b1.watermark)).rejects.toThrow("status 503");
    fail = false;
    await r.loop.collect(signal, b1.watermark);
    expect(queries(r.seen).map((q) => body(q).cursor)).toEqual([undefined, "N1", "N1"]);
  });
});

describe("scope", () => {
  const discovery = (ids: string[]) => (req: Seen) =>
    req.url.pathname === "/sessions"
      ? json(
          ids
            .slice(Number(req.url.searchParams.get("offset")))
            .map((id) => ({ id }))
            .slice(0, 100),
        )
      : json(fixture("runs_query_empty.json"));
  test("RU-11 static session_ids: no discovery", async () => {
    const r = lsRig(source({ session_ids: "a,b" }), discovery(["x"]), "2026-06-20T02:00:00Z");
    await r.loop.collect(signal, unset);
    expect([body(queries(r.seen)[0]).session, lists(r.seen).length]).toEqual([["a", "b"], 0]);
  });
  test("RU-12 / RU-16 discovery once, cached within session_refresh; its request", async () => {
    const r = lsRig(
      source({ session_filter: 'eq(name,"x")', session_refresh: "1h" }),
      discovery(["p1", "p2", "p3"]),
      "2026-06-20T02:00:00Z",
    );
    const b = await r.loop.collect(signal, unset);
    r.setNow("2026-06-20T02:01:00Z");
    await r.loop.collect(signal, b.watermark);
    expect(body(queries(r.seen)[0]).session).toEqual(["p1", "p2", "p3"]);
    expect(lists(r.seen)).toHaveLength(1);
    expect(Object.fromEntries(lists(r.seen)[0]?.url.searchParams ?? [])).toEqual({
      filter: 'eq(name,"x")',
      limit: "100",
      offset: "0",
      sort_by: "start_time",
      sort_by_desc: "true",
    });
  });
  test("RU-13 max_sessions caps discovery, counted", async () => {
    const r = lsRig(
      source({ session_filter: "x", max_sessions: "2" }),
      discovery(["a", "b", "c", "d", "e"]),
      "2026-06-20T02:00:00Z",
    );
    await r.loop.collect(signal, unset);
    expect(body(queries(r.seen)[0]).session).toEqual(["a", "b"]);
    expect(skipped(r.reports)).toEqual(["sessions_truncated"]);
  });
  test("RU-14 an empty scope is an error; RU-15 discovery 429 is quota; RU-44 discovery 401 has no auth report", async () => {
    await expect(
      lsRig(source({ session_filter: "x" }), discovery([]), "2026-06-20T02:00:00Z").loop.collect(signal, unset),
    ).rejects.toThrow("scope is empty");
    await expect(
      lsRig(source({ session_filter: "x" }), () => json([], 429), "2026-06-20T02:00:00Z").loop.collect(signal, unset),
    ).rejects.toBeInstanceOf(QuotaExhausted);
    const r = lsRig(source({ session_filter: "x" }), () => json({ detail: "no" }, 401), "2026-06-20T02:00:00Z");
    await expect(r.loop.collect(signal, unset)).rejects.toThrow("discover sessions status 401");
    expect(authErrors(r.reports)).toBe(0);
  });
  test("empty and duplicate ids are skipped; a full page of them does not stop paging early", async () => {
    const page1 = [...Array(99).fill({ id: "" }), { id: "a" }];
    const r = lsRig(
      source({ session_filter: "x" }),
      (req) =>
        req.url.pathname === "/sessions"
          ? json(req.url.searchParams.get("offset") === "0" ? page1 : [{ id: "a" }, { id: "b" }])
          : json(fixture("runs_query_empty.json")),
      "2026-06-20T02:00:00Z",
    );
    await r.loop.collect(signal, unset);
    expect(body(queries(r.seen)[0]).session).toEqual(["a", "b"]);
  });
  test("RU-17 the list builder", () => {
    expect(sessionsPath({ limit: 100, offset: 200, filter: 'eq(name, "p")' })).toBe(
      "/sessions?filter=eq%28name%2C+%22p%22%29&limit=100&offset=200&sort_by=start_time&sort_by_desc=true",
    );
    expect(sessionsPath({ limit: 50, offset: 0, filter: "" })).toBe(
      "/sessions?limit=50&offset=0&sort_by=start_time&sort_by_desc=true",
    );
  });
  test("RU-18 a draining window keeps its scope past session_refresh", async () => {
    const pages = [fixture("runs_query_page_with_next.json"), fixture("runs_query_page_last.json")];
    const r = lsRig(
      source({ session_filter: "x", session_refresh: "1ms" }),
      (req) => (req.url.pathname === "/sessions" ? json([{ id: "p1" }]) : json(pages.shift() ?? {})),
      "2026-06-20T02:00:00Z",
    );
    const b1 = await r.loop.collect(signal, unset);
    r.setNow("2026-06-20T03:00:00Z");
    const b2 = await r.loop.collect(signal, b1.watermark);
    expect([lists(r.seen).length, b2.watermark.cursor, b2.watermark.time]).toEqual([1, "", T("2026-06-20T01:50:00Z")]);
  });
  test("a failover resumes a draining window: the new loop re-discovers, then queries at the cursor", async () => {
    const cursor = encodeCursor({
      winMin: T("2026-06-20T01:00:00Z"),
      winMax: T("2026-06-20T01:50:00Z"),
      next: "N1",
      page: 1,
    });
    const r = lsRig(
      source({ session_filter: "x" }),
      (req) => (req.url.pathname === "/sessions" ? json([{ id: "p1" }]) : json(fixture("runs_query_page_last.json"))),
      "2026-06-20T02:30:00Z",
    );
    const b = await r.loop.collect(signal, { time: ZERO_TIME, cursor, epoch: 2 });
    expect([lists(r.seen).length, body(queries(r.seen)[0]).cursor, b.watermark.time]).toEqual([
      1,
      "N1",
      T("2026-06-20T01:50:00Z"),
    ]);
  });
  test("RU-45 a static scope is not capped; no extra record fields ⇒ 17 select keys", async () => {
    const r = lsRig(
      source({ session_ids: "a", max_sessions: "1", extra_record_fields: "" }),
      () => json(fixture("runs_query_empty.json")),
      "2026-06-20T02:00:00Z",
    );
    await r.loop.collect(signal, unset);
    const q = body(queries(r.seen)[0]);
    expect(q.session).toEqual(["a"]);
    expect(q.select).toHaveLength(17);
    for (const f of ["app_path", "child_run_ids", "tags"]) expect(q.select).not.toContain(f);
  });
});
