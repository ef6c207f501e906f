/**
 * Start-up beside the runtime's floor: the bridge and a bare Bun HTTP server compiled with the
 * same flags (bare-server.ts), measured in alternating pairs so load on a shared machine hits
 * both alike. Per program: exec → first 200 on /readyz (wall), CPU from exec until killed right
 * after that 200, and the CPU of `-version`. Medians; each row is bridge, floor, difference.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../../test/support/peers.ts";
import { buildArgs } from "../build.ts";

const ROOT = join(import.meta.dir, "../..");

interface Run {
  readyMs: number;
  cpuMs: number;
}

async function toReady(argv: string[]): Promise<Run> {
  const port = await freePort();
  const t0 = performance.now();
  const p = Bun.spawn([...argv, `-health-addr=127.0.0.1:${port}`], { stdout: "ignore", stderr: "ignore" });
  let readyMs = 0;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) {
        readyMs = performance.now() - t0;
        break;
      }
    } catch {
      // not listening yet
    }
    await Bun.sleep(1);
  }
  p.kill("SIGKILL");
  await p.exited;
  const cpu = p.resourceUsage()?.cpuTime;
  return { readyMs, cpuMs: cpu ? Number(cpu.user + cpu.system) / 1000 : 0 };
}

function versionCpuMs(bin: string): number {
  const p = Bun.spawnSync([bin, "-version"], { stdout: "ignore", stderr: "ignore" });
  const cpu = p.resourceUsage?.cpuTime;
  return cpu ? Number(cpu.user + cpu.system) / 1000 : 0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** `bridgeArgv`: the bridge and its run arguments (a config, a checkpoint file). */
export async function benchStartup(bridgeArgv: string[], floorBin: string, pairs = 12): Promise<[string, string][]> {
  const r = spawnSync(
    process.execPath,
    // The same flags, but not the bridge's bytecode order: it describes the bridge's functions.
    buildArgs({
      version: "floor",
      outfile: floorBin,
      bytecode: true,
      bytecodeOrder: false,
      entry: "scripts/bench/bare-server.ts",
    }),
    { cwd: ROOT, stdio: "ignore" },
  );
  if (r.status !== 0) throw new Error("bench: the floor program did not build");
  const bridge: Run[] = [];
  const floor: Run[] = [];
  const bridgeVersion: number[] = [];
  const floorVersion: number[] = [];
  for (let i = 0; i < pairs; i++) {
    bridge.push(await toReady(bridgeArgv));
    floor.push(await toReady([floorBin]));
    bridgeVersion.push(versionCpuMs(bridgeArgv[0] ?? ""));
    floorVersion.push(versionCpuMs(floorBin));
  }
  const row = (label: string, b: number, f: number): [string, string] => [
    `${label} — bridge / floor / difference (ms, median of ${pairs} alternating pairs)`,
    `${b.toFixed(1)} / ${f.toFixed(1)} / ${(b - f).toFixed(1)}`,
  ];
  return [
    row("exec → first 200 on /readyz", median(bridge.map((x) => x.readyMs)), median(floor.map((x) => x.readyMs))),
    row("CPU from exec to ready", median(bridge.map((x) => x.cpuMs)), median(floor.map((x) => x.cpuMs))),
    row("-version CPU", median(bridgeVersion), median(floorVersion)),
  ];
}
