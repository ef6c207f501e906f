/**
 * The export jobs' control plane: create, start, poll, download URL and (best effort) cancel,
 * over the source's client and auth. Any 2xx is success; anything else fails the step with the
 * method, path, status and a short snippet, and a 401/403 is also reported as an auth error.
 */
import type { HttpClient, JsonResponse } from "../../../net/client.ts";
import type { LoopReport } from "../../outcome.ts";
import { goPathEscape } from "../path.ts";

export interface CreateBody {
  workspace_id: string;
  filters: {
    time_of_generation_min: string;
    time_of_generation_max: string;
    page_size: number;
    current_page: number;
    api_key_ids?: string[];
  };
  requested_data: string[];
  description: string;
}

export class ExportControl {
  constructor(
    private readonly client: HttpClient,
    private readonly report: (r: LoopReport) => void,
  ) {}

  private async call(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal): Promise<JsonResponse> {
    const r =
      method === "GET" ? await this.client.getJson(path, signal) : await this.client.postJson(path, body, signal);
    if (r.status < 200 || r.status > 299) {
      if (r.status === 401 || r.status === 403) this.report({ kind: "auth_error" });
      const snippet = r.snippet.slice(0, 512);
      throw new Error(`portkey logs_export: ${method} ${path} status ${r.status}${snippet ? `: ${snippet}` : ""}`);
    }
    return r;
  }

  async create(body: CreateBody, signal: AbortSignal): Promise<{ id: string; total: number }> {
    const r = await this.call("POST", "/logs/exports", body, signal);
    const o = (r.json ?? {}) as { id?: unknown; total?: unknown };
    if (typeof o.id !== "string" || o.id === "") throw new Error("portkey logs_export: create returned no job id");
    if (o.total !== undefined && o.total !== null && (typeof o.total !== "number" || !Number.isInteger(o.total))) {
      throw new Error("portkey logs_export: create returned a non-integer total");
    }
    return { id: o.id, total: typeof o.total === "number" ? o.total : 0 };
  }

  async start(id: string, signal: AbortSignal): Promise<void> {
    await this.call("POST", `/logs/exports/${goPathEscape(id)}/start`, undefined, signal);
  }

  async status(id: string, signal: AbortSignal): Promise<string> {
    const r = await this.call("GET", `/logs/exports/${goPathEscape(id)}`, undefined, signal);
    const s = (r.json as { status?: unknown } | undefined)?.status;
    return typeof s === "string" ? s : "";
  }

  async signedUrl(id: string, signal: AbortSignal): Promise<string> {
    const r = await this.call("GET", `/logs/exports/${goPathEscape(id)}/download`, undefined, signal);
    const u = (r.json as { signed_url?: unknown } | undefined)?.signed_url;
    if (typeof u !== "string" || u === "") throw new Error("portkey logs_export: download returned no signed_url");
    return u;
  }

  /** Best effort: a job that cannot be cancelled just runs out server-side. */
  async cancel(id: string, signal: AbortSignal): Promise<void> {
    await this.call("POST", `/logs/exports/${goPathEscape(id)}/cancel`, undefined, signal).catch(() => {});
  }
}
