/**
 * The simulated workspace's log exports: jobs that succeed on the first poll, one JSONL object
 * per request generated inside the window (each request filtered by its own time, as the real
 * API's `time_of_generation_min`/`_max` do) from the same per-minute traffic the graphs
 * report, served from a
 * simulated object store behind a signed URL. Every line carries the content fields Portkey
 * injects (a prompt, request and response bodies, metadata, headers) — simulated text the
 * bridge must strip, so the demo shows that none of it lands.
 */
const MIN = 60_000;
export const DEMO_OBJECT_HOST = "objects.portkey.demo.invalid";
const MODELS = ["gpt-5-2025-08-07", "gpt-4.1-2025-04-14", "claude-sonnet-4-5"];

interface Job {
  min: number;
  max: number;
  page: number;
  pageSize: number;
  started: boolean;
}

export class Exports {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly requests: (startMs: number) => number) {}

  /**
   * One object per request generated in [min, max), in time order. Filtering by each request's
   * own time matters: the loop's windows after the first are one cadence long, and a window that
   * only counted whole minutes inside it would stay empty — as would a first window whose one
   * whole minute is a quiet one.
   */
  private lines(min: number, max: number): string[] {
    const out: string[] = [];
    for (let t = Math.floor(min / MIN) * MIN; t < max; t += MIN) {
      for (let i = 0; i < this.requests(t); i++) {
        const n = (t / MIN) * 1000 + i;
        // At most 44 requests a minute, so these offsets rise with i: the lines stay in time order.
        const created = t + ((i * 997) % MIN);
        if (created < min || created >= max) continue;
        out.push(
          JSON.stringify({
            id: `req-${n}`,
            ai_model: MODELS[n % MODELS.length],
            ai_org: "openai",
            created_at: new Date(created).toISOString(),
            response_status_code: n % 23 === 0 ? 429 : 200,
            response_time: 300 + (n % 900),
            total_units: 200 + (n % 700),
            cost: Math.round((n % 50) * 0.07 * 10000) / 10000,
            cache_status: n % 4 === 0 ? "HIT" : "MISS",
            currency: "USD",
            prompt: "(simulated prompt text — never emitted)",
            request: { messages: [{ role: "user", content: "(simulated request body — never emitted)" }] },
            response: { choices: [{ text: "(simulated completion — never emitted)" }] },
            metadata: { owner: "(simulated user name — never emitted)" },
            portkeyHeaders: { "x-portkey-config": "(never emitted)" },
          }),
        );
      }
    }
    return out;
  }

  handle(path: string, method: string, body: unknown): Response | undefined {
    if (method === "POST" && path === "/logs/exports") {
      const f = (body as { filters?: Record<string, unknown> })?.filters ?? {};
      const min = Date.parse(String(f.time_of_generation_min ?? ""));
      const max = Date.parse(String(f.time_of_generation_max ?? ""));
      const pageSize = Number(f.page_size ?? 50000);
      const id = `demo-job-${this.jobs.size + 1}`;
      this.jobs.set(id, { min, max, page: Number(f.current_page ?? 0), pageSize, started: false });
      return Response.json({ id, total: this.lines(min, max).length, object: "export" });
    }
    const m = /^\/logs\/exports\/([^/]+)(\/start|\/download|\/cancel)?$/.exec(path);
    const id = decodeURIComponent(m?.[1] ?? "");
    const job = this.jobs.get(id);
    if (!m || !job) return undefined;
    if (m[2] === "/start") job.started = true;
    if (m[2] === "/download") {
      return Response.json({
        signed_url: `https://${DEMO_OBJECT_HOST}/exports/${id}.jsonl?X-Amz-Signature=demo`,
        object: "export",
      });
    }
    if (m[2] === undefined) return Response.json({ id, status: job.started ? "success" : "draft", object: "export" });
    return Response.json({ object: "export" });
  }

  /** The object behind a signed URL (honours `Range: bytes=N-`). */
  object(path: string, range: string | null): Response {
    const job = this.jobs.get(path.replace(/^\/exports\/|\.jsonl$/g, ""));
    if (!job) return new Response("NoSuchKey", { status: 404 });
    const page = this.lines(job.min, job.max).slice(job.page * job.pageSize, (job.page + 1) * job.pageSize);
    const bytes = Buffer.from(page.map((l) => `${l}\n`).join(""));
    const from = Number(/^bytes=(\d+)-$/.exec(range ?? "")?.[1] ?? "0");
    if (from === 0) return new Response(bytes);
    if (from >= bytes.length) return new Response("", { status: 416 });
    return new Response(bytes.subarray(from), {
      status: 206,
      headers: { "Content-Range": `bytes ${from}-${bytes.length - 1}/${bytes.length}` },
    });
  }
}
