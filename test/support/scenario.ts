/**
 * One bridge process against a fake Portkey and a scripted OTLP receiver, observed through its
 * own /metrics endpoint.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start } from "./binary.ts";
import { capture } from "./capture.ts";
import { FakePortkey } from "./fake-portkey.ts";
import { freePort } from "./peers.ts";

export type Scrape = Map<string, number>;

/** Parse Prometheus text: `name{a="b"} 1` → key `name{a="b"}` (labels as written, sorted). */
export function parseMetrics(text: string): Scrape {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

/** Sum of every series of `name` whose labels contain all of `labels`. */
export function sum(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  let t = 0;
  for (const [k, v] of s) {
    const base = k.includes("{") ? k.slice(0, k.indexOf("{")) : k;
    if (base !== name) continue;
    if (Object.entries(labels).every(([lk, lv]) => k.includes(`${lk}="${lv}"`))) t += v;
  }
  return t;
}

export interface ScenarioOptions {
  setup?: (pk: FakePortkey) => void;
  /** Scripted OTLP receiver: the n-th request (0-based) → response. Default 200. */
  otlp?: (req: Request, n: number) => Response | Promise<Response>;
  bootstrap?: string;
  settle?: string;
  graphs?: string;
  until: (s: Scrape, stdout: string) => boolean;
  timeoutMs?: number;
  /** Runs once `until` first holds; the scenario then waits for `until2`. */
  afterFirst?: (pk: FakePortkey) => void;
  until2?: (s: Scrape, stdout: string) => boolean;
}

export interface ScenarioResult {
  scrape: Scrape;
  stdout: string;
  otlpRequests: number;
  portkey: FakePortkey;
}

export async function scenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), "scenario-"));
  const pk = new FakePortkey().start();
  o.setup?.(pk);
  let n = 0;
  const receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = Bun.gunzipSync(new Uint8Array(await req.arrayBuffer()));
      // Self-metrics share the endpoint; the script only sees product requests.
      if (new TextDecoder().decode(body).includes("genai_otel_bridge_")) return new Response("");
      const i = n++;
      return o.otlp ? o.otlp(req, i) : new Response("", { status: 200 });
    },
  });
  const port = await freePort();
  const cfg = join(dir, "c.yaml");
  writeFileSync(
    cfg,
    `emit: {telemetry: {otlp: {endpoint: "http://127.0.0.1:${receiver.port}"}}}
identity: {service_namespace: sc, deployment_environment: test}
sources:
  - type: portkey
    enabled: true
    base_url: ${pk.url}
    source_instance: sc-portkey
    http: {allow_private: true}
    auth: {header: x-portkey-api-key, value: \${PORTKEY_API_KEY}}
    rate_limit: {rps: 200, burst: 50}
    loops:
      analytics:
        enabled: true
        cadence: 10s
        window: 50m
        bucket_settle: ${o.settle ?? "3m"}
        bootstrap_lookback: ${o.bootstrap ?? "8m"}
        max_backfill: 55m
        graphs: [${o.graphs ?? "requests, cost, tokens, latency, errors"}]
`,
  );
  const b = start(
    [`-config=${cfg}`, `-checkpoint-file=${join(dir, "cp.yaml")}`, `-health-addr=127.0.0.1:${port}`, "-identity=sc-0"],
    {
      env: { PORTKEY_API_KEY: pk.apiKey },
    },
  );
  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    capture("metrics", text);
    return parseMetrics(text);
  };
  let last: Scrape = new Map();
  const deadline = Date.now() + (o.timeoutMs ?? 20_000);
  let phase = 1;
  try {
    for (;;) {
      try {
        last = await scrape();
      } catch {
        // not up yet
      }
      if (phase === 1 && o.until(last, b.stdout)) {
        if (!o.afterFirst) break;
        o.afterFirst(pk);
        phase = 2;
      } else if (phase === 2 && o.until2?.(last, b.stdout)) break;
      if (Date.now() > deadline)
        throw new Error(`scenario timed out (phase ${phase}); stdout:\n${b.stdout}\n${[...last].join("\n")}`);
      await Bun.sleep(100);
    }
  } finally {
    await b.stop("SIGTERM");
    receiver.stop(true);
    await pk.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { scrape: last, stdout: b.stdout, otlpRequests: n, portkey: pk };
}
