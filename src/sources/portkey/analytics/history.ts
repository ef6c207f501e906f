/**
 * Settle-exceedance detection: remember each settled bucket's value for a
 * band behind the window; a later different value for the same bucket is reported once.
 * Detection only — a revised bucket is never re-emitted. In memory: lost on restart.
 */
import { labelKey } from "../../../model/order.ts";
import type { Time } from "../../../model/time.ts";
import type { Sample } from "../../../model/types.ts";

export class RevisionHistory {
  private readonly seen = new Map<string, { end: Time; value: number }>();

  constructor(private readonly band: Time) {}

  /** Bucket ends of revised samples (one per revised sample). */
  observe(samples: readonly Sample[], evictRef: Time): Time[] {
    const revised: Time[] = [];
    for (const s of samples) {
      const { api_key_use_case: _, ...labels } = s.labels;
      const len = (x: string) => Buffer.byteLength(x);
      const k = `${len(s.name)}:${s.name}${len(s.unit)}:${s.unit}${labelKey(labels)}@${s.timestamp}`;
      const prev = this.seen.get(k);
      if (prev && !Object.is(prev.value, s.value)) revised.push(s.timestamp);
      this.seen.set(k, { end: s.timestamp, value: s.value });
    }
    for (const [k, e] of this.seen) if (e.end < evictRef - this.band) this.seen.delete(k);
    return revised;
  }
}
