/**
 * The `runs` loop: one content-free log record per run, read forward in windows with one
 * `runs/query` page per tick. Idle, it opens the next window `[watermark, min(watermark +
 * window, now − settle)]` (clamped to `max_backfill`, counted); draining, it reads the next
 * page at the persisted cursor. The watermark's time moves to the window's end only when the
 * window is drained (or its page cap hit, counted); until then only the cursor moves. The
 * runtime commits either only after the records were accepted: delivery is at least once.
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { formatRfc3339Nano, type Time, ZERO_TIME } from "../../../model/time.ts";
import type { Batch, Watermark } from "../../../model/types.ts";
import type { HttpClient } from "../../../net/client.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { queryRuns } from "./query.ts";
import type { RunsScope, ScopeSettings } from "./scope.ts";
import { type RunPolicy, stripRun } from "./strip.ts";

export interface RunsSettings extends ScopeSettings {
  cadence: Duration;
  window: Duration;
  settle: Duration;
  maxBackfill: Duration;
  pageSize: number;
  maxPagesPerWindow: number;
  rootOnly: boolean;
  runType: string;
  indexed: string[];
  record: string[];
  select: string[];
}

const ns = (d: Duration): Time => BigInt(Math.trunc(d));
const earlier = (a: Time, b: Time): Time => (a < b ? a : b);

export class RunsLoop implements Loop {
  readonly name = "runs";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window = 0;
  readonly maxBackfill = 0;
  private readonly policy: RunPolicy;

  constructor(
    readonly key: CheckpointKey,
    private readonly s: RunsSettings,
    private readonly client: HttpClient,
    private readonly scope: RunsScope,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = s.cadence;
    this.policy = { indexed: new Set(s.indexed), record: new Set(s.record) };
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const now = this.deps.now();
    const decoded = decodeCursor(since.cursor);
    if (decoded.kind === "corrupt") {
      this.deps.warn("langsmith runs: checkpoint cursor unreadable; starting a new window", { why: decoded.why });
    }
    let winMin: Time;
    let winMax: Time;
    let resume = "";
    let page = 0;
    const draining = decoded.kind === "draining";
    if (decoded.kind === "draining") {
      ({ winMin, winMax, next: resume, page } = decoded.cursor);
    } else {
      winMin = since.time !== ZERO_TIME ? since.time : now - ns(this.s.window);
      const floor = now - ns(this.s.maxBackfill);
      if (winMin < floor) {
        this.deps.warn("langsmith runs: window start older than settings.max_backfill; skipping ahead", {
          from: formatRfc3339Nano(winMin),
          to: formatRfc3339Nano(floor),
        });
        this.deps.report({
          kind: "part_skipped",
          part: "backfill_skipped",
          reason: "window start clamped to max_backfill",
        });
        winMin = floor;
      }
      const settled = now - ns(this.s.settle);
      const end = winMin + ns(this.s.window);
      winMax = earlier(end, settled);
      // Nothing settled yet: no request at all, not even discovery.
      if (winMax <= winMin) return { key: this.key, samples: [], logs: [], watermark: { ...since, cursor: "" } };
    }
    const scope = await this.scope.resolve(now, draining, signal);
    const result = await queryRuns(
      this.client,
      {
        scope,
        select: this.s.select,
        winMin,
        winMax,
        pageSize: this.s.pageSize,
        cursor: resume,
        rootOnly: this.s.rootOnly,
        runType: this.s.runType,
      },
      this.s.maxResponseBytes,
      this.deps.report,
      signal,
    );
    const logs = result.runs.map((run) => stripRun(run, winMax, this.policy));
    page++;
    if (result.next !== "" && page < this.s.maxPagesPerWindow) {
      const cursor = encodeCursor({ winMin, winMax, next: result.next, page });
      return { key: this.key, samples: [], logs, watermark: { ...since, cursor } };
    }
    if (result.next !== "") {
      this.deps.warn("langsmith runs: page cap reached with more pages pending; the rest of the window is abandoned", {
        max_pages_per_window: this.s.maxPagesPerWindow,
        window_end: formatRfc3339Nano(winMax),
      });
      this.deps.report({ kind: "part_skipped", part: "window_truncated", reason: "max_pages_per_window reached" });
    }
    return { key: this.key, samples: [], logs, watermark: { ...since, time: winMax, cursor: "" } };
  }
}
