/** The HA pair a config asks for: the checkpoint store and the coordinator (Lease or none). */
import { ConfigMapCheckpointer } from "../checkpoint/configmap/store.ts";
import type { Checkpointer } from "../checkpoint/contract.ts";
import { resolveCheckpointPath } from "../checkpoint/file/path.ts";
import { FileCheckpointer } from "../checkpoint/file/store.ts";
import type { Config } from "../config/types.ts";
import { leaseCoordinator } from "../coordinate/lease/coordinator.ts";
import { noopCoordinator } from "../coordinate/noop/coordinator.ts";
import type { Coordinator } from "../coordinate/term.ts";
import { inClusterConfig, KubeClient } from "../kube/client.ts";
import type { Logger } from "../log/logger.ts";
import { Fatal } from "./fatal.ts";
import { leaseTimings } from "./lease-timings.ts";
import type { RunOptions } from "./options.ts";
import type { BuildPlan } from "./plan.ts";

export function kubeClientFor(config: Config, opts: RunOptions, log: Logger): KubeClient | undefined {
  if (config.ha.coordinator !== "lease" && config.ha.checkpoint !== "configmap") return undefined;
  try {
    const kcfg = inClusterConfig({
      env: opts.env,
      apiUrl: opts.kubeApiUrl,
      saDir: opts.saDir,
      namespace: opts.namespace,
    });
    return new KubeClient(kcfg, (m, a) => log.warn(m, a));
  } catch (e) {
    throw new Fatal("in-cluster k8s config", e);
  }
}

export function chooseCheckpointer(
  config: Config,
  opts: RunOptions,
  kube: KubeClient | undefined,
  log: Logger,
): Checkpointer {
  if (config.ha.checkpoint === "configmap" && kube) {
    if (config.ha.coordinator === "none") {
      log.warn(
        "ha.coordinator=none over a durable checkpoint: run exactly one replica (the epoch is adopted from the store)",
        { checkpoint: "configmap" },
      );
    }
    return new ConfigMapCheckpointer(kube);
  }
  const cp = resolveCheckpointPath(opts.checkpointFile, opts.checkpointFileExplicit, opts.env);
  if (cp.fellBack) {
    log.info("default checkpoint path not writable; using the per-user state directory", { checkpoint: cp.path });
  }
  let store: Checkpointer;
  try {
    store = new FileCheckpointer(cp.path);
  } catch (e) {
    throw new Fatal("file checkpoint", e);
  }
  log.info("ha.coordinator=none: single replica, file checkpoint", { checkpoint: cp.path });
  return store;
}

export function chooseCoordinator(
  config: Config,
  opts: RunOptions,
  kube: KubeClient | undefined,
  checkpointer: Checkpointer,
  plan: BuildPlan,
  identity: string,
  log: Logger,
): Coordinator {
  if (config.ha.coordinator === "lease" && kube) {
    try {
      return leaseCoordinator(kube, identity, log, leaseTimings(opts.env));
    } catch (e) {
      throw new Fatal("run", e);
    }
  }
  // Adopt the highest stored epoch, so a store written by an HA deployment does not fence us.
  const storedEpoch = async () => {
    let epoch = 0;
    for (const b of plan.sources) {
      for (const l of b.loops) {
        try {
          epoch = Math.max(epoch, (await checkpointer.load(l.key)).epoch);
        } catch (e) {
          log.warn("checkpoint read failed during epoch adoption", { checkpoint: l.checkpointKey, err: e });
        }
      }
    }
    return epoch;
  };
  return noopCoordinator({ storedEpoch, log });
}
