/**
 * A fake of Portkey's log-export control plane and the object store behind its signed URLs,
 * with the odd behaviours the loop must survive: a start that answers 400 although it
 * started (lost ACK), jobs stuck in `queued`, failed jobs, signed URLs to a host that is not
 * allowed, an object store that honours `Range` (206) or ignores it (200), and whatever lines
 * a test puts in a page. Usable in-process (`handle`) or over HTTP (`start`).
 */

export interface ExportPlan {
  /** Matched records of a window (or of the window a create names); pages = ceil(total / page_size). */
  total: number | ((window: { min: number; max: number }) => number);
  /** The JSONL body of page `p`. */
  page: (p: number, pageSize: number) => string;
  /** Job status the poll reports for the n-th poll of a job (0-based). */
  status?: (pollIndex: number, jobId: string) => string;
  /** Start answers 400 AB01 (the job may still have started). */
  startFails?: boolean;
  /** Status a job has after a failed start (default: draft). */
  statusAfterFailedStart?: string;
  /** Host the signed URL names (default signed-url-host.example.com). */
  signedHost?: string;
  /** The object store ignores Range and always answers 200 with the whole object. */
  ignoreRange?: boolean;
  /** Every lifecycle call answers this status. */
  lifecycleStatus?: number;
}

export interface ExportRequest {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
  at: number;
}

export class FakeExport {
  readonly requests: ExportRequest[] = [];
  readonly creates: Record<string, unknown>[] = [];
  private readonly jobs = new Map<string, { page: number; pageSize: number; polls: number; started: boolean }>();
  private server: ReturnType<typeof Bun.serve> | undefined;
  scheme = "https";
  /** The next this-many object requests find their signed URL expired (403). */
  expireNext = 0;

  constructor(public plan: ExportPlan) {}

  get url(): string {
    return `http://127.0.0.1:${this.server?.port}/v1`;
  }

  start(): this {
    this.scheme = "http";
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => this.handle(req) });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
  }

  objectGets(): ExportRequest[] {
    return this.requests.filter((r) => r.path.startsWith("/s3/"));
  }

  async handle(req: Request): Promise<Response> {
    const u = new URL(req.url);
    const path = u.pathname.replace(/^\/v1/, "");
    const text = req.method === "POST" ? await req.text() : "";
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method, path, headers: req.headers, body, at: Date.now() });
    if (path.startsWith("/s3/")) {
      if (this.expireNext > 0) {
        this.expireNext--;
        return new Response("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", {
          status: 403,
        });
      }
      return this.object(path, req.headers.get("range"));
    }
    if (this.plan.lifecycleStatus) return Response.json({ error: "no" }, { status: this.plan.lifecycleStatus });
    if (req.method === "POST" && path === "/logs/exports") {
      this.creates.push(body);
      const id = `job-${this.creates.length}`;
      this.jobs.set(id, {
        page: body.filters.current_page,
        pageSize: body.filters.page_size,
        polls: 0,
        started: false,
      });
      const window = {
        min: Date.parse(body.filters.time_of_generation_min),
        max: Date.parse(body.filters.time_of_generation_max),
      };
      const total = typeof this.plan.total === "function" ? this.plan.total(window) : this.plan.total;
      return Response.json({ id, total, object: "export" });
    }
    const m = /^\/logs\/exports\/([^/]+)(\/start|\/download|\/cancel)?$/.exec(path);
    const job = m ? this.jobs.get(decodeURIComponent(m[1] ?? "")) : undefined;
    if (!m || !job) return Response.json({ error: "not found" }, { status: 404 });
    const id = decodeURIComponent(m[1] ?? "");
    switch (m[2]) {
      case "/start":
        if (this.plan.startFails) {
          if ((this.plan.statusAfterFailedStart ?? "draft") !== "draft") job.started = true;
          return Response.json({ success: false, data: { errorCode: "AB01" } }, { status: 400 });
        }
        job.started = true;
        return Response.json({ object: "export" });
      case "/cancel":
        return Response.json({ object: "export" });
      case "/download": {
        const host = this.plan.signedHost ?? "signed-url-host.example.com";
        return Response.json({
          signed_url: `${this.scheme}://${host}${this.server ? `:${this.server.port}` : ""}/s3/${id}.jsonl?X-Amz-Expires=21600&X-Amz-Signature=SUPERSECRETSIG`,
          object: "export",
        });
      }
      default: {
        const status = !job.started
          ? (this.plan.statusAfterFailedStart ?? "draft")
          : (this.plan.status?.(job.polls, id) ?? "success");
        job.polls++;
        return Response.json({ id, status, object: "export" });
      }
    }
  }

  private object(path: string, range: string | null): Response {
    const id = path.replace(/^\/s3\/|\.jsonl$/g, "");
    const job = this.jobs.get(id);
    if (!job) return new Response("NoSuchKey", { status: 404 });
    const bytes = Buffer.from(this.plan.page(job.page, job.pageSize));
    const from = /^bytes=(\d+)-$/.exec(range ?? "")?.[1];
    if (from !== undefined && !this.plan.ignoreRange) {
      const start = Number(from);
      if (start >= bytes.length) return new Response("", { status: 416 });
      return new Response(bytes.subarray(start), {
        status: 206,
        headers: { "Content-Range": `bytes ${start}-${bytes.length - 1}/${bytes.length}` },
      });
    }
    return new Response(bytes, { status: 200 });
  }
}

/** Lines `r<from>…r<to-1>` in the export's shape, each carrying content fields with `marker`. */
export function exportLines(from: number, to: number, marker = "secret"): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    out.push(
      JSON.stringify({
        ai_model: "gpt-5",
        ai_org: "openai",
        cost: 0.3194,
        created_at: "2026-06-19T11:23:45Z",
        currency: "USD",
        id: `r${i}`,
        metadata: { data_classification: marker, owner: marker },
        portkeyHeaders: { "x-portkey-config": marker },
        prompt: marker,
        request: { messages: [marker] },
        response_status_code: 200,
        response_time: 1485,
        total_units: 1312,
        trace_id: `t${i}`,
      }),
    );
  }
  return out.map((l) => `${l}\n`).join("");
}
