/**
 * The ConfigMap store through the shared checkpoint-store contract, on a real kube-apiserver
 * with etcd, writing as the bridge's ServiceAccount under the chart's Role; two store
 * instances are two replicas racing on the same ConfigMap.
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigMapCheckpointer, dataKey } from "../../src/checkpoint/configmap/store.ts";
import { inClusterConfig, KubeClient } from "../../src/kube/client.ts";
import { keyString } from "../../src/model/checkpoint-key.ts";
import { checkpointContract } from "../support/checkpoint-contract.ts";
import { CM, type Kube, NS, startKube } from "../support/kube.ts";

let dir = "";
let kube: Kube;
let replicas = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "it-cm-store-"));
  kube = await startKube(join(dir, "kube"));
}, 120_000);

afterAll(async () => {
  await kube?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function replica(): Promise<ConfigMapCheckpointer> {
  const saDir = await kube.saDir(`store-${replicas++}`);
  return new ConfigMapCheckpointer(
    new KubeClient(inClusterConfig({ env: {}, apiUrl: kube.url, saDir, namespace: NS })),
  );
}

checkpointContract({
  title: "ConfigMap (real API server)",
  open: replica,
  peer: replica,
  reopen: replica,
  corrupt: async (key) => {
    const path = `/api/v1/namespaces/${NS}/configmaps/${CM}`;
    const cm = (await kube.admin("GET", path)).body;
    const data = { ...((cm.data ?? {}) as Record<string, string>), [dataKey(keyString(key))]: "{not json" };
    const r = await kube.admin("PUT", path, { ...cm, data });
    if (r.status !== 200) throw new Error(`corrupt: PUT ${r.status}`);
  },
});
