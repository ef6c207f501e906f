/**
 * The build-phase rules, run after validation by `run` and `validate`: the content floor,
 * source construction (each loop's definition parses its settings once), loop-name
 * reconciliation, the stream-label budget, series ownership and "at least one loop". The
 * first failure is fatal.
 */
import type { Config } from "../config/types.ts";
import type { ContentFloor } from "../governance/content-floor.ts";
import { PROMOTED_INDEXED_KEY, promotedIndexedKeys, releasedKeys } from "../governance/promotions.ts";
import type { PlannedLoop, PlannedSource, Vendor } from "../sources/define.ts";
import type { Warn } from "../sources/loop.ts";
import type { Registry } from "../sources/registry.ts";

export interface BuiltSource {
  instance: string;
  type: string;
  vendor: Vendor;
  planned: PlannedSource;
  loops: PlannedLoop[];
}

export interface BuildPlan {
  sources: BuiltSource[];
  /** Guard allow-list: every registered vendor's keys, allow_label_keys and promoted indexed keys. */
  allowLabelKeys: string[];
  /** Per logs loop (checkpoint key): the gray-tier keys its settings release. */
  logsReleases: Map<string, string[]>;
  floor: ContentFloor;
}

export function planBuild(c: Config, registry: Registry, warn: Warn): BuildPlan {
  const enabled = c.sources.filter((s) => s.enabled);
  // B1: floor keys, allow_label_keys first, then every enabled loop's promoted indexed keys —
  // before any source is built, for every enabled loop whatever its name.
  const promoted: string[] = [];
  for (const s of enabled) {
    for (const l of Object.values(s.loops)) if (l.enabled) promoted.push(...promotedIndexedKeys(l.settings));
  }
  for (const k of new Set([...c.governance.allow_label_keys, ...promoted])) {
    if (registry.floor.has(k)) {
      throw new Error(
        `governance.allow_label_keys / settings.${PROMOTED_INDEXED_KEY}: ${JSON.stringify(k)} is a content-floor key (message body / injected PII) and cannot be promoted to a label`,
      );
    }
  }
  // B2 + B3.
  const built: BuiltSource[] = [];
  const logsReleases = new Map<string, string[]>();
  for (const s of enabled) {
    const vendor = registry.lookup(s.type);
    if (!vendor) throw new Error(`unknown source type ${JSON.stringify(s.type)}`);
    const planned = vendor.plan(s, (msg, attrs) => warn(msg, { source: s.source_instance, ...attrs }));
    const builtNames = [...new Set(planned.loops.map((l) => l.name))];
    for (const [name, l] of Object.entries(s.loops)) {
      if (l.enabled && !builtNames.includes(name)) {
        throw new Error(
          `source ${JSON.stringify(s.source_instance)} (type ${JSON.stringify(s.type)}): configured loop ${JSON.stringify(name)} is enabled but not recognised by the source (built loops: ${builtNames.join(", ")}) — check for a typo`,
        );
      }
    }
    for (const l of planned.loops) {
      if (l.signal === "logs") logsReleases.set(l.checkpointKey, releasedKeys(s.loops[l.name]?.settings ?? {}));
    }
    built.push({ instance: s.source_instance, type: s.type, vendor, planned, loops: planned.loops });
  }
  // B4: identity (3) + indexed keys per logs loop.
  const max = c.governance.max_stream_label_keys;
  for (const b of built) {
    for (const l of b.loops) {
      if (!l.indexedKeys) continue;
      const n = 3 + l.indexedKeys.length;
      if (n > max) {
        throw new Error(
          `loop ${JSON.stringify(l.name)} would emit ${n} Loki stream labels (identity 3 + indexed ${l.indexedKeys.length}) > governance.max_stream_label_keys ${max} (Loki max_label_names_per_series); reduce settings.extra_indexed_fields / governance.allow_label_keys, or raise the limit only if your tenant's max_label_names_per_series was increased by Grafana staff`,
        );
      }
    }
  }
  // B5: one owner per normalised series name.
  const owner = new Map<string, string>();
  for (const b of built) {
    for (const l of b.loops) {
      for (const name of l.series) {
        const norm = name.toLowerCase().replaceAll(".", "_");
        const first = owner.get(norm);
        if (first !== undefined && first !== l.checkpointKey) {
          throw new Error(
            `series ${JSON.stringify(norm)} owned by both ${JSON.stringify(first)} and ${JSON.stringify(l.checkpointKey)}`,
          );
        }
        owner.set(norm, l.checkpointKey);
      }
    }
  }
  // B6.
  if (built.every((b) => b.loops.length === 0)) throw new Error("no enabled loops");
  const allow = new Set<string>();
  for (const v of registry.vendors()) for (const k of v.labelKeys) allow.add(k);
  for (const k of c.governance.allow_label_keys) allow.add(k);
  for (const k of promoted) allow.add(k);
  return { sources: built, allowLabelKeys: [...allow], logsReleases, floor: registry.floor };
}
