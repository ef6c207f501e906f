/**
 * Token bucket: `rps` tokens per second up to `burst`, starting full; one token per request.
 * Waiters are served in order and a wait is cancellable.
 */
import { sleepOrAbort } from "../base/sleep.ts";

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rps);
    this.last = t;
  }

  /** Take one token, waiting if needed; rejects when `signal` aborts. */
  acquire(signal: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async take(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new Error("aborted");
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      // An abort ends the wait; the check at the top of the loop then throws.
      await sleepOrAbort(Math.ceil(((1 - this.tokens) / this.rps) * 1000), signal);
    }
  }
}
