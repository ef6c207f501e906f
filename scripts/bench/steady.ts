/**
 * Steady state beside the runtime's floor: the bridge polling all six analytics graphs at a
 * 10 s cadence with a 50-minute window (and, beside it, the same with 100 API-key use cases:
 * 600 graph requests per tick), and a bare Bun server compiled the same way, idle, all three
 * running side by side for `measureMs` (10 minutes by default). Reported per process: RSS and
 * anonymous RSS from /proc/PID/smaps_rollup (median over the last minute), CPU per tick after a
 * one-minute warm-up, and that CPU split by thread.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FakePortkey } from "../../test/support/fake-portkey.ts";
import { freePort } from "../../test/support/peers.ts";
import { acceptingSink, workloadConfig } from "./workload.ts";

const USER_HZ = 100;
const WARMUP_MS = 60_000;
const GRAPHS = 6;

/** Resident and anonymous memory (KiB) from smaps_rollup. */
function memory(pid: number): { rss: number; anon: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { rss: field("Rss"), anon: field("Anonymous") };
}

/** CPU ms per thread name (threads of one name summed). */
function threads(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
      out.set(name, (out.get(name) ?? 0) + ms);
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

/**
 * CPU ms of the whole process from /proc/PID/stat, which keeps the time of threads that have
 * exited: the runtime starts JIT and GC helper threads on demand and lets them end when idle,
 * so a sum over the live threads alone misses their work.
 */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mib = (kib: number) => (kib / 1024).toFixed(1);

interface Watched {
  name: string;
  pid: number;
  mem: { rss: number; anon: number }[];
  cpuAtWarm: Map<string, number>;
  processCpuAtWarm: number;
}

function useCases(n: number): string {
  const items = Array.from(
    { length: n },
    (_, i) => `{label: uc${String(i).padStart(3, "0")}, api_key_ids: [key-${i}]}`,
  );
  return `    api_key_use_cases: [${items.join(", ")}]\n`;
}

export async function benchSteady(bin: string, floorBin: string, dir: string): Promise<[string, string][]> {
  const measureMs = Number(process.env.BENCH_STEADY_MS ?? 600_000);
  const sink = acceptingSink();
  const plain = new FakePortkey().start();
  const many = new FakePortkey().start();
  writeFileSync(join(dir, "steady.yaml"), workloadConfig(sink.port, plain, "10s"));
  // 100 use cases: one pass per use case, every graph each; the rate limit is raised to let a tick finish.
  const uc = workloadConfig(sink.port, many, "10s")
    .replace("rate_limit: {rps: 100, burst: 10}", "rate_limit: {rps: 1000, burst: 100}")
    .replace("    loops:\n", `${useCases(100)}    loops:\n`);
  writeFileSync(join(dir, "steady-uc100.yaml"), uc);
  const spawn = async (argv: string[]) =>
    Bun.spawn([...argv, `-health-addr=127.0.0.1:${await freePort()}`], { stdout: "ignore", stderr: "ignore" });
  const a = await spawn([bin, `-config=${join(dir, "steady.yaml")}`, `-checkpoint-file=${join(dir, "s1.yaml")}`]);
  const b = await spawn([bin, `-config=${join(dir, "steady-uc100.yaml")}`, `-checkpoint-file=${join(dir, "s2.yaml")}`]);
  const f = await spawn([floorBin]);
  const watched: Watched[] = [
    { name: "bridge", pid: a.pid },
    { name: "bridge, 100 use cases", pid: b.pid },
    { name: "floor", pid: f.pid },
  ].map((w) => ({ ...w, mem: [], cpuAtWarm: new Map(), processCpuAtWarm: 0 }));
  const started = Date.now();
  let warmed = false;
  while (plain.graphRequests().length < GRAPHS) await Bun.sleep(20);
  // The first tick's emit of the bootstrap window follows its requests: read the CPU 2 s later.
  await Bun.sleep(2000);
  const firstTickCpu = processCpu(a.pid);
  while (Date.now() - started < measureMs) {
    await Bun.sleep(1000);
    const elapsed = Date.now() - started;
    if (!warmed && elapsed >= WARMUP_MS) {
      warmed = true;
      for (const w of watched) {
        w.cpuAtWarm = threads(w.pid);
        w.processCpuAtWarm = processCpu(w.pid);
      }
    }
    if (elapsed >= measureMs - 60_000) for (const w of watched) w.mem.push(memory(w.pid));
  }
  const rows: [string, string][] = [];
  const cpu = new Map<string, { perTick: number; byThread: string }>();
  for (const w of watched) {
    const now = threads(w.pid);
    // Ticks are the 10 s cadence over the measured span: a tick that finds no new minute to read
    // makes no request, and its (small) cost belongs in the average all the same.
    const ticks = (measureMs - WARMUP_MS) / 10_000;
    const spent = processCpu(w.pid) - w.processCpuAtWarm;
    // Threads alive at the end, by name; whatever the process spent beyond them was spent by
    // threads that ended in the span (or, started after the warm-up, by threads of a name
    // that was not alive then).
    const live = [...now]
      .map(([name, ms]) => [name, ms - (w.cpuAtWarm.get(name) ?? 0)] as const)
      .filter(([, ms]) => ms > 0);
    const ended = spent - live.reduce((sum, [, ms]) => sum + ms, 0);
    const byThread = [...live, ["threads that ended", ended] as const]
      .filter(([, ms]) => ms > 0)
      .sort((x, y) => y[1] - x[1])
      .map(([name, ms]) => `${name} ${(ms / ticks).toFixed(1)}`)
      .join(", ");
    // For the idle floor this is its CPU per 10 s.
    const perTick = spent / ticks;
    cpu.set(w.name, { perTick, byThread });
  }
  for (const p of [a, b, f]) p.kill("SIGTERM");
  await Promise.all([a.exited, b.exited, f.exited]);
  await plain.stop();
  await many.stop();
  sink.stop();
  const [bridge, uc100, floor] = watched as [Watched, Watched, Watched];
  const rss = (w: Watched) => median(w.mem.map((m) => m.rss));
  const anon = (w: Watched) => median(w.mem.map((m) => m.anon));
  const minutes = Math.round(measureMs / 60_000);
  const row = (what: string, x: number, y: number, fmt: (n: number) => string) =>
    rows.push([what, `${fmt(x)} / ${fmt(y)} / +${fmt(x - y)}`]);
  row(`RSS after ${minutes} min at 10 s, 6 graphs (MiB: bridge / floor / difference)`, rss(bridge), rss(floor), mib);
  row(`anonymous RSS, same run (MiB: bridge / floor / difference)`, anon(bridge), anon(floor), mib);
  row(`RSS after ${minutes} min, 100 use cases (MiB: bridge / floor / difference)`, rss(uc100), rss(floor), mib);
  row(`anonymous RSS, 100 use cases (MiB: bridge / floor / difference)`, anon(uc100), anon(floor), mib);
  rows.push([
    "CPU to the end of the first tick, incl. start-up and a 47-minute bootstrap (ms)",
    firstTickCpu.toFixed(0),
  ]);
  const c = (n: string) => cpu.get(n) ?? { perTick: 0, byThread: "" };
  const ms = (n: number) => n.toFixed(1);
  row(
    "CPU per steady tick, 6 graphs (ms: bridge / floor per 10 s / difference)",
    c("bridge").perTick,
    c("floor").perTick,
    ms,
  );
  rows.push(["  by thread (ms per tick)", c("bridge").byThread]);
  row(
    "CPU per steady tick, 100 use cases (ms: bridge / floor per 10 s / difference)",
    c("bridge, 100 use cases").perTick,
    c("floor").perTick,
    ms,
  );
  rows.push(["  by thread (ms per tick)", c("bridge, 100 use cases").byThread]);
  return rows;
}
