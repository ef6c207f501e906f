/**
 * A simulated LangSmith workspace: projects with run statistics (`GET /sessions`), span counts
 * (`POST /runs/stats`) and a run index (`POST /runs/query`), in the shapes of
 * fixtures/langsmith and with the API's odd behaviours: a bare JSON array with no cursor for
 * projects (and 403 without `sort_by`, like the edge), costs as decimal strings on some
 * projects and numbers on others, id-like feedback keys with raw ids in `values`, opaque run
 * cursors bound to their query, 400 without a scope, 422 for a `select` outside the enum or a
 * `limit` over 100, naive microsecond timestamps — and content (prompts, outputs, messages,
 * events, extra, error text, names, descriptions, metadata) in every field that can carry it.
 * Used by `genai-otel-bridge demo` in-process and by the tests' fake LangSmith over HTTP.
 */
import { SIMULATED_CONTENT } from "./sink.ts";

export const DEMO_LANGSMITH_HOST = "api.smith.demo.invalid";

export interface LangsmithOptions {
  projects?: number;
  /** One run per project every this many milliseconds. */
  everyMs?: number;
  /** What every content field carries. */
  content?: string;
  /** Always answer a next cursor (a server that pages forever). */
  alwaysMore?: boolean;
}

export interface Project {
  id: string;
  name: string;
  tier: string;
}

const RUN_TYPES = ["llm", "chain", "tool"];

/** The server's own `select` enum (0.13.5): held here, not borrowed from the bridge, so a typo there fails here. */
const SERVER_SELECT = new Set(
  `id name run_type start_time end_time status error extra events inputs inputs_preview inputs_s3_urls
  inputs_or_signed_url outputs outputs_preview outputs_s3_urls outputs_or_signed_url s3_urls error_or_signed_url
  events_or_signed_url extra_or_signed_url serialized_or_signed_url parent_run_id manifest_id manifest_s3_id manifest
  session_id serialized reference_example_id reference_dataset_id total_tokens prompt_tokens prompt_token_details
  completion_tokens completion_token_details total_cost prompt_cost prompt_cost_details completion_cost
  completion_cost_details price_model_id first_token_time trace_id dotted_order last_queued_at feedback_stats
  child_run_ids parent_run_ids tags in_dataset app_path share_token trace_tier trace_first_received_at ttl_seconds
  trace_upgrade thread_id trace_min_max_start_time messages inserted_at`.split(/\s+/),
);

function mix(n: number, salt: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** `2026-06-19T13:22:24.560930`: naive UTC with microseconds, as LangSmith writes times. */
export function naive(ms: number, micros: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, "0")}`;
}

export class LangsmithWorkspace {
  readonly projects: Project[];
  readonly everyMs: number;
  private readonly content: string;
  private readonly alwaysMore: boolean;

  constructor(o: LangsmithOptions = {}) {
    const count = o.projects ?? 3;
    this.everyMs = o.everyMs ?? 20_000;
    this.content = o.content ?? SIMULATED_CONTENT;
    this.alwaysMore = o.alwaysMore ?? false;
    this.projects = Array.from({ length: count }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`,
      name: `proj-${i + 1}`,
      tier: i % 2 === 0 ? "longlived" : "shortlived",
    }));
  }

  /** Run ticks in [fromMs, toMs): every project has one run per tick. */
  ticks(fromMs: number, toMs: number): { first: number; count: number } {
    const first = Math.ceil(fromMs / this.everyMs);
    const end = Math.ceil(toMs / this.everyMs);
    return { first, count: Math.max(0, end - first) };
  }

  /** The run of project `p` at tick `tick`, every field the API can return. */
  run(p: number, tick: number): Record<string, unknown> {
    const project = this.projects[p] as Project;
    const ms = tick * this.everyMs;
    const h = mix(tick, p);
    const status = h % 17 === 0 ? "error" : "success";
    const prompt = 100 + (h % 900);
    const completion = 20 + (h % 200);
    const c = this.content;
    return {
      id: `run-${p + 1}-${tick}`,
      trace_id: `trace-${p + 1}-${tick}`,
      session_id: project.id,
      parent_run_id: null,
      run_type: RUN_TYPES[h % RUN_TYPES.length],
      status,
      start_time: naive(ms, h % 1000),
      end_time: naive(ms + 500 + (h % 4000), 0),
      total_tokens: prompt + completion,
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_cost: p % 2 === 0 ? ((prompt + completion) * 0.000002).toFixed(6) : (prompt + completion) * 0.000002,
      tags: ["demo", "eu"],
      child_run_ids: [],
      app_path: `/o/demo/projects/p/${project.id}`,
      dotted_order: `${new Date(ms).toISOString()}run-${p + 1}-${tick}`,
      name: `ChatModel ${c}`,
      inputs: { messages: [{ role: "user", content: c }] },
      outputs: { generations: [{ text: c }] },
      inputs_preview: c,
      outputs_preview: c,
      messages: [c],
      events: [{ name: "new_token", kwargs: { token: c } }],
      extra: { metadata: { user_note: c } },
      serialized: { kwargs: { prompt: c } },
      error: status === "error" ? `upstream said: ${c}` : null,
      feedback_stats: { note: { values: { [c]: 1 } } },
    };
  }

  /** Project statistics over [fromMs, nowMs], as `GET /sessions?include_stats=true` reports them. */
  stats(p: number, fromMs: number, nowMs: number): Record<string, unknown> {
    const project = this.projects[p] as Project;
    const { first, count } = this.ticks(fromMs, nowMs);
    let tokens = 0;
    let errors = 0;
    for (let t = first; t < first + count; t++) {
      const run = this.run(p, t);
      tokens += run.total_tokens as number;
      if (run.status === "error") errors++;
    }
    const cost = tokens * 0.000002;
    return {
      id: project.id,
      name: project.name,
      description: `notes: ${this.content}`,
      extra: { metadata: { owner: this.content } },
      run_count: count,
      latency_p50: count ? 0.4 + (p % 5) / 10 : null,
      latency_p99: count ? 3.5 + p : null,
      first_token_p50: p % 2 === 0 ? 0.21 : null,
      first_token_p99: p % 2 === 0 ? 0.9 : null,
      total_tokens: tokens,
      prompt_tokens: Math.round(tokens * 0.8),
      completion_tokens: tokens - Math.round(tokens * 0.8),
      // 0.16.5 writes costs as decimal strings, 0.13.5 as numbers.
      total_cost: p % 2 === 0 ? cost.toFixed(6) : cost,
      prompt_cost: p % 2 === 0 ? (cost * 0.7).toFixed(6) : cost * 0.7,
      completion_cost: p % 2 === 0 ? (cost * 0.3).toFixed(6) : cost * 0.3,
      error_rate: count ? errors / count : null,
      streaming_rate: p % 2 === 0 ? 1 : 0,
      trace_tier: project.tier,
      feedback_stats: {
        correctness: { n: count, avg: count ? 0.8 + (p % 3) / 20 : null, values: {} },
        user_id: { n: count, avg: null, values: { [`user-${this.content}`]: count } },
      },
      session_feedback_stats: { note: { values: { [this.content]: 1 } } },
    };
  }

  async handle(req: Request, apiKey: string, nowMs = Date.now()): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^\/api\/v1/, "");
    if (req.headers.get("x-api-key") !== apiKey) return Response.json({ detail: "Invalid token" }, { status: 401 });
    // The edge refuses default library user agents.
    if (/^(Bun|node|Python-urllib)/i.test(req.headers.get("user-agent") ?? "Bun")) {
      return new Response("Forbidden", { status: 403 });
    }
    if (req.method === "GET" && path === "/sessions") return this.sessions(url.searchParams, nowMs);
    if (req.method === "POST" && (path === "/runs/stats" || path === "/runs/query")) {
      let body: Record<string, unknown>;
      try {
        body = (await req.json()) as Record<string, unknown>;
      } catch {
        return Response.json({ detail: "invalid JSON body" }, { status: 400 });
      }
      return path === "/runs/stats" ? this.runStats(body, nowMs) : this.query(body);
    }
    return Response.json({ detail: "Not Found" }, { status: 404 });
  }

  private sessions(q: URLSearchParams, nowMs: number): Response {
    if (q.get("sort_by") !== "start_time") return new Response("Forbidden", { status: 403 });
    const offset = Number(q.get("offset") ?? "0");
    const limit = Number(q.get("limit") ?? "100");
    const filter = /^eq\(name, ?"([^"]*)"\)$/.exec(q.get("filter") ?? "")?.[1];
    const from = Date.parse(q.get("stats_start_time") ?? "");
    const page = this.projects
      .map((project, p) => ({ project, p }))
      .filter(({ project }) => filter === undefined || project.name === filter)
      .slice(offset, offset + limit)
      .map(({ project, p }) =>
        q.get("include_stats") === "true" && !Number.isNaN(from)
          ? this.stats(p, from, nowMs)
          : { id: project.id, name: project.name, description: this.content },
      );
    return Response.json(page);
  }

  private scope(body: Record<string, unknown>): number[] | undefined {
    const ids = body.session;
    if (!Array.isArray(ids) || ids.length === 0) return undefined;
    return this.projects.flatMap((project, p) => (ids.includes(project.id) ? [p] : []));
  }

  private runStats(body: Record<string, unknown>, nowMs: number): Response {
    const scope = this.scope(body);
    if (!scope) return Response.json({ detail: "session is required" }, { status: 400 });
    const from = Date.parse(String(body.start_time ?? ""));
    const { count } = this.ticks(Number.isNaN(from) ? 0 : from, nowMs);
    // Every trace is a root run with two child runs: three spans.
    return Response.json({
      run_count: scope.length * count * 3,
      total_tokens: 0,
      feedback_stats: { note: { values: { [this.content]: 1 } } },
    });
  }

  private query(body: Record<string, unknown>): Response {
    const scope = this.scope(body);
    if (!scope) return Response.json({ detail: "session is required" }, { status: 400 });
    const limit = Number(body.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return Response.json({ detail: "limit must be between 1 and 100" }, { status: 422 });
    }
    const select = Array.isArray(body.select) ? body.select : [];
    const bad = select.findIndex((f) => !SERVER_SELECT.has(String(f)));
    if (bad >= 0) return Response.json({ detail: `select.${bad}: invalid value` }, { status: 422 });
    const from = Date.parse(`${body.start_time}`);
    const to = Date.parse(`${body.end_time}`);
    if (Number.isNaN(from) || Number.isNaN(to)) return Response.json({ detail: "bad time bounds" }, { status: 422 });
    const binding = `${scope.join(",")}|${from}|${to}`;
    let offset = 0;
    if (typeof body.cursor === "string") {
      const decoded = this.decodeCursor(body.cursor);
      if (!decoded || decoded.binding !== binding) return Response.json({ detail: "invalid cursor" }, { status: 400 });
      offset = decoded.offset;
    }
    // Runs in start-time order: tick by tick, the scope's projects in order within a tick.
    const { first, count } = this.ticks(from, to);
    const total = count * scope.length;
    const runs: Record<string, unknown>[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) {
      runs.push(this.run(scope[i % scope.length] as number, first + Math.floor(i / scope.length)));
    }
    const more = this.alwaysMore || offset + limit < total;
    const next = more ? this.encodeCursor(binding, offset + limit) : null;
    return Response.json({ runs, cursors: { next, prev: offset > 0 ? "prev-cursor" : null } });
  }

  private encodeCursor(binding: string, offset: number): string {
    return `gt(cursor,'${Buffer.from(JSON.stringify({ binding, offset })).toString("base64url")}')`;
  }

  private decodeCursor(cursor: string): { binding: string; offset: number } | undefined {
    const inner = /^gt\(cursor,'([A-Za-z0-9_-]+)'\)$/.exec(cursor)?.[1];
    if (!inner) return undefined;
    try {
      return JSON.parse(Buffer.from(inner, "base64url").toString()) as { binding: string; offset: number };
    } catch {
      return undefined;
    }
  }
}
