/** Where the config text comes from: `GENAI_OTEL_BRIDGE_CONFIG` (non-empty) or the file. */
import { readConfigFile } from "./load.ts";

export const CONFIG_ENV = "GENAI_OTEL_BRIDGE_CONFIG";

export function configText(path: string, env: Record<string, string | undefined>): { text: string; origin: string } {
  const inline = env[CONFIG_ENV];
  if (inline !== undefined && inline !== "") return { text: inline, origin: `$${CONFIG_ENV}` };
  return { text: readConfigFile(path), origin: path };
}
