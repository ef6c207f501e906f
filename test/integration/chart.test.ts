/**
 * The Helm chart with REAL helm (built from the Go module proxy): lint, template under several
 * value sets with the checks of the chart's own rules, the rendered manifests applied to a REAL
 * kube-apiserver (server-side dry-run, then create), RBAC proven with the chart's own
 * ServiceAccounts (SelfSubjectRulesReview / SelfSubjectAccessReview), and the bridge running
 * with the chart's token.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { uncovered } from "../../scripts/chart-config.ts";
import { requireBinary, run } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { type Kube, startKube } from "../support/kube.ts";
import { peerBinary } from "../support/peers.ts";
import { Recorder } from "../support/recorder.ts";
import { startReplica, until } from "../support/replicas.ts";

const CHART = resolve(import.meta.dir, "../../deploy/helm");
const NS = "chart-test";
// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are untyped YAML
type Obj = Record<string, any>;

function helm(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(peerBinary("helm"), args, { encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
function render(set: string[] = []): Obj[] {
  const r = helm([
    "template",
    "gob",
    CHART,
    "--namespace",
    NS,
    "--kube-version",
    "1.36.3",
    ...set.flatMap((s) => ["--set", s]),
  ]);
  if (r.code !== 0) throw new Error(r.err);
  return parseAllDocuments(r.out)
    .map((d) => d.toJS() as Obj)
    .filter((o) => o?.kind);
}
const renderErr = (set: string[]) =>
  helm(["template", "gob", CHART, "--namespace", NS, "--kube-version", "1.36.3", ...set.flatMap((s) => ["--set", s])]);
/** The values sets of issue 5, each linted, rendered and (where the API server has the kinds) applied. */
const VALUE_SETS: Record<string, string[]> = {
  defaults: [],
  "3 replicas": ["replicas=3"],
  "ExternalSecret on": [
    "externalSecrets.enabled=true",
    "aws.region=eu-west-1",
    "serviceAccount.esoName=eso",
    "externalSecrets.grafanaConfigSecret=gc",
    "externalSecrets.grafanaSelfTokenSecret=st",
    "externalSecrets.portkeySecret=pk",
  ],
  "NetworkPolicy CIDRs tightened": [
    "networkPolicy.apiServerCIDR=10.96.0.1/32",
    "networkPolicy.otlpEgressCIDR=10.3.0.0/16",
    "networkPolicy.sourceEgressCIDR=10.4.0.0/16",
    "networkPolicy.selfOtlpEgressCIDR=10.2.0.0/16",
    "networkPolicy.exportEgressCIDR=10.1.0.0/16",
  ],
  "retain checkpoint": ["cleanup.retainCheckpoint=true"],
  "dashboards ConfigMap": ["dashboards.enabled=true", "dashboards.annotations.grafana_folder=genai-otel-bridge"],
};
const find = (objs: Obj[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name) as Obj;
const container = (objs: Obj[]) => find(objs, "Deployment", "genai-otel-bridge").spec.template.spec.containers[0];

describe("helm lint and template", () => {
  test("D1 lint passes under every values set; generated config block covers the schema", () => {
    for (const set of Object.values(VALUE_SETS)) {
      const r = helm(["lint", CHART, "--strict", "--kube-version", "1.36.3", ...set.flatMap((s) => ["--set", s])]);
      expect({ set, code: r.code, out: r.code === 0 ? "" : r.out }).toEqual({ set, code: 0, out: "" });
    }
    expect(uncovered()).toEqual([]);
  });
  test("D2 default objects", () => {
    const names = render()
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(names).toEqual(
      [
        "ConfigMap/genai-otel-bridge-config",
        "Deployment/genai-otel-bridge",
        "Job/genai-otel-bridge-cleanup",
        "NetworkPolicy/genai-otel-bridge",
        "PodDisruptionBudget/genai-otel-bridge",
        "Role/genai-otel-bridge",
        "Role/genai-otel-bridge-cleanup",
        "RoleBinding/genai-otel-bridge",
        "RoleBinding/genai-otel-bridge-cleanup",
        "Service/genai-otel-bridge",
        "ServiceAccount/genai-otel-bridge",
        "ServiceAccount/genai-otel-bridge-cleanup",
      ].sort(),
    );
  });
  test("D3/D4 image defaults to appVersion; the cleanup Job uses the same image", () => {
    const objs = render();
    expect(container(objs).image).toBe("genai-otel-bridge/genai-otel-bridge:0.1.0");
    const set = render(["image=reg/x:1"]);
    expect(container(set).image).toBe("reg/x:1");
    expect(find(set, "Job", "genai-otel-bridge-cleanup").spec.template.spec.containers[0].image).toBe("reg/x:1");
  });
  test("D5–D7 replica guard", () => {
    const r = renderErr(["replicas=3", "config.ha.coordinator=none"]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("ha.coordinator=none with replicas>1");
    expect(() => render(["replicas=3", "config.ha.coordinator=none", "configOverride=emit: {}"])).not.toThrow();
    const one = render(["replicas=1", "config.ha.coordinator=none"]);
    expect(container(one).env.find((e: Obj) => e.name === "GENAI_OTEL_BRIDGE_REPLICAS").value).toBe("1");
  });
  test("D8/D9 args and env order; memory limit wired to the bridge and its JS engine", () => {
    const c = container(render());
    expect(c.args).toEqual([
      "-config=/etc/genai-otel-bridge/config.yaml",
      "-namespace=$(POD_NAMESPACE)",
      "-identity=$(POD_NAME)",
      "-container-mem-bytes=$(MEM_LIMIT)",
    ]);
    expect(c.command).toBeUndefined();
    expect(c.env.map((e: Obj) => e.name)).toEqual([
      "POD_NAME",
      "POD_NAMESPACE",
      "GENAI_OTEL_BRIDGE_REPLICAS",
      "MEM_LIMIT",
      "BUN_JSC_forceRAMSize",
    ]);
    for (const n of ["MEM_LIMIT", "BUN_JSC_forceRAMSize"]) {
      expect(c.env.find((e: Obj) => e.name === n).valueFrom.resourceFieldRef).toEqual({
        containerName: "genai-otel-bridge",
        resource: "limits.memory",
      });
    }
    expect(c.envFrom).toEqual([{ secretRef: { name: "genai-otel-bridge-secrets" } }]);
  });
  test("D10 runtimeEnv", () => {
    const env = container(render(["runtimeEnv.env=prod", "runtimeEnv.langsmithBaseUrl=https://ls/api/v1"])).env.map(
      (e: Obj) => e.name,
    );
    expect(env).toContain("ENV");
    expect(env).toContain("LANGSMITH_BASE_URL");
    expect(env).not.toContain("PORTKEY_EXPECTED_WORKSPACE");
  });
  test("D11/D12 config checksum rolls pods", () => {
    const a = find(render(), "Deployment", "genai-otel-bridge").spec.template.metadata.annotations["checksum/config"];
    const b = find(render(["config.log.level=debug"]), "Deployment", "genai-otel-bridge").spec.template.metadata
      .annotations["checksum/config"];
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(
      find(render(["rolloutOnConfigChange=false"]), "Deployment", "genai-otel-bridge").spec.template.metadata
        .annotations,
    ).toBeUndefined();
  });
  test("D13–D15 security contexts, probes, volumes", () => {
    const d = find(render(), "Deployment", "genai-otel-bridge");
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.securityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.readinessProbe).toEqual({
      httpGet: { path: "/readyz", port: "health" },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      failureThreshold: 3,
    });
    expect(c.livenessProbe).toEqual({
      httpGet: { path: "/healthz", port: "health" },
      initialDelaySeconds: 10,
      periodSeconds: 15,
      failureThreshold: 4,
    });
    expect(c.volumeMounts.map((m: Obj) => [m.name, m.mountPath, m.readOnly ?? false])).toEqual([
      ["config", "/etc/genai-otel-bridge", true],
      ["state", "/var/lib/genai-otel-bridge", false],
      ["tmp", "/tmp", false],
    ]);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    expect(d.spec.replicas).toBe(2);
    expect(pod.terminationGracePeriodSeconds).toBe(300);
  });
  test("D18 the app Role has exactly the four rules", () => {
    expect(find(render(), "Role", "genai-otel-bridge").rules).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["genai-otel-bridge-leader"],
        verbs: ["get", "update"],
      },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
      {
        apiGroups: [""],
        resources: ["configmaps"],
        resourceNames: ["genai-otel-bridge-checkpoints"],
        verbs: ["get", "update"],
      },
    ]);
  });
  test("D19/D20 the rendered config validates with the binary; configOverride is verbatim", async () => {
    requireBinary();
    const text = find(render(), "ConfigMap", "genai-otel-bridge-config").data["config.yaml"];
    const cfg = parse(text);
    expect(cfg.ha.coordinator).toBe("lease");
    expect(cfg.sources[0].loops.analytics.graphs).toHaveLength(5);
    expect(text).toContain("${GC_OTLP_TOKEN}");
    const r = await run(["validate"], {
      env: {
        GENAI_OTEL_BRIDGE_CONFIG: text,
        GC_OTLP_ENDPOINT: "https://otlp.example",
        GC_INSTANCE_ID: "1",
        GC_OTLP_TOKEN: "t0ken",
        ENV: "prod",
        PORTKEY_API_KEY: "pk",
      },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(find(render(["configOverride=emit: {}"]), "ConfigMap", "genai-otel-bridge-config").data["config.yaml"]).toBe(
      "emit: {}\n",
    );
  });
  test("D21–D25 NetworkPolicy: default deny with explicit egress; CIDRs tightened", () => {
    const np = find(render(), "NetworkPolicy", "genai-otel-bridge").spec;
    expect(np.ingress).toEqual([{ ports: [{ protocol: "TCP", port: 8080 }] }]);
    expect(np.egress).toHaveLength(4);
    expect(np.egress[0].ports).toEqual([
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ]);
    expect(
      find(render(["networkPolicy.ingressPorts=null"]), "NetworkPolicy", "genai-otel-bridge").spec.ingress,
    ).toEqual([]);
    const tight = find(
      render([
        "networkPolicy.apiServerCIDR=10.96.0.1/32",
        "networkPolicy.otlpEgressCIDR=10.3.0.0/16",
        "networkPolicy.exportEgressCIDR=10.1.0.0/16",
        "networkPolicy.selfOtlpEgressCIDR=10.2.0.0/16",
      ]),
      "NetworkPolicy",
      "genai-otel-bridge",
    ).spec.egress;
    expect(tight.slice(1).map((e: Obj) => e.to[0].ipBlock.cidr)).toEqual([
      "10.96.0.1/32",
      "10.3.0.0/16",
      "10.2.0.0/16",
      "0.0.0.0/0",
      "10.1.0.0/16",
    ]);
    const pull = render(["profiling.enabled=true"]);
    expect(find(pull, "NetworkPolicy", "genai-otel-bridge").spec.ingress[1].ports).toEqual([
      { protocol: "TCP", port: 6060 },
    ]);
    expect(container(pull).ports.map((p: Obj) => p.name)).toEqual(["health", "pprof"]);
    const push = find(
      render(["profiling.enabled=true", "profiling.mode=push"]),
      "NetworkPolicy",
      "genai-otel-bridge",
    ).spec;
    expect(push.egress.at(-1).to[0].ipBlock.cidr).toBe("0.0.0.0/0");
    expect(push.ingress).toHaveLength(1);
  });
  test("D26 PDB", () => {
    expect(find(render(), "PodDisruptionBudget", "genai-otel-bridge").spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { app: "genai-otel-bridge" } },
    });
    expect(render(["podDisruptionBudget.enabled=false"]).some((o) => o.kind === "PodDisruptionBudget")).toBe(false);
  });
  test("D27–D30 External Secrets", () => {
    expect(renderErr(["externalSecrets.enabled=true"]).err).toContain("requires aws.region");
    const base = [
      "externalSecrets.enabled=true",
      "aws.region=eu-west-1",
      "serviceAccount.esoName=eso",
      "externalSecrets.grafanaConfigSecret=gc",
      "externalSecrets.grafanaSelfTokenSecret=st",
    ];
    expect(renderErr(base).err).toContain("at least one source API-key secret");
    const es = find(
      render([...base, "externalSecrets.portkeySecret=pk"]),
      "ExternalSecret",
      "genai-otel-bridge-externalsecret",
    );
    expect(es.spec.data.map((d: Obj) => d.secretKey)).toEqual([
      "GC_SELF_OTLP_ENDPOINT",
      "GC_SELF_OTLP_INSTANCE_ID",
      "GC_SELF_OTLP_TOKEN",
      "PORTKEY_API_KEY",
    ]);
    const full = find(
      render([
        ...base,
        "externalSecrets.portkeySecret=pk",
        "externalSecrets.grafanaProductTokenSecret=pt",
        "profiling.enabled=true",
      ]),
      "ExternalSecret",
      "genai-otel-bridge-externalsecret",
    );
    expect(full.spec.data.map((d: Obj) => d.secretKey)).toEqual([
      "GC_OTLP_ENDPOINT",
      "GC_INSTANCE_ID",
      "GC_OTLP_TOKEN",
      "GC_SELF_OTLP_ENDPOINT",
      "GC_SELF_OTLP_INSTANCE_ID",
      "GC_SELF_OTLP_TOKEN",
      "GC_PYROSCOPE_URL",
      "GC_PYROSCOPE_USER",
      "GC_PYROSCOPE_PASSWORD",
      "PORTKEY_API_KEY",
    ]);
    const store = find(render([...base, "externalSecrets.portkeySecret=pk"]), "SecretStore", "aws-secretsmanager");
    expect(store.spec.provider.aws).toEqual({
      service: "SecretsManager",
      region: "eu-west-1",
      auth: { jwt: { serviceAccountRef: { name: "eso" } } },
    });
  });
  test("D31–D34 cleanup hook", () => {
    expect(render(["cleanup.enabled=false"]).some((o) => o.metadata.name === "genai-otel-bridge-cleanup")).toBe(false);
    const objs = render();
    const w = (k: string) => find(objs, k, "genai-otel-bridge-cleanup").metadata.annotations["helm.sh/hook-weight"];
    expect([w("ServiceAccount"), w("Role"), w("RoleBinding"), w("Job")]).toEqual(["-5", "-5", "-3", "0"]);
    expect(find(objs, "Role", "genai-otel-bridge-cleanup").rules.map((r: Obj) => r.resources[0])).toEqual([
      "leases",
      "configmaps",
    ]);
    const job = find(objs, "Job", "genai-otel-bridge-cleanup").spec;
    expect([
      job.backoffLimit,
      job.activeDeadlineSeconds,
      job.template.spec.restartPolicy,
      job.template.spec.serviceAccountName,
    ]).toEqual([1, 120, "Never", "genai-otel-bridge-cleanup"]);
    expect(job.template.spec.containers[0].args).toEqual(["-cleanup", "-namespace=$(POD_NAMESPACE)"]);
    const retain = render(["cleanup.retainCheckpoint=true"]);
    expect(find(retain, "Role", "genai-otel-bridge-cleanup").rules).toHaveLength(1);
    expect(find(retain, "Job", "genai-otel-bridge-cleanup").spec.template.spec.containers[0].args.at(-1)).toBe(
      "-cleanup-retain-checkpoint",
    );
  });
  test("D35/D36 pull secrets, extra containers and volumes", () => {
    const objs = render([
      "imagePullSecrets[0].name=regcred",
      "extraContainers[0].name=sidecar",
      "extraContainers[0].image=busybox",
      "extraVolumes[0].name=v",
      "extraVolumes[0].emptyDir.medium=Memory",
      "shareProcessNamespace=true",
    ]);
    const pod = find(objs, "Deployment", "genai-otel-bridge").spec.template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(find(objs, "Job", "genai-otel-bridge-cleanup").spec.template.spec.imagePullSecrets).toEqual([
      { name: "regcred" },
    ]);
    expect(pod.containers.map((c: Obj) => c.name)).toEqual(["genai-otel-bridge", "sidecar"]);
    expect(pod.volumes.map((v: Obj) => v.name)).toEqual(["config", "state", "tmp", "v"]);
    expect(pod.shareProcessNamespace).toBe(true);
  });
});

describe("the optional dashboards ConfigMap", () => {
  test("off by default; on, it carries every generated dashboard for the Grafana sidecar", () => {
    expect(render().some((o) => o.metadata.name === "genai-otel-bridge-dashboards")).toBe(false);
    const cm = find(render(VALUE_SETS["dashboards ConfigMap"]), "ConfigMap", "genai-otel-bridge-dashboards");
    expect(cm.metadata.labels.grafana_dashboard).toBe("1");
    expect(cm.metadata.annotations).toEqual({ grafana_folder: "genai-otel-bridge" });
    const dir = join(CHART, "..", "grafana", "dashboards");
    const files = readdirSync(dir).sort();
    expect(Object.keys(cm.data).sort()).toEqual(files);
    for (const f of files) expect(JSON.parse(cm.data[f])).toEqual(JSON.parse(readFileSync(join(dir, f), "utf8")));
  });
});

describe("the chart on a real API server", () => {
  let dir = "";
  let kube: Kube;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "chart-"));
    kube = await startKube(join(dir, "kube"));
    expect((await kube.admin("POST", "/api/v1/namespaces", { metadata: { name: NS } })).status).toBe(201);
    // The External Secrets Operator's real CRDs (scripts/peers.sh eso-crds), so SecretStore and
    // ExternalSecret are checked against ESO's own schema, as on a cluster running ESO.
    const crds = parseAllDocuments(readFileSync(peerBinary("eso-crds"), "utf8"))
      .map((d) => d.toJS() as Obj)
      .filter((o) => o?.kind === "CustomResourceDefinition");
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      "externalsecrets.external-secrets.io",
      "secretstores.external-secrets.io",
    ]);
    for (const crd of crds) {
      const r = await kube.admin("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
      expect({ crd: crd.metadata.name, status: r.status }).toEqual({ crd: crd.metadata.name, status: 201 });
      await until(
        async () =>
          (
            (await kube.admin("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`))
              .body.status as Obj
          )?.conditions?.some((c: Obj) => c.type === "Established" && c.status === "True") === true,
        30_000,
        `CRD ${crd.metadata.name} established`,
      );
      // Established comes a moment before the new resource's endpoint serves.
      const { group, names, versions } = crd.spec;
      const served = String((versions as Obj[]).find((v) => v.storage)?.name);
      await until(
        async () =>
          (await kube.admin("GET", `/apis/${group}/${served}/namespaces/${NS}/${names.plural}`)).status === 200,
        30_000,
        `${names.plural}.${group} served`,
      );
    }
  }, 120_000);
  afterAll(async () => {
    await kube?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const pathFor = (o: Obj) => {
    const group = o.apiVersion.includes("/") ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
    const plural: Record<string, string> = {
      ServiceAccount: "serviceaccounts",
      Role: "roles",
      RoleBinding: "rolebindings",
      ConfigMap: "configmaps",
      Service: "services",
      Deployment: "deployments",
      NetworkPolicy: "networkpolicies",
      PodDisruptionBudget: "poddisruptionbudgets",
      Job: "jobs",
      SecretStore: "secretstores",
      ExternalSecret: "externalsecrets",
    };
    return `${group}/namespaces/${NS}/${plural[o.kind]}`;
  };

  for (const [label, set] of Object.entries(VALUE_SETS)) {
    test(`server-side dry-run accepts every object (${label})`, async () => {
      for (const o of render([...set])) {
        // Strict: an unknown or misspelt field is an error, not a warning the server drops.
        const r = await kube.admin("POST", `${pathFor(o)}?dryRun=All&fieldValidation=Strict`, o);
        expect({ obj: `${o.kind}/${o.metadata.name}`, status: r.status, msg: r.body.message ?? "" }).toEqual({
          obj: `${o.kind}/${o.metadata.name}`,
          status: 201,
          msg: "",
        });
      }
    }, 60_000);
  }

  test("create for real; the chart's ServiceAccount may do exactly what the bridge needs", async () => {
    for (const o of render()) {
      expect((await kube.admin("POST", `${pathFor(o)}?fieldValidation=Strict`, o)).status).toBe(201);
    }
    const token = async (sa: string) =>
      String(
        (
          (
            await kube.admin("POST", `/api/v1/namespaces/${NS}/serviceaccounts/${sa}/token`, {
              apiVersion: "authentication.k8s.io/v1",
              kind: "TokenRequest",
              spec: { expirationSeconds: 600 },
            })
          ).body.status as Obj
        ).token,
      );
    const app = await token("genai-otel-bridge");
    // Everything a token may do in the namespace, less what every authenticated user may do.
    const rulesOf = async (tok: string) =>
      (
        (
          (
            await kube.as(tok, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", {
              spec: { namespace: NS },
            })
          ).body.status as Obj
        ).resourceRules as Obj[]
      )
        .filter((r) => !(r.resources ?? []).some((x: string) => x.startsWith("selfsubject")))
        .map(
          (r) =>
            `${(r.apiGroups ?? []).join(",")}|${(r.resources ?? []).join(",")}|${(r.resourceNames ?? []).join(",")}|${[...r.verbs].sort().join(",")}`,
        )
        .sort();
    expect(await rulesOf(app)).toEqual(
      [
        "|configmaps||create",
        "|configmaps|genai-otel-bridge-checkpoints|get,update",
        "coordination.k8s.io|leases||create",
        "coordination.k8s.io|leases|genai-otel-bridge-leader|get,update",
      ].sort(),
    );
    const can = async (tok: string, verb: string, resource: string, name = "", group = "") =>
      (
        (
          await kube.as(tok, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
            spec: { resourceAttributes: { namespace: NS, verb, resource, name, group } },
          })
        ).body.status as Obj
      ).allowed === true;
    expect(await can(app, "get", "leases", "genai-otel-bridge-leader", "coordination.k8s.io")).toBe(true);
    expect(await can(app, "update", "configmaps", "genai-otel-bridge-checkpoints")).toBe(true);
    expect(await can(app, "get", "configmaps", "genai-otel-bridge-config")).toBe(false);
    expect(await can(app, "delete", "leases", "genai-otel-bridge-leader", "coordination.k8s.io")).toBe(false);
    expect(await can(app, "delete", "configmaps", "genai-otel-bridge-checkpoints")).toBe(false);
    expect(await can(app, "list", "configmaps")).toBe(false);
    expect(await can(app, "get", "secrets", "genai-otel-bridge-secrets")).toBe(false);
    expect(await can(app, "patch", "leases", "genai-otel-bridge-leader", "coordination.k8s.io")).toBe(false);
    const hook = await token("genai-otel-bridge-cleanup");
    expect(await rulesOf(hook)).toEqual(
      [
        "|configmaps|genai-otel-bridge-checkpoints|delete",
        "coordination.k8s.io|leases|genai-otel-bridge-leader|delete",
      ].sort(),
    );
    expect(await can(hook, "delete", "leases", "genai-otel-bridge-leader", "coordination.k8s.io")).toBe(true);
    expect(await can(hook, "delete", "configmaps", "genai-otel-bridge-checkpoints")).toBe(true);
    expect(await can(hook, "delete", "configmaps", "genai-otel-bridge-config")).toBe(false);
    expect(await can(hook, "get", "leases", "genai-otel-bridge-leader", "coordination.k8s.io")).toBe(false);
    expect(await can(hook, "create", "leases", "", "coordination.k8s.io")).toBe(false);

    // The bridge itself, authenticated with the chart's token, elects and checkpoints.
    requireBinary();
    const pk = new FakePortkey().start();
    const rec = new Recorder().start();
    // The chart's rendered config, pointed at the local fakes (the only edits).
    const cfg = parse(find(render(), "ConfigMap", "genai-otel-bridge-config").data["config.yaml"]);
    cfg.emit.telemetry.otlp = { endpoint: rec.url, instance_id: "", token: "", allow_insecure: false };
    cfg.sources[0].base_url = pk.url;
    cfg.sources[0].http = { allow_private: true };
    cfg.sources[0].loops.analytics.cadence = "10s";
    const cfgText = stringify(cfg);
    const saKube = { ...kube, saDir: (name: string) => kube.saDir(name, app) };
    const r = await startReplica(
      saKube as Kube,
      dir,
      "chart-pod-0",
      cfgText.replaceAll("${ENV}", "test"),
      pk,
      "4s/3s/1s",
      NS,
    );
    r.proc.exited.then(() => {
      if (rec.points.size === 0) console.error(r.stdout, r.stderr);
    });
    await until(() => rec.points.size > 0, 30_000, "points from the bridge running with the chart's token");
    const lease = (
      await kube.admin("GET", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/genai-otel-bridge-leader`)
    ).body.spec as Obj;
    expect(lease.holderIdentity).toBe("chart-pod-0");
    await until(
      async () =>
        (await kube.admin("GET", `/api/v1/namespaces/${NS}/configmaps/genai-otel-bridge-checkpoints`)).status === 200,
      20_000,
      "the checkpoint ConfigMap",
    );
    const res = await r.stop("SIGTERM");
    expect(res.code).toBe(0);
    await pk.stop();
    rec.stop();

    // helm uninstall's post-delete hook: the rendered Job's arguments (with $(POD_NAMESPACE) as
    // the kubelet expands it), authenticated as the hook's own ServiceAccount, removes both
    // runtime objects (D41).
    const job = find(render(), "Job", "genai-otel-bridge-cleanup").spec.template.spec.containers[0];
    const hookSa = await kube.saDir("chart-cleanup", hook);
    const cleanup = await run([
      ...job.args.map((a: string) => a.replace("$(POD_NAMESPACE)", NS)),
      `-kube-api-url=${kube.url}`,
      `-serviceaccount-dir=${hookSa}`,
    ]);
    expect(cleanup.stderr).toBe("");
    expect(cleanup.code).toBe(0);
    expect(
      (await kube.admin("GET", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/genai-otel-bridge-leader`)).status,
    ).toBe(404);
    expect((await kube.admin("GET", `/api/v1/namespaces/${NS}/configmaps/genai-otel-bridge-checkpoints`)).status).toBe(
      404,
    );
    // The config ConfigMap is the chart's, not the hook's: it is still there for helm to delete.
    expect((await kube.admin("GET", `/api/v1/namespaces/${NS}/configmaps/genai-otel-bridge-config`)).status).toBe(200);
  }, 120_000);
});
