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
import { anthropicReport, openaiReport } from "./provider-reports.ts";
import { SIMULATED_CONTENT } from "./sink.ts";

export const DEMO_OPENAI_HOST = "api.openai.demo.invalid";
export const DEMO_ANTHROPIC_HOST = "api.anthropic.demo.invalid";

const MIN = 60_000;
const DAY = 86_400_000;

/** Models and list prices in USD per million tokens (input, output). */
export const OPENAI_MODELS: [string, number, number][] = [
  ["gpt-5-2025-08-07", 1.25, 10],
  ["gpt-4.1-2025-04-14", 2, 8],
];
export const ANTHROPIC_MODELS: [string, number, number][] = [
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

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export class ProviderWorld {
  readonly content: string;
  readonly lateMs: number;
  readonly costLagMs: number;
  maxPageBuckets: number;
  /** Bucket start (ms) → factor applied to its traffic: a revision the tests inject after settle. */
  readonly revisions = new Map<number, number>();
  private readonly finalDays = new Map<string, Traffic>();

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
    // A whole past day is final: keep its sum, so a month of costs costs one day of minutes
    // per request (the demo answers in-process, on the event loop its own loops tick on).
    const final = toMs - fromMs >= DAY && toMs + this.lateMs <= nowMs && this.revisions.size === 0;
    const key = `${salt}:${m}:${fromMs}:${toMs}`;
    const kept = final ? this.finalDays.get(key) : undefined;
    if (kept) return { ...kept };
    const sum: Traffic = { requests: 0, input: 0, cached: 0, output: 0, webSearches: 0 };
    for (let t = Math.ceil(fromMs / MIN) * MIN; t + MIN <= toMs && t < nowMs; t += MIN) {
      const x = this.traffic(salt, m, t, nowMs);
      sum.requests += x.requests;
      sum.input += x.input;
      sum.cached += x.cached;
      sum.output += x.output;
      sum.webSearches += x.webSearches;
    }
    if (final) this.finalDays.set(key, { ...sum });
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
      return openaiReport(this, url, nowMs);
    }
    if (req.headers.get("x-api-key") !== key || req.headers.get("anthropic-version") === null) {
      return json(
        { type: "error", error: { type: "authentication_error", message: this.content }, request_id: "req_demo" },
        401,
      );
    }
    return anthropicReport(this, url, nowMs);
  }

  /**
   * The buckets of [startMs, endMs) on the page a query asks for (`bucket_width`, `limit`,
   * `page`): the first cut at an unaligned start, the last at `nowMs`.
   */
  page(q: URLSearchParams, startMs: number, endMs: number, nowMs: number) {
    const widthMs = { "1m": MIN, "1h": 60 * MIN, "1d": DAY }[q.get("bucket_width") ?? "1d"] ?? DAY;
    const limit = Number(q.get("limit") ?? 7);
    const page = q.get("page") ?? "";
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
}
