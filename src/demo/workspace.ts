/**
 * A simulated Portkey workspace: deterministic per-minute traffic answered in the exact shape
 * of the analytics graph API (fixtures/portkey/graph_*.json): bucket-start timestamps with
 * millisecond fractions, explicit zero buckets, the in-progress bucket included, latency in
 * milliseconds, tokens with request/response units. Recent buckets are still filling in (late
 * arrivals), so a bucket's value changes until it is `lateMs` old — what bucket_settle is for.
 * The groups endpoints (`groups.ts`) total the same traffic per model, metadata value and prompt.
 * Used by `genai-otel-bridge demo` in-process and by the tests' fake Portkey over HTTP.
 */
import { DEMO_OBJECT_HOST, Exports } from "./exports.ts";
import { groupRows, groupsBody } from "./groups.ts";

const MIN = 60_000;

export const GRAPHS = ["requests", "cost", "tokens", "latency", "errors", "users"] as const;

function hash(n: number, salt: string): number {
  let h = 2166136261 ^ n;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface WorkspaceOptions {
  /** How long after a bucket closes its value keeps growing (late arrivals). */
  lateMs?: number;
  /** Every Nth minute has no traffic at all (explicit zero buckets). */
  quietEvery?: number;
  seed?: string;
}

export class Workspace {
  readonly lateMs: number;
  private readonly quietEvery: number;
  private readonly seed: string;
  /** Overrides for specific (graph, minute) final values, e.g. revisions after settle. */
  readonly overrides = new Map<string, Record<string, number>>();
  readonly exports = new Exports((t) => this.requests(t));

  constructor(o: WorkspaceOptions = {}) {
    this.lateMs = o.lateMs ?? 2 * MIN;
    this.quietEvery = o.quietEvery ?? 7;
    this.seed = o.seed ?? "acme";
  }

  /** Final requests count of the minute starting at `startMs`. */
  requests(startMs: number): number {
    const m = Math.floor(startMs / MIN);
    if (m % this.quietEvery === 0) return 0;
    return 5 + (hash(m, `${this.seed}:req`) % 40);
  }

  /** The fields a graph reports for the minute starting at `startMs`, as seen at `nowMs`. */
  point(graph: string, startMs: number, nowMs: number): Record<string, number> {
    const override = this.overrides.get(`${graph}@${startMs}`);
    if (override) return override;
    const m = Math.floor(startMs / MIN);
    const end = startMs + MIN;
    // Late arrivals: a bucket reports a growing share of its traffic until lateMs after it closed.
    const share = nowMs >= end + this.lateMs ? 1 : Math.max(0, Math.min(1, (nowMs - startMs) / (MIN + this.lateMs)));
    const req = Math.floor(this.requests(startMs) * share);
    const r = (salt: string, mod: number) => hash(m, `${this.seed}:${salt}`) % mod;
    switch (graph) {
      case "requests":
        return { total: req };
      case "errors":
        return { total: req === 0 ? 0 : Math.floor(req / 10) + (r("err", 2) > 0 ? 1 : 0) };
      case "users":
        return { total: req === 0 ? 0 : 1 + r("usr", 4) };
      case "cost":
        // Cents with two decimals, like the API's cost graph.
        return { total: Math.round(req * (0.35 + r("cost", 50) / 100) * 100) / 100 };
      case "tokens": {
        const input = req * (200 + r("tin", 300));
        const output = req * (50 + r("tout", 150));
        return { total: input + output, total_request_units: input, total_response_units: output };
      }
      case "latency": {
        if (req === 0) return { avg: 0, p50: 0, p90: 0, p99: 0 };
        const p50 = 300 + r("p50", 400);
        return { avg: p50 + 120, p50, p90: p50 * 3, p99: p50 * 7 + r("p99", 1000) };
      }
      default:
        return { total: 0 };
    }
  }

  /** Response body for GET /analytics/graphs/<graph> over [minMs, maxMs]. */
  graph(graph: string, minMs: number, maxMs: number, nowMs: number): unknown {
    const points: Record<string, unknown>[] = [];
    const first = Math.floor(minMs / MIN) * MIN;
    const last = Math.min(Math.floor(maxMs / MIN) * MIN, Math.floor(nowMs / MIN) * MIN);
    const summary: Record<string, number> = {};
    for (let t = first; t <= last; t += MIN) {
      const f = this.point(graph, t, nowMs);
      for (const [k, v] of Object.entries(f)) summary[k] = (summary[k] ?? 0) + v;
      points.push({ timestamp: new Date(t).toISOString(), ...f });
    }
    return { summary, data_points: points, is_quota_exceeded: false, object: "analytics-graph" };
  }

  /** Window-total rows of a groups dimension (`ai-models`, `metadata/use_case`, `prompt`). */
  groupRows(dimension: string, minMs: number, maxMs: number, nowMs: number) {
    return groupRows(dimension, minMs, maxMs, nowMs, (t) => this.requests(t));
  }

  /** Answer a Portkey API (or signed object URL) request; `nowMs` is the workspace clock. */
  async handle(req: Request, apiKey: string, nowMs = Date.now()): Promise<Response> {
    const url = new URL(req.url);
    // The object store behind the signed URLs takes no API key (and must never be sent one).
    if ((req.headers.get("host") ?? url.hostname) === DEMO_OBJECT_HOST) {
      if (req.headers.get("x-portkey-api-key") !== null) return new Response("unexpected credentials", { status: 400 });
      return this.exports.object(url.pathname, req.headers.get("range"));
    }
    if (req.headers.get("x-portkey-api-key") !== apiKey) {
      return Response.json({ error: { message: "Invalid API Key" } }, { status: 401 });
    }
    if (url.pathname.replace(/^\/v1/, "").startsWith("/logs/exports")) {
      const text = req.method === "POST" ? await req.text() : "";
      const r = this.exports.handle(url.pathname.replace(/^\/v1/, ""), req.method, text ? JSON.parse(text) : undefined);
      return r ?? Response.json({ error: { message: "Not Found" } }, { status: 404 });
    }
    const min = Date.parse(url.searchParams.get("time_of_generation_min") ?? "");
    const max = Date.parse(url.searchParams.get("time_of_generation_max") ?? "");
    const notFound = () => Response.json({ error: { message: "Not Found" } }, { status: 404 });
    const g = /^(?:\/v1)?\/analytics\/groups\/(.+)$/.exec(url.pathname);
    const m = /^(?:\/v1)?\/analytics\/graphs\/([a-z-]+)$/.exec(url.pathname);
    if (!g && (!m || !(GRAPHS as readonly string[]).includes(m[1] ?? ""))) return notFound();
    if (Number.isNaN(min) || Number.isNaN(max)) {
      return Response.json({ error: { message: "time_of_generation_min/max must be ISO-8601" } }, { status: 400 });
    }
    if (g) {
      const dimension = decodeURIComponent(g[1] ?? "");
      const rows = dimension === "workspace" ? [] : this.groupRows(dimension, min, max, nowMs);
      if (!rows) return notFound();
      const page = Number(url.searchParams.get("current_page") ?? "0");
      const pageSize = Number(url.searchParams.get("page_size") ?? "1000");
      return Response.json(groupsBody(dimension, rows, page, pageSize));
    }
    return Response.json(this.graph(m?.[1] ?? "", min, max, nowMs));
  }
}
