/**
 * The Portkey logs_export loop: one step of the export-job state machine per tick (idle →
 * created → polling → downloading → next page or done; blocked on an oversize window), its
 * position in the watermark's cursor, so a failover resumes mid-page from a line boundary. The
 * watermark's time moves only when a whole window has been emitted (or was empty); every
 * other step persists only the cursor. Delivery is at-least-once: a failed or stuck job
 * restarts its window from page 0.
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { formatRfc3339Nano, formatRfc3339Seconds, parseRfc3339, type Time, ZERO_TIME } from "../../../model/time.ts";
import type { Batch, LogRecord, Watermark } from "../../../model/types.ts";
import type { HttpClient } from "../../../net/client.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import type { ExportControl } from "./control.ts";
import { type Cursor, decodeCursor, encodeCursor } from "./cursor.ts";
import { checkSignedUrl, downloadChunk } from "./download.ts";
import type { StripPolicy } from "./strip.ts";

export interface LogsExportSettings {
  cadence: Duration;
  workspaceId: string;
  allowHosts: string[];
  allowPrivate: boolean;
  window: Duration;
  settle: Duration;
  maxBackfill: Duration;
  pageSize: number;
  maxPages: number;
  chunkMax: number;
  jobPollTimeout: Duration;
  downloadTimeout: Duration;
  /** What the export job is asked for (sorted, content-free). */
  requestedData: string[];
  indexedKeys: string[];
  recordKeys: string[];
  metadataKeys: string[];
  traceIdField: string;
  metadataTraceIdField: string;
  /** Use-case slugs: one instance each, or one unlabelled instance. */
  slugs: string[];
}

const ns = (d: Duration): Time => BigInt(Math.trunc(d));

interface Bounds {
  min: Time;
  max: Time;
}

export class LogsExportLoop implements Loop {
  readonly name = "logs_export";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window = 0;
  readonly maxBackfill = 0;
  private readonly policy: StripPolicy;

  constructor(
    readonly key: CheckpointKey,
    private readonly s: LogsExportSettings,
    slug: string,
    private readonly apiKeyIds: string[],
    private readonly control: ExportControl,
    private readonly objects: HttpClient,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = s.cadence;
    this.policy = {
      indexed: new Set(s.indexedKeys),
      record: new Set(s.recordKeys),
      metadata: s.metadataKeys,
      traceIdField: s.traceIdField,
      metadataTraceIdField: s.metadataTraceIdField,
      slug,
    };
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const now = this.deps.now();
    const c = decodeCursor(since.cursor);
    switch (c.phase) {
      case "idle":
        return this.idle(since, now, signal);
      case "created":
        return c.job_id ? this.startJob(since, c, c.job_id, now, signal) : this.createPage(since, c, signal);
      case "polling":
        return this.poll(since, c, now, signal);
      case "downloading":
        return this.download(since, c, signal);
      case "blocked":
        return this.blocked(since, c, now);
    }
  }

  private batch(watermark: Watermark, logs: LogRecord[] = []): Batch {
    return { key: this.key, samples: [], logs, watermark };
  }

  private persist(since: Watermark, c: Cursor, logs: LogRecord[] = []): Batch {
    return this.batch({ ...since, cursor: encodeCursor(c) }, logs);
  }

  private resetIdle(since: Watermark): Batch {
    return this.persist(since, { phase: "idle" });
  }

  private bounds(sinceTime: Time, now: Time): Bounds & { settled: boolean } {
    let min = sinceTime !== ZERO_TIME ? sinceTime : now - ns(this.s.window);
    const floor = now - ns(this.s.maxBackfill);
    if (min < floor) {
      if (sinceTime !== ZERO_TIME) {
        this.deps.warn("logs_export: span older than max_backfill skipped", {
          from: formatRfc3339Nano(min),
          to: formatRfc3339Nano(floor),
        });
      }
      min = floor;
    }
    let max = min + ns(this.s.window);
    if (max > now - ns(this.s.settle)) max = now - ns(this.s.settle);
    return { min, max, settled: max > min };
  }

  private cursorBounds(c: Cursor): Bounds | undefined {
    const min = parseRfc3339(c.win_min ?? "");
    const max = parseRfc3339(c.win_max ?? "");
    return min === undefined || max === undefined ? undefined : { min, max };
  }

  private createBody(b: Bounds, page: number) {
    const min = formatRfc3339Seconds(b.min);
    const max = formatRfc3339Seconds(b.max);
    // Keys in sorted order, as the Go implementation serialises them.
    return {
      description: `genai-otel-bridge/${this.sourceInstance}/logs/${min}..${max}`,
      filters: {
        ...(this.apiKeyIds.length > 0 ? { api_key_ids: this.apiKeyIds } : {}),
        current_page: page,
        page_size: this.s.pageSize,
        time_of_generation_max: max,
        time_of_generation_min: min,
      },
      requested_data: this.s.requestedData,
      workspace_id: this.s.workspaceId,
    };
  }

  private async idle(since: Watermark, now: Time, signal: AbortSignal): Promise<Batch> {
    const b = this.bounds(since.time, now);
    if (!b.settled) return this.batch(since);
    const { id, total } = await this.control.create(this.createBody(b, 0), signal);
    const win = { win_min: formatRfc3339Nano(b.min), win_max: formatRfc3339Nano(b.max) };
    if (total <= 0) return this.batch({ ...since, time: b.max, cursor: "" });
    const pages = Math.ceil(total / this.s.pageSize);
    if (pages > this.s.maxPages) {
      this.deps.report({
        kind: "part_skipped",
        part: "window_oversize",
        reason: `${pages} pages > max_pages_per_window`,
      });
      return this.persist(since, { phase: "blocked", ...win, pages, total_records: total });
    }
    return this.persist(since, { phase: "created", job_id: id, ...win, page: 0, pages, total_records: total });
  }

  /** The next page's job, created on the tick after the previous page completed. */
  private async createPage(since: Watermark, c: Cursor, signal: AbortSignal): Promise<Batch> {
    const b = this.cursorBounds(c);
    if (!b) return this.resetIdle(since);
    const { id } = await this.control.create(this.createBody(b, c.page ?? 0), signal);
    return this.persist(since, { ...c, job_id: id });
  }

  private async startJob(since: Watermark, c: Cursor, id: string, now: Time, signal: AbortSignal): Promise<Batch> {
    try {
      await this.control.start(id, signal);
    } catch (e) {
      // A lost ACK: the start reached the server but its answer did not reach us.
      const status = await this.control.status(id, signal).catch(() => "draft");
      if (status === "draft") throw e;
    }
    return this.persist(since, {
      ...c,
      phase: "polling",
      poll_deadline: formatRfc3339Nano(now + ns(this.s.jobPollTimeout)),
    });
  }

  private async poll(since: Watermark, c: Cursor, now: Time, signal: AbortSignal): Promise<Batch> {
    const id = c.job_id ?? "";
    const status = await this.control.status(id, signal);
    switch (status) {
      case "success":
        return this.persist(since, { ...c, phase: "downloading", page_offset_done: 0, page_byte_offset: 0 });
      case "draft":
        return this.persist(since, { ...c, phase: "created" });
      case "queued":
      case "in_progress": {
        const deadline = parseRfc3339(c.poll_deadline ?? "");
        if (deadline !== undefined && now > deadline) {
          this.deps.report({
            kind: "part_skipped",
            part: "export_stuck",
            reason: `job still ${status} at its deadline`,
          });
          await this.control.cancel(id, signal);
          return this.resetIdle(since);
        }
        return this.batch(since);
      }
      default:
        this.deps.report({
          kind: "part_skipped",
          part: "export_failed",
          reason: `job status ${JSON.stringify(status)}`,
        });
        return this.resetIdle(since);
    }
  }

  private async download(since: Watermark, c: Cursor, signal: AbortSignal): Promise<Batch> {
    const b = this.cursorBounds(c);
    if (!b) return this.resetIdle(since);
    const raw = await this.control.signedUrl(c.job_id ?? "", signal);
    const url = checkSignedUrl(raw, this.s.allowHosts, this.s.allowPrivate);
    const chunk = await downloadChunk(
      this.objects,
      url,
      {
        skip: c.page_offset_done ?? 0,
        byteOffset: c.page_byte_offset ?? 0,
        max: this.s.chunkMax,
        fallback: b.max,
        policy: this.policy,
      },
      (r) => this.deps.report(r),
      signal,
    );
    const done = (c.page_offset_done ?? 0) + chunk.linesRead;
    if (!chunk.eof) {
      return this.persist(
        since,
        { ...c, page_offset_done: done, page_byte_offset: chunk.nextByteOffset },
        chunk.records,
      );
    }
    const page = c.page ?? 0;
    if (page + 1 < (c.pages ?? 1)) {
      const { job_id: _job, page_offset_done: _lines, page_byte_offset: _bytes, poll_deadline: _deadline, ...rest } = c;
      return this.persist(since, { ...rest, phase: "created", page: page + 1 }, chunk.records);
    }
    return this.batch({ ...since, time: b.max, cursor: "" }, chunk.records);
  }

  private blocked(since: Watermark, c: Cursor, now: Time): Batch {
    const b = this.bounds(since.time, now);
    const stored = this.cursorBounds(c);
    if (!b.settled || !stored || stored.min !== b.min || stored.max !== b.max) return this.resetIdle(since);
    throw new Error(
      `portkey logs_export: window [${c.win_min}..${c.win_max}] needs ${c.pages ?? 0} pages > max_pages_per_window ${this.s.maxPages} — shrink window`,
    );
  }
}
