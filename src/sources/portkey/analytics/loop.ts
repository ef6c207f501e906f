/**
 * The Portkey analytics loop (portkey.md §4.4): one window per collect, never a request span
 * over 55 minutes (the server would switch to 10-minute buckets), a settle gate, and a
 * watermark that advances to the settled cutoff even when the window was quiet.
 */
import type { Duration } from "../../../config/duration.ts";
import type { LoopConfig } from "../../../config/types.ts";
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import { formatRfc3339Seconds, NS_PER_MIN, type Time, ZERO_TIME } from "../../../model/time.ts";
import type { Batch, Sample, Watermark } from "../../../model/types.ts";
import type { HttpClient } from "../../../net/client.ts";
import { type Loop, type LoopDeps, QuotaExceeded } from "../../loop.ts";
import type { ScopeProbe } from "../scope.ts";
import { decodeGraph, type GraphResponse } from "./decode.ts";
import { derive } from "./derive.ts";
import { RevisionHistory } from "./history.ts";

const MAX_SPAN = 55n * NS_PER_MIN;
const ns = (d: Duration): Time => BigInt(Math.trunc(d));

export interface Pass {
  slug: string;
  apiKeyIds: string[];
}

export interface AnalyticsOptions {
  key: CheckpointKey;
  sourceInstance: string;
  loop: LoopConfig;
  prefix: string;
  graphs: string[];
  passes: Pass[];
}

export class AnalyticsLoop implements Loop {
  readonly name = "analytics";
  readonly key: CheckpointKey;
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window: Duration;
  readonly maxBackfill: Duration;
  private readonly histories = new Map<string, RevisionHistory>();
  private readonly band: Time;

  constructor(
    private readonly o: AnalyticsOptions,
    private readonly client: HttpClient,
    private readonly scope: ScopeProbe,
    private readonly deps: LoopDeps,
  ) {
    this.key = o.key;
    this.sourceInstance = o.sourceInstance;
    this.cadence = o.loop.cadence;
    this.window = o.loop.window;
    this.maxBackfill = o.loop.max_backfill;
    const settle = ns(o.loop.bucket_settle);
    this.band = 2n * settle > NS_PER_MIN ? 2n * settle : NS_PER_MIN;
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const now = this.deps.now();
    await this.scope.check(now, signal);
    const l = this.o.loop;
    const floor = now - ns(l.max_backfill);
    let start = since.time !== ZERO_TIME ? since.time : now - ns(l.bootstrap_lookback);
    if (start < floor) start = floor;
    let until = now - ns(l.bucket_settle);
    if (until - start > ns(l.window)) until = start + ns(l.window);
    if (until - start > MAX_SPAN) until = start + MAX_SPAN;
    if (until <= start) return { key: this.key, samples: [], logs: [], watermark: since };
    let fetchStart = start - this.band;
    if (fetchStart < floor) fetchStart = floor;
    if (fetchStart < until - MAX_SPAN) fetchStart = until - MAX_SPAN;
    const samples: Sample[] = [];
    for (const pass of this.o.passes) {
      samples.push(...(await this.collectPass(pass, start, until, fetchStart, now, signal)));
    }
    return { key: this.key, samples, logs: [], watermark: { ...since, time: until } };
  }

  private async collectPass(pass: Pass, start: Time, until: Time, fetchStart: Time, now: Time, signal: AbortSignal) {
    const responses = new Map<string, GraphResponse>();
    for (const g of [...this.o.graphs].sort()) {
      const q = new URLSearchParams({
        time_of_generation_min: formatRfc3339Seconds(fetchStart),
        time_of_generation_max: formatRfc3339Seconds(until),
      });
      if (pass.apiKeyIds.length > 0) q.set("api_key_ids", pass.apiKeyIds.join(","));
      const r = await this.client.getJson(`/analytics/graphs/${g}?${q}`, signal);
      if (r.status === 404) {
        this.deps.hooks.graphSkipped?.("analytics", g);
        continue;
      }
      if (r.status !== 200) {
        if (r.status === 401 || r.status === 403) this.deps.hooks.authError?.("analytics", this.sourceInstance);
        throw new Error(`portkey: ${g} status ${r.status}`);
      }
      const resp = decodeGraph(g, r.json);
      if (resp.quotaExceeded) throw new QuotaExceeded(`portkey: ${g}: quota exceeded`);
      responses.set(g, resp);
    }
    if (responses.size === 0) throw new Error(`portkey: all ${this.o.graphs.length} configured graphs returned 404`);
    const settle = ns(this.o.loop.bucket_settle);
    const emitted = derive(this.o.prefix, responses, start, now, settle);
    const detect = derive(this.o.prefix, responses, fetchStart, now, settle);
    let history = this.histories.get(pass.slug);
    if (!history) {
      history = new RevisionHistory(this.band);
      this.histories.set(pass.slug, history);
    }
    for (const end of history.observe(detect, until)) {
      this.deps.hooks.bucketRevised?.("analytics", Number(now - end) / 1e9);
    }
    if (pass.slug !== "") {
      return emitted.map((s) => ({ ...s, labels: { ...s.labels, api_key_use_case: pass.slug } }));
    }
    return emitted;
  }
}
