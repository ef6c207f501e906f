/**
 * What the bridge must deliver for a simulated workspace, computed independently of the
 * bridge's own derive code: per bucket end, the final value of every series.
 */
import type { Workspace } from "../../src/demo/workspace.ts";

export interface ExpectedPoint {
  metric: string;
  labels: Record<string, string>;
  endMs: number;
  value: number;
}

export function expectedAt(ws: Workspace, endMs: number, prefix = "portkey_api"): ExpectedPoint[] {
  const start = endMs - 60_000;
  const final = endMs + 24 * 3600_000;
  const p = (g: string) => ws.point(g, start, final);
  const out: ExpectedPoint[] = [
    { metric: `${prefix}_requests`, labels: {}, endMs, value: p("requests").total ?? 0 },
    { metric: `${prefix}_cost_usd`, labels: {}, endMs, value: p("cost").total ?? 0 },
    { metric: `${prefix}_errors`, labels: {}, endMs, value: p("errors").total ?? 0 },
  ];
  const t = p("tokens");
  out.push(
    { metric: `${prefix}_tokens`, labels: { token_type: "total" }, endMs, value: t.total ?? 0 },
    { metric: `${prefix}_tokens`, labels: { token_type: "input" }, endMs, value: t.total_request_units ?? 0 },
    { metric: `${prefix}_tokens`, labels: { token_type: "output" }, endMs, value: t.total_response_units ?? 0 },
  );
  const l = p("latency");
  for (const q of ["p50", "p90", "p99", "avg"]) {
    out.push({ metric: `${prefix}_latency_seconds`, labels: { quantile: q }, endMs, value: (l[q] ?? 0) / 1000 });
  }
  return out;
}

export function seriesKey(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",")}}`;
}
