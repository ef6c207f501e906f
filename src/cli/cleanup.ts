/**
 * `-cleanup`: the uninstall hook. Deletes the Lease, then the checkpoint ConfigMap
 * (404 counts as done); with `-cleanup-retain-checkpoint` deletes nothing, because the Lease's
 * leaseTransitions is the epoch domain of the stored watermarks. No config is read. 30 s overall.
 */
import { CONFIGMAP_NAME } from "../checkpoint/configmap/store.ts";
import { LEASE_NAME } from "../coordinate/lease/elector.ts";
import { inClusterConfig, KubeClient } from "../kube/client.ts";
import type { Logger } from "../log/logger.ts";

export async function cleanup(
  o: { namespace: string; retain: boolean; apiUrl: string; saDir: string; env: Record<string, string | undefined> },
  log: Logger,
): Promise<number> {
  if (o.namespace === "") {
    log.error("cleanup", { err: "kubernetes namespace is empty: set -namespace or $POD_NAMESPACE" });
    return 1;
  }
  let kube: KubeClient;
  try {
    kube = new KubeClient(
      inClusterConfig({ env: o.env, apiUrl: o.apiUrl, saDir: o.saDir, namespace: o.namespace }),
      (m, a) => log.warn(m, a),
    );
  } catch (e) {
    log.error("in-cluster k8s config", { err: e });
    return 1;
  }
  if (o.retain) {
    log.info("cleanup complete", { namespace: o.namespace, lease: LEASE_NAME, checkpoint_retained: true });
    return 0;
  }
  const signal = AbortSignal.timeout(30_000);
  const failures: string[] = [];
  for (const path of [
    `/apis/coordination.k8s.io/v1/namespaces/${o.namespace}/leases/${LEASE_NAME}`,
    `/api/v1/namespaces/${o.namespace}/configmaps/${CONFIGMAP_NAME}`,
  ]) {
    try {
      const r = await kube.request("DELETE", path, undefined, signal);
      if (r.status !== 200 && r.status !== 202 && r.status !== 404)
        failures.push(KubeClient.error("DELETE", path, r).message);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (failures.length > 0) {
    log.error("cleanup", { err: failures.join("; ") });
    return 1;
  }
  log.info("cleanup complete", { namespace: o.namespace, lease: LEASE_NAME, checkpoint_retained: false });
  return 0;
}
