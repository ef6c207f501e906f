/**
 * High availability against a REAL kube-apiserver + etcd with RBAC on. Replicas are separate processes of the compiled binary authenticated as a
 * ServiceAccount bound to exactly the chart's Role; each emits to its own Mimir-like recorder
 * so a zombie's emits can be told apart. Lease timings are shortened to 4s/3s/1s.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary, run } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { CM, type Kube, LEASE, NS, startKube } from "../support/kube.ts";
import { Recorder } from "../support/recorder.ts";
import { haConfig, metricsOf, type Replica, startReplica, until } from "../support/replicas.ts";
import { parseMetrics, sum } from "../support/scenario.ts";

const MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
let dir = "";
let kube: Kube;
let pk: FakePortkey;
const recorders = new Map<string, Recorder>();
const replicas: Replica[] = [];

const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`;
const cmPath = `/api/v1/namespaces/${NS}/configmaps/${CM}`;
const holder = async () =>
  String(((await kube.admin("GET", leasePath)).body.spec as Record<string, unknown> | undefined)?.holderIdentity ?? "");
const leaseSpec = async () => ((await kube.admin("GET", leasePath)).body.spec ?? {}) as Record<string, unknown>;

async function replica(name: string): Promise<Replica> {
  const rec = recorders.get(name) ?? new Recorder().start();
  recorders.set(name, rec);
  const r = await startReplica(kube, dir, name, haConfig(pk, rec.url), pk);
  replicas.push(r);
  return r;
}
const alive = () => replicas.filter((r) => r.proc.exitCode === null && r.proc.signalCode === null);

/** Union of all recorders: (series@ts) → set of values. */
function landed(): Map<string, Set<number>> {
  const m = new Map<string, Set<number>>();
  for (const rec of recorders.values()) {
    for (const [k, v] of rec.points) {
      const s = m.get(k) ?? new Set<number>();
      s.add(v.value);
      m.set(k, s);
    }
  }
  return m;
}
function requestTimes(): number[] {
  return [...landed().keys()]
    .filter((k) => k.startsWith("portkey_api_requests{}"))
    .map((k) => Number(BigInt(k.split("@")[1] ?? "0") / 1_000_000n))
    .sort((a, b) => a - b);
}
const isLoopKey = (k: string) => k.startsWith("ha-portkey_analytics_");
async function watermark(): Promise<number> {
  const data = ((await kube.admin("GET", cmPath)).body.data ?? {}) as Record<string, string>;
  const v = Object.entries(data).find(([k]) => isLoopKey(k))?.[1];
  try {
    return v ? Date.parse(JSON.parse(v).time) : 0;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "it-ha-"));
  kube = await startKube(join(dir, "kube"));
  pk = new FakePortkey().start();
}, 120_000);

afterAll(async () => {
  for (const r of replicas) if (r.proc.exitCode === null) r.proc.kill("SIGKILL");
  await Promise.all(replicas.map((r) => r.proc.exited));
  await kube?.stop();
  await pk?.stop();
  for (const r of recorders.values()) r.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("lease election and ConfigMap checkpoint on a real API server", () => {
  test("RBAC is real: the bridge's token may not list, read other objects or delete", async () => {
    const token = await kube.bridgeToken();
    expect((await kube.as(token, "GET", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`)).status).toBe(403);
    expect((await kube.as(token, "GET", `/api/v1/namespaces/${NS}/configmaps`)).status).toBe(403);
    expect((await kube.as(token, "GET", `/api/v1/namespaces/${NS}/configmaps/other`)).status).toBe(403);
    expect((await kube.as(token, "GET", `/api/v1/namespaces/${NS}/secrets`)).status).toBe(403);
    expect((await kube.as(token, "DELETE", leasePath)).status).toBe(403);
    expect((await kube.admin("GET", `/api/v1/namespaces/${NS}/configmaps/other`)).status).toBe(404);
  });

  test("three replicas: exactly one leader; the Lease reads back valid", async () => {
    await Promise.all(["replica-0", "replica-1", "replica-2"].map((n) => replica(n)));
    await until(async () => (await holder()) !== "", 30_000, "a holder");
    await Bun.sleep(3000);
    const leaders = replicas.filter((r) => r.stdout.includes("leader elected; starting loops"));
    expect(leaders).toHaveLength(1);
    expect(leaders[0]?.stdout).toMatch(/msg="leader elected; starting loops" instance=\S+ leader=true/);
    for (const r of replicas.filter((x) => x !== leaders[0])) expect(r.stdout).toContain("leader=false");
    const spec = await leaseSpec();
    expect(spec.holderIdentity).toBe(leaders[0]?.name);
    expect(spec.leaseDurationSeconds).toBe(4);
    expect(spec.leaseTransitions).toBe(0);
    expect(String(spec.acquireTime)).toMatch(MICRO);
    expect(String(spec.renewTime)).toMatch(MICRO);
    for (const r of replicas) expect((await fetch(`http://127.0.0.1:${r.port}/readyz`)).status).toBe(200);
    await until(async () => (await watermark()) > 0, 20_000, "a committed watermark");
  }, 60_000);

  test("kill -9 of the leader: a standby takes over within lease + retry, transitions +1", async () => {
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    expect(leader).toBeDefined();
    const t0 = Date.now();
    leader?.proc.kill("SIGKILL");
    await until(
      async () => {
        const h = await holder();
        return h !== "" && h !== name;
      },
      20_000,
      "a new holder",
    );
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(4000 + 1000 * 2.2 + 3000);
    expect((await leaseSpec()).leaseTransitions).toBe(1);
  }, 30_000);

  test("SIGTERM of the leader exits 0 and does not release the Lease", async () => {
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    const res = await leader?.stop("SIGTERM");
    expect(res?.code).toBe(0);
    expect(res?.stdout).toContain("leadership released on shutdown; loops stopped");
    expect(await holder()).toBe(name);
    await replica(`${name}-b`);
    await until(async () => (await holder()) !== name, 20_000, "takeover after expiry");
    expect((await leaseSpec()).leaseTransitions).toBe(2);
  }, 40_000);

  test("SIGSTOP/SIGCONT: the frozen leader emits nothing after it resumes without the Lease", async () => {
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    const rec = recorders.get(name);
    if (!leader || !rec) throw new Error("no leader");
    leader.proc.kill("SIGSTOP");
    await until(async () => (await holder()) !== name, 20_000, "takeover from the frozen leader");
    await Bun.sleep(1000);
    const resumedAt = Date.now();
    leader.proc.kill("SIGCONT");
    await until(() => leader.stdout.includes("leadership lost"), 15_000, "the zombie noticing");
    await Bun.sleep(4000);
    // Nothing is started after the resume. A request that was already handed to the network
    // when the process froze may complete as it wakes (at most one, at once); it carries data
    // the leader was entitled to send, identical to what the new leader sends.
    const after = rec.productArrivals.filter((t) => t >= resumedAt);
    expect(after.length).toBeLessThanOrEqual(1);
    for (const t of after) expect(t - resumedAt).toBeLessThan(1000);
    expect(rec.valueChanged).toBe(0);
    expect(leader.proc.exitCode).toBeNull();
  }, 60_000);

  test("catch-up finished across all failovers: every bucket once, same value everywhere, no gap", async () => {
    await until(async () => (await watermark()) > Date.now() - 9 * 60_000, 90_000, "catch-up");
    for (const rec of recorders.values()) expect(rec.valueChanged).toBe(0);
    for (const [k, values] of landed()) expect({ k, n: values.size }).toEqual({ k, n: 1 });
    const ts = requestTimes();
    expect(ts.length).toBeGreaterThan(35);
    for (let i = 1; i < ts.length; i++) expect((ts[i] ?? 0) - (ts[i - 1] ?? 0)).toBe(60_000);
    // Every bucket up to the durable watermark landed. Buckets beyond it were emitted by a term
    // that ended before its commit (kill -9, freeze); the next leader re-sends them identically.
    const w = await watermark();
    expect(ts.at(-1) ?? 0).toBeGreaterThanOrEqual(Math.floor(w / 60_000) * 60_000);
  }, 120_000);

  test("a 409 storm from a concurrent writer: read-modify-write retries, the watermark still advances", async () => {
    let stop = false;
    let conflicts = 0;
    const storm = (async () => {
      for (let i = 0; !stop; i++) {
        const cm = (await kube.admin("GET", cmPath)).body;
        const r = await kube.admin("PUT", cmPath, {
          ...cm,
          data: { ...((cm.data ?? {}) as Record<string, string>), "other.key": String(i) },
        });
        if (r.status === 409) conflicts++;
      }
    })();
    const w0 = await watermark();
    await until(async () => (await watermark()) > w0, 60_000, "an advance under contention");
    stop = true;
    await storm;
    expect(((await kube.admin("GET", cmPath)).body.data as Record<string, string>)["other.key"]).toBeDefined();
    expect(conflicts).toBeGreaterThanOrEqual(0);
  }, 70_000);

  test("a stale-epoch write is fenced and counted, never overwritten", async () => {
    const data = ((await kube.admin("GET", cmPath)).body.data ?? {}) as Record<string, string>;
    const [key, v] = Object.entries(data).find(([k]) => isLoopKey(k)) ?? ["", ""];
    const stored = JSON.parse(v);
    const cm = (await kube.admin("GET", cmPath)).body;
    const fenced = { ...stored, epoch: 99 };
    expect((await kube.admin("PUT", cmPath, { ...cm, data: { ...data, [key]: JSON.stringify(fenced) } })).status).toBe(
      200,
    );
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    if (!leader) throw new Error("no leader");
    await until(
      async () =>
        sum(parseMetrics(await metricsOf(leader)), "genai_otel_bridge_emit_errors_total", {
          kind: "checkpoint_fenced",
        }) > 0 || leader.stdout.includes("fenced"),
      40_000,
      "a fenced write",
    );
    const after = JSON.parse(((await kube.admin("GET", cmPath)).body.data as Record<string, string>)[key] ?? "{}");
    expect(after.epoch).toBe(99);
    // Put a sane epoch back for the following cases.
    const cm2 = (await kube.admin("GET", cmPath)).body;
    await kube.admin("PUT", cmPath, {
      ...cm2,
      data: { ...((cm2.data ?? {}) as Record<string, string>), [key]: JSON.stringify({ ...after, epoch: 0 }) },
    });
  }, 60_000);

  test("corrupt checkpoint data: loads fail and are counted; the value is never overwritten", async () => {
    const cm = (await kube.admin("GET", cmPath)).body;
    const data = (cm.data ?? {}) as Record<string, string>;
    const key = Object.keys(data).find(isLoopKey) ?? "";
    expect((await kube.admin("PUT", cmPath, { ...cm, data: { ...data, [key]: "{not json" } })).status).toBe(200);
    // Fresh leader (no in-memory frontier) must load and refuse.
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    leader?.proc.kill("SIGKILL");
    await until(
      async () => {
        const h = await holder();
        return h !== "" && h !== name;
      },
      20_000,
      "new holder",
    );
    const newName = await holder();
    const nl = replicas.find((r) => r.name === newName);
    if (!nl) throw new Error("no leader");
    await until(
      async () =>
        sum(parseMetrics(await metricsOf(nl)), "genai_otel_bridge_emit_errors_total", { kind: "checkpoint_load" }) > 0,
      30_000,
      "checkpoint_load errors",
    );
    expect(((await kube.admin("GET", cmPath)).body.data as Record<string, string>)[key]).toBe("{not json");
    // Recover by hand as the runbook says: delete the key (accepting the gap).
    const cm3 = (await kube.admin("GET", cmPath)).body;
    const { [key]: _, ...rest } = (cm3.data ?? {}) as Record<string, string>;
    await kube.admin("PUT", cmPath, { ...cm3, data: rest });
  }, 60_000);

  test("Lease deleted by hand: the leader re-creates it and keeps leading", async () => {
    const name = await holder();
    expect((await kube.admin("DELETE", leasePath)).status).toBe(200);
    await until(async () => (await kube.admin("GET", leasePath)).status === 200, 20_000, "lease re-created");
    expect(await holder()).not.toBe("");
    expect(name).not.toBe("");
  }, 30_000);

  test("RBAC removed: clear errors, no crash loop; restored: leadership resumes", async () => {
    const rb = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings/genai-otel-bridge`;
    const binding = (await kube.admin("GET", rb)).body;
    expect((await kube.admin("DELETE", rb)).status).toBe(200);
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    if (!leader) throw new Error("no leader");
    await until(() => leader.stdout.includes("leadership lost"), 30_000, "loss after RBAC removal");
    await until(() => alive().some((r) => /403|[Ff]orbidden/.test(r.stdout)), 20_000, "a clear RBAC error in the log");
    for (const r of alive()) expect(r.proc.exitCode).toBeNull();
    const {
      resourceVersion: _,
      uid: __,
      creationTimestamp: ___,
      ...meta
    } = binding.metadata as Record<string, unknown>;
    expect(
      (
        await kube.admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
          ...binding,
          metadata: meta,
        })
      ).status,
    ).toBe(201);
    await until(
      async () =>
        alive().some(
          (r) =>
            r.stdout.split("leadership lost").length > 1 &&
            r.stdout.lastIndexOf("leader elected") > r.stdout.lastIndexOf("leadership lost"),
        ),
      40_000,
      "re-election",
    );
  }, 90_000);

  test("API server unreachable: the leader stops within the renew deadline, then recovers", async () => {
    const name = await holder();
    const leader = replicas.find((r) => r.name === name);
    if (!leader) throw new Error("no leader");
    const lost = leader.stdout.split("leadership lost").length;
    kube.apiserver.kill("SIGSTOP");
    const t0 = Date.now();
    await until(
      () => leader.stdout.split("leadership lost").length > lost,
      15_000,
      "loss while the API server is frozen",
    );
    expect(Date.now() - t0).toBeLessThan(4000 + 3000 + 2000);
    // Unreachable for 30 s in all: every replica keeps running, nobody leads.
    await Bun.sleep(30_000 - (Date.now() - t0));
    for (const r of alive()) expect(r.proc.exitCode).toBeNull();
    kube.apiserver.kill("SIGCONT");
    await until(
      async () =>
        (await holder()) !== "" &&
        alive().some((r) => r.stdout.lastIndexOf("leader elected") > r.stdout.lastIndexOf("leadership lost")),
      40_000,
      "re-election",
    );
    for (const rec of recorders.values()) expect(rec.valueChanged).toBe(0);
  }, 120_000);

  test("-cleanup with its own ServiceAccount deletes exactly the two objects; -cleanup-retain-checkpoint deletes nothing", async () => {
    for (const r of alive()) await r.stop("SIGTERM");
    await kube.admin("POST", `/api/v1/namespaces/${NS}/serviceaccounts`, {
      metadata: { name: "genai-otel-bridge-cleanup" },
    });
    await kube.admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, {
      metadata: { name: "genai-otel-bridge-cleanup", namespace: NS },
      rules: [
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["delete"], resourceNames: [LEASE] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["delete"], resourceNames: [CM] },
      ],
    });
    await kube.admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      metadata: { name: "genai-otel-bridge-cleanup", namespace: NS },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "genai-otel-bridge-cleanup" },
      subjects: [{ kind: "ServiceAccount", name: "genai-otel-bridge-cleanup", namespace: NS }],
    });
    const tok = (
      await kube.admin("POST", `/api/v1/namespaces/${NS}/serviceaccounts/genai-otel-bridge-cleanup/token`, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      })
    ).body.status as Record<string, string>;
    const sa = await kube.saDir("cleanup", tok.token);
    const retain = await run([
      "-cleanup",
      `-namespace=${NS}`,
      "-cleanup-retain-checkpoint",
      `-kube-api-url=${kube.url}`,
      `-serviceaccount-dir=${sa}`,
    ]);
    expect(retain.code).toBe(0);
    expect(retain.stdout).toContain("checkpoint_retained=true");
    expect((await kube.admin("GET", leasePath)).status).toBe(200);
    const r = await run(["-cleanup", `-namespace=${NS}`, `-kube-api-url=${kube.url}`, `-serviceaccount-dir=${sa}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('msg="cleanup complete"');
    expect((await kube.admin("GET", leasePath)).status).toBe(404);
    expect((await kube.admin("GET", cmPath)).status).toBe(404);
    const again = await run(["-cleanup", `-namespace=${NS}`, `-kube-api-url=${kube.url}`, `-serviceaccount-dir=${sa}`]);
    expect(again.code).toBe(0);
  }, 60_000);
});
