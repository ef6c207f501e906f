/**
 * Fake OpenAI and Anthropic admin APIs over HTTP on loopback, one server for both: the
 * simulated organizations of src/demo/providers.ts under `/openai/v1` and `/anthropic/v1`.
 * Every request is recorded with its arrival time (answers are as of that time, so a test can
 * recompute any of them), and faults can be queued: the next matching request gets the given
 * status, headers and body instead (a 429 with `retry-after`, a 529, …).
 */
import { type ProviderOptions, ProviderWorld } from "../../src/demo/providers.ts";

export interface ProviderRequest {
  vendor: "openai" | "anthropic";
  path: string;
  query: URLSearchParams;
  headers: Headers;
  at: number;
  status: number;
}

interface Fault {
  vendor: "openai" | "anthropic";
  pathIncludes: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export class FakeProviders {
  readonly world: ProviderWorld;
  readonly requests: ProviderRequest[] = [];
  private readonly faults: Fault[] = [];
  private server: ReturnType<typeof Bun.serve> | undefined;

  constructor(
    readonly openaiKey = "sk-admin-fake-0123456789",
    readonly anthropicKey = "sk-ant-admin01-fake-0123456789",
    options: ProviderOptions = {},
  ) {
    this.world = new ProviderWorld(options);
  }

  url(vendor: "openai" | "anthropic"): string {
    return `http://127.0.0.1:${this.server?.port}/${vendor}/v1`;
  }

  /** The next request of `vendor` whose path includes `pathIncludes` gets this answer instead. */
  fail(vendor: "openai" | "anthropic", pathIncludes: string, status: number, body: unknown, headers = {}): void {
    this.faults.push({ vendor, pathIncludes, status, headers, body });
  }

  /** The world's answer to a recorded request, recomputed (an answer is a function of its time). */
  replay(r: ProviderRequest): unknown {
    const key = r.vendor === "openai" ? this.openaiKey : this.anthropicKey;
    const headers = new Headers(
      r.vendor === "openai"
        ? { authorization: `Bearer ${key}` }
        : { "x-api-key": key, "anthropic-version": "2023-06-01" },
    );
    const req = new Request(`http://fake${r.path}?${r.query}`, { headers });
    return this.world.handle(req, key, r.at).json();
  }

  start(): this {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => {
        const url = new URL(req.url);
        const vendor = url.pathname.startsWith("/openai/") ? "openai" : "anthropic";
        const path = url.pathname.replace(/^\/(openai|anthropic)/, "");
        const at = Date.now();
        const i = this.faults.findIndex((f) => f.vendor === vendor && path.includes(f.pathIncludes));
        const fault = i >= 0 ? this.faults.splice(i, 1)[0] : undefined;
        const res = fault
          ? new Response(JSON.stringify(fault.body), { status: fault.status, headers: fault.headers })
          : this.world.handle(
              new Request(`http://fake${path}${url.search}`, { headers: req.headers }),
              vendor === "openai" ? this.openaiKey : this.anthropicKey,
              at,
            );
        this.requests.push({ vendor, path, query: url.searchParams, headers: req.headers, at, status: res.status });
        return res;
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
  }
}
