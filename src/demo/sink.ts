/**
 * The demo's OTLP receiver, in-process: gunzips and decodes every request the emitter sends,
 * keeps the landed points (last value per series and timestamp, like a TSDB) and log records,
 * hands each new one to its callback, and watches every byte for the simulated content the
 * bridge must never send.
 */
import { type DecodedPoint, type DecodedRecord, decodeLogsRequest, decodeMetricsRequest } from "../emit/otlp/decode.ts";

/** What the simulated workspace puts in every content field. */
export const SIMULATED_CONTENT = "never emitted";

export class Sink {
  readonly points = new Map<string, DecodedPoint>();
  readonly records: DecodedRecord[] = [];
  requests = 0;
  /** Requests whose bytes carried simulated content (must stay 0). */
  contentLeaks = 0;

  constructor(
    private readonly onPoint: (p: DecodedPoint, duplicate: boolean) => void,
    private readonly onRecord: (r: DecodedRecord) => void = () => {},
  ) {}

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
    if (Buffer.from(body).includes(Buffer.from(SIMULATED_CONTENT))) this.contentLeaks++;
    const path = new URL(req.url).pathname;
    try {
      if (path.endsWith("/v1/logs")) {
        for (const r of decodeLogsRequest(body)) {
          this.records.push(r);
          this.onRecord(r);
        }
        return new Response("", { status: 200 });
      }
      if (!path.endsWith("/v1/metrics")) return new Response("", { status: 404 });
      for (const p of decodeMetricsRequest(body)) {
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
    } catch (e) {
      return new Response(`proto: ${(e as Error).message}`, { status: 400 });
    }
    return new Response("", { status: 200 });
  }
}
