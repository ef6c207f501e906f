/** Transport, retry and Retry-After, classification, partial success, splitting. */
import { describe, expect, test } from "bun:test";
import protobuf from "protobufjs/minimal.js";
import { decodeMetricsRequest } from "../../../../src/emit/otlp/decode.ts";
import { createEmitter } from "../../../../src/emit/otlp/emitter.ts";
import { advancesPast, classify, parseRetryAfter } from "../../../../src/emit/otlp/outcome.ts";
import { decodePartialSuccess } from "../../../../src/emit/otlp/partial-success.ts";
import { DEFAULT_RETRY, type PostDeps, post } from "../../../../src/emit/otlp/post.ts";
import { gauge } from "../../../../src/model/types.ts";

const S = 1_000_000_000n;
const signal = new AbortController().signal;

function harness(responses: (() => Response)[], opts: { random?: number } = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const bodies: Uint8Array<ArrayBuffer>[] = [];
  const headers: Record<string, string>[] = [];
  const observed: number[] = [];
  let i = 0;
  const deps: PostDeps = {
    fetch: async (_url, init) => {
      bodies.push(init.body as Uint8Array<ArrayBuffer>);
      headers.push(init.headers as Record<string, string>);
      const r = responses[Math.min(i++, responses.length - 1)];
      if (!r) throw new Error("no response");
      return r();
    },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => opts.random ?? 0.5,
    policy: DEFAULT_RETRY,
    timeoutMs: 30_000,
    redact: (s) => s.replaceAll("sekret", "[REDACTED]"),
    observer: (_p, status) => observed.push(status),
  };
  return { deps, sleeps, bodies, headers, observed, calls: () => i };
}
const ok = () => new Response("", { status: 200 });
const st =
  (s: number, body = "", h: Record<string, string> = {}) =>
  () =>
    new Response(body, { status: s, headers: h });

describe("retry policy", () => {
  test("nominal sleeps 5, 7.5, 11.25, … capped at 30 s, budget 5 min", async () => {
    const h = harness([st(503)]);
    const r = await post(h.deps, "metrics", "http://x/v1/metrics", {}, new Uint8Array(1), signal);
    expect(r).toMatchObject({ kind: "retryable", status: 503 });
    expect((r as { cause: string }).cause).toContain("retry budget exhausted");
    expect(h.sleeps.slice(0, 7)).toEqual([5000, 7500, 11250, 16875, 25312.5, 30000, 30000]);
    expect(h.calls()).toBe(h.sleeps.length + 1);
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(300_000);
    expect(h.observed.every((s) => s === 503)).toBe(true);
  });
  test("jitter stays within ±50 %", async () => {
    for (const random of [0, 0.999]) {
      const h = harness([st(502), ok], { random });
      await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal);
      expect(h.sleeps[0]).toBeGreaterThanOrEqual(2500);
      expect(h.sleeps[0]).toBeLessThan(7500);
    }
  });
  test.each([[429], [502], [503], [504]])("%p retried, then OK", async (code) => {
    const h = harness([st(code), ok]);
    expect(await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal)).toEqual({ kind: "ok" });
    expect(h.calls()).toBe(2);
  });
  test("transport error retried", async () => {
    let n = 0;
    const h = harness([ok]);
    h.deps.fetch = async () => {
      if (n++ === 0) throw new Error("ECONNREFUSED");
      return ok();
    };
    expect(await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal)).toEqual({ kind: "ok" });
  });
  test.each([[500], [501], [505], [302]])("%p not retried inline", async (code) => {
    const h = harness([st(code)]);
    const r = await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal);
    expect(r).toEqual({ kind: "retryable", status: code, cause: `non-retryable-inline status ${code}` });
    expect(h.calls()).toBe(1);
  });
  test("429 Retry-After raises the sleep; beyond the budget gives up", async () => {
    const h = harness([st(429, "", { "Retry-After": "20" }), ok]);
    await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal);
    expect(h.sleeps).toEqual([20_000]);
    const g = harness([st(429, "", { "Retry-After": "400" })]);
    expect(await post(g.deps, "metrics", "u", {}, new Uint8Array(1), signal)).toMatchObject({
      kind: "retryable",
      cause: "Retry-After exceeds remaining budget",
    });
  });
  test("Retry-After on a 503 is ignored", async () => {
    const h = harness([st(503, "", { "Retry-After": "120" }), ok]);
    await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal);
    expect(h.sleeps).toEqual([5000]);
  });
  test("abort during backoff", async () => {
    const ac = new AbortController();
    const h = harness([st(503)]);
    h.deps.sleep = async () => {
      ac.abort();
      throw new Error("aborted");
    };
    expect(await post(h.deps, "metrics", "u", {}, new Uint8Array(1), ac.signal)).toMatchObject({
      kind: "retryable",
      cause: "aborted",
    });
  });
  test("Retry-After parsing", () => {
    const now = Date.parse("2026-06-18T12:00:00Z");
    expect(parseRetryAfter("  7 ", now)).toBe(7000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("", now)).toBe(0);
    expect(parseRetryAfter("Thu, 18 Jun 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 18 Jun 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBe(0);
  });
});

describe("classification and redaction", () => {
  test.each([
    [413, "anything", "payload_too_large"],
    [400, "err-mimir-sample-duplicate-timestamp", "duplicate_timestamp"],
    [400, "Duplicate Sample for timestamp", "duplicate_timestamp"],
    [400, "err-mimir-sample-out-of-order", "too_old"],
    [400, "entry too far behind", "too_old"],
    [400, "out of bounds", "too_old"],
    [400, "proto: cannot parse invalid wire-format data", "bad_encoding"],
    [400, "malformed request", "bad_encoding"],
    [401, "unauthorized", "unknown_4xx"],
    [400, "err-mimir-max-series-per-user", "unknown_4xx"],
    [404, "", "unknown_4xx"],
  ])("%p %p ⇒ %p", (status, body, reason) => {
    expect(classify(status, body).reason as string).toBe(reason);
  });
  test("advance-past set", () => {
    expect((["duplicate_timestamp", "too_old", "payload_too_large"] as const).every((r) => advancesPast(r))).toBe(true);
    expect(advancesPast("bad_encoding")).toBe(false);
    expect(advancesPast("unknown_4xx")).toBe(false);
  });
  test("a reject body is redacted before it is kept", async () => {
    const h = harness([st(400, "token sekret rejected")]);
    const r = await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal);
    expect(r).toMatchObject({ kind: "reject", reason: "unknown_4xx", msg: "token [REDACTED] rejected" });
  });
});

describe("partial success", () => {
  const ps = (n: number, msg: string) => {
    const m = new TextEncoder().encode(msg);
    const inner = [0x08, n, 0x12, m.length, ...m];
    return Uint8Array.from([0x0a, inner.length, ...inner]);
  };
  test.each([
    [ps(3, "bad"), 3, "bad"],
    [ps(0, "warning only"), 0, "warning only"],
    [new Uint8Array(0), 0, ""],
    [new TextEncoder().encode("ok"), 0, ""],
    [new TextEncoder().encode('{"partialSuccess":{}}'), 0, ""],
    [Uint8Array.from([0x0a, 0x05, 0x08]), 0, ""],
  ])("decode %#", (body, n, msg) => {
    const r = decodePartialSuccess(body);
    expect(r.rejected).toBe(n);
    if (n > 0) expect(r.message).toBe(msg);
  });
  /** partial_success with a message of any length (multi-byte length prefixes). */
  const longPs = (n: number, msg: string) => {
    const w = protobuf.Writer.create();
    w.uint32(10).fork().uint32(8).uint32(n).uint32(18).string(msg).ldelim();
    return w.finish();
  };
  test("a message longer than 4 KiB still yields its count and message", async () => {
    const msg = `rejected: ${"sample out of order; ".repeat(600)}`;
    const h = harness([() => new Response(longPs(7, msg))]);
    const seen: [string, number, string][] = [];
    h.deps.onPartialReject = (p, n, m) => seen.push([p, n, m]);
    expect(await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal)).toEqual({ kind: "ok" });
    expect(seen).toEqual([["metrics", 7, msg]]);
    // Cut short inside the message (a cap, a proxy): the count still counts.
    const cut = decodePartialSuccess(longPs(9, msg).subarray(0, 4096));
    expect(cut.rejected).toBe(9);
    expect(msg.startsWith(cut.message)).toBe(true);
  });
  test("a compressed answer is inflated here within the cap, never by the runtime", async () => {
    const gz = (body: Uint8Array, coding: string) => () =>
      new Response(Bun.gzipSync(body as Uint8Array<ArrayBuffer>), { headers: { "Content-Encoding": coding } });
    const counted = async (answer: () => Response) => {
      const h = harness([answer]);
      const inner = h.deps.fetch;
      const inits: { decompress?: boolean }[] = [];
      h.deps.fetch = (url, init) => {
        inits.push(init);
        return inner(url, init);
      };
      const seen: number[] = [];
      h.deps.onPartialReject = (_p, n) => seen.push(n);
      expect(await post(h.deps, "logs", "u", {}, new Uint8Array(1), signal)).toEqual({ kind: "ok" });
      expect(inits.map((i) => i.decompress)).toEqual([false]);
      expect(h.headers[0]).toMatchObject({ "Accept-Encoding": "identity" });
      return seen;
    };
    expect(await counted(gz(ps(4, "late"), "gzip"))).toEqual([4]);
    // A 64 MiB bomb stops at the cap and reads as empty; an unknown coding reads as empty.
    expect(await counted(gz(new Uint8Array(64 << 20), "gzip"))).toEqual([]);
    expect(await counted(gz(ps(5, "x"), "br"))).toEqual([]);
  });
  test("a 200 with rejects is OK plus the callback", async () => {
    const h = harness([() => new Response(ps(2, "too many"))]);
    const seen: [string, number, string][] = [];
    h.deps.onPartialReject = (p, n, m) => seen.push([p, n, m]);
    expect(await post(h.deps, "metrics", "u", {}, new Uint8Array(1), signal)).toEqual({ kind: "ok" });
    expect(seen).toEqual([["metrics", 2, "too many"]]);
  });
});

describe("emitter", () => {
  const samples = Array.from({ length: 40 }, (_, i) => gauge(`m${i % 4}`, { k: `v${i}` }, i, 60n * S));
  test("headers: gzip protobuf, Basic auth only when credentials are set", async () => {
    const h = harness([ok]);
    const e = createEmitter(
      { endpoint: "http://x/otlp///", instanceId: "1", token: "t", identity: {}, maxBatchBytes: 0, userAgent: "ua" },
      h.deps,
    );
    await e.emitSamples(samples, signal);
    expect(h.headers[0]).toMatchObject({
      "Content-Type": "application/x-protobuf",
      "Content-Encoding": "gzip",
      Authorization: `Basic ${Buffer.from("1:t").toString("base64")}`,
      "User-Agent": "ua",
    });
    const n = harness([ok]);
    await createEmitter(
      { endpoint: "http://x", instanceId: "", token: "", identity: {}, maxBatchBytes: 0, userAgent: "ua" },
      n.deps,
    ).emitSamples(samples, signal);
    expect(n.headers[0]?.Authorization).toBeUndefined();
    expect(decodeMetricsRequest(Bun.gunzipSync(h.bodies[0] as Uint8Array<ArrayBuffer>))).toHaveLength(40);
  });
  test("proactive split by gzipped size covers every sample once", async () => {
    const h = harness([ok]);
    const e = createEmitter(
      { endpoint: "http://x", instanceId: "", token: "", identity: {}, maxBatchBytes: 200, userAgent: "ua" },
      h.deps,
    );
    expect(await e.emitSamples(samples, signal)).toEqual({ kind: "ok" });
    expect(h.bodies.length).toBeGreaterThan(1);
    const got = h.bodies.flatMap((b) => decodeMetricsRequest(Bun.gunzipSync(b)).map((p) => p.labels.k));
    expect(got.sort()).toEqual(samples.map((s) => s.labels.k).sort());
  });
  test("reactive 413 split down to single items: every item refused ⇒ payload_too_large", async () => {
    const h = harness([st(413)]);
    const e = createEmitter(
      { endpoint: "http://x", instanceId: "", token: "", identity: {}, maxBatchBytes: 0, userAgent: "ua" },
      h.deps,
    );
    const r = await e.emitSamples(samples.slice(0, 4), signal);
    expect(r).toMatchObject({ kind: "reject", reason: "payload_too_large" });
    // 4 → 2 → 1, 1 → 2 → 1, 1: each single item is tried once.
    expect(h.calls()).toBe(7);
  });
  test("one item too large on its own is left out and counted; the rest of the bucket is delivered", async () => {
    const delivered: string[] = [];
    const h = harness([ok]);
    const huge = gauge("m0", { k: "huge", pad: "x".repeat(4000) }, 1, 60n * S);
    h.deps.fetch = async (_u, init) => {
      const points = decodeMetricsRequest(Bun.gunzipSync(init.body as Uint8Array<ArrayBuffer>));
      if (points.some((p) => p.labels.k === "huge")) return new Response("", { status: 413 });
      delivered.push(...points.map((p) => String(p.labels.k)));
      return new Response("");
    };
    const e = createEmitter(
      { endpoint: "http://x", instanceId: "", token: "", identity: {}, maxBatchBytes: 0, userAgent: "ua" },
      h.deps,
    );
    const batch = [...samples.slice(0, 5), huge, ...samples.slice(5, 9)];
    expect(await e.emitSamples(batch, signal)).toEqual({ kind: "ok", oversize: 1 });
    expect(delivered.sort()).toEqual(
      samples
        .slice(0, 9)
        .map((x) => String(x.labels.k))
        .sort(),
    );
  });
  test("413 then OK on halves delivers everything", async () => {
    let n = 0;
    const h = harness([ok]);
    const bodies: Uint8Array<ArrayBuffer>[] = [];
    h.deps.fetch = async (_u, init) => {
      bodies.push(init.body as Uint8Array<ArrayBuffer>);
      return n++ === 0 ? new Response("", { status: 413 }) : ok();
    };
    const e = createEmitter(
      { endpoint: "http://x", instanceId: "", token: "", identity: {}, maxBatchBytes: 0, userAgent: "ua" },
      h.deps,
    );
    expect(await e.emitSamples(samples.slice(0, 8), signal)).toEqual({ kind: "ok" });
    expect(bodies.slice(1).flatMap((b) => decodeMetricsRequest(Bun.gunzipSync(b)))).toHaveLength(8);
  });
  test("an encode error is a bad_encoding reject, nothing sent", async () => {
    const h = harness([ok]);
    const e = createEmitter(
      { endpoint: "http://x", instanceId: "", token: "", identity: {}, maxBatchBytes: 0, userAgent: "ua" },
      h.deps,
    );
    const r = await e.emitSamples([{ ...gauge("m", {}, 1, S), kind: "sum", temporality: "delta" }], signal);
    expect(r).toMatchObject({ kind: "reject", reason: "bad_encoding", status: 0 });
    expect(h.calls()).toBe(0);
  });
});
