/** The OTLP/JSON rendering of a product metrics request (what `--dry-run` prints instead of sending). */
import { sortedKeys } from "../../model/order.ts";
import type { Labels, Sample } from "../../model/types.ts";
import { canonicalSort, SCOPE_NAME } from "./metrics.ts";

const attrs = (m: Labels) => sortedKeys(m).map((key) => ({ key, value: { stringValue: m[key] ?? "" } }));

export function metricsRequestJson(identity: Labels, samples: readonly Sample[]): unknown {
  const metrics: { name: string; unit?: string; gauge: { dataPoints: unknown[] } }[] = [];
  for (const s of canonicalSort(samples)) {
    let m = metrics.at(-1);
    if (!m || m.name !== s.name || (m.unit ?? "") !== s.unit) {
      m = { name: s.name, ...(s.unit ? { unit: s.unit } : {}), gauge: { dataPoints: [] } };
      metrics.push(m);
    }
    m.gauge.dataPoints.push({ timeUnixNano: s.timestamp.toString(), asDouble: s.value, attributes: attrs(s.labels) });
  }
  return {
    resourceMetrics: [
      { resource: { attributes: attrs(identity) }, scopeMetrics: [{ scope: { name: SCOPE_NAME }, metrics }] },
    ],
  };
}
