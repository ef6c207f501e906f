/**
 * A LangSmith source built through its vendor definition with an in-process transport: every
 * request (method, URL, parsed JSON body) and every report and warning kept, the clock settable.
 * Fixtures are the repository's copies under test/fixtures/langsmith.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LoopConfig, SourceConfig } from "../../../../src/config/types.ts";
import { MINUTE } from "../../../../src/model/duration.ts";
import { parseRfc3339, type Time } from "../../../../src/model/time.ts";
import { langsmith } from "../../../../src/sources/langsmith/index.ts";
import type { Loop } from "../../../../src/sources/loop.ts";
import type { LoopReport } from "../../../../src/sources/outcome.ts";

export const FIXTURES = join(import.meta.dir, "../../../fixtures/langsmith");
export const S1 = "11111111-1111-1111-1111-111111111111";
export const S2 = "22222222-2222-2222-2222-222222222222";

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));
}

export function loopBlock(settings: Record<string, string> = {}, over: Partial<LoopConfig> = {}): LoopConfig {
  return {
    enabled: true,
    cadence: MINUTE,
    window: 0,
    bucket_settle: 0,
    bootstrap_lookback: 0,
    max_backfill: 0,
    metric_prefix: "",
    graphs: [],
    settings,
    ...over,
  };
}

export function lsSource(loops: SourceConfig["loops"], over: Partial<SourceConfig> = {}): SourceConfig {
  return {
    type: "langsmith",
    enabled: true,
    base_url: "https://api.smith.test",
    source_instance: "ls-test",
    auth: { header: "x-api-key", value: "k" },
    rate_limit: { rps: 1000, burst: 1000 },
    http: { user_agent: "t", allow_hosts: [], allow_private: false },
    loops,
    api_key_use_cases: [],
    ...over,
  };
}

export interface Seen {
  method: string;
  url: URL;
  body: unknown;
  headers: Headers;
}

export type Handler = (req: Seen) => Response | Promise<Response>;

export interface LsRig {
  loops: Map<string, Loop>;
  loop: Loop;
  seen: Seen[];
  reports: LoopReport[];
  warnings: string[];
  setNow(iso: string): void;
}

export const T = (iso: string): Time => {
  const t = parseRfc3339(iso);
  if (t === undefined) throw new Error(`bad time ${iso}`);
  return t;
};

/** Build every enabled loop of `source`; `loop` is the first. */
export function lsRig(source: SourceConfig, handler: Handler, nowIso: string): LsRig {
  const seen: Seen[] = [];
  const reports: LoopReport[] = [];
  const warnings: string[] = [];
  let now = T(nowIso);
  const planned = langsmith.plan(source, (msg) => warnings.push(msg));
  const built = planned.start(
    {
      userAgent: "t",
      resolve: async () => ["203.0.113.10"],
      fetch: async (url, init) => {
        const text = typeof init.body === "string" ? init.body : "";
        const req: Seen = {
          method: init.method ?? "GET",
          url: new URL(url),
          body: text === "" ? undefined : JSON.parse(text),
          headers: new Headers(init.headers as Record<string, string>),
        };
        seen.push(req);
        return handler(req);
      },
      warn: (msg) => warnings.push(msg),
    },
    () => ({ report: (r) => reports.push(r), now: () => now, warn: (msg) => warnings.push(msg) }),
  );
  const loops = new Map(built.map((l) => [l.name, l]));
  const first = built[0];
  if (!first) throw new Error("no loop built");
  return {
    loops,
    loop: first,
    seen,
    reports,
    warnings,
    setNow: (iso) => {
      now = T(iso);
    },
  };
}

/** A JSON answer. */
export const json = (body: unknown, status = 200) => Response.json(body, { status });

/** The `part_skipped` parts reported, in order. */
export const skipped = (reports: LoopReport[]) => reports.flatMap((r) => (r.kind === "part_skipped" ? [r.part] : []));
export const authErrors = (reports: LoopReport[]) => reports.filter((r) => r.kind === "auth_error").length;
