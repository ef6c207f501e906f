/**
 * Settle-exceedance detection, shared by the loops that re-read settled buckets (Portkey
 * `analytics`, the provider usage reports): each settled bucket's value is kept for a band behind
 * the window; a later, different value for the same series and bucket end is reported once.
 * Detection only — a revised bucket is never re-emitted, its timestamp was already written. In
 * memory, so a restart forgets what it saw.
 */
import { labelKey } from "../model/order.ts";
import type { Time } from "../model/time.ts";
import type { Sample } from "../model/types.ts";

/** One series and bucket end. Name and unit are length-prefixed so no two series share a key. */
function seriesAt(sample: Sample): string {
  const { name, unit } = sample;
  return `${name.length}:${name}${unit.length}:${unit}${labelKey(sample.labels)}@${sample.timestamp}`;
}

export class RevisionHistory {
  private readonly seen = new Map<string, { end: Time; value: number }>();

  /** `band`: how long behind the eviction reference a bucket's value is remembered. */
  constructor(private readonly band: Time) {}

  /** Bucket ends of revised samples, one per revised sample. */
  observe(samples: readonly Sample[], evictRef: Time): Time[] {
    const revised: Time[] = [];
    for (const sample of samples) {
      const key = seriesAt(sample);
      const previous = this.seen.get(key);
      if (previous && !Object.is(previous.value, sample.value)) revised.push(sample.timestamp);
      this.seen.set(key, { end: sample.timestamp, value: sample.value });
    }
    for (const [key, entry] of this.seen) if (entry.end < evictRef - this.band) this.seen.delete(key);
    return revised;
  }
}
