/** A test-only vendor with one logs loop; registered only by tests (see logs-bridge.ts). */
import type { HttpClient } from "../../../src/net/client.ts";
import { sourceClient } from "../../../src/sources/client.ts";
import { defineVendor } from "../../../src/sources/define.ts";
import { records } from "./records.ts";

export const testlogs = defineVendor<HttpClient>({
  type: "testlogs",
  defaultBaseUrl: "https://127.0.0.1:9",
  labelKeys: ["run_type", "status"],
  loops: [records],
  connect: sourceClient,
});
