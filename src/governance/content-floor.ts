/**
 * The content floor: keys that carry message bodies or injected PII and may never become a
 * label or indexed field, whatever the config says (config.md §4.4 B1).
 */
export const FLOOR_EXACT: ReadonlySet<string> = new Set([
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "input.value",
  "output.value",
  "request",
  "response",
  "inputs",
  "outputs",
  "messages",
  "inputs_preview",
  "outputs_preview",
  "metadata",
  "portkeyHeaders",
]);

export const FLOOR_PREFIXES: readonly string[] = [
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
];

export function isFloorKey(key: string): boolean {
  return FLOOR_EXACT.has(key) || FLOOR_PREFIXES.some((p) => key.startsWith(p));
}
