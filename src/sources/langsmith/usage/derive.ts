/**
 * Platform cost drivers per project and retention tier: traces (root runs in the window, from
 * the project list) and spans (all runs, from `runs/stats`). Projects by id; per project traces
 * then spans. A project whose span count is missing gets no spans sample, never a made-up 0.
 */
import { compareStrings } from "../../../model/order.ts";
import type { Time } from "../../../model/time.ts";
import { gauge, type Sample } from "../../../model/types.ts";
import { isObject, type JsonObject, optInt, optString } from "../json.ts";
import type { LabelValue } from "../settings.ts";

export interface ProjectUsage {
  id: string;
  name: string;
  traces?: number;
  tier: string;
}

export function decodeUsage(o: JsonObject): ProjectUsage {
  return {
    id: optString(o, "id") ?? "",
    name: optString(o, "name") ?? "",
    traces: optInt(o, "run_count"),
    tier: optString(o, "trace_tier") ?? "",
  };
}

/** `run_count` of a `runs/stats` answer; undefined when absent, null or not an object. */
export function spanCount(body: unknown): number | undefined {
  return isObject(body) ? optInt(body, "run_count") : undefined;
}

export function deriveUsage(
  projects: readonly ProjectUsage[],
  spans: ReadonlyMap<string, number>,
  stamp: Time,
  prefix: string,
  labelValue: LabelValue,
): Sample[] {
  const out: Sample[] = [];
  for (const p of [...projects].sort((a, b) => compareStrings(a.id, b.id))) {
    // Unlike `sessions`, an unnamed project falls back to its id here (the reference's rule).
    const labels = {
      session: labelValue === "name" && p.name !== "" ? p.name : p.id,
      retention_tier: p.tier === "" ? "unknown" : p.tier,
    };
    if (p.traces !== undefined) out.push(gauge(`${prefix}_usage_traces`, labels, p.traces, stamp));
    const spanTotal = spans.get(p.id);
    if (spanTotal !== undefined) out.push(gauge(`${prefix}_usage_spans`, { ...labels }, spanTotal, stamp));
  }
  return out;
}
