/**
 * The noop coordinator (ha.md §6): this replica is the leader at once, with a fixed epoch,
 * until the root signal aborts. Never contacts Kubernetes; pairs with the file checkpoint.
 */
export type OnElected = (leaderSignal: AbortSignal, epoch: number) => Promise<void>;

export interface Coordinator {
  run(root: AbortSignal, onElected: OnElected): Promise<void>;
}

export function noopCoordinator(configuredEpoch = 1): Coordinator {
  return {
    run(root, onElected) {
      return onElected(root, Math.max(1, configuredEpoch));
    },
  };
}
