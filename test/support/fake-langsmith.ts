/**
 * A fake LangSmith API over HTTP on loopback: the simulated workspace of src/demo (fixture
 * shapes, opaque cursors, 422/400 answers, content in every content field) plus faults injected
 * on demand. Records every request with its parsed JSON body.
 */
import { type LangsmithOptions, LangsmithWorkspace } from "../../src/demo/langsmith.ts";

export interface LsRecorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
  at: number;
}

export class FakeLangsmith {
  readonly workspace: LangsmithWorkspace;
  readonly requests: LsRecorded[] = [];
  /** Paths (`/runs/query`, …) answered with this status for the next `times` requests. */
  private readonly faults: { path: string; status: number; times: number }[] = [];
  private server: ReturnType<typeof Bun.serve> | undefined;

  constructor(
    readonly apiKey = "ls-test-key-abcdef",
    options: LangsmithOptions = {},
  ) {
    this.workspace = new LangsmithWorkspace(options);
  }

  get url(): string {
    return `http://127.0.0.1:${this.server?.port}`;
  }

  fail(path: string, status: number, times = 1): void {
    this.faults.push({ path, status, times });
  }

  start(): this {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (req) => {
        const url = new URL(req.url);
        const text = req.method === "POST" ? await req.text() : "";
        let body: unknown;
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          body = text;
        }
        this.requests.push({
          method: req.method,
          path: url.pathname,
          query: url.searchParams,
          body,
          headers: req.headers,
          at: Date.now(),
        });
        const fault = this.faults.find((f) => f.path === url.pathname && f.times > 0);
        if (fault) {
          fault.times--;
          return Response.json({ detail: `injected ${fault.status}` }, { status: fault.status });
        }
        return this.workspace.handle(
          new Request(req.url, { method: req.method, headers: req.headers, body: text || undefined }),
          this.apiKey,
        );
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
  }
}
