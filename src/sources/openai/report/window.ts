/**
 * Which buckets one usage collect asks for and which it emits (`openai.md` §5.3, shared by
 * Anthropic). The emitted range is `(start, until]` of bucket ends: from the watermark (or the
 * bootstrap look-back, never before `max_backfill`) to `now − settle`, at most one window.
 * The request starts a revision band earlier (the older buckets feed revision detection only)
 * and both bounds are aligned to the bucket width: an unaligned bound returns partial buckets.
 */
import type { Duration } from "../../../model/duration.ts";
import { NS_PER_S, type Time, ZERO_TIME } from "../../../model/time.ts";

export interface WindowSettings {
  window: Duration;
  bucketSettle: Duration;
  bootstrapLookback: Duration;
  maxBackfill: Duration;
  /** Bucket width in seconds (60 or 3600). */
  widthSeconds: number;
  /** `settings.page_buckets`; 0 means the API's maximum for the width. */
  pageBuckets: number;
}

export type WindowPlan =
  /** Nothing to ask: the batch is empty and the watermark moves to `watermark`. */
  | { kind: "idle"; watermark: Time }
  | {
      kind: "fetch";
      /** Emitted bucket ends lie in `(start, until]`. */
      start: Time;
      until: Time;
      /** Revision detection covers ends in `(fetchStart, until]`. */
      fetchStart: Time;
      /** The aligned request bounds and the page size in buckets. */
      queryStart: Time;
      queryEnd: Time;
      limit: number;
    };

const ns = (d: Duration): Time => BigInt(Math.trunc(d));

/** The API's largest page for a width (1440 one-minute or 168 one-hour buckets). */
export function apiMaxBuckets(widthSeconds: number): number {
  return widthSeconds === 60 ? 1440 : 168;
}

/** The later of two instants (Math.max takes no bigint). */
const later = (a: Time, b: Time): Time => (a > b ? a : b);

export function floorTo(t: Time, width: Time): Time {
  return t - (((t % width) + width) % width);
}

export function planWindow(s: WindowSettings, since: Time, now: Time): WindowPlan {
  const width = BigInt(s.widthSeconds) * NS_PER_S;
  const floor = now - ns(s.maxBackfill);
  let start = since !== ZERO_TIME ? since : now - ns(s.bootstrapLookback);
  if (start < floor) start = floor;
  let until = now - ns(s.bucketSettle);
  if (until - start > ns(s.window)) until = start + ns(s.window);
  if (until <= start) return { kind: "idle", watermark: since };
  // No bucket ends inside (start, until]: nothing to emit, but the quiet time is covered.
  if (floorTo(until, width) <= start) return { kind: "idle", watermark: until };
  const settle2 = 2n * ns(s.bucketSettle);
  const band = settle2 > width ? settle2 : width;
  const fetchStart = later(start - band, floor);
  const queryStart = floorTo(fetchStart, width);
  const queryEnd = floorTo(until, width);
  const buckets = Number((queryEnd - queryStart) / width);
  const pageMax = s.pageBuckets > 0 ? s.pageBuckets : apiMaxBuckets(s.widthSeconds);
  return { kind: "fetch", start, until, fetchStart, queryStart, queryEnd, limit: Math.min(buckets, pageMax) };
}
