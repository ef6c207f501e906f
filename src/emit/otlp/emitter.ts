/**
 * The product emitter: encode → gzip → proactive split when the gzipped body exceeds
 * max_batch_bytes → POST with retry → reactive split on 413. Metrics go to `/v1/metrics`, log
 * records to `/v1/logs`, through the same path. Knows nothing of vendors or loops; reports
 * through the observer callbacks of PostDeps.
 */
import type { Labels, LogRecord, Sample } from "../../model/types.ts";
import { canonicalLogOrder, encodeLogs } from "./logs.ts";
import { canonicalSort, EncodeError, encodeMetrics } from "./metrics.ts";
import type { EmitOutcome } from "./outcome.ts";
import { type Plane, type PostDeps, post } from "./post.ts";

export interface EmitterOptions {
  endpoint: string;
  instanceId: string;
  token: string;
  identity: Labels;
  /** Gzipped-size threshold for the proactive split; ≤ 0 disables it. */
  maxBatchBytes: number;
  userAgent: string;
}

export interface Emitter {
  emitSamples(samples: readonly Sample[], signal: AbortSignal): Promise<EmitOutcome>;
  emitLogs(records: readonly LogRecord[], signal: AbortSignal): Promise<EmitOutcome>;
}

export function basicAuth(user: string, pass: string): string | undefined {
  if (user === "" && pass === "") return undefined;
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

export function signalUrl(endpoint: string, plane: Plane): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/${plane}`;
}

export function metricsUrl(endpoint: string): string {
  return signalUrl(endpoint, "metrics");
}

export function createEmitter(opts: EmitterOptions, deps: PostDeps): Emitter {
  const headers: Record<string, string> = {
    "Content-Type": "application/x-protobuf",
    "Content-Encoding": "gzip",
    "User-Agent": opts.userAgent,
  };
  const auth = basicAuth(opts.instanceId, opts.token);
  if (auth) headers.Authorization = auth;

  /**
   * Send items; halves (input order, which is canonical) when too large. An item that alone is
   * refused with 413 is left out and counted, and the others still go: one huge record must not
   * cost the rest of its bucket. Only when every item is refused so is the whole reject returned.
   */
  async function emitItems<T>(
    plane: Plane,
    encode: (identity: Labels, items: readonly T[]) => Uint8Array,
    items: readonly T[],
    signal: AbortSignal,
  ): Promise<EmitOutcome> {
    const r = await emitSplitting(plane, encode, items, signal);
    if (r.kind === "ok" && (r.oversize ?? 0) >= items.length) {
      return {
        kind: "reject",
        reason: "payload_too_large",
        status: 413,
        msg: "every item exceeds the endpoint's limit",
      };
    }
    return r;
  }

  async function emitSplitting<T>(
    plane: Plane,
    encode: (identity: Labels, items: readonly T[]) => Uint8Array,
    items: readonly T[],
    signal: AbortSignal,
  ): Promise<EmitOutcome> {
    let body: Uint8Array;
    try {
      body = encode(opts.identity, items);
    } catch (e) {
      if (e instanceof EncodeError) return { kind: "reject", reason: "bad_encoding", status: 0, msg: e.message };
      throw e;
    }
    const gz = Bun.gzipSync(body as Uint8Array<ArrayBuffer>, { level: 1 });
    const half = async (): Promise<EmitOutcome> => {
      const mid = Math.floor(items.length / 2);
      const first = await emitSplitting(plane, encode, items.slice(0, mid), signal);
      if (first.kind !== "ok") return first;
      const second = await emitSplitting(plane, encode, items.slice(mid), signal);
      if (second.kind !== "ok") return second;
      const oversize = (first.oversize ?? 0) + (second.oversize ?? 0);
      return oversize > 0 ? { kind: "ok", oversize } : { kind: "ok" };
    };
    if (opts.maxBatchBytes > 0 && gz.length > opts.maxBatchBytes && items.length > 1) return half();
    const r = await post(deps, plane, signalUrl(opts.endpoint, plane), headers, gz, signal);
    if (r.kind === "reject" && r.reason === "payload_too_large") {
      return items.length > 1 ? half() : { kind: "ok", oversize: 1 };
    }
    return r;
  }

  return {
    emitSamples(samples, signal) {
      if (samples.length === 0) return Promise.resolve({ kind: "ok" });
      // Canonical order before splitting, so split payloads do not depend on source order.
      return emitItems("metrics", encodeMetrics, canonicalSort(samples), signal);
    },
    emitLogs(records, signal) {
      if (records.length === 0) return Promise.resolve({ kind: "ok" });
      return emitItems("logs", encodeLogs, canonicalLogOrder(records), signal);
    },
  };
}
