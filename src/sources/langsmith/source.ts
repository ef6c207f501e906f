/**
 * LangSmith is a registered source type so configs naming it validate (config.md §4.2 rule
 * 29), but this build cannot run it yet: planning it fails start-up with a clear message
 * rather than running silently without it.
 */
import type { SourceDescriptor } from "../types.ts";
import { langsmithExample } from "./example.ts";

export const langsmith: SourceDescriptor = {
  type: "langsmith",
  defaultBaseUrl: "https://api.smith.langchain.com",
  loopNames: ["sessions", "usage", "runs"],
  labelKeys: ["run_type", "status"],
  example: langsmithExample,
  loopDefaults() {
    return {};
  },
  createLoops() {
    return [];
  },
  plan(s) {
    const enabled = Object.entries(s.loops).filter(([, l]) => l.enabled);
    if (enabled.length === 0) return [];
    throw new Error(
      `source ${JSON.stringify(s.source_instance)} (type "langsmith"): the langsmith source is not available in this build yet`,
    );
  },
};
