/**
 * A Mimir-like OTLP recorder: stores (series, timestamp) → value, answers 200 to an identical
 * re-send and 400 `err-mimir-sample-duplicate-timestamp` to a changed value — the sink behaviour
 * the bridge's exactly-once design relies on. Every accepted point is kept with its arrival time.
 */
import { decodeLogsRequest, decodeMetricsRequest } from "../../src/emit/otlp/decode.ts";

export class Recorder {
  readonly points = new Map<string, { value: number; first: number; sends: number }>();
  valueChanged = 0;
  requests = 0;
  /** The `id` attribute of every log record received (a record may arrive more than once). */
  readonly logIds = new Set<string>();
  /** Arrival times of requests that carried product points. */
  readonly productArrivals: number[] = [];
  private server: ReturnType<typeof Bun.serve> | undefined;

  /** `prefixes`: the product series names kept (Portkey's unless told otherwise). */
  constructor(private readonly prefixes: readonly string[] = ["portkey_api_"]) {}

  get url(): string {
    return `http://127.0.0.1:${this.server?.port}`;
  }

  start(): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => this.handle(r) });
    return this;
  }

  stop(): void {
    this.server?.stop(true);
  }

  /** Bucket-end times (ms) per product series. */
  times(metric = "portkey_api_requests"): number[] {
    return [...this.points.keys()]
      .filter((k) => k.startsWith(`${metric}{}`))
      .map((k) => Number(BigInt(k.split("@")[1] ?? "0") / 1_000_000n))
      .sort((a, b) => a - b);
  }

  private async handle(req: Request): Promise<Response> {
    this.requests++;
    const body = Bun.gunzipSync(new Uint8Array(await req.arrayBuffer()));
    if (new URL(req.url).pathname.endsWith("/v1/logs")) {
      for (const r of decodeLogsRequest(body)) if (r.attributes.id) this.logIds.add(r.attributes.id);
      return new Response("");
    }
    const pts = decodeMetricsRequest(body).filter((p) => this.prefixes.some((x) => p.metric.startsWith(x)));
    const changed = pts.some((p) => {
      const k = `${p.metric}{${Object.entries(p.labels)
        .sort()
        .map(([a, b]) => `${a}=${b}`)
        .join(",")}}@${p.timeUnixNano}`;
      const prev = this.points.get(k);
      return prev !== undefined && prev.value !== p.value;
    });
    if (pts.length > 0) this.productArrivals.push(Date.now());
    if (changed) {
      this.valueChanged++;
      return new Response("err-mimir-sample-duplicate-timestamp", { status: 400 });
    }
    for (const p of pts) {
      const k = `${p.metric}{${Object.entries(p.labels)
        .sort()
        .map(([a, b]) => `${a}=${b}`)
        .join(",")}}@${p.timeUnixNano}`;
      const prev = this.points.get(k);
      if (prev) prev.sends++;
      else this.points.set(k, { value: p.value, first: Date.now(), sends: 1 });
    }
    return new Response("");
  }
}
