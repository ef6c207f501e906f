/** What one emit came to, as the runner needs it. */
export type RejectReason = "payload_too_large" | "duplicate_timestamp" | "too_old" | "bad_encoding" | "unknown_4xx";

export type EmitOutcome =
  /** `oversize`: items that alone exceeded the endpoint's limit (413), left out while the rest were delivered. */
  | { kind: "ok"; oversize?: number }
  | { kind: "reject"; reason: RejectReason; status: number; msg: string }
  | { kind: "retryable"; status: number; cause: string };

/** Rejects the runner skips past with a counted gap; the rest halt the loop. */
export function advancesPast(reason: RejectReason): boolean {
  return reason === "duplicate_timestamp" || reason === "too_old" || reason === "payload_too_large";
}

const DUPLICATE = ["err-mimir-sample-duplicate-timestamp", "duplicate-timestamp", "duplicate sample"];
const TOO_OLD = [
  "err-mimir-sample-out-of-order",
  "err-mimir-sample-timestamp-too-old",
  "err-mimir-sample-out-of-bounds",
  "out-of-order",
  "out of order",
  "too old",
  "too-old",
  "too far in past",
  "entry out of order",
  "too far behind",
  "greater than max age",
  "max_age",
  // Prometheus' own OTLP receiver says "out of bounds" for a sample older than its head block;
  // it is the same age reject as Mimir's err-mimir-sample-out-of-bounds, so skip past it too.
  "out of bounds",
];
const BAD_ENCODING = ["failed to parse", "malformed", "proto:", "invalid request body", "bad request body"];

/** Classify a non-429 4xx by status and the (redacted) body. */
export function classify(status: number, body: string): { reason: RejectReason } {
  if (status === 413) return { reason: "payload_too_large" };
  const b = body.toLowerCase();
  if (DUPLICATE.some((s) => b.includes(s))) return { reason: "duplicate_timestamp" };
  if (TOO_OLD.some((s) => b.includes(s))) return { reason: "too_old" };
  if (BAD_ENCODING.some((s) => b.includes(s))) return { reason: "bad_encoding" };
  return { reason: "unknown_4xx" };
}

/** `Retry-After`: delta-seconds or an HTTP date; milliseconds, 0 when absent or unusable. */
export function parseRetryAfter(value: string | null, nowMs: number): number {
  const v = (value ?? "").trim();
  if (v === "") return 0;
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    return n > 0 ? n * 1000 : 0;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) return 0;
  return t > nowMs ? t - nowMs : 0;
}
