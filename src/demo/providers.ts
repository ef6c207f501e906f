/**
 * The simulated model providers: an OpenAI organization's usage and costs API and an Anthropic
 * organization's usage and cost reports, in their exact shapes and with their odd behaviours:
 * an unaligned start or a missing end gives partial buckets; a closed minute keeps growing for
 * `lateMs` (late arrivals) before it is final; costs lag usage by `costLagMs`; OpenAI writes
 * some amounts as numbers and some as decimal strings, Anthropic writes cents as strings;
 * pages hold at most `maxPageBuckets` buckets. Every result row also carries injected content
 * fields, and Anthropic's free-text descriptions the simulated content, which the bridge must
 * never send. Traffic is a pure function of the minute, so any two answers agree.
 */
import { SIMULATED_CONTENT } from "./sink.ts";

export const DEMO_OPENAI_HOST = "api.openai.demo.invalid";
export const DEMO_ANTHROPIC_HOST = "api.anthropic.demo.invalid";

const MIN = 60_000;
const DAY = 86_400_000;

/** Models and list prices in USD per million tokens (input, output). */
const OPENAI_MODELS: [string, number, number][] = [
  ["gpt-5-2025-08-07", 1.25, 10],
  ["gpt-4.1-2025-04-14", 2, 8],
];
const ANTHROPIC_MODELS: [string, number, number][] = [
  ["claude-sonnet-4-5", 3, 15],
  ["claude-opus-4-1", 15, 75],
];

export interface ProviderOptions {
  content?: string;
  lateMs?: number;
  costLagMs?: number;
  maxPageBuckets?: number;
}

/** One model's traffic in one minute. */
interface Traffic {
  requests: number;
  input: number;
  cached: number;
  output: number;
  webSearches: number;
}

function mix(n: number, salt: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const seconds = (ms: number) => Math.floor(ms / 1000);

export class ProviderWorld {
  readonly content: string;
  readonly lateMs: number;
  readonly costLagMs: number;
  maxPageBuckets: number;
  /** Bucket start (ms) → factor applied to its traffic: a revision the tests inject after settle. */
  readonly revisions = new Map<number, number>();

  constructor(o: ProviderOptions = {}) {
    this.content = o.content ?? SIMULATED_CONTENT;
    this.lateMs = o.lateMs ?? 2 * MIN;
    this.costLagMs = o.costLagMs ?? 60 * MIN;
    this.maxPageBuckets = o.maxPageBuckets ?? 1440;
  }

  /** Model `m`'s traffic in the minute starting at `startMs`, as known at `nowMs`. */
  traffic(salt: number, m: number, startMs: number, nowMs: number): Traffic {
    const minute = Math.floor(startMs / MIN);
    const h = mix(minute, salt * 7 + m);
    // One minute in five is quiet; late arrivals fill a closed minute over `lateMs`.
    const full = h % 5 === 0 ? 0 : 1 + (h % 6);
    const known = Math.min(1, Math.max(0, (nowMs - startMs) / (MIN + this.lateMs)));
    const requests = Math.floor(full * known * (this.revisions.get(startMs) ?? 1));
    return {
      requests,
      input: requests * (400 + (h % 800)),
      cached: requests * (h % 3 === 0 ? 256 : 0),
      output: requests * (50 + (h % 300)),
      webSearches: h % 11 === 0 ? requests : 0,
    };
  }

  /** Summed traffic of model `m` over the minutes of [fromMs, toMs) known at `nowMs`. */
  total(salt: number, m: number, fromMs: number, toMs: number, nowMs: number): Traffic {
    const sum: Traffic = { requests: 0, input: 0, cached: 0, output: 0, webSearches: 0 };
    for (let t = Math.ceil(fromMs / MIN) * MIN; t + MIN <= toMs && t < nowMs; t += MIN) {
      const x = this.traffic(salt, m, t, nowMs);
      sum.requests += x.requests;
      sum.input += x.input;
      sum.cached += x.cached;
      sum.output += x.output;
      sum.webSearches += x.webSearches;
    }
    return sum;
  }

  handle(req: Request, key: string, nowMs = Date.now()): Response {
    const url = new URL(req.url);
    const host = req.headers.get("host") ?? url.host;
    const openai = host === DEMO_OPENAI_HOST || url.pathname.includes("/organization/");
    if (openai) {
      if (req.headers.get("authorization") !== `Bearer ${key}`) {
        return json(
          {
            error: {
              message: `bad key ${this.content}`,
              type: "invalid_request_error",
              param: null,
              code: "invalid_api_key",
            },
          },
          401,
        );
      }
      return this.openai(url, nowMs);
    }
    if (req.headers.get("x-api-key") !== key || req.headers.get("anthropic-version") === null) {
      return json(
        { type: "error", error: { type: "authentication_error", message: this.content }, request_id: "req_demo" },
        401,
      );
    }
    return this.anthropic(url, nowMs);
  }

  /** Buckets of [startMs, endMs): the first cut at an unaligned start, the last at `nowMs`. */
  private buckets(startMs: number, endMs: number, widthMs: number, nowMs: number, limit: number, page: string) {
    const all: [number, number][] = [];
    for (let s = startMs; s < Math.min(endMs, nowMs); ) {
      const next = Math.floor(s / widthMs) * widthMs + widthMs;
      all.push([s, Math.min(next, endMs, nowMs)]);
      s = next;
    }
    const from = page === "" ? 0 : Number(atob(page.replace(/^page_/, "")));
    const size = Math.min(limit, this.maxPageBuckets);
    const shown = all.slice(from, from + size);
    const more = from + size < all.length;
    return { shown, hasMore: more, nextPage: more ? `page_${btoa(String(from + size))}` : null };
  }

  private openai(url: URL, nowMs: number): Response {
    const q = url.searchParams;
    const startMs = Number(q.get("start_time")) * 1000;
    const endMs = q.has("end_time") ? Number(q.get("end_time")) * 1000 : Number.MAX_SAFE_INTEGER;
    const width = { "1m": MIN, "1h": 60 * MIN, "1d": DAY }[q.get("bucket_width") ?? "1d"] ?? DAY;
    const grouped = q.getAll("group_by[]").flatMap((g) => g.split(","));
    const { shown, hasMore, nextPage } = this.buckets(
      startMs,
      endMs,
      width,
      nowMs,
      Number(q.get("limit") ?? 7),
      q.get("page") ?? "",
    );
    const endpoint = url.pathname.split("/").at(-1) ?? "";
    const isCosts = endpoint === "costs";
    if (!isCosts && endpoint !== "completions" && endpoint !== "embeddings") {
      return json({ error: { message: "not found", type: "invalid_request_error", param: null, code: null } }, 404);
    }
    const c = this.content;
    const data = shown.map(([s, e]) => {
      const results: Record<string, unknown>[] = [];
      OPENAI_MODELS.forEach(([model, inPrice, outPrice], m) => {
        if (isCosts) {
          const t = this.total(1, m, s, Math.min(e, nowMs - this.costLagMs), nowMs);
          const input = Math.round(t.input * inPrice) / 1e6;
          const output = Math.round(t.output * outPrice) / 1e6;
          for (const [kind, value] of [
            ["input", input],
            ["output", output],
          ] as const) {
            if (value === 0) continue;
            // Input amounts as JSON numbers, output amounts as decimal strings: both forms are seen.
            const amount = { value: kind === "input" ? value : value.toFixed(6), currency: "usd" };
            results.push({
              object: "organization.costs.result",
              amount,
              line_item: `${model}, ${kind}`,
              project_id: null,
              api_key_id: null,
              quantity: null,
              quantity_unit: null,
            });
          }
          return;
        }
        const t = this.total(endpoint === "embeddings" ? 3 : 1, m, s, e, nowMs);
        if (t.requests === 0) return;
        const row: Record<string, unknown> =
          endpoint === "embeddings"
            ? { object: "organization.usage.embeddings.result", input_tokens: t.input, num_model_requests: t.requests }
            : {
                object: "organization.usage.completions.result",
                input_tokens: t.input,
                output_tokens: t.output,
                input_cached_tokens: t.cached,
                num_model_requests: t.requests,
                batch: null,
                service_tier: null,
              };
        results.push({
          ...row,
          project_id: null,
          user_id: null,
          api_key_id: null,
          model: grouped.includes("model") ? model : null,
          prompt: c,
        });
      });
      return {
        object: "bucket",
        start_time: seconds(s),
        end_time: seconds(e),
        results: grouped.length > 0 || isCosts ? results : merged(results),
      };
    });
    return json({ object: "page", data, has_more: hasMore, next_page: nextPage });
  }

  private anthropic(url: URL, nowMs: number): Response {
    const q = url.searchParams;
    const startMs = Date.parse(q.get("starting_at") ?? "");
    const endMs = q.has("ending_at") ? Date.parse(q.get("ending_at") ?? "") : Number.MAX_SAFE_INTEGER;
    const width = { "1m": MIN, "1h": 60 * MIN, "1d": DAY }[q.get("bucket_width") ?? "1d"] ?? DAY;
    const grouped = q.getAll("group_by[]");
    const isCosts = url.pathname.endsWith("/cost_report");
    if (!isCosts && !url.pathname.endsWith("/usage_report/messages")) {
      return json(
        { type: "error", error: { type: "not_found_error", message: "not found" }, request_id: "req_demo" },
        404,
      );
    }
    const { shown, hasMore, nextPage } = this.buckets(
      startMs,
      endMs,
      width,
      nowMs,
      Number(q.get("limit") ?? 7),
      q.get("page") ?? "",
    );
    const c = this.content;
    const data = shown.map(([s, e]) => {
      const results: Record<string, unknown>[] = [];
      ANTHROPIC_MODELS.forEach(([model, inPrice, outPrice], m) => {
        if (isCosts) {
          const t = this.total(2, m, s, Math.min(e, nowMs - this.costLagMs), nowMs);
          const lines: [string, string, number][] = [
            ["uncached_input_tokens", "Input Tokens", ((t.input - t.cached) * inPrice) / 1e4],
            ["cache_read_input_tokens", "Cache Read", (t.cached * inPrice) / 1e5],
            ["output_tokens", "Output Tokens", (t.output * outPrice) / 1e4],
          ];
          for (const [tokenType, what, cents] of lines) {
            if (cents === 0) continue;
            const description = `${model} Usage - ${what} ${c}`;
            results.push(
              grouped.includes("description")
                ? {
                    amount: cents.toFixed(4),
                    currency: "USD",
                    description,
                    cost_type: "tokens",
                    model,
                    token_type: tokenType,
                    service_tier: "standard",
                    context_window: "0-200k",
                    inference_geo: "global",
                    workspace_id: null,
                  }
                : {
                    amount: cents.toFixed(4),
                    currency: "USD",
                    description: null,
                    cost_type: null,
                    model: null,
                    token_type: null,
                    service_tier: null,
                    context_window: null,
                    inference_geo: null,
                    workspace_id: null,
                  },
            );
          }
          return;
        }
        const t = this.total(2, m, s, e, nowMs);
        if (t.requests === 0) return;
        results.push({
          uncached_input_tokens: t.input - t.cached,
          cache_read_input_tokens: t.cached,
          cache_creation: { ephemeral_5m_input_tokens: Math.floor(t.cached / 4), ephemeral_1h_input_tokens: 0 },
          output_tokens: t.output,
          server_tool_use: { web_search_requests: t.webSearches },
          model: grouped.includes("model") ? model : null,
          service_tier: null,
          context_window: null,
          inference_geo: null,
          workspace_id: null,
          api_key_id: null,
          account_id: null,
          service_account_id: null,
          prompt: c,
        });
      });
      const rows = grouped.length > 0 || isCosts ? results : merged(results);
      return {
        starting_at: new Date(s).toISOString().replace(".000Z", "Z"),
        ending_at: new Date(e).toISOString().replace(".000Z", "Z"),
        results: rows,
      };
    });
    return json({ data, has_more: hasMore, next_page: nextPage });
  }
}

/** Ungrouped: one row per bucket, every number summed (nested objects too), dimensions null. */
function merged(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  if (rows.length <= 1) return rows;
  const add = (a: unknown, b: unknown): unknown => {
    if (typeof a === "number" && typeof b === "number") return a + b;
    if (a && b && typeof a === "object" && typeof b === "object") {
      const out: Record<string, unknown> = { ...(a as object) };
      for (const [k, v] of Object.entries(b)) out[k] = add(out[k], v);
      return out;
    }
    return a;
  };
  return [rows.slice(1).reduce((acc, r) => add(acc, r) as Record<string, unknown>, rows[0] as Record<string, unknown>)];
}
