/**
 * The outbound HTTP client every source uses (portkey.md §2, security.md). It attaches the
 * vendor auth header only to the configured host, never follows a redirect (a 3xx is an
 * error), refuses plaintext to non-loopback hosts unless `allow_private`, rate-limits one token
 * per request, bounds every exchange by a timeout and every body by a cap, and reports each
 * request actually sent to an observer. Errors never carry the auth value or a query string.
 */
import { hostOf, isLoopbackHost } from "../config/urlgate.ts";
import { redact } from "../log/redact.ts";
import { TokenBucket } from "./token-bucket.ts";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  baseUrl: string;
  authHeader: string;
  authValue: string;
  userAgent: string;
  rps: number;
  burst: number;
  allowPrivate: boolean;
  allowHosts: string[];
  timeoutMs?: number;
  successCap?: number;
  errorCap?: number;
  fetch?: FetchLike;
  observer?: (target: string, method: string, status: number, durationMs: number) => void;
}

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface JsonResponse {
  status: number;
  /** Parsed JSON for 2xx; undefined otherwise. */
  json?: unknown;
  /** Whitespace-collapsed snippet of a non-2xx body (at most the error cap). */
  snippet: string;
}

/** The URL without query string or fragment, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/[?#].*$/, "");
}

async function readCapped(res: Response, cap: number): Promise<{ bytes: Uint8Array; over: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), over: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  let over = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      if (n + value.length > cap) {
        chunks.push(value.subarray(0, cap - n));
        n = cap;
        over = true;
        break;
      }
      chunks.push(value);
      n += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { bytes: Buffer.concat(chunks), over };
}

export class HttpClient {
  private readonly bucket: TokenBucket;
  private readonly fetchImpl: FetchLike;
  private readonly baseHost: string | undefined;

  constructor(private readonly o: ClientOptions) {
    this.bucket = new TokenBucket(o.rps, o.burst);
    this.fetchImpl = o.fetch ?? ((url, init) => fetch(url, init));
    this.baseHost = hostOf(o.baseUrl);
  }

  /** GET `<base_url><path>` and decode a JSON body. Throws on transport errors and over-cap bodies. */
  async getJson(path: string, signal: AbortSignal): Promise<JsonResponse> {
    const url = `${this.o.baseUrl.replace(/\/+$/, "")}${path}`;
    this.checkTarget(url);
    await this.bucket.acquire(signal);
    const started = performance.now();
    const target = hostOf(url) ?? "";
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method: "GET",
        headers: { [this.o.authHeader]: this.o.authValue, "User-Agent": this.o.userAgent, Accept: "application/json" },
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs ?? 10_000)]),
      });
    } catch (e) {
      this.o.observer?.(target, "GET", 0, performance.now() - started);
      throw new Error(redact(`GET ${safeUrl(url)}: ${e instanceof Error ? e.message : String(e)}`));
    }
    this.o.observer?.(target, "GET", res.status, performance.now() - started);
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new HttpError(`GET ${safeUrl(url)}: redirect (status ${res.status}) refused`, res.status);
    }
    if (res.status < 200 || res.status > 299) {
      const { bytes } = await readCapped(res, this.o.errorCap ?? 2048);
      const snippet = redact(new TextDecoder().decode(bytes).replace(/\s+/g, " ").trim());
      return { status: res.status, snippet };
    }
    const cap = this.o.successCap ?? 1 << 20;
    const { bytes, over } = await readCapped(res, cap);
    if (over) throw new Error(`GET ${safeUrl(url)}: response body exceeds ${cap} bytes`);
    try {
      return { status: res.status, json: JSON.parse(new TextDecoder().decode(bytes)), snippet: "" };
    } catch {
      throw new Error(`GET ${safeUrl(url)}: malformed JSON body`);
    }
  }

  /** https only, unless loopback or allow_private; and the allow-list when configured. */
  private checkTarget(url: string): void {
    const host = hostOf(url);
    if (host === undefined || host !== this.baseHost)
      throw new Error(`request to ${safeUrl(url)} leaves the configured host`);
    if (!url.startsWith("https://") && !isLoopbackHost(host) && !this.o.allowPrivate) {
      throw new Error(`refusing plaintext request to ${safeUrl(url)} (set http.allow_private for an in-VPC host)`);
    }
    if (this.o.allowHosts.length > 0 && !this.o.allowHosts.includes(host)) {
      throw new Error(`host ${host} is not in http.allow_hosts`);
    }
  }
}
