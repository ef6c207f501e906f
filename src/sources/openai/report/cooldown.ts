/**
 * The 429 cooldown both loops of one source share. A `Retry-After` of whole seconds (at most
 * 15 minutes honoured) arms it; until it passes every collect of either loop fails at once,
 * without a request. A 429 without the header (or with one that is not a positive integer)
 * arms nothing: the next tick simply asks again.
 */
import { formatRfc3339Seconds, NS_PER_S, type Time } from "../../../model/time.ts";
import type { LoopDeps } from "../../loop.ts";

const MAX_COOLDOWN_S = 15 * 60;

export class Cooldown {
  private until: Time | undefined;

  constructor(private readonly vendor: string) {}

  /** Arm from a 429's `Retry-After` value (null when absent). */
  arm(retryAfter: string | null, now: Time): void {
    const text = (retryAfter ?? "").trim();
    if (!/^[0-9]+$/.test(text)) return;
    const seconds = Math.min(Number(text), MAX_COOLDOWN_S);
    if (seconds < 1) return;
    this.until = now + BigInt(seconds) * NS_PER_S;
  }

  /** Throws (and reports the skip) while a cooldown is running. */
  check(now: Time, report: LoopDeps["report"]): void {
    if (this.until === undefined || now >= this.until) return;
    report({ kind: "part_skipped", part: "rate_limited", reason: "cooling down after a 429" });
    throw new Error(`${this.vendor}: rate limited, cooling down until ${formatRfc3339Seconds(this.until)}`);
  }
}
