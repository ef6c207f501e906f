/**
 * LangSmith is a registered source type so configs naming it validate, but this build cannot
 * run its loops yet: a source with an enabled loop fails start-up with a clear message rather
 * than running silently without it.
 */
import { defineVendor } from "../define.ts";
import { langsmithExample } from "./example.ts";

export const langsmith = defineVendor<undefined>({
  type: "langsmith",
  defaultBaseUrl: "https://api.smith.langchain.com",
  labelKeys: ["quantile", "session", "feedback_key", "run_type", "status", "retention_tier"],
  example: langsmithExample,
  summary:
    "Loops `sessions`, `usage` and `runs` are recognised by validation but not available in this build: a source with an enabled loop is refused at start-up.",
  loops: [],
  check(s) {
    if (Object.values(s.loops).some((l) => l.enabled)) {
      throw new Error(
        `source ${JSON.stringify(s.source_instance)} (type "langsmith"): the langsmith source is not available in this build yet`,
      );
    }
  },
  connect: () => undefined,
});
