/** Checkpoint fingerprint vectors (analytics, groups, logs_export, use cases). */
import { expect, test } from "bun:test";
import { fingerprint } from "../../../src/model/checkpoint-key.ts";

test.each([
  [["portkey_api_requests", "portkey_api_cost_usd"], "prefix=portkey_api", "964456d7dc48b9e2"],
  [["portkey_api_cost_usd", "portkey_api_requests"], "prefix=portkey_api", "964456d7dc48b9e2"],
  [["portkey_api_requests"], "prefix=portkey_api", "4501e40bd7e173a9"],
  [[], "logs_export", "8c242721e012f18b"],
  [["a"], "  x  ", "8b86bced10290476"],
  [["a"], "x", "8b86bced10290476"],
  [
    ["requests", "cost_usd", "tokens", "latency_seconds", "errors"].map((s) => `portkey_api_${s}`),
    "prefix=portkey_api",
    "a2e79cb406df867d",
  ],
  [["portkey_api_requests", "portkey_api_latency_seconds"], "prefix=portkey_api", "8a0eb1e13b148daa"],
  [
    ["requests_by_model", "cost_usd_by_model", "requests_by_prompt"].map((s) => `portkey_api_${s}`),
    "prefix=portkey_api",
    "1a0c9dff442c8892",
  ],
  [["ai_model", "ai_org", "response_status_code"], "logs_export", "51240f1f0f9b23c4"],
  [["ai_model", "ai_org", "response_status_code"], "logs_export,api_key_use_case=data_gen", "1c59088f718909e1"],
])("fingerprint(%p, %p) = %p", (names, naming, want) => {
  expect(fingerprint(names, naming)).toBe(want);
});
