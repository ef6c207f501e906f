/**
 * A report bucket once its provider's form is read (OpenAI: Unix seconds; Anthropic: RFC 3339),
 * and the shape checks both providers' loops apply: every bucket exactly one width long and
 * aligned to it, no start twice. A bucket that breaks them means the API answered at another
 * granularity than asked; the loop degrades instead of emitting misplaced values.
 */
import { NS_PER_S, type Time } from "../../../model/time.ts";
import { LoopDegraded } from "../../outcome.ts";

export interface Bucket {
  start: Time;
  end: Time;
  results: unknown[];
}

export const DAY_SECONDS = 86_400;

const unexpected = (where: string, what: string) =>
  new LoopDegraded("granularity_unexpected", `${where}: ${what} (granularity unexpected)`);

/** Usage buckets, sorted by start: each exactly `widthSeconds` long, aligned, unique. */
export function checkUsageBuckets(buckets: Bucket[], widthSeconds: number, where: string): Bucket[] {
  const width = BigInt(widthSeconds) * NS_PER_S;
  const sorted = [...buckets].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const seen = new Set<Time>();
  for (const b of sorted) {
    if (b.end - b.start !== width || b.start % width !== 0n) {
      throw unexpected(
        where,
        `bucket ${b.start / NS_PER_S}→${b.end / NS_PER_S} is not one aligned ${widthSeconds}s bucket`,
      );
    }
    if (seen.has(b.start)) throw unexpected(where, `duplicate bucket starting ${b.start / NS_PER_S}`);
    seen.add(b.start);
  }
  return sorted;
}

/**
 * Daily cost buckets, sorted by start: aligned to UTC days and unique; each a whole day long,
 * except today's, which may end anywhere after its start (the API cuts it at request time).
 */
export function checkDailyBuckets(buckets: Bucket[], day0: Time, where: string): Bucket[] {
  const day = BigInt(DAY_SECONDS) * NS_PER_S;
  const sorted = [...buckets].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const seen = new Set<Time>();
  for (const b of sorted) {
    const partialToday = b.start === day0 && b.end > b.start && b.end <= b.start + day;
    if (b.start % day !== 0n || (b.end - b.start !== day && !partialToday)) {
      throw unexpected(where, `bucket ${b.start / NS_PER_S}→${b.end / NS_PER_S} is not one aligned UTC day`);
    }
    if (seen.has(b.start)) throw unexpected(where, `duplicate bucket starting ${b.start / NS_PER_S}`);
    seen.add(b.start);
  }
  return sorted;
}
