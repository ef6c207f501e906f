/**
 * `npm run bytecode-order`: record which functions the bridge runs from exec to ready and
 * through its first tick, for `scripts/build.ts` to lay that bytecode out first. The binary is
 * built without an order file, started against a local fake Portkey and a sink that accepts
 * everything (the bench's workload), and stopped once its first tick has emitted; the runtime
 * writes the order it saw (BUN_BYTECODE_ORDER_OUT). Re-run after large changes to start-up
 * code; a stale order still applies, with less effect.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FakePortkey } from "../test/support/fake-portkey.ts";
import { freePort } from "../test/support/peers.ts";
import { acceptingSink, workloadConfig } from "./bench/workload.ts";
import { BYTECODE_ORDER, buildArgs } from "./build.ts";

const dir = mkdtempSync(join(tmpdir(), "bytecode-order-"));
const bin = join(dir, "genai-otel-bridge");
const built = spawnSync(
  process.execPath,
  buildArgs({ version: "order", outfile: bin, bytecode: true, bytecodeOrder: false }),
  {
    cwd: join(import.meta.dir, ".."),
    stdio: "inherit",
  },
);
if (built.status !== 0) throw new Error("bytecode-order: the binary did not build");

const portkey = new FakePortkey().start();
const sink = acceptingSink();
writeFileSync(join(dir, "config.yaml"), workloadConfig(sink.port, portkey, "60s"));
const port = await freePort();
const out = join(dir, "run.order");
const bridge = Bun.spawn(
  [
    bin,
    `-config=${join(dir, "config.yaml")}`,
    `-checkpoint-file=${join(dir, "state.yaml")}`,
    `-health-addr=127.0.0.1:${port}`,
  ],
  { env: { ...process.env, BUN_BYTECODE_ORDER_OUT: out }, stdout: "ignore", stderr: "inherit" },
);
const deadline = Date.now() + 30_000;
// The first tick has emitted once the sink has a request; the order then covers start-up and a tick.
while (sink.count === 0) {
  if (Date.now() > deadline) throw new Error("bytecode-order: the bridge did not emit within 30 s");
  await Bun.sleep(20);
}
bridge.kill("SIGTERM");
await bridge.exited;
await portkey.stop();
sink.stop();
if (statSync(out).size === 0) throw new Error("bytecode-order: the runtime wrote no order");
mkdirSync(dirname(BYTECODE_ORDER), { recursive: true });
writeFileSync(BYTECODE_ORDER, await Bun.file(out).text());
rmSync(dir, { recursive: true, force: true });
console.error(`wrote ${BYTECODE_ORDER}`);
