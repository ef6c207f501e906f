/**
 * `npm run gate:failover`: three replicas of the compiled binary on a real
 * kube-apiserver + etcd, default Lease timings (15 s / 10 s / 2 s), a fake Portkey (analytics)
 * and a fake LangSmith (sessions and runs) beside it, and one Mimir-like recorder per replica.
 * N random leader kills (-9, SIGTERM, SIGSTOP with a later SIGCONT), each killed process
 * replaced like a pod restart. Prints failover times (kill → new leader elected; kill → its
 * first emit, when there was settled data), duplicates (a settled Portkey series and timestamp
 * with two values), gaps (a missing settled minute) and lost runs (a LangSmith run of a
 * completed window that reached no recorder), and exits non-zero on any duplicate, gap, lost
 * run, or failover beyond lease duration + retry period + one cadence.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeLangsmith } from "../test/support/fake-langsmith.ts";
import { FakePortkey } from "../test/support/fake-portkey.ts";
import { CM, LEASE, NS, startKube } from "../test/support/kube.ts";
import { Recorder } from "../test/support/recorder.ts";
import { haConfig, type Replica, startReplica, until } from "../test/support/replicas.ts";

const N = Number(process.env.GATE_KILLS ?? 20);
const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const CADENCE_MS = 10_000;
const BOUND = LEASE_MS + RETRY_MS + CADENCE_MS;

const dir = mkdtempSync(join(tmpdir(), "gate-"));
const kube = await startKube(join(dir, "kube"));
const pk = new FakePortkey().start();
const ls = new FakeLangsmith("ls-gate-key-0123456789", { projects: 2, everyMs: 20_000 }).start();
// LangSmith beside Portkey: per-project snapshots, and runs read forward in 2-minute windows.
const langsmithSource = `  - type: langsmith
    enabled: true
    base_url: ${ls.url}
    source_instance: ha-langsmith
    http: {allow_private: true}
    auth: {header: x-api-key, value: ${ls.apiKey}}
    rate_limit: {rps: 50, burst: 20}
    loops:
      sessions: {enabled: true, cadence: 10s, settings: {stats_window: 10m}}
      runs: {enabled: true, cadence: 10s, settings: {session_ids: "${ls.workspace.projects.map((p) => p.id).join(",")}", window: 2m, settle: 30s, page_size: "5"}}
`;
const recorders = new Map<string, Recorder>();
const procs = new Map<string, Replica>();
const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`;
const holder = async () => {
  const r = await kube.admin("GET", leasePath).catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
  return String(((r.body.spec ?? {}) as Record<string, unknown>).holderIdentity ?? "");
};
const config = (rec: Recorder) =>
  haConfig(pk, rec.url, langsmithSource).replace(
    "governance: {max_catchup_per_tick: 30}",
    "governance: {max_catchup_per_tick: 1}",
  );

async function launch(name: string): Promise<void> {
  const rec = recorders.get(name) ?? new Recorder().start();
  recorders.set(name, rec);
  procs.set(name, await startReplica(kube, dir, name, config(rec), pk, "15s/10s/2s"));
}

const log = (s: string) => console.error(`[gate ${new Date().toISOString().slice(11, 19)}] ${s}`);
for (const n of ["replica-0", "replica-1", "replica-2"]) await launch(n);
await until(async () => (await holder()) !== "", 60_000, "first leader");
log(`first leader ${await holder()}`);
await Bun.sleep(20_000);

const elected: number[] = [];
const firstEmit: number[] = [];
let seed = 7;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const frozen: string[] = [];

for (let i = 0; i < N; i++) {
  const name = await holder();
  const p = procs.get(name);
  if (!p) throw new Error(`holder ${name} is not one of ours`);
  const action = (["SIGKILL", "SIGTERM", "SIGSTOP"] as const)[rnd(3)] ?? "SIGKILL";
  const before = new Map([...recorders].map(([k, r]) => [k, r.points.size]));
  const t0 = Date.now();
  p.proc.kill(action);
  if (action === "SIGSTOP") frozen.push(name);
  await until(
    async () => {
      const h = await holder();
      return h !== "" && h !== name;
    },
    60_000,
    `takeover after ${action}`,
  );
  const next = await holder();
  const electedMs = Date.now() - t0;
  elected.push(electedMs);
  let emitMs: number | undefined;
  const rec = recorders.get(next);
  const deadline = Date.now() + CADENCE_MS + 5_000;
  while (rec && Date.now() < deadline) {
    if (rec.points.size > (before.get(next) ?? 0)) {
      emitMs = Date.now() - t0;
      break;
    }
    await Bun.sleep(50);
  }
  if (emitMs !== undefined) firstEmit.push(emitMs);
  log(
    `kill ${i + 1}/${N}: ${action} ${name} → ${next} elected after ${electedMs} ms${emitMs !== undefined ? `, first emit ${emitMs} ms` : ", nothing settled to emit"}`,
  );
  // Replace the killed process like a pod restart; thaw a frozen one after the takeover.
  if (action === "SIGSTOP") {
    p.proc.kill("SIGCONT");
  } else {
    await p.proc.exited;
    await launch(name);
  }
  await Bun.sleep(3_000 + rnd(4_000));
}

await Bun.sleep(CADENCE_MS + 5_000);
for (const p of procs.values()) p.proc.kill("SIGTERM");
await Promise.all([...procs.values()].map((p) => p.proc.exited));

// Evaluate.
const values = new Map<string, Set<number>>();
for (const r of recorders.values()) {
  for (const [k, v] of r.points) {
    const s = values.get(k) ?? new Set<number>();
    s.add(v.value);
    values.set(k, s);
  }
}
const duplicates =
  [...values].filter(([, s]) => s.size > 1).length + [...recorders.values()].reduce((a, r) => a + r.valueChanged, 0);
const cm = (await kube.admin("GET", `/api/v1/namespaces/${NS}/configmaps/${CM}`)).body;
const wmText =
  Object.entries((cm.data ?? {}) as Record<string, string>).find(([k]) => k.startsWith("ha-portkey_analytics_"))?.[1] ??
  "{}";
const watermark = Date.parse(JSON.parse(wmText).time ?? "");
const times = [...values.keys()]
  .filter((k) => k.startsWith("portkey_api_requests{}"))
  .map((k) => Number(BigInt(k.split("@")[1] ?? "0") / 1_000_000n))
  .sort((a, b) => a - b);
let gaps = 0;
for (let t = times[0] ?? 0; t <= watermark; t += 60_000) if (!times.includes(t)) gaps++;
// LangSmith runs: every run from the first window's start to the runs watermark reached a recorder.
const runsText =
  Object.entries((cm.data ?? {}) as Record<string, string>).find(([k]) => k.startsWith("ha-langsmith_runs_"))?.[1] ??
  "{}";
const runsUntil = Date.parse(JSON.parse(runsText).time ?? "");
// Coverage starts at the bootstrap window that was committed: the last query opening a window
// that continues no earlier one (later windows all start where a committed one ended).
const queries = ls.requests
  .filter((r) => r.path === "/runs/query")
  .map((r) => r.body as { start_time: string; end_time: string; cursor?: string });
const ends = new Set(queries.map((q) => q.end_time));
const bootstrap = queries.filter((q) => q.cursor === undefined && !ends.has(q.start_time)).at(-1);
const runsFrom = Date.parse(bootstrap?.start_time ?? "");
const landed = new Set([...recorders.values()].flatMap((r) => [...r.logIds]));
const { first, count } = ls.workspace.ticks(runsFrom, Number.isNaN(runsUntil) ? runsFrom : runsUntil);
let runsDue = 0;
let runsLost = 0;
for (let t = first; t < first + count; t++) {
  for (let p = 1; p <= ls.workspace.projects.length; p++) {
    runsDue++;
    if (!landed.has(`run-${p}-${t}`)) runsLost++;
  }
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const lines = [
  `failover gate: ${N} leader kills (-9 / SIGTERM / SIGSTOP), 3 replicas, Lease 15s/10s/2s, cadence 10s`,
  `kill → new leader elected (ms): p50 ${pct(elected, 50)}  p95 ${pct(elected, 95)}  max ${Math.max(...elected)}`,
  `kill → first emit by the new leader (ms, ${firstEmit.length}/${N} kills had settled data): p50 ${pct(firstEmit, 50)}  p95 ${pct(firstEmit, 95)}  max ${firstEmit.length ? Math.max(...firstEmit) : 0}`,
  `bound (lease + retry + cadence): ${BOUND} ms`,
  `buckets landed: ${times.length} minutes, ${values.size} series×timestamps; duplicates: ${duplicates}; gaps: ${gaps}`,
  `langsmith runs of completed windows: ${runsDue} due, ${runsDue - runsLost} landed, ${runsLost} lost`,
];
console.log(lines.join("\n"));
await kube.stop();
await pk.stop();
await ls.stop();
for (const r of recorders.values()) r.stop();
rmSync(dir, { recursive: true, force: true });
const worst = Math.max(...elected, ...firstEmit);
process.exit(
  duplicates === 0 && gaps === 0 && runsLost === 0 && runsDue > 0 && worst <= BOUND && times.length > 0 ? 0 : 1,
);
