/**
 * `npm run bench:memory` (as root, with a cgroup memory controller): the bridge under a real
 * container memory limit, enforced by the kernel as the kubelet enforces
 * `resources.limits.memory` (cgroup v1). For each limit the compiled binary runs the bench workload (one
 * Portkey source, six graphs, 10 s cadence, a 50-minute bootstrap first) in a memory cgroup of
 * its own, once with the chart's wiring (`-container-mem-bytes` and `BUN_JSC_forceRAMSize` set to
 * the limit, as the downward API does) and once without, and reports whether the kernel killed it,
 * how long it took to become ready, how many OTLP requests it delivered, the cgroup's peak usage
 * and the process's anonymous (unreclaimable) and file-backed resident memory.
 *
 *   BENCH_MEMORY_LIMITS_MIB=64,96,128,256 BENCH_MEMORY_SECONDS=40 npm run bench:memory
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakePortkey } from "../test/support/fake-portkey.ts";
import { freePort } from "../test/support/peers.ts";
import { acceptingSink, workloadConfig } from "./bench/workload.ts";

const MIB = 1024 * 1024;
const BIN = join(import.meta.dir, "../bin/genai-otel-bridge");
const limits = (process.env.BENCH_MEMORY_LIMITS_MIB ?? "64,96,128,192,256").split(",").map(Number);
const seconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 40);

/**
 * A memory cgroup (v1) under this process's own. Only the v1 controller is supported: on a v2
 * hierarchy a child needs the memory controller enabled by a parent that holds no processes,
 * which a bench started from a shell does not have, and that path was never run here.
 */
interface Cgroup {
  path: string;
  limit(bytes: number): void;
  peak(): number;
  oomKills(): number;
  remove(): void;
}

function makeCgroup(name: string): Cgroup {
  const own = readFileSync("/proc/self/cgroup", "utf8")
    .split("\n")
    .find((l) => l.split(":")[1]?.split(",").includes("memory"))
    ?.split(":")[2];
  const parent = own === undefined ? undefined : join("/sys/fs/cgroup/memory", own);
  if (parent === undefined || !existsSync(join(parent, "memory.limit_in_bytes"))) {
    throw new Error("bench:memory needs a cgroup v1 memory controller (/sys/fs/cgroup/memory) and root");
  }
  const path = join(parent, name);
  mkdirSync(path);
  const read = (f: string) => readFileSync(join(path, f), "utf8");
  return {
    path,
    limit(bytes) {
      writeFileSync(join(path, "memory.limit_in_bytes"), String(bytes));
      // No swap to escape into, as in a pod.
      if (existsSync(join(path, "memory.memsw.limit_in_bytes"))) {
        writeFileSync(join(path, "memory.memsw.limit_in_bytes"), String(bytes));
      }
    },
    peak: () => Number(read("memory.max_usage_in_bytes")),
    oomKills: () => Number(/^oom_kill (\d+)$/m.exec(read("memory.oom_control"))?.[1] ?? 0),
    remove: () => rmdirSync(path),
  };
}

const dir = mkdtempSync(join(tmpdir(), "bench-memory-"));
const pk = new FakePortkey().start();
const sink = acceptingSink();
writeFileSync(join(dir, "config.yaml"), workloadConfig(sink.port, pk, "10s"));

interface Outcome {
  killed: boolean;
  peakMiB: number;
  oomKills: number;
  readyMs: number;
  delivered: number;
  anonMiB: number;
  fileMiB: number;
}

/**
 * A copy of the binary whose pages are not in the page cache, so that, as in a container's first
 * start, the bridge's own page faults bring the executable in and are charged to its cgroup.
 */
function coldBinary(n: number): string {
  const file = join(dir, `bridge-${n}`);
  const r = spawnSync("sh", [
    "-c",
    'cp "$0" "$1" && sync "$1" && dd if="$1" iflag=nocache count=0 status=none',
    BIN,
    file,
  ]);
  if (r.status !== 0) throw new Error(`could not stage a cold copy of the binary: ${r.stderr}`);
  return file;
}

async function runUnder(limitMiB: number, wired: boolean, n: number): Promise<Outcome> {
  const cg = makeCgroup(`genai-otel-bridge-bench-${process.pid}-${n}`);
  cg.limit(limitMiB * MIB);
  const port = await freePort();
  const args = [
    `-config=${join(dir, "config.yaml")}`,
    `-checkpoint-file=${join(dir, `cp-${n}.yaml`)}`,
    `-health-addr=127.0.0.1:${port}`,
  ];
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  if (wired) {
    args.push(`-container-mem-bytes=${limitMiB * MIB}`);
    env.BUN_JSC_forceRAMSize = String(limitMiB * MIB);
  }
  const bin = coldBinary(n);
  const deliveredBefore = sink.count;
  // Join the cgroup before exec, so every allocation of the bridge is charged to it.
  const p = Bun.spawn(["sh", "-c", `echo $$ > "${cg.path}/cgroup.procs" && exec "$0" "$@"`, bin, ...args], {
    env,
    stdout: "ignore",
    stderr: "ignore",
  });
  let anon = 0;
  let file = 0;
  let readyMs = Number.NaN;
  const t0 = Date.now();
  const until = t0 + seconds * 1000;
  while (Date.now() < until && p.exitCode === null && p.signalCode === null) {
    if (Number.isNaN(readyMs)) {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (r?.status === 200) readyMs = Date.now() - t0;
    }
    try {
      const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
      anon = Math.max(anon, Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0));
      file = Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? file);
    } catch {
      // exited between the check and the read
    }
    await Bun.sleep(250);
  }
  const killed = p.signalCode === "SIGKILL";
  if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
  await p.exited;
  const out = {
    killed,
    peakMiB: cg.peak() / MIB,
    oomKills: cg.oomKills(),
    readyMs,
    delivered: sink.count - deliveredBefore,
    anonMiB: anon / 1024,
    fileMiB: file / 1024,
  };
  cg.remove();
  return out;
}

spawnSync(process.execPath, [join(import.meta.dir, "build.ts")], { stdio: "ignore" });
console.log(`genai-otel-bridge memory-limit bench (Bun ${Bun.version}, ${process.arch}, ${seconds} s a run)\n`);
console.log(
  "| limit (MiB) | wiring | outcome | ready after (ms) | OTLP requests delivered | peak cgroup usage (MiB) | peak RssAnon (MiB) | last RssFile (MiB) |",
);
console.log("|---|---|---|---|---|---|---|---|");
let n = 0;
for (const limit of limits) {
  for (const wired of [false, true]) {
    const o = await runUnder(limit, wired, n++);
    const outcome = o.killed || o.oomKills > 0 ? `OOM-killed (${o.oomKills})` : "ran";
    console.log(
      `| ${limit} | ${wired ? "chart (flag + BUN_JSC_forceRAMSize)" : "none"} | ${outcome} | ${Number.isNaN(o.readyMs) ? "never" : o.readyMs} | ${o.delivered} | ${o.peakMiB.toFixed(1)} | ${o.anonMiB.toFixed(1)} | ${o.fileMiB.toFixed(1)} |`,
    );
  }
}
await pk.stop();
sink.stop();
rmSync(dir, { recursive: true, force: true });
