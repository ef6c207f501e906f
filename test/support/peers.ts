/**
 * Real peers for integration tests: the OpenTelemetry Collector (OTLP/HTTP in, file out) and
 * Prometheus 3 with its OTLP receiver. Binaries come from scripts/peers.sh (built from the Go
 * module proxy by `npm test` before the suites run); a missing binary fails loudly.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

const ROOT = resolve(import.meta.dir, "../..");

export function peerBinary(
  peer: "otelcol" | "prometheus" | "promtool" | "etcd" | "kube-apiserver" | "helm" | "eso-crds" | "dockerfile-check",
): string {
  const r = spawnSync("bash", [join(ROOT, "scripts/peers.sh"), "--path", peer], { encoding: "utf8" });
  const path = r.stdout.trim();
  if (r.status !== 0 || !existsSync(path)) {
    throw new Error(`test peer ${peer} is not built: run \`bash scripts/peers.sh ${peer}\` (npm test does it)`);
  }
  return path;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

async function waitHttp(
  url: string,
  ok: (r: Response) => boolean,
  ms: number,
  what: string,
  init?: RequestInit,
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
      if (ok(r)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${what} did not become ready at ${url}`);
    await Bun.sleep(100);
  }
}

export interface Peer {
  url: string;
  stop(): Promise<void>;
}

function spawnPeer(cmd: string[], logFile: string, env: Record<string, string> = {}): Subprocess {
  return Bun.spawn(cmd, {
    stdout: Bun.file(logFile),
    stderr: Bun.file(`${logFile}.err`),
    env: { PATH: process.env.PATH ?? "", ...env },
  });
}

async function stopProc(p: Subprocess): Promise<void> {
  p.kill("SIGTERM");
  const t = setTimeout(() => p.kill("SIGKILL"), 5000);
  await p.exited;
  clearTimeout(t);
}

export interface Collector extends Peer {
  /** Every gauge data point the collector wrote, from its file exporter. */
  points(): CollectorPoint[];
  /** Every log record the collector wrote, from its file exporter. */
  records(): CollectorRecord[];
}

export interface CollectorRecord {
  resource: Record<string, string>;
  scope: string;
  timeUnixNano: bigint;
  /** 0 when the record did not set it. */
  observedTimeUnixNano: bigint;
  severityText: string;
  severityNumber: number;
  /** undefined when the record has no body. */
  body: unknown;
  attributes: Record<string, string>;
  traceId: string;
}

export interface CollectorPoint {
  resource: Record<string, string>;
  metric: string;
  labels: Record<string, string>;
  timeUnixNano: bigint;
  value: number;
}

type JsonKv = { key: string; value: { stringValue?: string } };

const kv = (a: JsonKv[] = []) => Object.fromEntries(a.map((x) => [x.key, x.value.stringValue ?? ""]));

/** The requests a Collector file exporter wrote, one JSON object a line ([] before the first). */
function jsonLines(file: string): ReturnType<typeof JSON.parse>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

export async function startCollector(dir: string): Promise<Collector> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const cfg = join(dir, "collector.yaml");
  writeFileSync(
    cfg,
    `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
exporters:
  file/metrics:
    path: ${dir}/metrics.jsonl
    flush_interval: 100ms
  file/logs:
    path: ${dir}/logs.jsonl
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics: { receivers: [otlp], exporters: [file/metrics] }
    logs: { receivers: [otlp], exporters: [file/logs] }
`,
  );
  const p = spawnPeer([peerBinary("otelcol"), `--config=${cfg}`], join(dir, "collector.log"));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/v1/metrics`, (r) => r.status === 200, 20_000, "collector", {
    method: "POST",
    headers: { "Content-Type": "application/x-protobuf" },
    body: new Uint8Array(0),
  });
  return {
    url,
    stop: () => stopProc(p),
    points() {
      const out: CollectorPoint[] = [];
      for (const req of jsonLines(join(dir, "metrics.jsonl"))) {
        for (const rm of req.resourceMetrics ?? []) {
          const resource = kv(rm.resource?.attributes);
          for (const sm of rm.scopeMetrics ?? []) {
            for (const m of sm.metrics ?? []) {
              for (const dp of m.gauge?.dataPoints ?? []) {
                out.push({
                  resource,
                  metric: m.name,
                  labels: kv(dp.attributes),
                  timeUnixNano: BigInt(dp.timeUnixNano),
                  value: dp.asDouble ?? 0,
                });
              }
            }
          }
        }
      }
      return out;
    },
    records() {
      const out: CollectorRecord[] = [];
      for (const req of jsonLines(join(dir, "logs.jsonl"))) {
        for (const rl of req.resourceLogs ?? []) {
          const resource = kv(rl.resource?.attributes);
          for (const sl of rl.scopeLogs ?? []) {
            for (const r of sl.logRecords ?? []) {
              out.push({
                resource,
                scope: sl.scope?.name ?? "",
                timeUnixNano: BigInt(r.timeUnixNano ?? 0),
                observedTimeUnixNano: BigInt(r.observedTimeUnixNano ?? 0),
                severityText: r.severityText ?? "",
                severityNumber: r.severityNumber ?? 0,
                body: r.body,
                attributes: kv(r.attributes),
                traceId: r.traceId ?? "",
              });
            }
          }
        }
      }
      return out;
    },
  };
}

export interface Prometheus extends Peer {
  otlpBase: string;
  /** Raw samples of a series selector over the last `range` (e.g. "3h"). */
  range(selector: string, range?: string): Promise<{ metric: Record<string, string>; values: [number, string][] }[]>;
  names(): Promise<string[]>;
}

export type Translation = "UnderscoreEscapingWithSuffixes" | "UnderscoreEscapingWithoutSuffixes";

/** `ruleFiles`: rule files Prometheus evaluates (the shipped recording rules, say). */
export async function startPrometheus(
  dir: string,
  translation: Translation,
  ruleFiles: string[] = [],
): Promise<Prometheus> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const cfg = join(dir, "prometheus.yml");
  writeFileSync(
    cfg,
    `global: {}
otlp:
  promote_resource_attributes: [service.name, service.namespace, deployment.environment.name]
  translation_strategy: ${translation}
storage:
  tsdb:
    out_of_order_time_window: 2h
${ruleFiles.length > 0 ? `rule_files: [${ruleFiles.map((f) => JSON.stringify(f)).join(", ")}]\n` : ""}`,
  );
  const p = spawnPeer(
    [
      peerBinary("prometheus"),
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-otlp-receiver",
      "--storage.tsdb.retention.time=1d",
      "--log.level=warn",
    ],
    join(dir, "prometheus.log"),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/-/ready`, (r) => r.status === 200, 30_000, "prometheus");
  return {
    url,
    otlpBase: `${url}/api/v1/otlp`,
    stop: () => stopProc(p),
    async range(selector, range = "3h") {
      const q = new URLSearchParams({ query: `${selector}[${range}]`, time: String(Date.now() / 1000) });
      const r = await fetch(`${url}/api/v1/query?${q}`);
      const j = (await r.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      if (j.status !== "success") throw new Error(`prometheus query failed: ${JSON.stringify(j)}`);
      return j.data.result;
    },
    async names() {
      const r = await fetch(`${url}/api/v1/label/__name__/values`);
      return ((await r.json()) as { data: string[] }).data;
    },
  };
}

/**
 * One OTLP endpoint that forwards every request to several receivers, so a single bridge run
 * lands in the Collector and in Prometheus under both name translations. Answers with the
 * first non-2xx status of any receiver (so a rejection is never hidden), else 200. Log requests
 * go only to `logsTargets` (Prometheus has no logs receiver), by default the first target.
 */
export async function startFanout(targets: string[], logsTargets: string[] = targets.slice(0, 1)): Promise<Peer> {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer());
      const path = new URL(req.url).pathname;
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        if (k !== "host" && k !== "content-length") headers[k] = v;
      });
      const results = await Promise.all(
        (path.endsWith("/v1/logs") ? logsTargets : targets).map(async (t) => {
          const r = await fetch(`${t}${path}`, { method: "POST", headers, body });
          return { status: r.status, text: await r.text() };
        }),
      );
      const bad = results.find((r) => r.status < 200 || r.status > 299);
      return bad ? new Response(bad.text, { status: bad.status }) : new Response("", { status: 200 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: async () => void server.stop(true) };
}

/** A Collector and both Prometheus translations behind one fan-out endpoint, under `dir`. */
export async function startReceivers(
  dir: string,
): Promise<{ collector: Collector; promWith: Prometheus; promWithout: Prometheus; fanout: Peer }> {
  const [collector, promWith, promWithout] = await Promise.all([
    startCollector(join(dir, "collector")),
    startPrometheus(join(dir, "prom-with"), "UnderscoreEscapingWithSuffixes"),
    startPrometheus(join(dir, "prom-without"), "UnderscoreEscapingWithoutSuffixes"),
  ]);
  const fanout = await startFanout([collector.url, promWith.otlpBase, promWithout.otlpBase]);
  return { collector, promWith, promWithout, fanout };
}
