/**
 * The `sessions` loop: one snapshot per tick of every project's statistics over the last
 * `stats_window`, stamped at the minute (two polls in one minute share a timestamp, so the
 * backend keeps one point per series and minute). The watermark is a heartbeat (`now`).
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { floorMinute } from "../../../model/time.ts";
import type { Batch, Watermark } from "../../../model/types.ts";
import type { HttpClient } from "../../../net/client.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { deliveredThisMinute } from "../../snapshot.ts";
import { listWithStats } from "../projects.ts";
import type { ProjectListSettings } from "../settings.ts";
import { decodeSession } from "./decode.ts";
import { type DeriveOptions, deriveSessions } from "./derive.ts";

export interface SessionsSettings extends ProjectListSettings, DeriveOptions {
  cadence: Duration;
  useApproxStats: boolean;
  series: string[];
}

export class SessionsLoop implements Loop {
  readonly name = "sessions";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window = 0;
  readonly maxBackfill = 0;

  constructor(
    readonly key: CheckpointKey,
    private readonly s: SessionsSettings,
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
    const ctx = { client: this.client, where: "langsmith", report: this.deps.report, warn: this.deps.warn, signal };
    const items = await listWithStats(ctx, this.s, statsStart, decodeSession, "sessions", this.s.useApproxStats);
    const samples = deriveSessions(items, floorMinute(now), this.s);
    return { key: this.key, samples, logs: [], watermark: { ...since, time: now } };
  }
}
