/**
 * A provider source (OpenAI or Anthropic) built through its vendor definition with an
 * in-process transport: every request kept (URL, headers), every report and warning kept, the
 * clock settable. Fixtures are the repository's copies under test/fixtures/<vendor>; error
 * messages and free-text descriptions there carry CANARY, and `served` injects it as content
 * fields into every result row, so a test can show no byte of it goes anywhere.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LoopConfig, SourceConfig } from "../../../../src/config/types.ts";
import { MINUTE } from "../../../../src/model/duration.ts";
import { parseRfc3339, type Time } from "../../../../src/model/time.ts";
import type { Batch, Sample } from "../../../../src/model/types.ts";
import type { Vendor } from "../../../../src/sources/define.ts";
import type { Loop } from "../../../../src/sources/loop.ts";
import type { LoopReport } from "../../../../src/sources/outcome.ts";

export const CANARY = "ZZPROVIDERCANARYZZ";
export const FIXTURES = join(import.meta.dir, "../../../fixtures");

export function fixture(vendor: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, vendor, name), "utf8"));
}

/** A fixture as a misbehaving server might send it: content fields on every result row. */
export function served(vendor: string, name: string): Record<string, unknown> {
  const page = fixture(vendor, name);
  for (const bucket of (page.data as { results: Record<string, unknown>[] }[]) ?? []) {
    for (const row of bucket.results) Object.assign(row, { prompt: CANARY, messages: [{ content: CANARY }] });
  }
  return page;
}

export function loopBlock(settings: Record<string, string> = {}, over: Partial<LoopConfig> = {}): LoopConfig {
  return {
    enabled: true,
    cadence: MINUTE,
    window: 0,
    bucket_settle: 10 * MINUTE,
    bootstrap_lookback: 0,
    max_backfill: 0,
    metric_prefix: "",
    graphs: [],
    settings,
    ...over,
  };
}

/** The specs' usage defaults: window 50m, bootstrap 50m, max_backfill 90m; settle as given. */
export function usageBlock(settle: number, settings: Record<string, string> = {}, over: Partial<LoopConfig> = {}) {
  return loopBlock(settings, {
    window: 50 * MINUTE,
    bucket_settle: settle,
    bootstrap_lookback: 50 * MINUTE,
    max_backfill: 90 * MINUTE,
    ...over,
  });
}

export function providerSource(
  type: "openai" | "anthropic",
  loops: SourceConfig["loops"],
  over: Partial<SourceConfig> = {},
): SourceConfig {
  const openai = type === "openai";
  return {
    type,
    enabled: true,
    base_url: openai ? "https://api.openai.test/v1" : "https://api.anthropic.test/v1",
    source_instance: openai ? "oa-test" : "an-test",
    auth: openai
      ? { header: "Authorization", value: "Bearer sk-admin-secret-value" }
      : { header: "x-api-key", value: "sk-ant-admin01-secret-value" },
    rate_limit: { rps: 1000, burst: 1000 },
    http: { user_agent: "", allow_hosts: [], allow_private: false },
    loops,
    api_key_use_cases: [],
    ...over,
  };
}

export interface Seen {
  url: URL;
  headers: Headers;
}

export type Handler = (req: Seen, n: number) => Response | Promise<Response>;

export interface Rig {
  loop: Loop;
  seen: Seen[];
  reports: LoopReport[];
  warnings: string[];
  now: Time;
  setNow(iso: string): void;
  collect(since?: Time): Promise<Batch>;
}

export const T = (iso: string): Time => {
  const t = parseRfc3339(iso);
  if (t === undefined) throw new Error(`bad time ${iso}`);
  return t;
};

/** B of both specs' tests: 2026-06-18T12:00:00Z. */
export const B = T("2026-06-18T12:00:00Z");
export const MIN = 60_000_000_000n;

export function rig(vendor: Vendor, source: SourceConfig, handler: Handler, nowIso: string): Rig {
  const seen: Seen[] = [];
  const reports: LoopReport[] = [];
  const warnings: string[] = [];
  const planned = vendor.plan(source, (m) => warnings.push(m));
  const state = { now: T(nowIso) };
  const [loop] = planned.start(
    {
      userAgent: "genai-otel-bridge/test",
      resolve: async () => ["203.0.113.10"],
      fetch: async (url, init) => {
        const req = new Request(url, init);
        const s = { url: new URL(url), headers: req.headers };
        seen.push(s);
        return handler(s, seen.length);
      },
      warn: (m) => warnings.push(m),
    },
    () => ({ report: (r) => reports.push(r), now: () => state.now, warn: (m) => warnings.push(m) }),
  );
  if (!loop) throw new Error("no loop built");
  const r: Rig = {
    loop,
    seen,
    reports,
    warnings,
    get now() {
      return state.now;
    },
    setNow(iso) {
      state.now = T(iso);
    },
    collect(since = -62135596800000000000n) {
      return loop.collect(new AbortController().signal, { time: since, cursor: "", epoch: 1 });
    },
  };
  return r;
}

/** The decoded query of a request, arrays as `name[]` lists. */
export function query(u: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of u.searchParams) {
    if (k.endsWith("[]")) out[k] = [...((out[k] as string[] | undefined) ?? []), v];
    else out[k] = v;
  }
  return out;
}

/** `name{k=v,…}@<minutes after B> = value`, for compact expectations. */
export function line(s: Sample): string {
  const labels = Object.entries(s.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const at = Number((s.timestamp - B) / MIN);
  return `${s.name}{${labels}}@${at}=${s.value}`;
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
