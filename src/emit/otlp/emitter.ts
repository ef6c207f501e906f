/**
 * The product emitter (emit.md §2, §6.8, §6.9): encode → gzip → proactive split when the
 * gzipped body exceeds max_batch_bytes → POST with retry → reactive split on 413. Knows nothing
 * of vendors or loops; reports through the observer callbacks of PostDeps.
 */
import type { Labels, Sample } from "../../model/types.ts";
import { canonicalSort, EncodeError, encodeMetrics } from "./metrics.ts";
import type { EmitOutcome } from "./outcome.ts";
import { type PostDeps, post } from "./post.ts";

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
}

export function basicAuth(user: string, pass: string): string | undefined {
  if (user === "" && pass === "") return undefined;
  return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
}

export function metricsUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/metrics`;
}

export function createEmitter(opts: EmitterOptions, deps: PostDeps): Emitter {
  const url = metricsUrl(opts.endpoint);
  const headers: Record<string, string> = {
    "Content-Type": "application/x-protobuf",
    "Content-Encoding": "gzip",
    "User-Agent": opts.userAgent,
  };
  const auth = basicAuth(opts.instanceId, opts.token);
  if (auth) headers.Authorization = auth;

  async function emitItems(items: Sample[], signal: AbortSignal): Promise<EmitOutcome> {
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = encodeMetrics(opts.identity, items);
    } catch (e) {
      if (e instanceof EncodeError) return { kind: "reject", reason: "bad_encoding", status: 0, msg: e.message };
      throw e;
    }
    const gz = Bun.gzipSync(body, { level: 1 });
    const half = async () => {
      const mid = Math.floor(items.length / 2);
      const r = await emitItems(items.slice(0, mid), signal);
      if (r.kind !== "ok") return r;
      return emitItems(items.slice(mid), signal);
    };
    if (opts.maxBatchBytes > 0 && gz.length > opts.maxBatchBytes && items.length > 1) return half();
    const r = await post(deps, "metrics", url, headers, gz, signal);
    if (r.kind === "reject" && r.reason === "payload_too_large" && items.length > 1) return half();
    return r;
  }

  return {
    emitSamples(samples, signal) {
      if (samples.length === 0) return Promise.resolve({ kind: "ok" });
      // Canonical order before splitting, so split payloads do not depend on source order.
      return emitItems(canonicalSort(samples), signal);
    },
  };
}
