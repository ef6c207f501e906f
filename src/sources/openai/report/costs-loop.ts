/**
 * The costs loop both providers run: a snapshot loop (`window` 0). Every poll re-reads today,
 * the last `lookback_days` days and the month so far in one query, and stamps everything at
 * the poll's minute, so late revisions and credits show on the next poll instead of being
 * refused as writes into the past. The watermark is a heartbeat (the poll's time); a second
 * poll in the same minute asks and sends nothing (one snapshot per stamp minute).
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { floorMinute, type Time } from "../../../model/time.ts";
import type { Batch, Watermark } from "../../../model/types.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { deliveredThisMinute } from "../../snapshot.ts";
import { type Bucket, checkDailyBuckets } from "./buckets.ts";
import { type CostShape, costRange, dayStarts, deriveCosts } from "./costs.ts";
import { fetchAll, type Page } from "./pages.ts";
import { type AdminApi, NOT_FOUND } from "./request.ts";

/** Everything provider-specific a costs loop needs. */
export interface CostReport {
  api: AdminApi;
  cadence: Duration;
  /** What a 404 is reported as (`costs`, `cost_report`). */
  part: string;
  path: string;
  maxPages: number;
  shape: CostShape;
  query(firstDay: Time, days: number): URLSearchParams;
  decodePage(json: unknown, where: string): Page;
  bucket(raw: unknown, where: string): Bucket;
}

export class ReportCostsLoop implements Loop {
  readonly name = "costs";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window = 0;
  readonly maxBackfill = 0;

  constructor(
    readonly key: CheckpointKey,
    private readonly report: CostReport,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = report.cadence;
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const r = this.report;
    const now = this.deps.now();
    if (deliveredThisMinute(since, now)) return { key: this.key, samples: [], logs: [], watermark: since };
    r.api.cooldown.check(now, this.deps.report);
    const where = `${r.api.vendor} costs`;
    const { firstDay, days } = costRange(now, r.shape.lookbackDays, r.shape.monthToDate);
    const ctx = { api: r.api, loop: this.name, deps: this.deps, signal };
    const raw = await fetchAll(ctx, r.path, r.query(firstDay, days), (json) => r.decodePage(json, where), r.maxPages);
    if (raw === NOT_FOUND) {
      this.deps.report({ kind: "part_skipped", part: r.part, reason: "not found" });
      throw new Error(`${where}: ${r.path} returned 404`);
    }
    const buckets = checkDailyBuckets(
      raw.map((b) => r.bucket(b, where)),
      dayStarts(now).day0,
      where,
    );
    let skipped = 0;
    const samples = deriveCosts(r.shape, buckets, now, floorMinute(now), where, () => skipped++);
    for (let i = 0; i < skipped; i++) {
      this.deps.report({ kind: "part_skipped", part: "currency_unsupported", reason: "a cost row not in USD" });
    }
    return { key: this.key, samples, logs: [], watermark: { ...since, time: now } };
  }
}
