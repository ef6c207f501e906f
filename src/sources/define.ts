/**
 * How a loop and a vendor are defined. A loop definition parses and checks its settings once,
 * into a typed value that serves both the start-up checks (series names, checkpoint key,
 * indexed keys, warnings) and the construction of the runnable loop. A vendor lists its loops
 * and owns what they share per source (the HTTP client, say).
 *
 * `defineLoop` and `defineVendor` erase the settings and shared-state types behind closures,
 * so the registry can hold every vendor in one list without `any`.
 */
import type { LoopConfig, SourceConfig } from "../config/types.ts";
import { type CheckpointKey, fingerprint, keyString } from "../model/checkpoint-key.ts";
import type { Duration } from "../model/duration.ts";
import type { Loop, LoopDeps, SourceDeps, Warn } from "./loop.ts";

/** What a loop produces: metric samples (series) or log records (indexed keys). */
export type Signal = "metrics" | "logs";

/** Absent-key defaults a loop gives the config loader (reported as "default applied"). */
export interface LoopDefaults {
  /** Cadence of an absent `cadence` key (60s unless the loop says otherwise). */
  cadence?: Duration;
  window?: Duration;
  bootstrap_lookback?: Duration;
  max_backfill?: Duration;
  graphs?: string[];
}

/** What a definition reads: the whole source (shared source keys), its own loop block. */
export interface LoopInput {
  source: SourceConfig;
  loop: LoopConfig;
  warn: Warn;
}

/** One runnable instance a loop's settings make (a loop may make one per API-key use case). */
export interface LoopInstance {
  /** Metric series the instance may emit (metrics loops). */
  series?: string[];
  /** Indexed (stream-label) keys of its records (logs loops). */
  indexedKeys?: string[];
  /** The naming part of the checkpoint fingerprint. */
  naming: string;
  /** What tells this instance from its siblings (a use-case slug, say); "" when it has none. */
  instance?: string;
}

/** A planned instance: what the start-up checks see. */
export interface PlannedLoop {
  name: string;
  signal: Signal;
  key: CheckpointKey;
  /** `<source_instance>/<loop>/<fingerprint16>`; also the guard's per-loop id. */
  checkpointKey: string;
  /** The instance's own part ("" for a loop with one instance). */
  instance: string;
  series: string[];
  /** Logs loops only: indexed keys, for the stream-label budget and the guard's allow-list. */
  indexedKeys?: string[];
}

export interface LoopDefinition<Settings, Shared> {
  name: string;
  signal: Signal;
  /** One or two sentences for the configuration reference. */
  summary: string;
  defaults?: LoopDefaults;
  /** Parse and check the loop block once; throws an Error whose message names the key. */
  parse(input: LoopInput): Settings;
  instances(settings: Settings, input: LoopInput): LoopInstance[];
  create(settings: Settings, planned: PlannedLoop, shared: Shared, deps: LoopDeps): Loop;
}

/** A planned instance that can build its runnable loop from the vendor's shared state. */
export interface PreparedLoop<Shared> extends PlannedLoop {
  build(shared: Shared, deps: LoopDeps): Loop;
}

export interface LoopSpec<Shared> {
  readonly name: string;
  readonly signal: Signal;
  readonly summary: string;
  readonly defaults: LoopDefaults;
  prepare(input: LoopInput): PreparedLoop<Shared>[];
}

export function defineLoop<Settings, Shared>(d: LoopDefinition<Settings, Shared>): LoopSpec<Shared> {
  return {
    name: d.name,
    signal: d.signal,
    summary: d.summary,
    defaults: d.defaults ?? {},
    prepare(input) {
      const settings = d.parse(input);
      return d.instances(settings, input).map((inst) => {
        const series = inst.series ?? [];
        // The fingerprint covers what the loop writes: series for metrics, indexed keys for logs.
        const outputs = d.signal === "logs" ? (inst.indexedKeys ?? []) : series;
        const key = {
          sourceInstance: input.source.source_instance,
          loop: d.name,
          fingerprint: fingerprint(outputs, inst.naming),
        };
        const planned: PlannedLoop = {
          name: d.name,
          signal: d.signal,
          key,
          checkpointKey: keyString(key),
          instance: inst.instance ?? "",
          series,
          ...(inst.indexedKeys ? { indexedKeys: inst.indexedKeys } : {}),
        };
        return { ...planned, build: (shared: Shared, deps: LoopDeps) => d.create(settings, planned, shared, deps) };
      });
    },
  };
}

/**
 * A commented example of a source for the chart's values.yaml: a populated source list item,
 * written with struct fields in config order, and one line of explanation per settings key of
 * each example loop.
 */
export interface SourceExample {
  source: Record<string, unknown>;
  settingsDocs: Record<string, Record<string, string>>;
}

export interface VendorDefinition<Shared> {
  type: string;
  defaultBaseUrl: string;
  /** Content-free label keys this vendor's samples and indexed attributes may carry. */
  labelKeys: readonly string[];
  /** Names this vendor's API gives fields that carry content; they join the content floor. */
  contentKeys?: readonly string[];
  example?: SourceExample;
  /** For the configuration reference, beside the loops' own summaries. */
  summary?: string;
  /** In the order a source plans them. */
  loops: readonly LoopSpec<Shared>[];
  /** Source-level checks that run before any loop is planned; throws naming the key. */
  check?(source: SourceConfig): void;
  /** Per-source state the loops share, made once when the source starts. */
  connect(source: SourceConfig, deps: SourceDeps): Shared;
}

/** A planned source: its loops as start-up checks see them, and how to start them. */
export interface PlannedSource {
  loops: PlannedLoop[];
  start(deps: SourceDeps, loopDeps: (planned: PlannedLoop) => LoopDeps): Loop[];
}

/** A vendor as the core sees it: no settings or shared-state types left. */
export interface Vendor {
  readonly type: string;
  readonly defaultBaseUrl: string;
  readonly labelKeys: readonly string[];
  readonly contentKeys: readonly string[];
  readonly example?: SourceExample;
  readonly summary?: string;
  /** Loop names, summaries and defaults (what the configuration reference lists). */
  readonly loops: readonly { name: string; signal: Signal; summary: string; defaults: LoopDefaults }[];
  loopDefaults(loop: string): LoopDefaults;
  /** The source's enabled loops, parsed and checked; throws the first failure. */
  plan(source: SourceConfig, warn: Warn): PlannedSource;
}

export function defineVendor<Shared>(d: VendorDefinition<Shared>): Vendor {
  const specs = new Map(d.loops.map((l) => [l.name, l]));
  if (specs.size !== d.loops.length) throw new Error(`vendor ${JSON.stringify(d.type)} lists a loop twice`);
  return {
    type: d.type,
    defaultBaseUrl: d.defaultBaseUrl,
    labelKeys: d.labelKeys,
    contentKeys: d.contentKeys ?? [],
    ...(d.example ? { example: d.example } : {}),
    ...(d.summary ? { summary: d.summary } : {}),
    loops: d.loops.map(({ name, signal, summary, defaults }) => ({ name, signal, summary, defaults })),
    loopDefaults: (loop) => specs.get(loop)?.defaults ?? {},
    plan(source, warn) {
      d.check?.(source);
      const prepared: PreparedLoop<Shared>[] = [];
      for (const spec of d.loops) {
        const loop = source.loops[spec.name];
        if (loop?.enabled) prepared.push(...spec.prepare({ source, loop, warn }));
      }
      return {
        loops: prepared.map(({ build: _build, ...planned }) => planned),
        start(deps, loopDeps) {
          const shared = d.connect(source, deps);
          return prepared.map((p) => p.build(shared, loopDeps(p)));
        },
      };
    },
  };
}
