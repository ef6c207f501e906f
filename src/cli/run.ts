/**
 * Run mode: the start-up sequence of config.md §7.1, then the coordinator until a signal.
 * Fatals before the logger exists go to stderr; after, to stdout in the configured format.
 * Nothing touches the network before step 17 — every config and build check comes first.
 */

import { ConfigMapCheckpointer } from "../checkpoint/configmap/store.ts";
import type { Checkpointer } from "../checkpoint/contract.ts";
import { resolveCheckpointPath } from "../checkpoint/file/path.ts";
import { FileCheckpointer } from "../checkpoint/file/store.ts";
import { type BuildPlan, planBuild } from "../config/build-rules.ts";
import { SECOND } from "../config/duration.ts";
import { DEFAULT_CONFIG_PATH, loadConfigText } from "../config/load.ts";
import type { Config } from "../config/types.ts";
import { validateConfig } from "../config/validate.ts";
import { leaseCoordinator } from "../coordinate/lease/coordinator.ts";
import { type Coordinator, noopCoordinator } from "../coordinate/noop/coordinator.ts";
import type { FetchLike } from "../emit/otlp/post.ts";
import { inClusterConfig, KubeClient } from "../kube/client.ts";
import { Dur } from "../log/format.ts";
import { bootstrapLogger, Logger, logOptionsFromConfig } from "../log/logger.ts";
import { checkDest, type Resolver, systemResolver } from "../net/egress.ts";
import { SelfMetrics } from "../selfobs/catalogue.ts";
import { SelfExporter } from "../selfobs/exporter.ts";
import { HealthState, livenessThresholdMs, startHealthServer } from "../selfobs/health.ts";
import { prometheusText } from "../selfobs/prometheus.ts";
import { knownSourceTypes, sourceType } from "../sources/registry.ts";
import { VERSION } from "../version.ts";
import { configText } from "./config-source.ts";
import { ecsIdentity } from "./identity.ts";
import { leaseTimings } from "./lease-timings.ts";

export interface RunOptions {
  config: string;
  healthAddr: string;
  namespace: string;
  identity: string;
  containerMemBytes: bigint;
  checkpointFile: string;
  checkpointFileExplicit: boolean;
  dryRun: boolean;
  kubeApiUrl?: string;
  saDir?: string;
  env: Record<string, string | undefined>;
  /** Config text instead of reading -config / the environment (the demo's embedded config). */
  configText?: string;
  /** Self-metric transport override (the demo's in-process sink). */
  selfFetch?: FetchLike;
  /** Stops the run like SIGTERM does (the demo's duration). */
  signal?: AbortSignal;
  /** DNS for the start-up egress check of every base_url (the demo's names do not exist). */
  sourceResolve?: Resolver;
}

/** What the loop runtime gets once everything has been checked. */
export interface RuntimeContext {
  config: Config;
  plan: BuildPlan;
  log: Logger;
  health: HealthState;
  identity: string;
  checkpointer: Checkpointer;
  coordinator: Coordinator;
  metrics: SelfMetrics;
  /** ⌊0.9 × -container-mem-bytes⌋, 0 when unknown. */
  memTargetBytes: bigint;
  dryRun: boolean;
  /** Aborted by SIGTERM/SIGINT. */
  signal: AbortSignal;
}

/** Runs loops until `signal` aborts. Supplied by the scheduler; see src/schedule. */
export type Runtime = (ctx: RuntimeContext) => Promise<void>;

function fatal(log: Logger, step: string, err: unknown): number {
  log.error(step, { err: err instanceof Error ? err.message : String(err) });
  return 1;
}

function endpointHost(ep: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(ep);
  return m?.[1] ? m[1] : ep;
}

export async function runMode(opts: RunOptions, runtime: Runtime): Promise<number> {
  const boot = bootstrapLogger();
  // 3. identity
  let identity = opts.identity;
  if (identity === "") identity = await ecsIdentity(opts.env.ECS_CONTAINER_METADATA_URI_V4, boot);
  // 4. memory: the soft target sizes queues; the JSC heap itself is sized by the runtime from
  // the cgroup limit or BUN_JSC_forceRAMSize, which the chart sets from the same value.
  const memTarget = opts.containerMemBytes > 0n ? (opts.containerMemBytes * 9n) / 10n : 0n;
  // 5. signals: the first aborts the root signal and removes the handlers, so a second one
  // kills the process at once (default disposition).
  const root = new AbortController();
  const onSignal = () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    root.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  opts.signal?.addEventListener("abort", () => root.abort(), { once: true });
  try {
    return await startAndRun(opts, runtime, boot, identity, memTarget, root.signal);
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

async function startAndRun(
  opts: RunOptions,
  runtime: Runtime,
  boot: Logger,
  identity: string,
  memTarget: bigint,
  signal: AbortSignal,
): Promise<number> {
  // 6. load
  let loaded: ReturnType<typeof loadConfigText>;
  try {
    const text = opts.configText ?? configText(opts.config || DEFAULT_CONFIG_PATH, opts.env).text;
    loaded = loadConfigText(text, opts.env, sourceType);
  } catch (e) {
    return fatal(boot, "load config", e);
  }
  const { config, applied } = loaded;
  // 7. replica guard
  const replicasText = opts.env.GENAI_OTEL_BRIDGE_REPLICAS ?? "";
  if (/^[-+]?[0-9]+$/.test(replicasText) && Number(replicasText) > 1 && config.ha.coordinator === "none") {
    return fatal(
      boot,
      "config",
      `ha.coordinator=none with replicas=${Number(replicasText)}: all replicas would be leaders and double-emit — use ha.coordinator=lease for multi-replica HA, or replicas: 1`,
    );
  }
  // 8. logger
  let log: Logger;
  try {
    log = Logger.create({ ...logOptionsFromConfig(config.log.level, config.log.format), instance: identity });
  } catch (e) {
    return fatal(boot, "log handler", e);
  }
  // 9. validation (before any wiring, unlike the reference; same exit code)
  const problems = validateConfig(config, knownSourceTypes());
  if (problems.length > 0) return fatal(log, "build", `config invalid: ${problems.join("\n")}`);
  // 10. summary
  const enabled = config.sources.filter((s) => s.enabled);
  log.info("config loaded", {
    version: VERSION,
    sources_enabled: enabled.length,
    loops_enabled: enabled.reduce((n, s) => n + Object.values(s.loops).filter((l) => l.enabled).length, 0),
    telemetry_endpoint: endpointHost(config.emit.telemetry.otlp.endpoint),
    self_endpoint: config.emit.self !== undefined,
    profiling: config.selfobs.profiling.enabled,
    tracing: config.selfobs.tracing.enabled,
    log_level: config.log.level,
  });
  for (const a of applied) log.info("default applied", { key: a.path, value: a.value });
  if (memTarget > 0n) log.info("memory target", { bytes: memTarget.toString() });
  // 12–13. profiling and tracing are not part of this build; never run silently without them.
  if (config.selfobs.profiling.enabled) {
    return fatal(
      log,
      "selfobs profiling",
      "continuous profiling is not supported by this build; set selfobs.profiling.enabled: false",
    );
  }
  if (config.selfobs.tracing.enabled)
    log.warn("selfobs.tracing.enabled is not supported by this build; no spans are exported");
  // 15. HA wiring
  if ((config.ha.coordinator === "lease" || config.ha.coordinator === "dynamodb") && identity === "") {
    return fatal(
      log,
      "ha identity",
      `leader-election identity is empty but ha.coordinator=${JSON.stringify(config.ha.coordinator)} requires a stable per-replica identity: set -identity or $POD_NAME (k8s downward API), or on ECS ensure $ECS_CONTAINER_METADATA_URI_V4 is reachable so the Task ARN can be read`,
    );
  }
  if (config.ha.coordinator === "dynamodb" || config.ha.checkpoint === "dynamodb") {
    return fatal(
      log,
      "aws config",
      "the dynamodb backends are not available in this build; use lease/configmap or none/file",
    );
  }
  let kube: KubeClient | undefined;
  if (config.ha.coordinator === "lease" || config.ha.checkpoint === "configmap") {
    try {
      const kcfg = inClusterConfig({
        env: opts.env,
        apiUrl: opts.kubeApiUrl,
        saDir: opts.saDir,
        namespace: opts.namespace,
      });
      kube = new KubeClient(kcfg, (m, a) => log.warn(m, a));
    } catch (e) {
      return fatal(log, "in-cluster k8s config", e);
    }
  }
  let checkpointer: Checkpointer;
  if (config.ha.checkpoint === "configmap" && kube) {
    checkpointer = new ConfigMapCheckpointer(kube);
    if (config.ha.coordinator === "none") {
      log.warn(
        "ha.coordinator=none over a durable checkpoint: run exactly one replica (the epoch is adopted from the store)",
        {
          checkpoint: "configmap",
        },
      );
    }
  } else {
    const cp = resolveCheckpointPath(opts.checkpointFile, opts.checkpointFileExplicit, opts.env);
    if (cp.fellBack) {
      log.info("default checkpoint path not writable; using the per-user state directory", { checkpoint: cp.path });
    }
    try {
      checkpointer = new FileCheckpointer(cp.path);
    } catch (e) {
      return fatal(log, "file checkpoint", e);
    }
    log.info("ha.coordinator=none: single replica, file checkpoint", { checkpoint: cp.path });
  }
  // 16. build
  let plan: BuildPlan;
  try {
    plan = planBuild(config, sourceType, (msg, attrs) => log.warn(msg, attrs));
  } catch (e) {
    return fatal(log, "build", e);
  }
  // The egress guard on every base_url before anything is polled: a name that resolves to a
  // metadata, link-local or (without allow_private) private address is refused now, naming the
  // key; the same check runs again on every request, so a later DNS change is caught too.
  for (const [i, s] of config.sources.entries()) {
    if (!s.enabled) continue;
    try {
      await checkDest(new URL(s.base_url), {
        allowHosts: s.http.allow_hosts,
        allowPrivate: s.http.allow_private,
        resolve: opts.sourceResolve ?? systemResolver,
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg.includes("cannot resolve"))
        log.warn("base_url does not resolve yet; requests fail until it does", { source: s.source_instance, err: msg });
      else return fatal(log, "build", `sources[${i}].base_url: ${msg}`);
    }
  }
  let coordinator: Coordinator;
  if (config.ha.coordinator === "lease" && kube) {
    try {
      coordinator = leaseCoordinator(kube, identity, log, leaseTimings(opts.env));
    } catch (e) {
      return fatal(log, "run", e);
    }
  } else {
    // B7: adopt the highest stored epoch so a store written by an HA deployment does not fence us.
    let epoch = 1;
    for (const b of plan.sources) {
      for (const l of b.loops) {
        try {
          epoch = Math.max(epoch, (await checkpointer.load(l.key)).epoch);
        } catch (e) {
          log.warn("checkpoint read failed during epoch adoption", { checkpoint: l.checkpointKey, err: e });
        }
      }
    }
    if (epoch > 1) log.info("adopted stored epoch for ha.coordinator=none", { epoch });
    coordinator = noopCoordinator(epoch, log);
  }
  const metrics = new SelfMetrics();
  // 11. self-metrics export (leader and standby alike)
  const selfTarget = config.emit.self?.otlp ?? config.emit.telemetry.otlp;
  const dpmFloor = Math.trunc((60 * SECOND) / Math.max(1, config.governance.max_dpm));
  const configured = config.emit.self?.metric_interval ?? 0;
  const exporter = opts.dryRun
    ? undefined
    : new SelfExporter(
        {
          endpoint: selfTarget.endpoint,
          instanceId: selfTarget.instance_id,
          token: selfTarget.token,
          resource: {
            "service.name": "genai-otel-bridge",
            "service.namespace": `${config.identity.service_namespace}-meta`,
            "service.version": VERSION,
            "deployment.environment.name": config.identity.deployment_environment,
            "service.instance.id": identity,
          },
          intervalMs: (configured === 0 ? 60 * SECOND : Math.max(configured, dpmFloor)) / 1e6,
          userAgent: `genai-otel-bridge/${VERSION}`,
          fetch: opts.selfFetch,
        },
        metrics.registry,
        log,
      );
  // 17. health server, ready, coordinator
  const cadences = enabled.flatMap((s) =>
    Object.values(s.loops)
      .filter((l) => l.enabled)
      .map((l) => l.cadence),
  );
  const health = new HealthState(livenessThresholdMs(cadences));
  let server: Awaited<ReturnType<typeof startHealthServer>>;
  try {
    server = startHealthServer(opts.healthAddr, health, (req) =>
      new URL(req.url).pathname === "/metrics"
        ? new Response(prometheusText(metrics.registry), { headers: { "Content-Type": "text/plain; version=0.0.4" } })
        : undefined,
    );
  } catch (e) {
    return fatal(log, "run", e);
  }
  health.ready = true;
  exporter?.start();
  log.debug("health server listening", { addr: opts.healthAddr, threshold: new Dur(health.thresholdMs * 1e6) });
  try {
    await runtime({
      config,
      plan,
      log,
      health,
      identity,
      checkpointer,
      coordinator,
      metrics,
      memTargetBytes: memTarget,
      dryRun: opts.dryRun,
      signal,
    });
  } catch (e) {
    if (!signal.aborted) {
      await server.stop();
      await exporter?.stop();
      return fatal(log, "run", e);
    }
  }
  await server.stop();
  // Shutdown steps, each bounded to 5 s (config.md §7.4).
  if (exporter) {
    const ok = await Promise.race([exporter.stop().then(() => true), Bun.sleep(5000).then(() => false)]);
    if (!ok) log.warn("shutdown step did not complete cleanly", { step: "selfobs metrics flush", err: "timeout" });
  }
  log.info("genai-otel-bridge stopped");
  return 0;
}
