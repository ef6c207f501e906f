/**
 * The workload both benches run the compiled binary on: one Portkey source polling all six
 * analytics graphs of a local fake, emitting to a local sink that accepts everything
 * (`acceptingSink`, on the tests' counting server).
 */
import { countingServer } from "../../test/support/binary.ts";
import type { FakePortkey } from "../../test/support/fake-portkey.ts";

/** A local OTLP sink that reads and accepts every request, and counts them. */
export const acceptingSink = () =>
  countingServer(async (r) => {
    await r.arrayBuffer();
    return new Response("");
  });

/** Config for the workload: six graphs, a 50-minute bootstrap, then one poll per cadence. */
export function workloadConfig(sinkPort: number, pk: FakePortkey, cadence: string): string {
  return `emit: {telemetry: {otlp: {endpoint: "http://127.0.0.1:${sinkPort}"}}}
identity: {service_namespace: bench, deployment_environment: bench}
sources:
  - type: portkey
    enabled: true
    base_url: ${pk.url}
    source_instance: bench
    http: {allow_private: true}
    auth: {header: x-portkey-api-key, value: ${pk.apiKey}}
    rate_limit: {rps: 100, burst: 10}
    loops:
      analytics:
        enabled: true
        cadence: ${cadence}
        window: 50m
        bucket_settle: 3m
        bootstrap_lookback: 50m
        max_backfill: 55m
        graphs: [requests, cost, tokens, latency, errors, users]
`;
}
