/**
 * The fields the `sessions` loop reads from one project object, strictly typed. Everything
 * else — description, extra, tenant, times, run facets, and inside each feedback stat its
 * `values` (raw identifiers live there), `type`, `stdev`, `errors` — is never read.
 */
import { DecodeError, isObject, type JsonObject, optInt, optMoney, optNumber, optString } from "../json.ts";

export interface Feedback {
  n?: number;
  avg?: number;
}

export interface SessionStats {
  id: string;
  name: string;
  runCount?: number;
  latencyP50?: number;
  latencyP99?: number;
  firstTokenP50?: number;
  firstTokenP99?: number;
  totalTokens?: number;
  promptTokens?: number;
  completionTokens?: number;
  totalCost?: number;
  promptCost?: number;
  completionCost?: number;
  errorRate?: number;
  streamingRate?: number;
  feedback: Map<string, Feedback>;
}

export function decodeSession(o: JsonObject): SessionStats {
  return {
    id: optString(o, "id") ?? "",
    name: optString(o, "name") ?? "",
    runCount: optInt(o, "run_count"),
    latencyP50: optNumber(o, "latency_p50"),
    latencyP99: optNumber(o, "latency_p99"),
    firstTokenP50: optNumber(o, "first_token_p50"),
    firstTokenP99: optNumber(o, "first_token_p99"),
    totalTokens: optInt(o, "total_tokens"),
    promptTokens: optInt(o, "prompt_tokens"),
    completionTokens: optInt(o, "completion_tokens"),
    totalCost: optMoney(o, "total_cost"),
    promptCost: optMoney(o, "prompt_cost"),
    completionCost: optMoney(o, "completion_cost"),
    errorRate: optNumber(o, "error_rate"),
    streamingRate: optNumber(o, "streaming_rate"),
    feedback: decodeFeedback(o.feedback_stats),
  };
}

function decodeFeedback(v: unknown): Map<string, Feedback> {
  const out = new Map<string, Feedback>();
  if (v === undefined || v === null) return out;
  if (!isObject(v)) throw new DecodeError("field feedback_stats: want an object");
  for (const [key, stat] of Object.entries(v)) {
    if (stat === null) {
      out.set(key, {});
      continue;
    }
    if (!isObject(stat)) throw new DecodeError(`field feedback_stats.${key}: want an object`);
    out.set(key, { n: optInt(stat, "n"), avg: optNumber(stat, "avg") });
  }
  return out;
}
