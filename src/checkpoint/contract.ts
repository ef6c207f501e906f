/**
 * The checkpoint contract: load returns the ZERO watermark when absent and
 * throws when present-but-unreadable; save is monotonic and epoch-fenced. The stored value is
 * `{"time":"<RFC3339Nano>","cursor":"…","epoch":N}`.
 */
import type { CheckpointKey } from "../model/checkpoint-key.ts";
import { formatRfc3339Nano, NS_PER_S, nowTime, parseRfc3339, type Time, ZERO_TIME } from "../model/time.ts";
import type { Watermark } from "../model/types.ts";

export interface Checkpointer {
  load(key: CheckpointKey, signal?: AbortSignal): Promise<Watermark>;
  save(key: CheckpointKey, w: Watermark, signal?: AbortSignal): Promise<void>;
}

/** A forward-write that the fence refused; benign to the caller. */
export class StaleWrite extends Error {
  override name = "StaleWrite";
}

export class Unencodable extends Error {
  override name = "Unencodable";
}

export class CorruptCheckpoint extends Error {
  override name = "CorruptCheckpoint";
}

export const ZERO_WATERMARK: Watermark = { time: ZERO_TIME, cursor: "", epoch: 0 };

/** Throws StaleWrite when `incoming` would move the stored watermark backwards. */
export function checkMonotonic(stored: Watermark, incoming: Watermark): void {
  if (incoming.epoch < stored.epoch) {
    throw new StaleWrite(`stale epoch ${incoming.epoch} < stored ${stored.epoch}`);
  }
  if (incoming.time < stored.time) {
    throw new StaleWrite(`watermark ${formatRfc3339Nano(incoming.time)} < stored ${formatRfc3339Nano(stored.time)}`);
  }
  if (incoming.time === stored.time && incoming.cursor === stored.cursor) {
    throw new StaleWrite(`watermark unchanged at ${formatRfc3339Nano(incoming.time)}`);
  }
}

const YEAR1 = ZERO_TIME;
const YEAR10000 = 253402300800n * NS_PER_S;

export function checkEncodable(w: Watermark): void {
  if (w.time < YEAR1 || w.time >= YEAR10000) throw new Unencodable("watermark time outside years 1–9999");
}

export function encodeValue(w: Watermark): string {
  return `{"time":${JSON.stringify(formatRfc3339Nano(w.time))},"cursor":${JSON.stringify(w.cursor)},"epoch":${w.epoch}}`;
}

/** Lenient like the reference decoder: unknown keys ignored, missing/null fields zero. */
export function decodeValue(text: string, what: string, now: Time = nowTime()): Watermark {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CorruptCheckpoint(`corrupt checkpoint ${what}: not JSON (refusing)`);
  }
  if (v === null) return ZERO_WATERMARK;
  if (typeof v !== "object" || Array.isArray(v))
    throw new CorruptCheckpoint(`corrupt checkpoint ${what}: not an object (refusing)`);
  return fromFields(v as Record<string, unknown>, what, now);
}

/**
 * How far ahead of this replica's clock a stored watermark may be (another leader's clock can
 * run a little ahead). Beyond it the value is corrupt: a loop would otherwise wait for the
 * future, quietly, with every health check green.
 */
export const FUTURE_SKEW_NS = 5n * 60n * NS_PER_S;

export function fromFields(o: Record<string, unknown>, what: string, now: Time = nowTime()): Watermark {
  let time = ZERO_TIME;
  if (o.time !== undefined && o.time !== null) {
    const t = typeof o.time === "string" ? parseRfc3339(o.time) : undefined;
    if (t === undefined) throw new CorruptCheckpoint(`corrupt checkpoint ${what}: bad time (refusing)`);
    if (t > now + FUTURE_SKEW_NS) {
      throw new CorruptCheckpoint(
        `corrupt checkpoint ${what}: time ${o.time} is in the future (more than 5m ahead of this clock) (refusing)`,
      );
    }
    time = t;
  }
  let cursor = "";
  if (o.cursor !== undefined && o.cursor !== null) {
    if (typeof o.cursor !== "string")
      throw new CorruptCheckpoint(`corrupt checkpoint ${what}: cursor not a string (refusing)`);
    cursor = o.cursor;
  }
  let epoch = 0;
  if (o.epoch !== undefined && o.epoch !== null) {
    if (typeof o.epoch !== "number" || !Number.isInteger(o.epoch)) {
      throw new CorruptCheckpoint(`corrupt checkpoint ${what}: epoch not an integer (refusing)`);
    }
    // Beyond 2^53 a JSON or YAML number has already been rounded: the fence would compare a
    // different epoch than the one written.
    if (!Number.isSafeInteger(o.epoch) || o.epoch < 0) {
      throw new CorruptCheckpoint(`corrupt checkpoint ${what}: epoch ${o.epoch} is out of range (refusing)`);
    }
    epoch = o.epoch;
  }
  return { time, cursor, epoch };
}
