/**
 * The demo's OTLP receiver, in-process: gunzips and decodes every metrics request the emitter
 * sends, keeps the landed points (last value per series and timestamp, like a TSDB) and hands
 * each new one to `onPoint`.
 */
import { type DecodedPoint, decodeMetricsRequest } from "../emit/otlp/decode.ts";

export class Sink {
  readonly points = new Map<string, DecodedPoint>();
  requests = 0;

  constructor(private readonly onPoint: (p: DecodedPoint, duplicate: boolean) => void) {}

  static key(p: DecodedPoint): string {
    const labels = Object.keys(p.labels)
      .sort()
      .map((k) => `${k}=${p.labels[k]}`)
      .join(",");
    return `${p.metric}{${labels}}@${p.timeUnixNano}`;
  }

  async handle(req: Request): Promise<Response> {
    this.requests++;
    const raw = new Uint8Array(await req.arrayBuffer());
    const body = req.headers.get("content-encoding") === "gzip" ? Bun.gunzipSync(raw) : raw;
    if (!new URL(req.url).pathname.endsWith("/v1/metrics")) return new Response("", { status: 404 });
    let points: DecodedPoint[];
    try {
      points = decodeMetricsRequest(body);
    } catch (e) {
      return new Response(`proto: ${(e as Error).message}`, { status: 400 });
    }
    for (const p of points) {
      if (p.metric.startsWith("genai_otel_bridge_")) continue;
      const k = Sink.key(p);
      const prev = this.points.get(k);
      if (prev && prev.value !== p.value) {
        return new Response("err-mimir-sample-duplicate-timestamp: value changed for an existing sample", {
          status: 400,
        });
      }
      this.points.set(k, p);
      this.onPoint(p, prev !== undefined);
    }
    return new Response("", { status: 200 });
  }
}
