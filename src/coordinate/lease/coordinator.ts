/**
 * The Lease coordinator: campaign, lead while renewals succeed, and on a
 * renewal lapse abort the leader signal, wait for the old term to finish (the barrier), then
 * campaign again in-process. SIGTERM does not release the Lease: standbys take over when it
 * expires, and the checkpoint fence — not the Lease — is what stops a frozen ex-leader.
 */

import { sleepOrAbort } from "../../base/sleep.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { Logger } from "../../log/logger.ts";
import type { Coordinator, OnElected } from "../term.ts";
import { DEFAULT_TIMINGS, Elector, type LeaseTimings, validateTimings } from "./elector.ts";

export function leaseCoordinator(
  kube: KubeClient,
  identity: string,
  log: Logger,
  timings: LeaseTimings = DEFAULT_TIMINGS,
  random: () => number = Math.random,
): Coordinator {
  validateTimings(timings, identity);
  const t = timings;

  async function acquire(e: Elector, root: AbortSignal): Promise<boolean> {
    let warned = "";
    let standbyLogged = false;
    while (!root.aborted) {
      if (await e.tryAcquireOrRenew(root).catch(() => false)) return true;
      // A standby waiting for a live leader has no error; anything else (403, unreachable) is
      // worth one line per distinct cause.
      if (e.lastError === "" && !standbyLogged) {
        log.info("standing by; another replica holds the lease", { leader: false });
        standbyLogged = true;
      }
      if (e.lastError !== "" && e.lastError !== warned) {
        log.warnLimited(`lease:${e.lastError}`, "leader election attempt failed", { err: e.lastError });
        warned = e.lastError;
      }
      await sleepOrAbort(t.retryPeriodMs * (1 + 1.2 * random()), root);
    }
    return false;
  }

  /** Renew until a round fails (lost) or the root aborts; aborts the leader signal either way. */
  async function renewLoop(e: Elector, leader: AbortController, root: AbortSignal): Promise<void> {
    // Stops with the root (shutdown) or with the term itself (watchdog): a demoted replica must
    // never renew the Lease it gave up.
    const stop = AbortSignal.any([root, leader.signal]);
    while (!stop.aborted) {
      await sleepOrAbort(t.retryPeriodMs, stop);
      if (stop.aborted) break;
      const round = new AbortController();
      const deadline = setTimeout(() => round.abort(), t.renewDeadlineMs);
      const roundSignal = AbortSignal.any([round.signal, stop]);
      let ok = false;
      while (!roundSignal.aborted) {
        if (await e.tryAcquireOrRenew(roundSignal).catch(() => false)) {
          ok = true;
          break;
        }
        await sleepOrAbort(t.retryPeriodMs, roundSignal);
      }
      clearTimeout(deadline);
      if (!ok && !stop.aborted) {
        leader.abort(new Error("leadership lost"));
        return;
      }
    }
    if (!leader.signal.aborted) leader.abort(new Error("shutdown"));
  }

  return {
    async run(root: AbortSignal, onElected: OnElected): Promise<void> {
      while (!root.aborted) {
        const e = new Elector(kube, identity, t);
        if (!(await acquire(e, root))) {
          log.debug("leader-election stopped without ever leading (standby)");
          return;
        }
        const epoch = e.transitions;
        const leader = new AbortController();
        const onRoot = () => leader.abort(new Error("shutdown"));
        root.addEventListener("abort", onRoot, { once: true });
        const valid = () => !leader.signal.aborted && performance.now() - e.lastSuccess < t.renewDeadlineMs;
        // Watchdog: a renewal overdue past the deadline ends the term at once, even if the renew
        // loop itself is stuck in a hung request or the process was frozen.
        const watchdog = setInterval(
          () => {
            if (!leader.signal.aborted && !valid())
              leader.abort(new Error("lease not renewed within the renew deadline"));
          },
          Math.min(100, t.retryPeriodMs),
        );
        log.info("leader elected; starting loops", { leader: true, identity, epoch });
        const done = onElected({ signal: leader.signal, epoch, valid });
        await renewLoop(e, leader, root);
        clearInterval(watchdog);
        await done; // barrier: the old term is fully over before anything else happens
        root.removeEventListener("abort", onRoot);
        if (root.aborted) {
          log.info("leadership released on shutdown; loops stopped");
          return;
        }
        log.warn("leadership lost (renewal lapse); loops stopped", e.lastError ? { err: e.lastError } : undefined);
      }
    },
  };
}
