/**
 * A full garbage collection after every so many log records. A logs chunk (thousands of parsed
 * export lines, their stripped records and the encoded request) lives across the awaits of its
 * emit, so it is promoted out of the young generation and only a full collection frees it; left
 * to the runtime's heuristics, the heap grows by tens of MiB while a backlog drains chunk after
 * chunk. Measured with `bun scripts/bench/logs-export.ts` (the 1,000,000-record export in chunks
 * of 5,000; five runs each, the machine's noise about ±10 %): peak RSS 135–146 MiB without; every
 * 20,000 records 106–111 MiB at 90–111 k records per CPU second; every 50,000 records 120–126
 * MiB at 101–126 k (without: 121–128 k). A forced full collection is not cheap (~10 ms here),
 * so it runs every ten chunks, not after each. Metrics-only loops never reach it.
 */

/** Log records, across batches and loops, after which a full collection runs. */
export const RECLAIM_EVERY_RECORDS = 50_000;

export type Collect = (full: boolean) => void;

export class Reclaimer {
  private pending = 0;

  constructor(
    private readonly every: number = RECLAIM_EVERY_RECORDS,
    private readonly collect: Collect = (full) => Bun.gc(full),
  ) {}

  /** Count a processed batch's log records; run a full collection once `every` have passed. */
  afterBatch(records: number): boolean {
    this.pending += records;
    if (this.pending < this.every) return false;
    this.pending = 0;
    this.collect(true);
    return true;
  }
}

/** One per process: the heap is the process's, whichever loop filled it. */
export const processReclaimer = new Reclaimer();
