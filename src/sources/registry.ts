/** Source types by name. Adding a source: its folder plus one line here. */
import { langsmith } from "./langsmith/source.ts";
import { portkey } from "./portkey/source.ts";
import type { SourceDescriptor } from "./types.ts";

const registry = new Map<string, SourceDescriptor>([
  [portkey.type, portkey],
  [langsmith.type, langsmith],
]);

export function sourceType(type: string): SourceDescriptor | undefined {
  return registry.get(type);
}

export function knownSourceTypes(): ReadonlySet<string> {
  return new Set(registry.keys());
}

/** Every registered source type, in registration order. */
export function sourceDescriptors(): readonly SourceDescriptor[] {
  return [...registry.values()];
}
