/**
 * A fake LangSmith API over HTTP on loopback: the simulated workspace of src/demo (fixture
 * shapes, opaque cursors, 422/400 answers, content in every content field). Records every
 * request with its parsed JSON body and answers as of its recorded arrival time, so a test can
 * recompute any answer exactly.
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
        const at = Date.now();
        this.requests.push({
          method: req.method,
          path: url.pathname,
          query: url.searchParams,
          body,
          headers: req.headers,
          at,
        });
        return this.workspace.handle(
          new Request(req.url, { method: req.method, headers: req.headers, body: text || undefined }),
          this.apiKey,
          at,
        );
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
  }
}
