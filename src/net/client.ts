/**
 * The one outbound client every source uses. Per request,
 * in order: destination check (allow-list + SSRF guard on every resolved address, fail closed),
 * one rate-limiter token, then the exchange — connecting to an address that was checked (the
 * URL's host is replaced by the vetted IP; Host header and TLS server name keep the original
 * name, so a DNS answer that changes afterwards cannot redirect the connection), following
 * redirects by hand: at most 10 requests, same origin only (scheme, host and port), every hop
 * checked again. A guard refusal sends nothing, takes no token and records no latency sample. Errors
 * never carry the auth value, a query string or URL credentials.
 */

import { ACCEPTED_ENCODINGS, readDecoded, UndecodableBody } from "../base/body.ts";
import type { FetchLike } from "../base/fetch.ts";
import { redact } from "../log/redact.ts";
import { checkDest, EgressError, type EgressPolicy, hostnameOf, type Resolver, systemResolver } from "./egress.ts";
import { formatIp, type Ip, parseIp } from "./ip.ts";
import { isLoopbackHost } from "./ip-literal.ts";
import { proxyConfig, proxyFor } from "./proxy.ts";
import { TokenBucket } from "./token-bucket.ts";

export interface ClientOptions {
  baseUrl: string;
  /** Vendor auth header; never sent to any host but the configured one. */
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
  resolve?: Resolver;
  /** Extra trusted CA (tests); the built-in roots otherwise. */
  ca?: string;
  observer?: (target: string, method: string, status: number, durationMs: number) => void;
}

export interface JsonResponse {
  status: number;
  /** Parsed JSON for 2xx; undefined otherwise. */
  json?: unknown;
  /** Whitespace-collapsed snippet of a non-2xx body (at most the error cap). */
  snippet: string;
}

/** What a caller may set on one request. */
export interface RequestOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** Per-request body caps (bytes), over the client's own. */
export interface BodyCaps {
  successCap?: number;
  errorCap?: number;
}

export const MAX_REQUESTS_PER_CHAIN = 10;

/** The URL without query string, fragment or userinfo, for messages. */
export function safeUrl(url: string): string {
  return url.replace(/[?#].*$/, "").replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

/** The port a URL reaches: its own, or its scheme's default. */
function effectivePort(u: URL): string {
  return u.port !== "" ? u.port : u.protocol === "https:" ? "443" : "80";
}

/**
 * The redirect policy for one hop; throws when it refuses. A hop must stay on the origin
 * (scheme, host and port): the vendor key travels with every request, and another port of the
 * same host is another service.
 */
export function checkRedirect(origin: URL, next: URL, sent: number): void {
  if (sent >= MAX_REQUESTS_PER_CHAIN) throw new EgressError(`httpx: stopped after ${MAX_REQUESTS_PER_CHAIN} redirects`);
  // Found by the fuzz test: a same-host hop to another scheme (file:, javascript:, ftp:).
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new EgressError(`httpx: redirect to scheme ${next.protocol.replace(":", "")} blocked`);
  }
  if (hostnameOf(next) !== hostnameOf(origin)) {
    throw new EgressError(
      `httpx: cross-host redirect to ${hostnameOf(next)} blocked (credentials must not leave the origin host)`,
    );
  }
  if (origin.protocol === "https:" && next.protocol !== "https:") {
    throw new EgressError(
      `httpx: redirect scheme downgrade https->${next.protocol.replace(":", "")} to ${hostnameOf(next)} blocked (credentials must not be sent cleartext)`,
    );
  }
  if (origin.protocol !== next.protocol || effectivePort(origin) !== effectivePort(next)) {
    throw new EgressError(
      `httpx: cross-origin redirect to ${next.protocol}//${hostnameOf(next)}:${effectivePort(next)} blocked (credentials must not leave the origin)`,
    );
  }
}

/** `url` with its host replaced by a vetted address (port, path and query kept). */
export function pinned(url: URL, ip: Ip): string {
  const u = new URL(url.href);
  u.hostname = ip.v === 6 ? `[${formatIp(ip)}]` : formatIp(ip);
  return u.href;
}

export class HttpClient {
  private readonly bucket: TokenBucket;
  private readonly fetchImpl: FetchLike;
  private readonly policy: EgressPolicy;

  constructor(private readonly o: ClientOptions) {
    this.bucket = new TokenBucket(o.rps, o.burst);
    this.fetchImpl = o.fetch ?? ((url, init) => fetch(url, init));
    this.policy = { allowHosts: o.allowHosts, allowPrivate: o.allowPrivate, resolve: o.resolve ?? systemResolver };
  }

  /** GET `<base_url><path>` and decode a JSON body. */
  getJson(path: string, signal: AbortSignal, caps: BodyCaps = {}): Promise<JsonResponse> {
    return this.requestJson("GET", path, undefined, signal, caps);
  }

  /** POST a JSON body (or none) to `<base_url><path>`; a 2xx with an empty body has no `json`. */
  postJson(path: string, body: unknown, signal: AbortSignal, caps: BodyCaps = {}): Promise<JsonResponse> {
    return this.requestJson("POST", path, body, signal, caps);
  }

  private async requestJson(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal,
    caps: BodyCaps,
  ): Promise<JsonResponse> {
    const url = `${this.o.baseUrl.replace(/\/+$/, "")}${path}`;
    const init: RequestOptions =
      body === undefined
        ? { method, headers: { "Accept-Encoding": ACCEPTED_ENCODINGS } }
        : {
            method,
            body: JSON.stringify(body),
            headers: { "Content-Type": "application/json", "Accept-Encoding": ACCEPTED_ENCODINGS },
          };
    const res = await this.send(url, signal, init);
    if (res.status < 200 || res.status > 299) {
      // An error body in a coding that does not decode still has its status, which callers act on.
      const { bytes } = await readDecoded(res, caps.errorCap ?? this.o.errorCap ?? 2048).catch((e) => {
        if (e instanceof UndecodableBody) return { bytes: new Uint8Array(0) };
        throw e;
      });
      const snippet = redact(new TextDecoder().decode(bytes).replace(/\s+/g, " ").trim());
      return { status: res.status, snippet };
    }
    const cap = caps.successCap ?? this.o.successCap ?? 1 << 20;
    let decoded: { bytes: Uint8Array; over: boolean };
    try {
      decoded = await readDecoded(res, cap);
    } catch (e) {
      throw new Error(`${method} ${safeUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const { bytes, over } = decoded;
    if (over) throw new Error(`${method} ${safeUrl(url)}: response body exceeds ${cap} bytes (compressed or inflated)`);
    if (method !== "GET" && bytes.length === 0) return { status: res.status, snippet: "" };
    try {
      return { status: res.status, json: JSON.parse(new TextDecoder().decode(bytes)), snippet: "" };
    } catch {
      throw new Error(`${method} ${safeUrl(url)}: malformed JSON body`);
    }
  }

  /**
   * One request with the full policy; resolves with the final response. GETs follow redirects
   * by hand; any other method never does (its 3xx comes back as is).
   */
  async send(rawUrl: string, signal: AbortSignal, init: RequestOptions = {}): Promise<Response> {
    const method = init.method ?? "GET";
    let origin: URL;
    try {
      origin = new URL(rawUrl);
    } catch {
      throw new EgressError(`httpx: invalid URL ${JSON.stringify(safeUrl(rawUrl))}`);
    }
    if (origin.protocol !== "https:" && origin.protocol !== "http:") {
      throw new EgressError(`httpx: unsupported scheme ${origin.protocol}`);
    }
    if (origin.protocol === "http:" && !this.o.allowPrivate && !isLoopbackHost(hostnameOf(origin))) {
      throw new EgressError(
        `httpx: refusing plaintext request to ${safeUrl(origin.href)} (set http.allow_private for an in-VPC host)`,
      );
    }
    const first = await checkDest(origin, this.policy);
    await this.bucket.acquire(signal);
    const started = performance.now();
    const target = hostnameOf(origin);
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs ?? 10_000)]);
    let current = origin;
    let addrs = first;
    let status = 0;
    let observed = false;
    const observe = () => {
      if (!observed) this.o.observer?.(target, method, status, performance.now() - started);
      observed = true;
    };
    try {
      for (let sent = 0; ; ) {
        const res = await this.exchange(current, addrs, deadline, init);
        sent++;
        status = res.status;
        if (method !== "GET" || res.status < 300 || res.status > 399 || !res.headers.get("location")) {
          observe();
          return res;
        }
        await res.body?.cancel();
        const next = new URL(res.headers.get("location") ?? "", current);
        checkRedirect(origin, next, sent);
        addrs = await checkDest(next, this.policy);
        current = next;
      }
    } catch (e) {
      observe();
      if (e instanceof EgressError) throw e;
      throw new Error(redact(`${method} ${safeUrl(current.href)}: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private exchange(url: URL, addrs: Ip[], signal: AbortSignal, init: RequestOptions): Promise<Response> {
    // Identity unless the caller reads a coding itself (readDecoded): a ranged download's
    // offsets index the stored bytes, and nothing is ever inflated by the runtime.
    const headers: Record<string, string> = {
      "User-Agent": this.o.userAgent,
      Accept: "application/json",
      "Accept-Encoding": "identity",
      ...init.headers,
    };
    // A client without an auth header (the signed-URL download) sends none.
    if (this.o.authHeader !== "") headers[this.o.authHeader] = this.o.authValue;
    const method = init.method ?? "GET";
    const body = init.body;
    const proxy = proxyFor(url, proxyConfig());
    const host = hostnameOf(url);
    const tls: Record<string, unknown> = {
      ...(parseIp(host) ? {} : { servername: host }),
      ...(this.o.ca ? { ca: this.o.ca } : {}),
    };
    if (proxy !== "") {
      // Through a proxy the proxy resolves the name (residual rebinding window, documented);
      // the destination was checked above, and the proxy's own address is checked here.
      return checkDest(new URL(proxy), { ...this.policy, allowHosts: [] }).then(() =>
        this.fetchImpl(url.href, { method, headers, body, redirect: "manual", signal, proxy, tls, decompress: false }),
      );
    }
    const ip = addrs.find((a) => a.v === 4) ?? addrs[0];
    if (!ip) throw new EgressError(`httpx: no vetted address for ${hostnameOf(url)}`);
    // Connect to the address that was checked; Host and SNI keep the name.
    headers.Host = url.host;
    return this.fetchImpl(pinned(url, ip), {
      method,
      headers,
      body,
      redirect: "manual",
      signal,
      tls,
      decompress: false,
    });
  }
}
