/** The Portkey logs_export loop against an in-process fake of the export API and object store. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FetchLike } from "../../../../src/base/fetch.ts";
import { plainNumber } from "../../../../src/base/scalar.ts";
import { encodeLogs } from "../../../../src/emit/otlp/logs.ts";
import { Guard } from "../../../../src/governance/guard.ts";
import { releasedKeys } from "../../../../src/governance/promotions.ts";
import { fromMillis, type Time, ZERO_TIME } from "../../../../src/model/time.ts";
import type { LogRecord, Watermark } from "../../../../src/model/types.ts";
import { HttpClient } from "../../../../src/net/client.ts";
import type { Loop } from "../../../../src/sources/loop.ts";
import type { LoopReport } from "../../../../src/sources/outcome.ts";
import { portkey } from "../../../../src/sources/portkey/index.ts";
import { decodeCursor, encodeCursor } from "../../../../src/sources/portkey/logs_export/cursor.ts";
import { BASE_INDEXED, BASE_RECORD } from "../../../../src/sources/portkey/logs_export/definition.ts";
import { checkSignedUrl, downloadChunk } from "../../../../src/sources/portkey/logs_export/download.ts";
import { type StripPolicy, strip } from "../../../../src/sources/portkey/logs_export/strip.ts";
import { registry } from "../../../../src/sources/registry.ts";
import { type ExportPlan, exportLines, FakeExport } from "../../../support/fake-export.ts";
import { loopBlock, portkeySource, rigWith } from "./rig.ts";

const FIX = join(import.meta.dir, "../../../fixtures/portkey");
const N = Date.parse("2026-06-19T12:00:00Z");
const MIN = 60_000;
const T = (ms: number): Time => fromMillis(ms);
const signal = new AbortController().signal;
const SETTINGS = { workspace_id: "ws-test", signed_url_allow_hosts: "signed-url-host.example.com" };
const since = (ms: number, cursor = ""): Watermark => ({ time: ms === 0 ? ZERO_TIME : T(ms), cursor, epoch: 1 });

function setup(
  plan: ExportPlan,
  settings: Record<string, string> = {},
  o: { useCases?: { label: string; api_key_ids: string[] }[] } = {},
) {
  const fake = new FakeExport(plan);
  const source = portkeySource(
    { logs_export: loopBlock({ settings: { ...SETTINGS, ...settings } }) },
    { http: { user_agent: "t", allow_hosts: [], allow_private: true }, api_key_use_cases: o.useCases ?? [] },
  );
  const rigs = rigWith(source, (_u, req) => fake.handle(req), N);
  const r = rigs[0];
  if (!r) throw new Error("no loop");
  return { fake, r, rigs, loop: r.loop };
}

/** Collect and commit like the runner does, `n` times or until the watermark's time moves. */
async function drive(loop: Loop, w: Watermark, ticks: number) {
  const logs: LogRecord[] = [];
  const cursors: string[] = [];
  for (let i = 0; i < ticks; i++) {
    const b = await loop.collect(signal, w);
    logs.push(...b.logs);
    w = b.watermark;
    cursors.push(w.cursor);
    if (w.time !== ZERO_TIME && w.cursor === "" && w.time > T(N - 60 * MIN)) break;
  }
  return { logs, w, cursors };
}
const skipped = (reports: LoopReport[]) => reports.flatMap((x) => (x.kind === "part_skipped" ? [x.part] : []));
const three = { total: 3, page: () => exportLines(0, 3) };

describe("logs_export state machine", () => {
  test("#44 happy path: create → start → poll → download, content-free records, window done", async () => {
    const { fake, loop } = setup(three);
    const { logs, w } = await drive(loop, since(N - 60 * MIN), 10);
    expect(fake.requests.filter((x) => !x.path.startsWith("/s3")).map((x) => `${x.method} ${x.path}`)).toEqual([
      "POST /logs/exports",
      "POST /logs/exports/job-1/start",
      "GET /logs/exports/job-1",
      "GET /logs/exports/job-1/download",
    ]);
    expect(logs).toHaveLength(3);
    for (const l of logs) {
      expect(l.body).toBe("");
      expect(l.indexedAttributes).toEqual({ ai_org: "openai", ai_model: "gpt-5", response_status_code: "200" });
      for (const k of ["metadata", "portkeyHeaders", "prompt", "owner", "data_classification", "request", "currency"]) {
        expect(k in l.indexedAttributes || k in l.recordAttributes).toBe(false);
      }
    }
    expect(w).toEqual({ time: T(N - 10 * MIN), cursor: "", epoch: 1 });
    expect(fake.creates[0]).toEqual(JSON.parse(readFileSync(join(FIX, "export_create_request_default.json"), "utf8")));
    expect(JSON.stringify(fake.creates[0])).toBe(
      JSON.stringify(JSON.parse(readFileSync(join(FIX, "export_create_request_default.json"), "utf8"))),
    );
  });
  test("#45 multi page: 3 creates, the time moves once", async () => {
    const { fake, loop } = setup(
      { total: 5, page: (p) => exportLines(p * 2, Math.min(p * 2 + 2, 5)) },
      { page_size: "2", chunk_max_records: "100" },
    );
    const { logs, w, cursors } = await drive(loop, since(N - 60 * MIN), 30);
    expect(logs.map((l) => l.recordAttributes.id)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(fake.creates.map((c) => (c.filters as { current_page: number }).current_page)).toEqual([0, 1, 2]);
    expect(w.time).toBe(T(N - 10 * MIN));
    expect(cursors.filter((c) => c === "")).toHaveLength(1);
  });
  test("#46 chunked page: 10 lines in chunks of 4, 4, 2", async () => {
    const { loop } = setup({ total: 10, page: () => exportLines(0, 10) }, { chunk_max_records: "4" });
    let w = since(N - 60 * MIN);
    const sizes: number[] = [];
    for (let i = 0; i < 10 && w.cursor !== "" ? true : i < 10; i++) {
      const b = await loop.collect(signal, w);
      if (b.logs.length > 0) sizes.push(b.logs.length);
      w = b.watermark;
      if (w.cursor === "" && w.time === T(N - 10 * MIN)) break;
    }
    expect(sizes).toEqual([4, 4, 2]);
  });
  test("#47 empty window: done without a download; #48 nothing settled: no create", async () => {
    const { fake, loop } = setup({ total: 0, page: () => "" });
    const b = await loop.collect(signal, since(N - 60 * MIN));
    expect(b.watermark).toEqual({ time: T(N - 10 * MIN), cursor: "", epoch: 1 });
    expect(fake.objectGets()).toEqual([]);
    const s = since(N - 5 * MIN);
    expect((await loop.collect(signal, s)).watermark).toBe(s);
    expect(fake.creates).toHaveLength(1);
  });
  test("#49 in progress: a polling tick returns the identical cursor", async () => {
    const { loop } = setup({ ...three, status: () => "in_progress" });
    const { w } = await drive(loop, since(N - 60 * MIN), 2);
    const b = await loop.collect(signal, w);
    expect(b.watermark).toBe(w);
    expect(decodeCursor(w.cursor).phase).toBe("polling");
  });
  test("#50 failed job: back to idle (persisted), export_failed once", async () => {
    const { r, loop } = setup({ ...three, status: () => "failed" });
    const { w } = await drive(loop, since(N - 60 * MIN), 3);
    expect(w).toEqual({ time: T(N - 60 * MIN), cursor: '{"phase":"idle"}', epoch: 1 });
    expect(skipped(r.reports)).toEqual(["export_failed"]);
  });
  test("#51 lost start ACK: the job left draft, so the window completes; still draft ⇒ the start throws", async () => {
    const lost = setup({ ...three, startFails: true, statusAfterFailedStart: "in_progress", status: () => "success" });
    const { logs, w } = await drive(lost.loop, since(N - 60 * MIN), 10);
    expect(logs).toHaveLength(3);
    expect(w.time).toBe(T(N - 10 * MIN));
    const draft = setup({ ...three, startFails: true });
    const b = await draft.loop.collect(signal, since(N - 60 * MIN));
    await expect(draft.loop.collect(signal, b.watermark)).rejects.toThrow("status 400");
  });
  test("#52 stuck: past job_poll_timeout the job is cancelled and the window restarts", async () => {
    const { r, fake, loop } = setup({ ...three, status: () => "queued" }, { job_poll_timeout: "2m" });
    const { w } = await drive(loop, since(N - 60 * MIN), 2);
    expect(decodeCursor(w.cursor).phase).toBe("polling");
    r.setNow(N + 3 * MIN);
    const b = await loop.collect(signal, w);
    expect(b.watermark.cursor).toBe('{"phase":"idle"}');
    expect(fake.requests.some((x) => x.path.endsWith("/cancel"))).toBe(true);
    expect(skipped(r.reports)).toEqual(["export_stuck"]);
  });
  test("#53 a signed URL to another host is refused before any object request", async () => {
    const { fake, loop } = setup({ ...three, signedHost: "evil.example.com:80" });
    await expect(drive(loop, since(N - 60 * MIN), 5)).rejects.toThrow("signed_url_allow_hosts");
    expect(fake.objectGets()).toEqual([]);
  });
  test("a signed URL that expires mid-download: the step fails, the next mints a new URL and resumes by Range", async () => {
    const { fake, loop } = setup({ total: 3, page: () => exportLines(0, 3) }, { chunk_max_records: "2" });
    let w = since(N - 60 * MIN);
    for (let i = 0; i < 3; i++) w = (await loop.collect(signal, w)).watermark; // create, start, poll
    const first = await loop.collect(signal, w);
    expect(first.logs.map((l) => l.recordAttributes.id)).toEqual(["r0", "r1"]);
    fake.expireNext = 1;
    await expect(loop.collect(signal, first.watermark)).rejects.toThrow("signed-url download status 403");
    const rest = await loop.collect(signal, first.watermark);
    expect(rest.logs.map((l) => l.recordAttributes.id)).toEqual(["r2"]);
    expect(rest.watermark).toEqual({ time: T(N - 10 * MIN), cursor: "", epoch: 1 });
    const gets = fake.objectGets();
    expect(gets.at(-1)?.headers.get("range")).toMatch(/^bytes=\d+-$/);
    expect(fake.requests.filter((r) => r.path.endsWith("/download"))).toHaveLength(3);
  });
  test("#54 a loop-level window is a construction error", () => {
    const source = portkeySource({ logs_export: loopBlock({ window: 50 * MIN * 1e6, settings: SETTINGS }) });
    expect(() => portkey.plan(source, () => {})).toThrow("window must be 0/unset");
  });
  test("#55 the window start is clamped to max_backfill", async () => {
    const { fake, loop } = setup(three, { max_backfill: "1h" });
    await loop.collect(signal, since(N - 10 * 60 * MIN));
    expect((fake.creates[0]?.filters as { time_of_generation_min: string } | undefined)?.time_of_generation_min).toBe(
      "2026-06-19T11:00:00Z",
    );
  });
  test("#57 an over-long line is skipped and counted; the window still completes", async () => {
    const big = `{"id":"${"x".repeat(1024 * 1024 + 10)}"}\n`;
    const { r, loop } = setup({ total: 3, page: () => exportLines(0, 1) + big + exportLines(1, 2) });
    const { logs, w } = await drive(loop, since(N - 60 * MIN), 10);
    expect(logs.map((l) => l.recordAttributes.id)).toEqual(["r0", "r1"]);
    expect(w.time).toBe(T(N - 10 * MIN));
    expect(skipped(r.reports)).toEqual(["line_oversize"]);
  });
  test("#58 failover mid-window: another instance resumes from the cursor without a new create", async () => {
    const a = setup(three);
    const { w } = await drive(a.loop, since(N - 60 * MIN), 2);
    expect(decodeCursor(w.cursor)).toMatchObject({ phase: "polling", job_id: "job-1" });
    const b = setup(three);
    // B shares A's server state: route it to A's fake.
    const rigs = rigWith(
      portkeySource(
        { logs_export: loopBlock({ settings: SETTINGS }) },
        { http: { user_agent: "t", allow_hosts: [], allow_private: true } },
      ),
      (_u, req) => a.fake.handle(req),
      N,
    );
    const { logs, w: done } = await drive(rigs[0]?.loop as Loop, w, 10);
    expect(logs).toHaveLength(3);
    expect(done.time).toBe(T(N - 10 * MIN));
    expect(a.fake.creates).toHaveLength(1);
    expect(b.fake.requests).toEqual([]);
  });
  test("#59 an oversize window parks without new drafts, throws each tick, unparks when it fits", async () => {
    const { r, fake, loop } = setup({ total: 10, page: () => "" }, { page_size: "2", max_pages_per_window: "1" });
    const first = await loop.collect(signal, since(N - 2 * 60 * MIN));
    expect(decodeCursor(first.watermark.cursor).phase).toBe("blocked");
    expect(first.watermark.time).toBe(T(N - 2 * 60 * MIN));
    for (let i = 0; i < 5; i++)
      await expect(loop.collect(signal, first.watermark)).rejects.toThrow("max_pages_per_window");
    expect(fake.creates).toHaveLength(1);
    expect(skipped(r.reports)).toEqual(["window_oversize"]);
    const bigger = setup({ total: 10, page: () => "" }, { page_size: "2", max_pages_per_window: "100", window: "30m" });
    const reset = await bigger.loop.collect(signal, first.watermark);
    expect(reset.watermark.cursor).toBe('{"phase":"idle"}');
    const again = await bigger.loop.collect(signal, reset.watermark);
    expect(decodeCursor(again.watermark.cursor).phase).toBe("created");
  });
  test("#60 every lifecycle call 401: one auth report on the first step", async () => {
    const { r, loop } = setup({ ...three, lifecycleStatus: 401 });
    await expect(loop.collect(signal, since(N - 60 * MIN))).rejects.toThrow("status 401");
    expect(r.reports).toEqual([{ kind: "auth_error" }]);
  });
  test("#74 use cases fan out: one instance each, own key, filter in the create, slug on every record", async () => {
    const useCases = [
      { label: "Data Gen", api_key_ids: ["uuid-a"] },
      { label: "Content Gen", api_key_ids: ["uuid-b"] },
    ];
    const planned = portkey.plan(
      portkeySource({ logs_export: loopBlock({ settings: SETTINGS }) }, { api_key_use_cases: useCases }),
      () => {},
    ).loops;
    expect(planned.map((p) => p.checkpointKey)).toEqual([
      "pk-test/logs_export/1c59088f718909e1",
      expect.stringMatching(/^pk-test\/logs_export\//),
    ]);
    const { fake, rigs } = setup(three, {}, { useCases });
    expect(rigs).toHaveLength(2);
    const { logs } = await drive(rigs[0]?.loop as Loop, since(N - 60 * MIN), 10);
    expect((fake.creates[0]?.filters as { api_key_ids: string[] } | undefined)?.api_key_ids).toEqual(["uuid-a"]);
    for (const l of logs) {
      expect(l.recordAttributes.api_key_use_case).toBe("data_gen");
      expect("api_key_use_case" in l.indexedAttributes).toBe(false);
    }
    const all = portkey.plan(
      portkeySource(
        {
          analytics: loopBlock({
            window: 50 * MIN * 1e6,
            bootstrap_lookback: 50 * MIN * 1e6,
            max_backfill: 55 * MIN * 1e6,
            bucket_settle: 3 * MIN * 1e6,
            graphs: ["requests"],
          }),
          groups: loopBlock(),
          logs_export: loopBlock({ settings: SETTINGS }),
        },
        { api_key_use_cases: useCases },
      ),
      () => {},
    ).loops;
    expect(all.map((l) => l.name)).toEqual(["analytics", "groups", "logs_export", "logs_export"]);
  });
});

describe("chunked download", () => {
  const policy: StripPolicy = {
    indexed: new Set(["ai_org", "ai_model", "response_status_code"]),
    record: new Set(["id", "trace_id", "created_at", "cost"]),
    metadata: [],
    traceIdField: "",
    metadataTraceIdField: "",
    slug: "",
  };
  /** A download client for `objects.test` over an in-process transport. */
  const objectClient = (fetch: FetchLike) =>
    new HttpClient({
      baseUrl: "",
      authHeader: "",
      authValue: "",
      userAgent: "t",
      rps: 1000,
      burst: 1000,
      allowPrivate: true,
      allowHosts: ["objects.test"],
      resolve: async () => ["203.0.113.10"],
      fetch,
    });
  function store(body: string, ignoreRange = false) {
    const gets: Headers[] = [];
    const client = objectClient(async (_url, init) => {
      const h = new Headers(init.headers as Record<string, string>);
      gets.push(h);
      const bytes = Buffer.from(body);
      const from = /^bytes=(\d+)-$/.exec(h.get("range") ?? "")?.[1];
      if (from !== undefined && !ignoreRange) {
        return new Response(bytes.subarray(Number(from)), {
          status: 206,
          headers: { "Content-Range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` },
        });
      }
      return new Response(bytes);
    });
    return { client, gets };
  }
  const url = new URL("https://objects.test/o.jsonl?X-Amz-Signature=SUPERSECRETSIG");
  const ten = exportLines(0, 10);
  const chunk = (s: ReturnType<typeof store>, skip: number, max: number, byteOffset = 0, reports: LoopReport[] = []) =>
    downloadChunk(s.client, url, { skip, byteOffset, max, fallback: T(N), policy }, (r) => reports.push(r), signal);
  const ids = (c: { records: LogRecord[] }) => c.records.map((r) => r.recordAttributes.id);
  test("#61 skip and max; a page exactly max long needs one more empty read", async () => {
    const s = store(ten);
    const a = await chunk(s, 3, 4);
    expect([ids(a), a.eof]).toEqual([["r3", "r4", "r5", "r6"], false]);
    const b = await chunk(s, 8, 4);
    expect([ids(b), b.eof]).toEqual([["r8", "r9"], true]);
    const five = store(exportLines(0, 5));
    const c = await chunk(five, 0, 5);
    expect([c.linesRead, c.eof]).toEqual([5, false]);
    const d = await chunk(five, 5, 5);
    expect([d.linesRead, d.eof]).toEqual([0, true]);
    expect(s.gets.every((h) => h.get("authorization") === null && h.get("x-portkey-api-key") === null)).toBe(true);
  });
  test("#62 a malformed line is counted and skipped", async () => {
    const reports: LoopReport[] = [];
    const c = await chunk(
      store(readFileSync(join(FIX, "export_page_with_malformed_line.jsonl"), "utf8")),
      0,
      10,
      0,
      reports,
    );
    expect([c.linesRead, c.records.length, c.eof]).toEqual([3, 2, true]);
    expect(skipped(reports)).toEqual(["line_unparseable"]);
  });
  test("#63 an over-long line counts as read, so a resume never re-reads it", async () => {
    const s = store(`{"id":"${"x".repeat(1024 * 1024 + 1)}"}\n${exportLines(1, 3)}`);
    const a = await chunk(s, 0, 1);
    expect([a.linesRead, a.records.length, a.eof]).toEqual([1, 0, false]);
    const b = await chunk(s, 1, 10);
    expect([ids(b), b.eof]).toEqual([["r1", "r2"], true]);
  });
  test("#64 Range resume from a byte offset (206), and the same from a server that ignores Range", async () => {
    for (const ignore of [false, true]) {
      const s = store(ten, ignore);
      const a = await chunk(s, 0, 6);
      expect(ids(a)).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
      expect(a.nextByteOffset).toBeGreaterThan(0);
      expect(a.nextByteOffset).toBeLessThan(Buffer.byteLength(ten));
      const b = await chunk(s, 6, 6, a.nextByteOffset);
      expect(s.gets[1]?.get("range")).toBe(`bytes=${a.nextByteOffset}-`);
      expect([ids(b), b.eof, b.nextByteOffset]).toEqual([["r6", "r7", "r8", "r9"], true, Buffer.byteLength(ten)]);
    }
  });
  test("the object is asked for as stored; an encoded answer is refused, never inflated", async () => {
    const s = store(ten);
    await chunk(s, 0, 2);
    expect(s.gets[0]?.get("accept-encoding")).toBe("identity");
    const encoded = objectClient(
      async () => new Response(Bun.gzipSync(ten), { headers: { "Content-Encoding": "gzip" } }),
    );
    const reports: LoopReport[] = [];
    await expect(
      downloadChunk(
        encoded,
        url,
        { skip: 0, byteOffset: 0, max: 10, fallback: T(N), policy },
        (r) => reports.push(r),
        signal,
      ),
    ).rejects.toThrow('Content-Encoding "gzip" is not supported');
    expect(reports).toEqual([]);
  });
  test("#56 an object over the cap is refused as truncated", async () => {
    const s = store(ten);
    await expect(
      downloadChunk(
        s.client,
        url,
        { skip: 0, byteOffset: 0, max: 100, fallback: T(N), policy, maxObjectBytes: 50 },
        () => {},
        signal,
      ),
    ).rejects.toThrow("truncated");
  });
  test("#65 an unreachable signed URL: the error never carries the signature", async () => {
    const client = objectClient(async (u) => {
      throw new Error(`connect ECONNREFUSED ${u}`);
    });
    const bad = new URL(
      "https://objects.test/o.jsonl?X-Amz-Signature=SUPERSECRETSIG&X-Amz-Credential=AKIAEXAMPLE&X-Amz-Expires=21600",
    );
    const err = await downloadChunk(
      client,
      bad,
      { skip: 0, byteOffset: 0, max: 1, fallback: T(N), policy },
      () => {},
      signal,
    ).catch((e: Error) => e.message);
    for (const s of ["SUPERSECRETSIG", "X-Amz-Signature", "X-Amz-Credential", "AKIAEXAMPLE", "X-Amz-Expires", "?"]) {
      expect(err).not.toContain(s);
    }
  });
  test("#67 signed URL validation", () => {
    const hosts = ["signed-url-host.example.com"];
    expect(checkSignedUrl("https://signed-url-host.example.com/x?sig=1", hosts, false).hostname).toBe(
      "signed-url-host.example.com",
    );
    for (const bad of [
      "https://evil.example.com/x",
      "https://169.254.169.254/latest",
      "http://signed-url-host.example.com.evil.com/x",
      "http://signed-url-host.example.com/x",
      "not a url",
    ]) {
      expect(() => checkSignedUrl(bad, hosts, false)).toThrow("refusing download");
    }
    expect(checkSignedUrl("http://signed-url-host.example.com/x", hosts, true).protocol).toBe("http:");
  });
});

describe("strip", () => {
  const policy = (o: Partial<StripPolicy> = {}): StripPolicy => ({
    indexed: new Set(BASE_INDEXED),
    record: new Set([...BASE_RECORD, "cache_status"]),
    metadata: [],
    traceIdField: "",
    metadataTraceIdField: "",
    slug: "",
    ...o,
  });
  test("#68 the fixture record: exactly the content-free fields", () => {
    const r = strip(JSON.parse(readFileSync(join(FIX, "export_record_strip_input.json"), "utf8")), T(0), policy());
    expect(r.indexedAttributes).toEqual({
      ai_org: "org-acme",
      ai_model: "gpt-4.1-2025-04-14",
      response_status_code: "200",
    });
    expect(r.recordAttributes).toEqual({
      id: "r1",
      trace_id: "t1",
      created_at: "2026-06-18T14:23:45Z",
      response_time: "1485",
      cost: "0.3194",
      total_units: "1312",
      source: "portkey",
    });
    expect(r.timestamp).toBe(T(Date.parse("2026-06-18T14:23:45Z")));
    expect(r.body).toBe("");
  });
  test("#69 edge cases: objects, arrays and nulls never become attributes; dates in both forms", () => {
    expect(
      strip({ ai_model: { nested: "obj" }, cost: [1, 2, 3], trace_id: "ok" }, T(7), policy()).recordAttributes,
    ).toEqual({
      trace_id: "ok",
      source: "portkey",
    });
    expect(strip({ cost: null }, T(7), policy()).recordAttributes).toEqual({ source: "portkey" });
    const p = strip({ prompt: "secret", prompt_slug: "s", prompt_version_id: "v", prompt_id: "i" }, T(7), policy());
    expect(p.recordAttributes).toEqual({ prompt_slug: "s", prompt_version_id: "v", prompt_id: "i", source: "portkey" });
    const idx = strip({ cache_status: "HIT" }, T(7), policy({ indexed: new Set(["ai_model", "cache_status"]) }));
    expect([idx.indexedAttributes, idx.recordAttributes]).toEqual([{ cache_status: "HIT" }, { source: "portkey" }]);
    expect(strip({ created_at: "not a date" }, T(7), policy()).timestamp).toBe(T(7));
    expect(
      strip({ created_at: "Thu Jun 18 2026 14:23:45 GMT+0000 (Coordinated Universal Time)" }, T(7), policy()).timestamp,
    ).toBe(T(Date.parse("2026-06-18T14:23:45Z")));
    expect(strip({ created_at: "Thu Jun 18 2026 16:23:45 GMT+0200 (CEST)" }, T(7), policy()).timestamp).toBe(
      T(Date.parse("2026-06-18T14:23:45Z")),
    );
    expect(strip({ id: "r1" }, T(7), policy()).recordAttributes).toEqual({ id: "r1", source: "portkey" });
  });
  test("numbers render as plain decimals, never with an exponent", () => {
    expect([1485, 0.3194, 200, 1e21, 1e-7, -2.5e25, 1.5e-7].map(plainNumber)).toEqual([
      "1485",
      "0.3194",
      "200",
      "1000000000000000000000",
      "0.0000001",
      "-25000000000000000000000000",
      "0.00000015",
    ]);
  });
  test("#70 metadata lift: only listed sub-keys, never clobbering, UUID trace ids", () => {
    const line = {
      trace_id: "t",
      metadata: { correlation_id: "abc-123", owner: "X", ritm_number: "R", nested: { a: 1 } },
    };
    const r = strip(line, T(0), policy({ metadata: ["correlation_id", "nested"] }));
    expect(r.recordAttributes).toEqual({ trace_id: "t", correlation_id: "abc-123", source: "portkey" });
    const u = strip(
      { metadata: { correlation_id: "00112233-4455-6677-8899-aabbccddeeff" } },
      T(0),
      policy({ metadata: ["correlation_id"], metadataTraceIdField: "correlation_id" }),
    );
    expect(Buffer.from(u.traceId).toString("hex")).toBe("00112233445566778899aabbccddeeff");
  });
  test("#71 content gate: strip → guard → OTLP bytes carry no marker, and do carry the real values", () => {
    const planned = portkey.plan(
      portkeySource({
        logs_export: loopBlock({
          settings: {
            ...SETTINGS,
            metadata_record_fields: "correlation_id",
            metadata_trace_id_field: "correlation_id",
          },
        }),
      }),
      () => {},
    ).loops[0];
    const p = policy({ metadata: ["correlation_id"], metadataTraceIdField: "correlation_id" });
    const lines = readFileSync(join(FIX, "export_record_content_injected.jsonl"), "utf8").trim().split("\n");
    const records = lines.map((l) => strip(JSON.parse(l), T(0), p));
    const guard = new Guard({
      allowKeys: registry.vendors().flatMap((v) => v.labelKeys),
      budget: 0,
      floor: registry.floor,
      logsReleases: new Map([
        [planned?.checkpointKey ?? "", releasedKeys({ metadata_record_fields: "correlation_id" })],
      ]),
    });
    const kept = guard.sanitizeLogs(planned?.checkpointKey ?? "", records).kept;
    expect(kept).toHaveLength(records.length);
    const bytes = Buffer.from(encodeLogs({}, kept));
    for (const m of [
      "ZZOWNERNAMEZZ",
      "ZZRITM0007ZZ",
      "ZZCLASSC3ZZ",
      "ZZPORTKEYCFGZZ",
      "ZZPROMPTBODYZZ",
      "ZZREQBODYZZ",
      "ZZRESPBODYZZ",
    ]) {
      expect(bytes.includes(Buffer.from(m))).toBe(false);
    }
    expect(bytes.includes(Buffer.from("gpt-4.1-2025-04-14"))).toBe(true);
    expect(bytes.includes(Buffer.from("00112233-4455-6677-8899-aabbccddeeff"))).toBe(true);
    expect(bytes.includes(Buffer.from("00112233445566778899aabbccddeeff", "hex"))).toBe(true);
  });
  test("#66 trace ids: a UUID becomes the trace id, anything else is kept raw and counted", async () => {
    const body = [
      { id: "a", metadata: { correlation_id: "00112233-4455-6677-8899-aabbccddeeff" } },
      { id: "b", metadata: { correlation_id: "not-a-uuid" } },
      { id: "c" },
    ]
      .map((x) => `${JSON.stringify(x)}\n`)
      .join("");
    const { r, loop } = setup({ total: 3, page: () => body }, { metadata_trace_id_field: "correlation_id" });
    const { logs } = await drive(loop, since(N - 60 * MIN), 10);
    expect(logs.map((l) => l.traceId.length)).toEqual([16, 0, 0]);
    expect(logs[1]?.recordAttributes.correlation_id).toBe("not-a-uuid");
    expect(skipped(r.reports)).toEqual(["trace_id_unparsed"]);
  });
});

describe("settings and cursor", () => {
  const plan = (settings: Record<string, string>) =>
    portkey.plan(portkeySource({ logs_export: loopBlock({ settings }) }), () => {});
  test.each([
    [{ signed_url_allow_hosts: "h" }, "settings.workspace_id is required"],
    [{ workspace_id: "w" }, "settings.signed_url_allow_hosts is required"],
    [{ ...SETTINGS, signed_url_allow_hosts: " , " }, "settings.signed_url_allow_hosts is required"],
    ...["prompt", "request", "response", "metadata", "portkeyHeaders", "messages"].map(
      (f) => [{ ...SETTINGS, requested_data: `id,${f}` }, `settings.requested_data cannot include "${f}"`] as const,
    ),
    [{ ...SETTINGS, extra_record_fields: "tags,messages" }, 'extra_record_fields cannot include "messages"'],
    [{ ...SETTINGS, extra_indexed_fields: "app,prompt" }, 'extra_indexed_fields cannot include "prompt"'],
    [{ ...SETTINGS, page_size: "50001" }, "settings.page_size must be > 0 and <= 50000"],
    [{ ...SETTINGS, trace_id_field: "a,b" }, "settings.trace_id_field must not contain ','"],
    [{ ...SETTINGS, trace_id_field: "a", metadata_trace_id_field: "b" }, "mutually exclusive"],
  ])("#72 %p is refused", (settings, msg) => {
    expect(() => plan(settings as Record<string, string>)).toThrow(msg);
  });
  test("#72 extra indexed fields: the indexed set, the checkpoint key and the sent list", async () => {
    const p = plan({ ...SETTINGS, extra_indexed_fields: "cache_status, mode " }).loops[0];
    expect(p?.indexedKeys).toEqual(["ai_model", "ai_org", "cache_status", "mode", "response_status_code"]);
    expect(plan(SETTINGS).loops[0]?.checkpointKey).toBe("pk-test/logs_export/51240f1f0f9b23c4");
    const { fake, loop } = setup(three, { extra_indexed_fields: "cache_status, mode " });
    await loop.collect(signal, since(N - 60 * MIN));
    expect(fake.creates[0]?.requested_data).toContain("mode");
  });
  test("#73 cursor round-trips for every phase; junk is idle", () => {
    const all = [
      { phase: "idle" },
      {
        phase: "created",
        win_min: "2026-06-19T11:00:00Z",
        win_max: "2026-06-19T11:50:00Z",
        pages: 3,
        total_records: 5,
      },
      { phase: "created", job_id: "job-2", win_min: "a", win_max: "b", page: 1, pages: 3, total_records: 5 },
      {
        phase: "polling",
        job_id: "j",
        win_min: "a",
        win_max: "b",
        pages: 1,
        total_records: 1,
        poll_deadline: "2026-06-19T12:30:00.5Z",
      },
      {
        phase: "downloading",
        job_id: "j",
        win_min: "a",
        win_max: "b",
        page: 2,
        pages: 3,
        total_records: 9,
        page_offset_done: 4,
        page_byte_offset: 1234,
      },
      { phase: "blocked", win_min: "a", win_max: "b", pages: 60, total_records: 3_000_000 },
    ] as const;
    for (const c of all) {
      const text = encodeCursor(c);
      expect(decodeCursor(text)).toEqual(c);
      expect(encodeCursor(decodeCursor(text))).toBe(text);
    }
    for (const junk of ["", "{not json", '{"page":1}', "null", "42", '{"phase":"exploding"}']) {
      expect(decodeCursor(junk)).toEqual({ phase: "idle" });
    }
  });
});
