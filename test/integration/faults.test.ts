/**
 * Every injected fault moves its counter, observed
 * on the compiled binary's own /metrics while it polls a fake Portkey and emits to a scripted
 * OTLP receiver.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { requireBinary } from "../support/binary.ts";
import { scenario, sum } from "../support/scenario.ts";

const E = "genai_otel_bridge_";
beforeAll(requireBinary);

describe("source-side faults", () => {
  test("5xx on one graph: collect error, nothing emitted, then recovery", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("requests", { kind: "status", status: 502, body: "bad gateway" }, 1),
      until: (s) => sum(s, `${E}emit_errors_total`, { kind: "collect" }) >= 1,
    });
    expect(sum(r.scrape, `${E}emit_errors_total`, { kind: "collect", loop: "analytics" })).toBe(1);
    expect(sum(r.scrape, `${E}emitted_total`)).toBe(0);
    expect(r.stdout).toContain('msg="collect failed"');
    expect(r.stdout).toContain("portkey: requests status 502");
  });

  test("401: auth counter with loop and source, one WARN naming no secret", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("*", { kind: "status", status: 401, body: '{"error":"Invalid API Key"}' }),
      until: (s) => sum(s, `${E}auth_errors_total`) >= 1,
    });
    expect(sum(r.scrape, `${E}auth_errors_total`, { loop: "analytics", source: "sc-portkey" })).toBe(1);
    expect(r.stdout.match(/upstream auth failure \(401\/403\); check source credentials/g)).toHaveLength(1);
    expect(r.stdout).not.toContain(r.portkey.apiKey);
  });

  test("404 on one graph: skipped and counted, the others land", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("latency", { kind: "status", status: 404 }),
      // A catch-up lands one batch per settled minute; wait for all five, not the first.
      until: (s) => sum(s, `${E}emitted_total`) >= 5 * 6,
    });
    expect(
      sum(r.scrape, `${E}source_graph_unavailable_total`, { loop: "analytics", graph: "latency" }),
    ).toBeGreaterThanOrEqual(1);
    // 5 settled minutes × (requests 1 + cost 1 + errors 1 + tokens 3), latency absent.
    expect(sum(r.scrape, `${E}emitted_total`)).toBe(5 * 6);
  });

  test("quota exceeded: batch discarded and counted", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("cost", { kind: "quota" }, 1),
      until: (s) => sum(s, `${E}samples_skipped_total`, { reason: "quota_exceeded" }) >= 1,
    });
    expect(sum(r.scrape, `${E}samples_skipped_total`, { reason: "quota_exceeded", loop: "analytics" })).toBe(1);
    expect(sum(r.scrape, `${E}emitted_total`)).toBe(0);
  });

  test("granularity flip: counted, loop degraded", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("requests", { kind: "granularity" }),
      until: (s) => sum(s, `${E}loop_degraded_ratio`, { reason: "granularity_unexpected" }) === 1,
    });
    expect(sum(r.scrape, `${E}emit_errors_total`, { kind: "granularity_unexpected" })).toBe(1);
    expect(r.stdout).toContain('msg="loop degraded; retrying every 10m"');
  });

  test("malformed JSON: collect error", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("tokens", { kind: "malformed" }, 1),
      until: (s) => sum(s, `${E}emit_errors_total`, { kind: "collect" }) >= 1,
    });
    expect(r.stdout).toContain("malformed JSON body");
    expect(sum(r.scrape, `${E}emitted_total`)).toBe(0);
  });

  test("429 with Retry-After from Portkey is not special-cased: collect error", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("errors", { kind: "status", status: 429, retryAfter: "30" }, 1),
      until: (s) => sum(s, `${E}emit_errors_total`, { kind: "collect" }) >= 1,
    });
    expect(r.stdout).toContain("portkey: errors status 429");
  });

  test("slow response beyond the 10 s timeout: collect error", async () => {
    const r = await scenario({
      setup: (pk) => pk.inject("requests", { kind: "slow", delayMs: 12_000 }, 1),
      until: (s) => sum(s, `${E}emit_errors_total`, { kind: "collect" }) >= 1,
      timeoutMs: 25_000,
    });
    expect(sum(r.scrape, `${E}upstream_request_duration_seconds_count`, { status_class: "error" })).toBe(1);
  }, 30_000);

  test("a settled, emitted bucket revised upstream is detected, not re-emitted", async () => {
    let revisedEnd = 0;
    const r = await scenario({
      until: (s) => sum(s, `${E}emitted_total`) > 0,
      afterFirst: (pk) => {
        // The latest settled bucket (end ≤ now − 3m) gets a new value.
        revisedEnd = Math.floor((Date.now() - 3 * 60_000) / 60_000) * 60_000;
        pk.workspace.overrides.set(`requests@${revisedEnd - 60_000}`, { total: 999 });
      },
      // The loop asks again once a new minute has settled (ticks in between make no request).
      until2: (s) => sum(s, `${E}bucket_revised_after_settle_total`) >= 1,
      timeoutMs: 75_000,
    });
    expect(sum(r.scrape, `${E}bucket_revised_after_settle_total`, { loop: "analytics" })).toBe(1);
    expect(sum(r.scrape, `${E}bucket_revised_after_settle_age_seconds_count`)).toBe(1);
  }, 80_000);
});

describe("receiver-side faults", () => {
  test("429 with Retry-After: retried, then delivered", async () => {
    const r = await scenario({
      otlp: (_req, n) =>
        n === 0 ? new Response("slow down", { status: 429, headers: { "Retry-After": "1" } }) : new Response(""),
      until: (s) => sum(s, `${E}emitted_total`) > 0,
    });
    expect(sum(r.scrape, `${E}emit_request_duration_seconds_count`, { status_class: "4xx" })).toBe(1);
    expect(sum(r.scrape, `${E}emit_errors_total`)).toBe(0);
  });

  test("500: not retried inline, counted, watermark held", async () => {
    const r = await scenario({
      otlp: () => new Response("internal", { status: 500 }),
      until: (s) => sum(s, `${E}emit_errors_total`, { kind: "retryable_exhausted" }) >= 1,
    });
    expect(r.otlpRequests).toBe(1);
    expect(sum(r.scrape, `${E}emitted_total`)).toBe(0);
    expect(sum(r.scrape, `${E}last_success_timestamp_seconds`)).toBe(0);
  });

  test("duplicate-timestamp reject: skipped with a counted gap, then the rest lands", async () => {
    const r = await scenario({
      otlp: (_req, n) =>
        n === 0 ? new Response("err-mimir-sample-duplicate-timestamp", { status: 400 }) : new Response(""),
      until: (s) => sum(s, `${E}emitted_total`) >= 4 * 10,
    });
    expect(sum(r.scrape, `${E}samples_skipped_total`, { reason: "duplicate_timestamp" })).toBe(10);
    expect(sum(r.scrape, `${E}emitted_total`)).toBe(4 * 10);
  });

  test("unknown 4xx: terminal, loop degraded", async () => {
    const r = await scenario({
      otlp: () => new Response("err-mimir-max-series-per-user", { status: 400 }),
      until: (s) => sum(s, `${E}loop_degraded_ratio`, { reason: "terminal emit reject" }) === 1,
    });
    expect(sum(r.scrape, `${E}emit_errors_total`, { kind: "unknown_4xx" })).toBe(1);
  });

  test("2xx partial_success: counted per plane, WARN once", async () => {
    // ExportMetricsServiceResponse{partial_success{rejected_data_points: 3, error_message: "too many"}}
    const body = Uint8Array.from([0x0a, 0x0c, 0x08, 0x03, 0x12, 0x08, ...new TextEncoder().encode("too many")]);
    const r = await scenario({
      otlp: () => new Response(body, { headers: { "Content-Type": "application/x-protobuf" } }),
      until: (s) => sum(s, `${E}emit_partial_success_rejected_total`) >= 3,
    });
    expect(sum(r.scrape, `${E}emit_partial_success_rejected_total`, { plane: "metrics" }) % 3).toBe(0);
    expect(r.stdout.match(/rejected part of an emit batch/g)).toHaveLength(1);
    expect(r.stdout).toContain('gateway_message="too many"');
  });
});
