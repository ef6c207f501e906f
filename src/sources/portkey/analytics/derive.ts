/**
 * Graph responses → gauges. Pure: bucket START timestamps become bucket-END
 * sample times; only buckets ending after `lowerBound` and at or before `now − settle` are
 * emitted; latency goes ms → s; tokens split by token_type; empty buckets are explicit zeros.
 */
import { NS_PER_MIN, parseRfc3339, type Time } from "../../../model/time.ts";
import { gauge, type Sample } from "../../../model/types.ts";
import { LoopDegraded } from "../../outcome.ts";
import type { GraphResponse } from "./decode.ts";

/** Graph name → series-name suffix. */
export const GRAPH_SUFFIX: Record<string, string> = {
  requests: "requests",
  cost: "cost_usd",
  errors: "errors",
  users: "users",
  tokens: "tokens",
  latency: "latency_seconds",
};

function samplesFor(prefix: string, graph: string, f: Record<string, number>, end: Time): Sample[] {
  const name = `${prefix}_${GRAPH_SUFFIX[graph] ?? graph}`;
  const v = (k: string) => f[k] ?? 0;
  switch (graph) {
    case "tokens":
      return [
        gauge(name, { token_type: "total" }, v("total"), end),
        gauge(name, { token_type: "input" }, v("total_request_units"), end),
        gauge(name, { token_type: "output" }, v("total_response_units"), end),
      ];
    case "latency":
      return ["p50", "p90", "p99", "avg"].map((q) => gauge(name, { quantile: q }, v(q) / 1000, end));
    default:
      return [gauge(name, {}, v("total"), end)];
  }
}

export function derive(
  prefix: string,
  responses: Map<string, GraphResponse>,
  lowerBound: Time,
  now: Time,
  settle: Time,
): Sample[] {
  const cutoff = now - settle;
  const out: Sample[] = [];
  for (const graph of [...responses.keys()].sort()) {
    const resp = responses.get(graph);
    if (!resp) continue;
    const pts = resp.points.map((p) => {
      const t = parseRfc3339(p.timestamp);
      if (t === undefined) throw new Error(`portkey: ${graph}: bad timestamp ${JSON.stringify(p.timestamp)}`);
      return { t, f: p.fields };
    });
    pts.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
    const steps = new Set<bigint>();
    for (let i = 1; i < pts.length; i++) {
      const step = (pts[i]?.t ?? 0n) - (pts[i - 1]?.t ?? 0n);
      if (step <= 0n || step % NS_PER_MIN !== 0n) {
        throw new LoopDegraded(
          "granularity_unexpected",
          `portkey: ${graph}: bucket step ${step}ns is not a positive multiple of 60s`,
        );
      }
      steps.add(step);
    }
    // TS rule beyond the reference: Portkey returns explicit zero buckets, so a whole response on
    // one uniform grid coarser than a minute (10-minute or hourly buckets) is a granularity flip,
    // not a run of gaps — emitting it would put a 10-minute total on a 1-minute series.
    const only = steps.size === 1 ? [...steps][0] : undefined;
    if (pts.length >= 3 && only !== undefined && only > NS_PER_MIN) {
      throw new LoopDegraded(
        "granularity_unexpected",
        `portkey: ${graph}: every bucket is ${only / NS_PER_MIN} minutes apart`,
      );
    }
    for (const { t, f } of pts) {
      const end = t + NS_PER_MIN;
      if (end <= lowerBound || end > cutoff) continue;
      out.push(...samplesFor(prefix, graph, f, end));
    }
  }
  return out;
}
