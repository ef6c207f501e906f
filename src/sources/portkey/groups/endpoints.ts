/**
 * The groups endpoints a pass polls, in order: `ai-models`, one `metadata/<key>` per configured
 * key, then `prompt` (unless prompts are off). Each names the row field that holds its
 * dimension value and the series its rows feed.
 */
import { goPathEscape } from "../path.ts";

export interface Endpoint {
  /** URL path under `/analytics/groups/`. */
  path: string;
  /** What self-metrics call it (`graph` label): the path with the key unescaped. */
  label: string;
  /** Row field holding the dimension value. */
  dimField: string;
  kind: "model" | "metadata" | "prompt";
  /** The metadata key (metadata endpoints only). */
  metadataKey: string;
}

export function endpoints(metadataKeys: readonly string[], emitPrompts: boolean): Endpoint[] {
  const out: Endpoint[] = [
    { path: "ai-models", label: "ai-models", dimField: "ai_model", kind: "model", metadataKey: "" },
  ];
  for (const key of metadataKeys) {
    out.push({
      path: `metadata/${goPathEscape(key)}`,
      label: `metadata/${key}`,
      dimField: "metadata_value",
      kind: "metadata",
      metadataKey: key,
    });
  }
  if (emitPrompts) out.push({ path: "prompt", label: "prompt", dimField: "prompt", kind: "prompt", metadataKey: "" });
  return out;
}
