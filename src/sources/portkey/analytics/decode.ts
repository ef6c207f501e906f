/** Decode an analytics graph response: strict types, lenient absence. */
export interface GraphPoint {
  timestamp: string;
  fields: Record<string, number>;
}

export interface GraphResponse {
  quotaExceeded: boolean;
  points: GraphPoint[];
}

const NUMERIC = ["total", "total_request_units", "total_response_units", "avg", "p50", "p90", "p99"];

export function decodeGraph(graph: string, body: unknown): GraphResponse {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Error(`portkey: ${graph}: response is not a JSON object`);
  }
  const o = body as Record<string, unknown>;
  const q = o.is_quota_exceeded;
  if (q !== undefined && q !== null && typeof q !== "boolean") {
    throw new Error(`portkey: ${graph}: is_quota_exceeded is not a boolean`);
  }
  const dp = o.data_points;
  if (dp !== undefined && dp !== null && !Array.isArray(dp))
    throw new Error(`portkey: ${graph}: data_points is not a list`);
  const points: GraphPoint[] = [];
  for (const [i, raw] of ((dp as unknown[] | null | undefined) ?? []).entries()) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new Error(`portkey: ${graph}: data_points[${i}] is not an object`);
    }
    const p = raw as Record<string, unknown>;
    if (typeof p.timestamp !== "string")
      throw new Error(`portkey: ${graph}: data_points[${i}].timestamp is not a string`);
    const fields: Record<string, number> = {};
    for (const f of NUMERIC) {
      const v = p[f];
      if (v === undefined || v === null) fields[f] = 0;
      else if (typeof v === "number" && Number.isFinite(v)) fields[f] = v;
      else throw new Error(`portkey: ${graph}: data_points[${i}].${f} is not a number`);
    }
    points.push({ timestamp: p.timestamp, fields });
  }
  return { quotaExceeded: q === true, points };
}
