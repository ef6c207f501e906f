/** What LangSmith's loops of one source share: one client and one rate limiter (the API budget is tenant-wide). */
import type { SourceConfig } from "../../config/types.ts";
import type { HttpClient } from "../../net/client.ts";
import { sourceClient } from "../client.ts";
import type { SourceDeps } from "../loop.ts";

export interface LangsmithShared {
  client: HttpClient;
}

/** Every request's timeout, covering connect, headers and the whole body. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** `/sessions` pages and `runs/stats` bodies are read up to this size. */
export const STATS_BODY_CAP = 32 * 1024 * 1024;

export function connectLangsmith(s: SourceConfig, deps: SourceDeps): LangsmithShared {
  return { client: sourceClient(s, deps, { timeoutMs: REQUEST_TIMEOUT_MS }) };
}
