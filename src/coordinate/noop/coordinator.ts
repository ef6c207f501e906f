/**
 * The noop coordinator: this replica is the leader at once, until the root signal aborts. Its
 * epoch is the highest one already stored, so a store an HA deployment wrote does not fence a
 * single replica that takes it over. Never contacts Kubernetes.
 */
import type { Coordinator } from "../term.ts";

export interface NoopOptions {
  /** The highest epoch in the checkpoint store (unreadable entries count as 0). */
  storedEpoch: () => Promise<number>;
  log?: { info(msg: string, attrs?: Record<string, unknown>): void };
}

export function noopCoordinator(o: NoopOptions): Coordinator {
  return {
    async run(root, onElected) {
      const stored = await o.storedEpoch();
      const epoch = Math.max(1, stored);
      if (stored > 1) o.log?.info("adopted stored epoch for ha.coordinator=none", { epoch });
      o.log?.info("leader elected; starting loops", { leader: true, epoch });
      return onElected({ signal: root, epoch, valid: () => !root.aborted });
    },
  };
}
