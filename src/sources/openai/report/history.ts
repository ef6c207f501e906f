/**
 * Settle-exceedance detection for the usage loops: each settled bucket's values are kept for
 * a band behind the window; a later, different value for the same series and bucket end is
 * reported once. Detection only: a revised bucket is never re-emitted (its timestamp was
 * written). In memory, so a restart forgets what it saw.
 */
import { labelKey } from "../../../model/order.ts";
import type { Time } from "../../../model/time.ts";
import type { Sample } from "../../../model/types.ts";

export class RevisionHistory {
  private readonly seen = new Map<string, { end: Time; value: number }>();

  constructor(private readonly band: Time) {}

  /** Bucket ends of revised samples, one per revised sample. */
  observe(samples: readonly Sample[], evictRef: Time): Time[] {
    const revised: Time[] = [];
    for (const s of samples) {
      const key = `${s.name}\u0000${labelKey(s.labels)}@${s.timestamp}`;
      const prev = this.seen.get(key);
      if (prev && !Object.is(prev.value, s.value)) revised.push(s.timestamp);
      this.seen.set(key, { end: s.timestamp, value: s.value });
    }
    for (const [key, entry] of this.seen) if (entry.end < evictRef - this.band) this.seen.delete(key);
    return revised;
  }
}
