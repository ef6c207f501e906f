/** The LangSmith source: its loops, in the order a source plans them, and what they share. */
import { defineVendor } from "../define.ts";
import { langsmithExample } from "./example.ts";
import { runs } from "./runs/definition.ts";
import { sessions } from "./sessions/definition.ts";
import { connectLangsmith, type LangsmithShared } from "./shared.ts";
import { usage } from "./usage/definition.ts";

export const langsmith = defineVendor<LangsmithShared>({
  type: "langsmith",
  defaultBaseUrl: "https://api.smith.langchain.com",
  labelKeys: ["quantile", "session", "feedback_key", "run_type", "status", "retention_tier"],
  // Signed URLs to raw input and output blobs: the body and a credential in one value.
  contentKeys: ["inputs_s3_urls", "outputs_s3_urls"],
  example: langsmithExample,
  loops: [sessions, runs, usage],
  connect: connectLangsmith,
});
