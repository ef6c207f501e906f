/**
 * The bridge's own composition root with the test-only vendor registered beside the product
 * ones: `bun test/support/test-vendor/logs-bridge.ts <config> <checkpoint-file>`. Used where a
 * test needs a logs loop inside a real process (the Collector test, kill -9 between emit and
 * commit).
 */
import { runMode } from "../../../src/app/start.ts";
import { Registry } from "../../../src/sources/registry.ts";
import { testlogs } from "./index.ts";

const [config = "", checkpointFile = ""] = process.argv.slice(2);
const code = await runMode({
  config,
  healthAddr: "127.0.0.1:0",
  namespace: "",
  identity: "logs-test-0",
  containerMemBytes: 0n,
  checkpointFile,
  checkpointFileExplicit: true,
  dryRun: false,
  env: {},
  registry: new Registry([testlogs]),
});
process.exit(code);
