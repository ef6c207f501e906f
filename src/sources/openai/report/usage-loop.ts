/**
 * The usage loop both providers run (`openai.md` §5.3; Anthropic §6.2 is the same with one
 * part): plan the window, read every part through its pages, emit the buckets whose ends are
 * new, and feed the band behind them to revision detection. One part's 404 is reported and
 * skipped; all parts 404 fails the collect. Any other failure throws before anything is
 * returned, so nothing partial is emitted and the watermark stays.
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import type { Time } from "../../../model/time.ts";
import type { Batch, Sample, Watermark } from "../../../model/types.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { RevisionHistory } from "../../revision-history.ts";
import { type Bucket, checkUsageBuckets } from "./buckets.ts";
import { fetchAll, type Page } from "./pages.ts";
import { type AdminApi, NOT_FOUND } from "./request.ts";
import { deriveUsage, type UsagePart } from "./usage.ts";
import { planWindow, type WindowSettings } from "./window.ts";

/** The fetch part of a window plan: what a part's query is built from. */
export interface UsageQueryBounds {
  queryStart: Time;
  queryEnd: Time;
  limit: number;
}

/** Everything provider-specific a usage loop needs. */
export interface UsageReport {
  api: AdminApi;
  prefix: string;
  cadence: Duration;
  window: WindowSettings;
  maxPages: number;
  parts: UsagePart[];
  query(part: UsagePart, bounds: UsageQueryBounds): URLSearchParams;
  decodePage(json: unknown, where: string): Page;
  bucket(raw: unknown, where: string): Bucket;
}

export class ReportUsageLoop implements Loop {
  readonly name = "usage";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window: Duration;
  readonly maxBackfill: Duration;
  private readonly history: RevisionHistory;

  constructor(
    readonly key: CheckpointKey,
    private readonly report: UsageReport,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = report.cadence;
    this.window = report.window.window;
    this.maxBackfill = report.window.maxBackfill;
    const settle2 = 2n * BigInt(Math.trunc(report.window.bucketSettle));
    const width = BigInt(report.window.widthSeconds) * 1_000_000_000n;
    this.history = new RevisionHistory(settle2 > width ? settle2 : width);
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const r = this.report;
    const now = this.deps.now();
    r.api.cooldown.check(now, this.deps.report);
    const plan = planWindow(r.window, since.time, now);
    if (plan.kind === "idle")
      return { key: this.key, samples: [], logs: [], watermark: { ...since, time: plan.watermark } };
    const ctx = { api: r.api, loop: this.name, deps: this.deps, signal };
    const samples: Sample[] = [];
    const detect: Sample[] = [];
    let answered = 0;
    for (const part of r.parts) {
      const where = `${r.api.vendor} usage: ${part.name}`;
      const raw = await fetchAll(ctx, part.path, r.query(part, plan), (json) => r.decodePage(json, where), r.maxPages);
      if (raw === NOT_FOUND) {
        this.deps.report({ kind: "part_skipped", part: part.name, reason: "not found" });
        continue;
      }
      answered++;
      const buckets = checkUsageBuckets(
        raw.map((b) => r.bucket(b, where)),
        r.window.widthSeconds,
        where,
      );
      samples.push(...deriveUsage(r.prefix, part, buckets, plan.start, plan.until, where));
      detect.push(...deriveUsage(r.prefix, part, buckets, plan.fetchStart, plan.until, where));
    }
    if (answered === 0) throw new Error(`${r.api.vendor} usage: all ${r.parts.length} usage reports returned 404`);
    // Only a collect that will be returned feeds the history; a throw above leaves it as it was.
    for (const end of this.history.observe(detect, plan.until)) {
      this.deps.report({ kind: "revised_after_settle", ageSeconds: Number(now - end) / 1e9 });
    }
    return { key: this.key, samples, logs: [], watermark: { ...since, time: plan.until } };
  }
}
