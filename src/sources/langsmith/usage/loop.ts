/**
 * The `usage` loop: the ingestion volume behind LangSmith's own bill. One project list with
 * statistics, then (with `emit_span_counts`) one `runs/stats` per project, one after another.
 * A failed span count is counted and skipped (the traces still go); a 429 anywhere discards
 * the whole batch.
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { floorMinute, formatRfc3339Seconds, type Time } from "../../../model/time.ts";
import type { Batch, Watermark } from "../../../model/types.ts";
import type { HttpClient, JsonResponse } from "../../../net/client.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { QuotaExhausted } from "../../outcome.ts";
import { deliveredThisMinute } from "../../snapshot.ts";
import { errorText, listWithStats } from "../projects.ts";
import type { ProjectListSettings } from "../settings.ts";
import { STATS_BODY_CAP } from "../shared.ts";
import { decodeUsage, deriveUsage, type ProjectUsage, spanCount } from "./derive.ts";

export interface UsageSettings extends ProjectListSettings {
  cadence: Duration;
  emitSpanCounts: boolean;
  prefix: string;
  series: string[];
}

export class UsageLoop implements Loop {
  readonly name = "usage";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window = 0;
  readonly maxBackfill = 0;

  constructor(
    readonly key: CheckpointKey,
    private readonly s: UsageSettings,
    private readonly client: HttpClient,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = s.cadence;
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const now = this.deps.now();
    if (deliveredThisMinute(since, now)) return { key: this.key, samples: [], logs: [], watermark: since };
    const statsStart = now - BigInt(Math.trunc(this.s.statsWindow));
    const ctx = {
      client: this.client,
      where: "langsmith usage",
      report: this.deps.report,
      warn: this.deps.warn,
      signal,
    };
    const items = await listWithStats(ctx, this.s, statsStart, decodeUsage, "usage");
    const spans = new Map<string, number>();
    if (this.s.emitSpanCounts) {
      for (const project of items) {
        const n = await this.spanCount(project, statsStart, signal);
        if (n !== undefined) spans.set(project.id, n);
      }
    }
    const samples = deriveUsage(items, spans, floorMinute(now), this.s.prefix, this.s.labelValue);
    return { key: this.key, samples, logs: [], watermark: { ...since, time: now } };
  }

  /** All runs (spans) of one project since `statsStart`; undefined (counted) when it failed. */
  private async spanCount(project: ProjectUsage, statsStart: Time, signal: AbortSignal): Promise<number | undefined> {
    const body = { session: [project.id], start_time: formatRfc3339Seconds(statsStart) };
    let res: JsonResponse | undefined;
    let failure = "";
    try {
      res = await this.client.postJson("/runs/stats", body, signal, { successCap: STATS_BODY_CAP, errorCap: 2048 });
    } catch (e) {
      if (signal.aborted) throw e;
      failure = errorText(e);
    }
    if (res?.status === 429) throw new QuotaExhausted("langsmith usage: runs/stats status 429");
    let n: number | undefined;
    if (res?.status === 200) {
      try {
        n = spanCount(res.json);
      } catch (e) {
        failure = `decode: ${errorText(e)}`;
      }
      if (n === undefined && failure === "") failure = "no run_count in the answer";
    } else if (res) {
      if (res.status === 401 || res.status === 403) this.deps.report({ kind: "auth_error" });
      failure = `status ${res.status}`;
    }
    if (n !== undefined) return n;
    this.deps.report({ kind: "part_skipped", part: "span_stats", reason: "a project's runs/stats call failed" });
    this.deps.warn("langsmith usage: runs/stats failed; that project's spans are skipped", {
      session: project.id,
      err: failure,
    });
    return undefined;
  }
}
