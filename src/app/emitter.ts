/** The product emitter a config asks for: OTLP/HTTP, or JSON lines on stdout under --dry-run. */

import { sleepOrAbort } from "../base/sleep.ts";
import { writeStdout } from "../base/stdio.ts";
import type { Config } from "../config/types.ts";
import { createEmitter, type Emitter } from "../emit/otlp/emitter.ts";
import { logsRequestJson, metricsRequestJson } from "../emit/otlp/json.ts";
import { DEFAULT_RETRY, type PostDeps } from "../emit/otlp/post.ts";
import type { Logger } from "../log/logger.ts";
import { redact } from "../log/redact.ts";
import type { Labels } from "../model/types.ts";
import { proxiedFetch } from "../net/proxied-fetch.ts";
import type { SelfMetrics } from "../selfobs/catalogue.ts";
import { VERSION } from "../version.ts";
import type { Wiring } from "./options.ts";

export const USER_AGENT = `genai-otel-bridge/${VERSION}`;

/** The product resource: the same three attributes on every metric and log request. */
export function productIdentity(config: Config): Labels {
  return {
    "service.name": "genai-otel-bridge",
    "service.namespace": config.identity.service_namespace,
    "deployment.environment.name": config.identity.deployment_environment,
  };
}

export function buildEmitter(
  config: Config,
  dryRun: boolean,
  metrics: SelfMetrics,
  log: Logger,
  wiring: Wiring,
): Emitter {
  const identity = productIdentity(config);
  if (dryRun) {
    const write = wiring.dryRunWrite ?? ((l: string) => writeStdout(`${l}\n`));
    return {
      async emitSamples(samples) {
        write(JSON.stringify(metricsRequestJson(identity, samples)));
        return { kind: "ok" };
      },
      async emitLogs(records) {
        write(JSON.stringify(logsRequestJson(identity, records)));
        return { kind: "ok" };
      },
    };
  }
  const otlp = config.emit.telemetry.otlp;
  const deps: PostDeps = {
    fetch: wiring.emitFetch ?? proxiedFetch,
    now: () => performance.now(),
    sleep: sleepOrAbort,
    random: Math.random,
    policy: DEFAULT_RETRY,
    timeoutMs: 30_000,
    redact,
    observer: (plane, status, _err, ms) => metrics.emitRequest(plane, status, ms / 1000),
    onPartialReject: (plane, n, msg) => {
      metrics.partialRejected(plane, n);
      log.warnLimited(
        `partial:${plane}`,
        "OTLP gateway rejected part of an emit batch via a 200 partial_success response; the rejected data was NOT delivered (alert on genai_otel_bridge_emit_partial_success_rejected_total)",
        { plane, rejected: n, gateway_message: msg },
      );
    },
  };
  return createEmitter(
    {
      endpoint: otlp.endpoint,
      instanceId: otlp.instance_id,
      token: otlp.token,
      identity,
      maxBatchBytes: config.queue.max_batch_bytes,
      userAgent: USER_AGENT,
    },
    deps,
  );
}
