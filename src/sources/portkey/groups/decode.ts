/**
 * Decode one groups page: strict where a wrong type would corrupt a number, lenient where a
 * field is merely absent. Window totals, no timestamps.
 */

export interface GroupRow {
  /** The dimension value; "" when absent or not a string (the unattributed bucket). */
  dim: string;
  requests: number;
  /** USD cents; undefined when the row has no cost key (a null cost is 0 and still "has cost"). */
  costCents: number | undefined;
}

export interface GroupsPage {
  quotaExceeded: boolean;
  rows: GroupRow[];
}

export function decodeGroupsPage(label: string, dimField: string, body: unknown): GroupsPage {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Error(`portkey groups ${label}: response is not a JSON object`);
  }
  const o = body as Record<string, unknown>;
  const q = o.is_quota_exceeded;
  if (q !== undefined && q !== null && typeof q !== "boolean") {
    throw new Error(`portkey groups ${label}: is_quota_exceeded is not a boolean`);
  }
  const data = o.data;
  if (data !== undefined && data !== null && !Array.isArray(data)) {
    throw new Error(`portkey groups ${label}: data is not a list`);
  }
  const rows: GroupRow[] = [];
  for (const [i, raw] of ((data as unknown[] | null | undefined) ?? []).entries()) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new Error(`portkey groups ${label}: data[${i}] is not an object`);
    }
    const r = raw as Record<string, unknown>;
    const requests = r.requests === null ? 0 : r.requests;
    if (typeof requests !== "number" || !Number.isFinite(requests)) {
      throw new Error(`portkey groups ${label}: data[${i}].requests is missing or not a number`);
    }
    let costCents: number | undefined;
    if ("cost" in r) {
      const c = r.cost === null ? 0 : r.cost;
      if (typeof c !== "number" || !Number.isFinite(c)) {
        throw new Error(`portkey groups ${label}: data[${i}].cost is not a number`);
      }
      costCents = c;
    }
    const dim = r[dimField];
    rows.push({ dim: typeof dim === "string" ? dim : "", requests, costCents });
  }
  return { quotaExceeded: q === true, rows };
}
