/**
 * Per-project gauges from the project list with statistics, in the reference's fixed order:
 * projects by id (byte order), then per project runs, latency p50/p99, first-token p50/p99,
 * tokens, prompt and completion tokens, cost, prompt and completion cost, error rate,
 * streaming rate, then per feedback key (sorted) its score and count. A value the API left
 * null is no sample; zero is a sample. Feedback keys without a numeric average (ids, users,
 * providers) never become series.
 */
import { compareStrings } from "../../../model/order.ts";
import type { Time } from "../../../model/time.ts";
import { gauge, type Sample } from "../../../model/types.ts";
import type { LabelValue } from "../settings.ts";
import type { SessionStats } from "./decode.ts";

export const SESSIONS_SUFFIXES = [
  "runs",
  "latency_seconds",
  "first_token_seconds",
  "tokens",
  "prompt_tokens",
  "completion_tokens",
  "cost_usd",
  "prompt_cost_usd",
  "completion_cost_usd",
  "error_rate",
  "streaming_rate",
  "feedback_score",
  "feedback_count",
] as const;

export interface DeriveOptions {
  prefix: string;
  labelValue: LabelValue;
  emitFeedback: boolean;
  /** Feedback keys to emit; empty: every key with a numeric average. */
  feedbackKeys: readonly string[];
}

export function deriveSessions(sessions: readonly SessionStats[], stamp: Time, o: DeriveOptions): Sample[] {
  const out: Sample[] = [];
  const sorted = [...sessions].sort((a, b) => compareStrings(a.id, b.id));
  for (const s of sorted) {
    // No fallback to the id here: an unnamed project labelled by name gets an empty value.
    const session = o.labelValue === "name" ? s.name : s.id;
    const add = (suffix: string, value: number | undefined, extra: Record<string, string> = {}) => {
      if (value !== undefined) out.push(gauge(`${o.prefix}_${suffix}`, { session, ...extra }, value, stamp));
    };
    add("runs", s.runCount);
    add("latency_seconds", s.latencyP50, { quantile: "p50" });
    add("latency_seconds", s.latencyP99, { quantile: "p99" });
    add("first_token_seconds", s.firstTokenP50, { quantile: "p50" });
    add("first_token_seconds", s.firstTokenP99, { quantile: "p99" });
    add("tokens", s.totalTokens);
    add("prompt_tokens", s.promptTokens);
    add("completion_tokens", s.completionTokens);
    add("cost_usd", s.totalCost);
    add("prompt_cost_usd", s.promptCost);
    add("completion_cost_usd", s.completionCost);
    add("error_rate", s.errorRate);
    add("streaming_rate", s.streamingRate);
    if (!o.emitFeedback) continue;
    for (const key of [...s.feedback.keys()].sort(compareStrings)) {
      const stat = s.feedback.get(key);
      if (stat?.avg === undefined) continue;
      if (o.feedbackKeys.length > 0 && !o.feedbackKeys.includes(key)) continue;
      add("feedback_score", stat.avg, { feedback_key: key });
      add("feedback_count", stat.n, { feedback_key: key });
    }
  }
  return out;
}
