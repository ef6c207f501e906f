/**
 * A leadership term: what a coordinator hands the scheduler when this replica becomes leader,
 * and the only way leadership travels through the runtime.
 */
export interface Term {
  /** Aborts when the term ends (leadership lost, or shutdown). */
  readonly signal: AbortSignal;
  /** The leader epoch; every checkpoint write carries it, so a stale leader's write is fenced. */
  readonly epoch: number;
  /**
   * Whether leadership is still confirmed right now (for the Lease: the last successful renewal
   * is younger than the renew deadline). Synchronous, checked before every emit and commit, so
   * a process that was frozen (SIGSTOP, a long GC pause) cannot act on a term it may have lost.
   */
  valid(): boolean;
}

/** Runs one term to its end; the coordinator waits for it before anything else may lead. */
export type OnElected = (term: Term) => Promise<void>;

export interface Coordinator {
  run(root: AbortSignal, onElected: OnElected): Promise<void>;
}
