/**
 * The noop coordinator (ha.md §6): this replica is the leader at once, with a fixed epoch,
 * until the root signal aborts. Never contacts Kubernetes; pairs with the file checkpoint.
 */
/**
 * Called when this replica becomes leader. `valid()` answers synchronously whether leadership
 * is still confirmed right now (for the Lease: the last successful renewal is younger than the
 * renew deadline) — checked before every emit and commit, so a process that was frozen
 * (SIGSTOP, a long GC pause) cannot act on a term it may have lost while it was frozen.
 */
export type OnElected = (leaderSignal: AbortSignal, epoch: number, valid: () => boolean) => Promise<void>;

export interface Coordinator {
  run(root: AbortSignal, onElected: OnElected): Promise<void>;
}

export function noopCoordinator(
  configuredEpoch = 1,
  log?: { info(msg: string, attrs?: Record<string, unknown>): void },
): Coordinator {
  return {
    run(root, onElected) {
      log?.info("leader elected; starting loops", { leader: true, epoch: Math.max(1, configuredEpoch) });
      return onElected(root, Math.max(1, configuredEpoch), () => !root.aborted);
    },
  };
}
