/**
 * The Portkey analytics loop: one window per collect, never a request span over 55 minutes
 * (the server would switch to 10-minute buckets), a settle gate, and a watermark that advances
 * to the settled cutoff even when the window was quiet.
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { floorMinute, formatRfc3339Seconds, NS_PER_MIN, type Time, ZERO_TIME } from "../../../model/time.ts";
import type { Batch, Sample, Watermark } from "../../../model/types.ts";
import type { HttpClient } from "../../../net/client.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { QuotaExhausted } from "../../outcome.ts";
import { RevisionHistory } from "../../revision-history.ts";
import type { ScopeProbe } from "../scope.ts";
import type { Pass } from "../use-cases.ts";
import { decodeGraph, type GraphResponse } from "./decode.ts";
import { derive } from "./derive.ts";

const MAX_SPAN = 55n * NS_PER_MIN;
const ns = (d: Duration): Time => BigInt(Math.trunc(d));

/** The loop's parsed settings. */
export interface AnalyticsSettings {
  cadence: Duration;
  window: Duration;
  bucketSettle: Duration;
  bootstrapLookback: Duration;
  maxBackfill: Duration;
  /** Series-name prefix (`portkey_api`). */
  prefix: string;
  /** Configured graphs, de-duplicated. */
  graphs: string[];
  /** `settings.api_key_ids` (empty: the whole workspace). */
  apiKeyIds: string[];
  /** `settings.expected_workspace` ("" = no scope check). */
  expectedWorkspace: string;
}

export class AnalyticsLoop implements Loop {
  readonly name = "analytics";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window: Duration;
  readonly maxBackfill: Duration;
  private readonly histories = new Map<string, RevisionHistory>();
  private readonly band: Time;

  constructor(
    readonly key: CheckpointKey,
    private readonly settings: AnalyticsSettings,
    private readonly passes: Pass[],
    private readonly client: HttpClient,
    private readonly scope: ScopeProbe,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = settings.cadence;
    this.window = settings.window;
    this.maxBackfill = settings.maxBackfill;
    const settle = ns(settings.bucketSettle);
    this.band = 2n * settle > NS_PER_MIN ? 2n * settle : NS_PER_MIN;
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const now = this.deps.now();
    await this.scope.check(now, signal);
    const s = this.settings;
    const floor = now - ns(s.maxBackfill);
    let start = since.time !== ZERO_TIME ? since.time : now - ns(s.bootstrapLookback);
    if (start < floor) start = floor;
    let until = now - ns(s.bucketSettle);
    if (until - start > ns(s.window)) until = start + ns(s.window);
    if (until - start > MAX_SPAN) until = start + MAX_SPAN;
    if (until <= start) return { key: this.key, samples: [], logs: [], watermark: since };
    // No minute ends inside (start, until]: no bucket can be emitted, so no request is made and
    // the quiet span is covered. At a 10 s cadence five ticks of six end here (issue 12: cheaper
    // ticks); revision detection still sees every bucket once a minute.
    if (floorMinute(until) <= start) {
      return { key: this.key, samples: [], logs: [], watermark: { ...since, time: until } };
    }
    let fetchStart = start - this.band;
    if (fetchStart < floor) fetchStart = floor;
    if (fetchStart < until - MAX_SPAN) fetchStart = until - MAX_SPAN;
    const samples: Sample[] = [];
    for (const pass of this.passes) {
      samples.push(...(await this.collectPass(pass, start, until, fetchStart, now, signal)));
    }
    return { key: this.key, samples, logs: [], watermark: { ...since, time: until } };
  }

  private async collectPass(pass: Pass, start: Time, until: Time, fetchStart: Time, now: Time, signal: AbortSignal) {
    const responses = new Map<string, GraphResponse>();
    for (const g of [...this.settings.graphs].sort()) {
      const q = new URLSearchParams({
        time_of_generation_min: formatRfc3339Seconds(fetchStart),
        time_of_generation_max: formatRfc3339Seconds(until),
      });
      if (pass.apiKeyIds.length > 0) q.set("api_key_ids", pass.apiKeyIds.join(","));
      const r = await this.client.getJson(`/analytics/graphs/${g}?${q}`, signal);
      if (r.status === 404) {
        this.deps.report({ kind: "part_skipped", part: g, reason: "not found" });
        continue;
      }
      if (r.status !== 200) {
        if (r.status === 401 || r.status === 403) this.deps.report({ kind: "auth_error" });
        throw new Error(`portkey: ${g} status ${r.status}`);
      }
      const resp = decodeGraph(g, r.json);
      if (resp.quotaExceeded) throw new QuotaExhausted(`portkey: ${g}: quota exceeded`);
      responses.set(g, resp);
    }
    if (responses.size === 0) {
      throw new Error(`portkey: all ${this.settings.graphs.length} configured graphs returned 404`);
    }
    const settle = ns(this.settings.bucketSettle);
    const emitted = derive(this.settings.prefix, responses, start, now, settle);
    const detect = derive(this.settings.prefix, responses, fetchStart, now, settle);
    let history = this.histories.get(pass.slug);
    if (!history) {
      history = new RevisionHistory(this.band);
      this.histories.set(pass.slug, history);
    }
    for (const end of history.observe(detect, until)) {
      this.deps.report({ kind: "revised_after_settle", ageSeconds: Number(now - end) / 1e9 });
    }
    if (pass.slug !== "") {
      return emitted.map((x) => ({ ...x, labels: { ...x.labels, api_key_use_case: pass.slug } }));
    }
    return emitted;
  }
}
