/** The OTLP/JSON rendering of product requests (what `--dry-run` prints instead of sending). */
import { sortedKeys } from "../../model/order.ts";
import type { Labels, LogRecord, Sample } from "../../model/types.ts";
import { canonicalGroups } from "./logs.ts";
import { canonicalSort } from "./metrics.ts";
import { SCOPE_NAME } from "./wire.ts";

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

export function logsRequestJson(identity: Labels, records: readonly LogRecord[]): unknown {
  return {
    resourceLogs: canonicalGroups(records).map((g) => ({
      resource: { attributes: attrs({ ...identity, ...g.indexed }) },
      scopeLogs: [
        {
          scope: { name: SCOPE_NAME },
          logRecords: g.records.map(({ r }) => ({
            timeUnixNano: r.timestamp.toString(),
            ...(r.severity ? { severityText: r.severity } : {}),
            ...(r.body ? { body: { stringValue: r.body } } : {}),
            attributes: attrs(r.recordAttributes),
            ...(r.traceId.length === 16 ? { traceId: Buffer.from(r.traceId).toString("hex") } : {}),
          })),
        },
      ],
    })),
  };
}
