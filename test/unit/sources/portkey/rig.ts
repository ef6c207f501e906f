/**
 * A Portkey source built through its vendor definition with a scripted transport: replies by
 * the last path segment (`requests`, `ai-models`, `use_case`, `workspace`, …), every request
 * URL and every report kept, the clock settable.
 */
import type { LoopConfig, SourceConfig } from "../../../../src/config/types.ts";
import { MINUTE } from "../../../../src/model/duration.ts";
import { fromMillis } from "../../../../src/model/time.ts";
import type { Loop } from "../../../../src/sources/loop.ts";
import type { LoopReport } from "../../../../src/sources/outcome.ts";
import { portkey } from "../../../../src/sources/portkey/index.ts";

export type Reply = { status?: number; body?: unknown } | ((q: URLSearchParams) => { status?: number; body?: unknown });

export function loopBlock(over: Partial<LoopConfig> = {}): LoopConfig {
  return {
    enabled: true,
    cadence: MINUTE,
    window: 0,
    bucket_settle: 10 * MINUTE,
    bootstrap_lookback: 0,
    max_backfill: 0,
    metric_prefix: "portkey_api",
    graphs: [],
    settings: {},
    ...over,
  };
}

export function portkeySource(loops: SourceConfig["loops"], over: Partial<SourceConfig> = {}): SourceConfig {
  return {
    type: "portkey",
    enabled: true,
    base_url: "https://api.portkey.test/v1",
    source_instance: "pk-test",
    auth: { header: "x-portkey-api-key", value: "pk" },
    rate_limit: { rps: 1000, burst: 1000 },
    http: { user_agent: "t", allow_hosts: [], allow_private: false },
    loops,
    api_key_use_cases: [],
    ...over,
  };
}

export interface Rig {
  loop: Loop;
  urls: URL[];
  reports: LoopReport[];
  warnings: string[];
  setNow(ms: number): void;
}

/** Build the source's one enabled loop; `replies` keyed by the request path's last segment. */
export function rig(source: SourceConfig, replies: Record<string, Reply>, nowMs: number): Rig {
  const [first] = rigWith(
    source,
    (u) => {
      const last = decodeURIComponent(u.pathname.split("/").at(-1) ?? "");
      const r = replies[last] ?? { status: 404 };
      const rep = typeof r === "function" ? r(u.searchParams) : r;
      return Response.json(rep.body ?? {}, { status: rep.status ?? 200 });
    },
    nowMs,
  );
  if (!first) throw new Error("no loop built");
  return first;
}

/** Every loop the source builds, sharing one transport (`handler`), one clock and one report list. */
export function rigWith(
  source: SourceConfig,
  handler: (u: URL, req: Request) => Response | Promise<Response>,
  nowMs: number,
): Rig[] {
  const urls: URL[] = [];
  const reports: LoopReport[] = [];
  const warnings: string[] = [];
  let now = nowMs;
  const loops = portkey
    .plan(source, () => {})
    .start(
      {
        userAgent: "t",
        resolve: async () => ["203.0.113.10"],
        fetch: async (url, init) => {
          const u = new URL(url);
          urls.push(u);
          return handler(u, new Request(url, init));
        },
        warn: () => {},
      },
      () => ({ report: (r) => reports.push(r), now: () => fromMillis(now), warn: (m) => warnings.push(m) }),
    );
  if (loops.length === 0) throw new Error("no loop built");
  return loops.map((loop) => ({ loop, urls, reports, warnings, setNow: (ms: number) => (now = ms) }));
}
