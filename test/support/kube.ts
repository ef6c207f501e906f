/**
 * A real kube-apiserver + etcd on loopback, RBAC on, with the bridge's
 * ServiceAccount bound to exactly the Role the chart ships, and per-replica service-account
 * directories (token, ca.crt, namespace) as Kubernetes would mount them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort, peerBinary } from "./peers.ts";

export const NS = "gob-test";
export const LEASE = "genai-otel-bridge-leader";
export const CM = "genai-otel-bridge-checkpoints";

function sh(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

export interface Kube {
  url: string;
  ca: string;
  adminToken: string;
  /** Admin REST call; returns status and parsed body. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A call with an arbitrary bearer token. */
  as(
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A fresh token for the bridge's ServiceAccount. */
  bridgeToken(): Promise<string>;
  /** Write a service-account directory for one replica. */
  saDir(name: string, token?: string): Promise<string>;
  apiserver: Subprocess;
  etcd: Subprocess;
  stop(): Promise<void>;
}

export const BRIDGE_ROLE = {
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  metadata: { name: "genai-otel-bridge", namespace: NS },
  rules: [
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update"], resourceNames: [LEASE] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "update"], resourceNames: [CM] },
  ],
};

export async function startKube(dir: string): Promise<Kube> {
  mkdirSync(dir, { recursive: true });
  sh(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=peer-ca",
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
    ],
    dir,
  );
  sh(
    "openssl",
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=kube-apiserver",
      "-keyout",
      "apiserver.key",
      "-out",
      "apiserver.csr",
    ],
    dir,
  );
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  sh(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      "apiserver.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "san.ext",
      "-out",
      "apiserver.crt",
    ],
    dir,
  );
  sh("openssl", ["genrsa", "-out", "sa.key", "2048"], dir);
  sh("openssl", ["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  const adminToken = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex");
  writeFileSync(join(dir, "tokens.csv"), `${adminToken},test-admin,test-admin-uid,"system:masters"\n`);
  const ca = readFileSync(join(dir, "ca.crt"), "utf8");

  const [etcdPort, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcd = Bun.spawn(
    [
      peerBinary("etcd"),
      "--name=peer",
      `--data-dir=${dir}/etcd`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=peer=http://127.0.0.1:${etcdPeer}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ],
    { stdout: Bun.file(join(dir, "etcd.log")), stderr: Bun.file(join(dir, "etcd.err")) },
  );
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${etcdPort}/health`);
      if ((await r.text()).includes('"health":"true"')) break;
    } catch {
      // starting
    }
    if (i > 100) throw new Error("etcd did not start");
    await Bun.sleep(100);
  }
  const apiserver = Bun.spawn(
    [
      peerBinary("kube-apiserver"),
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${dir}/apiserver.crt`,
      `--tls-private-key-file=${dir}/apiserver.key`,
      `--cert-dir=${dir}/certs`,
      `--token-auth-file=${dir}/tokens.csv`,
      "--authorization-mode=RBAC",
      `--service-account-issuer=https://127.0.0.1:${apiPort}`,
      `--service-account-signing-key-file=${dir}/sa.key`,
      `--service-account-key-file=${dir}/sa.pub`,
      "--service-cluster-ip-range=10.0.0.0/24",
      "--disable-admission-plugins=ServiceAccount",
      "--allow-privileged=true",
      "--endpoint-reconciler-type=none",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
    ],
    { stdout: Bun.file(join(dir, "apiserver.log")), stderr: Bun.file(join(dir, "apiserver.err")) },
  );
  const url = `https://127.0.0.1:${apiPort}`;
  const as = async (token: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      tls: { ca },
    });
    const text = await r.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { raw: text };
    }
    return { status: r.status, body: parsed };
  };
  const admin = (m: string, p: string, b?: unknown) => as(adminToken, m, p, b);
  for (let i = 0; ; i++) {
    try {
      const r = await admin("GET", "/readyz");
      if (r.status === 200) break;
    } catch {
      // starting
    }
    if (i > 240)
      throw new Error(
        `kube-apiserver did not become ready: ${readFileSync(join(dir, "apiserver.err"), "utf8").slice(-2000)}`,
      );
    await Bun.sleep(250);
  }
  const must = async (p: Promise<{ status: number; body: Record<string, unknown> }>) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`kube setup: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  };
  await must(admin("POST", "/api/v1/namespaces", { metadata: { name: NS } }));
  await must(admin("POST", `/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: "genai-otel-bridge" } }));
  await must(admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, BRIDGE_ROLE));
  await must(
    admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      metadata: { name: "genai-otel-bridge", namespace: NS },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "genai-otel-bridge" },
      subjects: [{ kind: "ServiceAccount", name: "genai-otel-bridge", namespace: NS }],
    }),
  );
  const bridgeToken = async () => {
    const r = await must(
      admin("POST", `/api/v1/namespaces/${NS}/serviceaccounts/genai-otel-bridge/token`, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600 },
      }),
    );
    return String((r.body.status as Record<string, unknown>).token);
  };
  return {
    url,
    ca,
    adminToken,
    admin,
    as,
    bridgeToken,
    async saDir(name, token) {
      const d = join(dir, "sa", name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "token"), token ?? (await bridgeToken()));
      writeFileSync(join(d, "ca.crt"), ca);
      writeFileSync(join(d, "namespace"), NS);
      return d;
    },
    apiserver,
    etcd,
    async stop() {
      apiserver.kill("SIGTERM");
      const t = setTimeout(() => apiserver.kill("SIGKILL"), 10_000);
      await apiserver.exited;
      clearTimeout(t);
      etcd.kill("SIGTERM");
      await etcd.exited;
    },
  };
}
