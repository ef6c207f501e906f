/** The self-metrics exporter: leader and standby alike, to emit.self or the product endpoint. */
import type { FetchLike } from "../base/fetch.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";
import { SECOND } from "../model/duration.ts";
import type { SelfMetrics } from "../selfobs/catalogue.ts";
import { SelfExporter } from "../selfobs/exporter.ts";
import { VERSION } from "../version.ts";

export function selfExporter(
  config: Config,
  identity: string,
  metrics: SelfMetrics,
  log: Logger,
  fetch?: FetchLike,
): SelfExporter {
  const target = config.emit.self?.otlp ?? config.emit.telemetry.otlp;
  // Never faster than the DPM budget allows; one minute unless configured.
  const dpmFloor = Math.trunc((60 * SECOND) / Math.max(1, config.governance.max_dpm));
  const configured = config.emit.self?.metric_interval ?? 0;
  return new SelfExporter(
    {
      endpoint: target.endpoint,
      instanceId: target.instance_id,
      token: target.token,
      resource: {
        "service.name": "genai-otel-bridge",
        "service.namespace": `${config.identity.service_namespace}-meta`,
        "service.version": VERSION,
        "deployment.environment.name": config.identity.deployment_environment,
        "service.instance.id": identity,
      },
      intervalMs: (configured === 0 ? 60 * SECOND : Math.max(configured, dpmFloor)) / 1e6,
      userAgent: `genai-otel-bridge/${VERSION}`,
      fetch,
    },
    metrics.registry,
    log,
  );
}
