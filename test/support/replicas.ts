/** Bridge replicas against a real kube-apiserver: lease coordinator + ConfigMap checkpoint. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { start } from "./binary.ts";
import { capture } from "./capture.ts";
import type { FakePortkey } from "./fake-portkey.ts";
import { type Kube, NS } from "./kube.ts";
import { freePort } from "./peers.ts";

export type Replica = ReturnType<typeof start> & { name: string; port: number };

export function haConfig(pk: FakePortkey, endpoint: string, extra = ""): string {
  return `emit: {telemetry: {otlp: {endpoint: "${endpoint}"}}}
identity: {service_namespace: ha, deployment_environment: test}
ha: {coordinator: lease, checkpoint: configmap}
governance: {max_catchup_per_tick: 30}
sources:
  - type: portkey
    enabled: true
    base_url: ${pk.url}
    source_instance: ha-portkey
    http: {allow_private: true}
    auth: {header: x-portkey-api-key, value: "\${PORTKEY_API_KEY}"}
    rate_limit: {rps: 200, burst: 50}
    loops:
      analytics: {enabled: true, cadence: 10s, window: 4m, bucket_settle: 3m, bootstrap_lookback: 50m, max_backfill: 55m}
${extra}`;
}

export async function startReplica(
  kube: Kube,
  dir: string,
  name: string,
  config: string,
  pk: FakePortkey,
  timings = "4s/3s/1s",
  namespace = NS,
): Promise<Replica> {
  const sa = await kube.saDir(name);
  const cfg = join(dir, `${name}.yaml`);
  writeFileSync(cfg, config);
  const port = await freePort();
  const p = start(
    [`-config=${cfg}`, `-kube-api-url=${kube.url}`, `-serviceaccount-dir=${sa}`, `-health-addr=127.0.0.1:${port}`],
    {
      env: {
        POD_NAMESPACE: namespace,
        POD_NAME: name,
        PORTKEY_API_KEY: pk.apiKey,
        GENAI_OTEL_BRIDGE_LEASE_TIMINGS: timings,
      },
    },
  );
  return Object.assign(p, { name, port });
}

export async function metricsOf(r: Replica): Promise<string> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text();
    capture("metrics", text);
    return text;
  } catch {
    return "";
  }
}

export async function until(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<number> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
  return Date.now() - t0;
}
