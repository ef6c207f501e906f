/**
 * Run mode: load and check everything, then start the health server and the coordinator and
 * run until a signal. Nothing touches a vendor or the OTLP endpoint before every config and
 * build check has passed. Fatals before the logger exists go to stderr; after, to stdout in
 * the configured format. The only composition root: the CLI and the demo call `runMode`.
 */

import { DEFAULT_CONFIG_PATH, loadConfigText } from "../config/load.ts";
import { configText } from "../config/source.ts";
import type { AppliedDefault, Config } from "../config/types.ts";
import { validateConfig } from "../config/validate.ts";
import { Dur } from "../log/format.ts";
import { bootstrapLogger, Logger, logOptionsFromConfig } from "../log/logger.ts";
import { checkDest, systemResolver } from "../net/egress.ts";
import { SelfMetrics } from "../selfobs/catalogue.ts";
import { HealthState, livenessThresholdMs, startHealthServer } from "../selfobs/health.ts";
import { prometheusText } from "../selfobs/prometheus.ts";
import { registry as defaultRegistry, type Registry } from "../sources/registry.ts";
import { VERSION } from "../version.ts";
import { Fatal } from "./fatal.ts";
import { chooseCheckpointer, chooseCoordinator, kubeClientFor } from "./ha.ts";
import { ecsIdentity } from "./identity.ts";
import type { RunOptions } from "./options.ts";
import { type BuildPlan, planBuild } from "./plan.ts";

function endpointHost(ep: string): string {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(ep);
  return m?.[1] ? m[1] : ep;
}

export async function runMode(opts: RunOptions): Promise<number> {
  const boot = bootstrapLogger();
  let identity = opts.identity;
  if (identity === "") identity = await ecsIdentity(opts.env.ECS_CONTAINER_METADATA_URI_V4, boot);
  // The soft memory target sizes queues; the JSC heap itself is sized by the runtime from the
  // cgroup limit or BUN_JSC_forceRAMSize, which the chart sets from the same value.
  const memTarget = opts.containerMemBytes > 0n ? (opts.containerMemBytes * 9n) / 10n : 0n;
  // The first signal aborts the root signal and removes the handlers, so a second one kills the
  // process at once (default disposition).
  const root = new AbortController();
  const onSignal = () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    root.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  opts.signal?.addEventListener("abort", () => root.abort(), { once: true });
  let log = boot;
  try {
    const registry = opts.registry ?? defaultRegistry;
    const { config, applied } = loadConfig(opts, registry);
    log = makeLogger(config, identity);
    checkLoaded(config, applied, registry, log);
    return await start(opts, { config, log, registry }, identity, memTarget, root.signal);
  } catch (e) {
    if (e instanceof Fatal) {
      log.error(e.step, { err: e.message });
      return 1;
    }
    throw e;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

interface Loaded {
  config: Config;
  log: Logger;
  registry: Registry;
}

/** Load the config and refuse a replica count it cannot serve (before the logger exists). */
function loadConfig(opts: RunOptions, registry: Registry): ReturnType<typeof loadConfigText> {
  let loaded: ReturnType<typeof loadConfigText>;
  try {
    const text = opts.configText ?? configText(opts.config || DEFAULT_CONFIG_PATH, opts.env).text;
    loaded = loadConfigText(text, opts.env, registry);
  } catch (e) {
    throw new Fatal("load config", e);
  }
  const replicasText = opts.env.GENAI_OTEL_BRIDGE_REPLICAS ?? "";
  if (/^[-+]?[0-9]+$/.test(replicasText) && Number(replicasText) > 1 && loaded.config.ha.coordinator === "none") {
    throw new Fatal(
      "config",
      `ha.coordinator=none with replicas=${Number(replicasText)}: all replicas would be leaders and double-emit — use ha.coordinator=lease for multi-replica HA, or replicas: 1`,
    );
  }
  return loaded;
}

function makeLogger(config: Config, identity: string): Logger {
  try {
    return Logger.create({ ...logOptionsFromConfig(config.log.level, config.log.format), instance: identity });
  } catch (e) {
    throw new Fatal("log handler", e);
  }
}

/** Validate (before any wiring; the reference wires first, with the same exit code) and summarise. */
function checkLoaded(config: Config, applied: AppliedDefault[], registry: Registry, log: Logger): void {
  const problems = validateConfig(config, registry.types());
  if (problems.length > 0) throw new Fatal("build", `config invalid: ${problems.join("\n")}`);
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
}

async function start(
  opts: RunOptions,
  { config, log, registry }: Loaded,
  identity: string,
  memTarget: bigint,
  signal: AbortSignal,
): Promise<number> {
  if (memTarget > 0n) log.info("memory target", { bytes: memTarget.toString() });
  // Profiling and tracing are not part of this build; never run silently without them.
  if (config.selfobs.profiling.enabled) {
    throw new Fatal(
      "selfobs profiling",
      "continuous profiling is not supported by this build; set selfobs.profiling.enabled: false",
    );
  }
  if (config.selfobs.tracing.enabled)
    log.warn("selfobs.tracing.enabled is not supported by this build; no spans are exported");
  checkHaPrerequisites(config, identity);
  const kube = kubeClientFor(config, opts, log);
  const checkpointer = chooseCheckpointer(config, opts, kube, log);
  let plan: BuildPlan;
  try {
    plan = planBuild(config, registry, (msg, attrs) => log.warn(msg, attrs));
  } catch (e) {
    throw new Fatal("build", e);
  }
  await checkBaseUrls(config, opts, log);
  const coordinator = chooseCoordinator(config, opts, kube, checkpointer, plan, identity, log);
  const metrics = new SelfMetrics();
  const cadences = config.sources
    .filter((s) => s.enabled)
    .flatMap((s) =>
      Object.values(s.loops)
        .filter((l) => l.enabled)
        .map((l) => l.cadence),
    );
  const health = new HealthState(livenessThresholdMs(cadences));
  let server: ReturnType<typeof startHealthServer>;
  try {
    server = startHealthServer(opts.healthAddr, health, (path) =>
      path === "/metrics"
        ? new Response(prometheusText(metrics.registry), { headers: { "Content-Type": "text/plain; version=0.0.4" } })
        : undefined,
    );
  } catch (e) {
    throw new Fatal("run", e);
  }
  health.ready = true;
  // The loop machinery (scheduler, guard, encoders, emitters) and the self-metrics exporter load
  // after the health server answers: nothing before readiness needs them, and their modules
  // were a measurable part of the time to ready.
  const [{ runLoops }, { selfExporter }] = await Promise.all([import("./loops.ts"), import("./self-exporter.ts")]);
  const exporter = opts.dryRun ? undefined : selfExporter(config, identity, metrics, log, opts.wiring?.selfFetch);
  exporter?.start();
  log.debug("health server listening", { addr: opts.healthAddr, threshold: new Dur(health.thresholdMs * 1e6) });
  try {
    await runLoops({
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
      wiring: opts.wiring ?? {},
    });
  } catch (e) {
    if (!signal.aborted) {
      await server.stop();
      await exporter?.stop();
      throw new Fatal("run", e);
    }
  }
  await server.stop();
  // Each shutdown step is bounded to 5 s.
  if (exporter) {
    const ok = await Promise.race([exporter.stop().then(() => true), Bun.sleep(5000).then(() => false)]);
    if (!ok) log.warn("shutdown step did not complete cleanly", { step: "selfobs metrics flush", err: "timeout" });
  }
  log.info("genai-otel-bridge stopped");
  return 0;
}

function checkHaPrerequisites(config: Config, identity: string): void {
  if ((config.ha.coordinator === "lease" || config.ha.coordinator === "dynamodb") && identity === "") {
    throw new Fatal(
      "ha identity",
      `leader-election identity is empty but ha.coordinator=${JSON.stringify(config.ha.coordinator)} requires a stable per-replica identity: set -identity or $POD_NAME (k8s downward API), or on ECS ensure $ECS_CONTAINER_METADATA_URI_V4 is reachable so the Task ARN can be read`,
    );
  }
  if (config.ha.coordinator === "dynamodb" || config.ha.checkpoint === "dynamodb") {
    throw new Fatal(
      "aws config",
      "the dynamodb backends are not available in this build; use lease/configmap or none/file",
    );
  }
}

/**
 * The egress guard on every base_url before anything is polled: a name that resolves to a
 * metadata, link-local or (without allow_private) private address is refused now, naming the
 * key; the same check runs again on every request, so a later DNS change is caught too.
 */
async function checkBaseUrls(config: Config, opts: RunOptions, log: Logger): Promise<void> {
  for (const [i, s] of config.sources.entries()) {
    if (!s.enabled) continue;
    try {
      await checkDest(new URL(s.base_url), {
        allowHosts: s.http.allow_hosts,
        allowPrivate: s.http.allow_private,
        resolve: opts.wiring?.sourceResolve ?? systemResolver,
      });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg.includes("cannot resolve"))
        log.warn("base_url does not resolve yet; requests fail until it does", { source: s.source_instance, err: msg });
      else throw new Fatal("build", `sources[${i}].base_url: ${msg}`);
    }
  }
}
