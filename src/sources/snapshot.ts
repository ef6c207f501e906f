/**
 * For snapshot loops that stamp their values at a minute (LangSmith `sessions` and `usage`, Portkey
 * `groups`): was this minute's snapshot already delivered? The watermark is the last delivered
 * poll's `now`. A second snapshot at the same timestamp carrying newer values would be refused by
 * Mimir as a duplicate sample and counted as data loss, so such a poll asks nothing and sends
 * nothing until the stamp's minute turns. `lag` is how far behind `now` the stamp is taken
 * (groups stamps at `now − settle`).
 */
import { floorMinute, type Time, ZERO_TIME } from "../model/time.ts";
import type { Watermark } from "../model/types.ts";

export function deliveredThisMinute(since: Watermark, now: Time, lag: Time = 0n): boolean {
  return since.time !== ZERO_TIME && floorMinute(since.time - lag) === floorMinute(now - lag);
}
