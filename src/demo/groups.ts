/**
 * The simulated workspace's groups endpoints: window totals per model, `use_case` metadata
 * value and saved prompt, derived request by request from the same per-minute traffic the
 * graphs report, in the exact shape of the groups API (`data`, `total`, cost in cents, paging
 * with `current_page`/`page_size`, `data: null` past the end). The workspace probe answers one
 * workspace.
 */
const MIN = 60_000;

export const DEMO_WORKSPACE = "ws-demo-001";
const MODELS: [name: string, centsPerRequest: number][] = [
  ["gpt-5-2025-08-07", 3.05],
  ["gpt-4.1-2025-04-14", 0.9],
  ["claude-sonnet-4-5", 2.4],
  ["text-embedding-3-small", 0.0125],
];
const USE_CASES = ["chatbot", "data_gen", "summaries"];
const PROMPTS = ["summarize-v2", "classify-v1"];

type Row = { dim: string; requests: number; cents: number };

function pick(n: number, salt: string, mod: number): number {
  let h = 2166136261 ^ n;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  return ((h ^ (h >>> 13)) >>> 0) % mod;
}

/** Rows of one dimension over the whole minutes of [minMs, maxMs] that have closed by nowMs. */
export function groupRows(
  dimension: string,
  minMs: number,
  maxMs: number,
  nowMs: number,
  requests: (startMs: number) => number,
): Row[] | undefined {
  const rows = new Map<string, Row>();
  const add = (dim: string, cents: number) => {
    const r = rows.get(dim) ?? { dim, requests: 0, cents: 0 };
    r.requests++;
    r.cents += cents;
    rows.set(dim, r);
  };
  for (let t = Math.ceil(minMs / MIN) * MIN; t + MIN <= Math.min(maxMs, nowMs); t += MIN) {
    const m = t / MIN;
    for (let i = 0; i < requests(t); i++) {
      const id = m * 1000 + i;
      const [model, cents] = MODELS[pick(id, "model", MODELS.length)] ?? ["", 0];
      if (dimension === "ai-models") add(model, cents);
      else if (dimension === "metadata/use_case") add(USE_CASES[pick(id, "uc", USE_CASES.length)] ?? "", cents);
      else if (dimension === "prompt") {
        const p = pick(id, "prompt", 3);
        if (p < PROMPTS.length) add(PROMPTS[p] ?? "", 0);
      } else return undefined;
    }
  }
  return [...rows.values()].sort((a, b) => b.requests - a.requests || (a.dim < b.dim ? -1 : 1));
}

/** Response body for GET /analytics/groups/<dimension>. */
export function groupsBody(dimension: string, rows: Row[], page: number, pageSize: number): unknown {
  if (dimension === "workspace") {
    return { object: "list", total: 1, data: [{ workspace: DEMO_WORKSPACE, requests: 1, object: "analytics-group" }] };
  }
  const field = dimension === "ai-models" ? "ai_model" : dimension === "prompt" ? "prompt" : "metadata_value";
  const slice = rows.slice(page * pageSize, (page + 1) * pageSize);
  if (slice.length === 0) return { object: "list", total: 0, is_quota_exceeded: false, data: null };
  return {
    object: "list",
    total: rows.length,
    ...(dimension === "ai-models" ? {} : { is_quota_exceeded: false }),
    data: slice.map((r) => ({
      [field]: r.dim,
      requests: r.requests,
      ...(dimension === "prompt" ? {} : { cost: Math.round(r.cents * 10000) / 10000 }),
      object: "analytics-group",
    })),
  };
}
