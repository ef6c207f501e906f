/**
 * Per-key rate limiter for repeated warnings: the first call for a key is
 * allowed, then nothing until `every` has passed since the last allowed one. Counters keep
 * counting; only the log line is throttled.
 */
export class Limiter {
  private readonly last = new Map<string, number>();
  constructor(
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  allow(key: string): boolean {
    const t = this.now();
    const prev = this.last.get(key);
    if (prev !== undefined && t - prev < this.everyMs) return false;
    this.last.set(key, t);
    return true;
  }
}
