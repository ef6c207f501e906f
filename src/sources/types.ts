/**
 * What a source type tells the host before anything runs: its defaults, the label keys it
 * may emit, and — by planning its loops — the checks its constructor makes (config.md §4.4
 * B2) together with the checkpoint keys and series names the host checks across sources.
 */
import type { SourceDefaults } from "../config/defaults.ts";
import type { SourceConfig } from "../config/types.ts";
import type { CheckpointKey } from "../model/checkpoint-key.ts";
import type { Loop, LoopDeps } from "./loop.ts";

export interface LoopPlan {
  /** Configured loop name (`analytics`, `logs_export`, …). */
  name: string;
  key: CheckpointKey;
  /** `<source_instance>/<loop>/<fingerprint16>`. */
  checkpointKey: string;
  /** Metric series this loop may emit (empty for logs loops). */
  series: string[];
  /** Logs loops only: indexed (stream-label) keys, for the Loki budget (B4). */
  indexedKeys?: string[];
}

/**
 * A commented example of this source for the chart's values.yaml (deploy.md §2.9): a populated
 * source list item, written with struct fields in config order, and one line of explanation per
 * settings key of each example loop.
 */
export interface SourceExample {
  source: Record<string, unknown>;
  settingsDocs: Record<string, Record<string, string>>;
}

export interface SourceDescriptor extends SourceDefaults {
  type: string;
  /** Loop names this source builds. */
  loopNames: readonly string[];
  /** Content-free label keys this source's samples may carry (the guard's allow-list). */
  labelKeys: readonly string[];
  /** The chart's commented example of this source's non-default shapes. */
  example?: SourceExample;
  /** Source-constructor checks; returns the loops it would build, or throws an Error. */
  plan(source: SourceConfig, warn: (msg: string, attrs?: Record<string, unknown>) => void): LoopPlan[];
  /** The runnable loops of a planned source (called after every build rule passed). */
  createLoops(source: SourceConfig, plans: LoopPlan[], deps: LoopDeps): Loop[];
}
