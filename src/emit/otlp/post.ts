/**
 * One payload POSTed with the fixed retry policy: 5 s × 1.5 up to 30 s,
 * ±50 % jitter, a 5-minute budget; 429 honours Retry-After; 502/503/504 and transport errors
 * retry; other 4xx are classified at once; other statuses (3xx, 500, 501, …) are handed back
 * for the next cadence. Redirects are never followed.
 */
import { readDecoded, UndecodableBody } from "../../base/body.ts";
import type { FetchLike } from "../../base/fetch.ts";
import { classify, type EmitOutcome, parseRetryAfter } from "./outcome.ts";
import { decodePartialSuccess } from "./partial-success.ts";

export interface RetryPolicy {
  initialMs: number;
  multiplier: number;
  maxMs: number;
  budgetMs: number;
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  initialMs: 5000,
  multiplier: 1.5,
  maxMs: 30000,
  budgetMs: 300000,
  jitter: 0.5,
};

export type Plane = "metrics" | "logs";

export interface PostDeps {
  fetch: FetchLike;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Resolves after ms, or earlier when the signal aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  random: () => number;
  policy: RetryPolicy;
  timeoutMs: number;
  /** Scrubs credentials out of a response body before it goes anywhere. */
  redact: (s: string) => string;
  observer?: (plane: Plane, status: number, error: unknown, durationMs: number) => void;
  onPartialReject?: (plane: Plane, rejected: number, message: string) => void;
}

/** Error bodies only feed the classification and a log line. */
const MAX_ERROR_BODY = 4096;
/** A 2xx body may carry a partial_success with a long gateway message; its count comes first. */
const MAX_SUCCESS_BODY = 65536;

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function post(
  deps: PostDeps,
  plane: Plane,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<EmitOutcome> {
  const p = deps.policy;
  let delay = p.initialMs;
  const deadline = deps.now() + p.budgetMs;
  for (;;) {
    if (signal.aborted) return { kind: "retryable", status: 0, cause: "aborted" };
    let status = 0;
    let err: unknown;
    let raw: Uint8Array = new Uint8Array(0);
    let retryAfterMs = 0;
    const started = deps.now();
    try {
      const res = await deps.fetch(url, {
        method: "POST",
        // Bodies are inflated here within the cap, never by the runtime (see base/body.ts).
        headers: { "Accept-Encoding": "identity", ...headers },
        body,
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(deps.timeoutMs)]),
        decompress: false,
      });
      status = res.status;
      deps.observer?.(plane, status, undefined, deps.now() - started);
      retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), Date.now());
      const cap = status >= 200 && status <= 299 ? MAX_SUCCESS_BODY : MAX_ERROR_BODY;
      // A body that does not decode is read as empty: the status alone classifies it.
      raw = (
        await readDecoded(res, cap).catch((e) => {
          if (e instanceof UndecodableBody) return { bytes: new Uint8Array(0) };
          throw e;
        })
      ).bytes;
    } catch (e) {
      if (status === 0) deps.observer?.(plane, 0, e, deps.now() - started);
      err = e;
      if (signal.aborted) return { kind: "retryable", status, cause: "aborted" };
    }
    const text = deps.redact(new TextDecoder().decode(raw));
    if (err === undefined && status >= 200 && status <= 299) {
      if (deps.onPartialReject && raw.length > 0) {
        const ps = decodePartialSuccess(raw);
        if (ps.rejected > 0) deps.onPartialReject(plane, ps.rejected, deps.redact(ps.message));
      }
      return { kind: "ok" };
    }
    if (err === undefined && status >= 400 && status <= 499 && status !== 429) {
      const { reason } = classify(status, text);
      return { kind: "reject", reason, status, msg: Buffer.from(text).subarray(0, 256).toString() };
    }
    const retryable = err !== undefined || status === 429 || status === 502 || status === 503 || status === 504;
    if (!retryable) return { kind: "retryable", status, cause: `non-retryable-inline status ${status}` };
    const last = err !== undefined ? deps.redact(errorText(err)) : `status ${status}`;
    if (deps.now() > deadline) return { kind: "retryable", status, cause: `retry budget exhausted: ${last}` };
    let sleep = delay + delay * p.jitter * (2 * deps.random() - 1);
    if (status === 429 && retryAfterMs > 0) {
      if (retryAfterMs > deadline - deps.now()) {
        return { kind: "retryable", status, cause: "Retry-After exceeds remaining budget" };
      }
      sleep = Math.max(sleep, retryAfterMs);
    }
    // An abort ends the wait; the check at the top of the loop then returns.
    await deps.sleep(sleep, signal).catch(() => {});
    delay = Math.min(delay * p.multiplier, p.maxMs);
  }
}
