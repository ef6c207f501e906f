/**
 * Build-phase rules (config.md §4.4), run after validation by `run` and `validate`: the
 * content floor, source construction, loop-name reconciliation, the Loki stream-label budget,
 * series ownership and "at least one loop". The first failure is fatal.
 */
import { isFloorKey } from "../governance/content-floor.ts";
import { csv } from "../sources/settings.ts";
import type { LoopPlan, SourceDescriptor } from "../sources/types.ts";
import type { Config } from "./types.ts";

export interface BuiltSource {
  instance: string;
  type: string;
  descriptor: SourceDescriptor;
  loops: LoopPlan[];
}

export interface BuildPlan {
  sources: BuiltSource[];
  /** Guard allow-list: every built source's declared keys plus governance.allow_label_keys. */
  allowLabelKeys: string[];
}

type Warn = (msg: string, attrs?: Record<string, unknown>) => void;

export function planBuild(c: Config, lookup: (t: string) => SourceDescriptor | undefined, warn: Warn): BuildPlan {
  const enabled = c.sources.filter((s) => s.enabled);
  // B1: floor keys, allow_label_keys first, then every enabled loop's extra_indexed_fields.
  const candidates = [...c.governance.allow_label_keys];
  for (const s of enabled) {
    for (const l of Object.values(s.loops)) if (l.enabled) candidates.push(...csv(l.settings.extra_indexed_fields));
  }
  for (const k of new Set(candidates)) {
    if (isFloorKey(k)) {
      throw new Error(
        `governance.allow_label_keys / settings.extra_indexed_fields: ${JSON.stringify(k)} is a content-floor key (message body / injected PII) and cannot be promoted to a label`,
      );
    }
  }
  // B2 + B3.
  const built: BuiltSource[] = [];
  for (const s of enabled) {
    const d = lookup(s.type);
    if (!d) throw new Error(`unknown source type ${JSON.stringify(s.type)}`);
    const loops = d.plan(s, (msg, attrs) => warn(msg, { source: s.source_instance, ...attrs }));
    const builtNames = [...new Set(loops.map((l) => l.name))];
    for (const [name, l] of Object.entries(s.loops)) {
      if (l.enabled && !builtNames.includes(name)) {
        throw new Error(
          `source ${JSON.stringify(s.source_instance)} (type ${JSON.stringify(s.type)}): configured loop ${JSON.stringify(name)} is enabled but not recognised by the source (built loops: ${builtNames.join(", ")}) — check for a typo`,
        );
      }
    }
    built.push({ instance: s.source_instance, type: s.type, descriptor: d, loops });
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
  for (const b of built) for (const k of b.descriptor.labelKeys) allow.add(k);
  for (const k of c.governance.allow_label_keys) allow.add(k);
  return { sources: built, allowLabelKeys: [...allow] };
}
