/**
 * A fake Portkey API over HTTP on loopback: the simulated workspace of src/demo (fixture
 * shapes, late arrivals) plus faults injected on demand — any status with a body, 429 with
 * Retry-After, 404 for one graph, quota exceeded, a granularity flip to 10-minute buckets, a
 * revised bucket, malformed JSON, slow responses. Records every request it receives.
 */
import { Workspace } from "../../src/demo/workspace.ts";

export type Fault =
  | { kind: "status"; status: number; body?: string; retryAfter?: string }
  | { kind: "quota" }
  | { kind: "granularity" }
  | { kind: "malformed" }
  | { kind: "slow"; delayMs: number };

export interface Recorded {
  path: string;
  query: URLSearchParams;
  headers: Headers;
  at: number;
}

export class FakePortkey {
  readonly workspace: Workspace;
  readonly requests: Recorded[] = [];
  private readonly faults: { graph: string; fault: Fault; times: number }[] = [];
  private server: ReturnType<typeof Bun.serve> | undefined;

  constructor(
    readonly apiKey = "pk-test-key-123456",
    lateMs = 2 * 60_000,
  ) {
    this.workspace = new Workspace({ lateMs });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server?.port}/v1`;
  }

  /** Inject `fault` for `graph` ("*" = all) for the next `times` requests (Infinity = until cleared). */
  inject(graph: string, fault: Fault, times = Number.POSITIVE_INFINITY): void {
    this.faults.push({ graph, fault, times });
  }

  clear(): void {
    this.faults.length = 0;
  }

  graphRequests(graph?: string): Recorded[] {
    return this.requests.filter(
      (r) => r.path.includes("/analytics/graphs/") && (!graph || r.path.endsWith(`/${graph}`)),
    );
  }

  start(): this {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => this.handle(req),
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    this.requests.push({ path: url.pathname, query: url.searchParams, headers: req.headers, at: Date.now() });
    const graph = url.pathname.split("/").at(-1) ?? "";
    const f = this.faults.find((x) => x.times > 0 && (x.graph === "*" || x.graph === graph));
    if (f && req.headers.get("x-portkey-api-key") === this.apiKey) {
      f.times--;
      const fault = f.fault;
      switch (fault.kind) {
        case "status":
          return new Response(fault.body ?? "", {
            status: fault.status,
            headers: fault.retryAfter ? { "Retry-After": fault.retryAfter } : {},
          });
        case "quota":
          return Response.json({
            is_quota_exceeded: true,
            data_points: [{ timestamp: new Date().toISOString(), total: 99 }],
          });
        case "malformed":
          return new Response('{"data_points": [ {"timestamp": ', { headers: { "Content-Type": "application/json" } });
        case "granularity": {
          const min = Date.parse(url.searchParams.get("time_of_generation_min") ?? "");
          const pts = [0, 1, 2].map((i) => ({ timestamp: new Date(min + i * 600_000).toISOString(), total: 5 }));
          return Response.json({ data_points: pts, is_quota_exceeded: false, object: "analytics-graph" });
        }
        case "slow":
          await Bun.sleep(fault.delayMs);
          break;
      }
    }
    return this.workspace.handle(req, this.apiKey);
  }
}
