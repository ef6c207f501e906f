/**
 * A small Kubernetes REST client over fetch: in-cluster configuration (API URL from
 * KUBERNETES_SERVICE_HOST/PORT, service-account token re-read as it rotates, the cluster CA),
 * explicit overrides for tests and out-of-cluster runs, per-request timeouts, and typed errors
 * from the API's Status objects. No client library; the Kubernetes API is never behind the
 * egress guard (it is a cluster-internal address by design).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ACCEPTED_ENCODINGS, readDecoded } from "../base/body.ts";

export const DEFAULT_SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const TOKEN_TTL_MS = 60_000;
/** Far above any object this client reads (a ConfigMap or Lease is at most 1 MiB). */
const MAX_KUBE_BODY = 8 << 20;

export type KubeErrorKind = "notfound" | "conflict" | "auth" | "forbidden" | "invalid" | "transient";

export class KubeError extends Error {
  override name = "KubeError";
  constructor(
    message: string,
    readonly status: number,
    readonly kind: KubeErrorKind,
    readonly reason = "",
  ) {
    super(message);
  }
}

export function kindOf(status: number): KubeErrorKind {
  if (status === 404) return "notfound";
  if (status === 409) return "conflict";
  if (status === 401) return "auth";
  if (status === 403) return "forbidden";
  if (status === 400 || status === 422) return "invalid";
  return "transient";
}

export interface KubeConfig {
  apiUrl: string;
  saDir: string;
  namespace: string;
  timeoutMs?: number;
}

/** In-cluster configuration, with the overrides taking precedence. Throws a named error. */
export function inClusterConfig(o: {
  env: Record<string, string | undefined>;
  apiUrl?: string;
  saDir?: string;
  namespace?: string;
}): KubeConfig {
  const saDir = o.saDir || DEFAULT_SA_DIR;
  let apiUrl = o.apiUrl ?? "";
  if (apiUrl === "") {
    const host = o.env.KUBERNETES_SERVICE_HOST ?? "";
    const port = o.env.KUBERNETES_SERVICE_PORT ?? "";
    if (host === "" || port === "") {
      throw new Error(
        "not running in a Kubernetes cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are unset (or pass -kube-api-url)",
      );
    }
    apiUrl = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }
  let namespace = o.namespace ?? "";
  if (namespace === "") {
    try {
      namespace = readFileSync(join(saDir, "namespace"), "utf8").trim();
    } catch {
      // named error below
    }
  }
  if (namespace === "") throw new Error("kubernetes namespace is empty: set -namespace or $POD_NAMESPACE");
  try {
    if (readFileSync(join(saDir, "token"), "utf8").trim() === "") throw new Error("empty");
  } catch (e) {
    throw new Error(
      `service-account token ${join(saDir, "token")} is unreadable: ${(e as Error).message.replace(/^.*?: /, "")}`,
    );
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ""), saDir, namespace };
}

export interface KubeResponse {
  status: number;
  body: Record<string, unknown>;
}

export class KubeClient {
  private token = "";
  private tokenAt = Number.NEGATIVE_INFINITY;
  private ca: string | undefined;

  constructor(
    readonly cfg: KubeConfig,
    private readonly onWarn: (msg: string, attrs?: Record<string, unknown>) => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    try {
      this.ca = readFileSync(join(cfg.saDir, "ca.crt"), "utf8");
    } catch (e) {
      this.onWarn("service-account CA unreadable; using the system roots", { err: e });
    }
  }

  /** The bearer token, re-read at most every 60 s; a failed re-read keeps the last good one. */
  private bearer(force = false): string {
    if (!force && this.token !== "" && this.now() - this.tokenAt < TOKEN_TTL_MS) return this.token;
    try {
      const t = readFileSync(join(this.cfg.saDir, "token"), "utf8").trim();
      if (t === "") throw new Error("token file is empty");
      this.token = t;
      this.tokenAt = this.now();
    } catch (e) {
      this.onWarn("service-account token re-read failed; keeping the last one", { err: e });
    }
    return this.token;
  }

  async request(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<KubeResponse> {
    let res = await this.once(method, path, body, signal, false);
    if (res.status === 401) res = await this.once(method, path, body, signal, true);
    return res;
  }

  private async once(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    force: boolean,
  ): Promise<KubeResponse> {
    const timeout = AbortSignal.timeout(this.cfg.timeoutMs ?? 10_000);
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Accept-Encoding": ACCEPTED_ENCODINGS,
      Authorization: `Bearer ${this.bearer(force)}`,
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${this.cfg.apiUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        decompress: false,
        ...(this.ca ? { tls: { ca: this.ca } } : {}),
      });
    } catch (e) {
      throw new KubeError(
        `kubernetes ${method} ${path}: ${e instanceof Error ? e.message : String(e)}`,
        0,
        "transient",
      );
    }
    // A Lease or ConfigMap is at most 1 MiB; the cap holds on the wire and after inflating.
    let read: { bytes: Uint8Array; over: boolean };
    try {
      read = await readDecoded(res, MAX_KUBE_BODY);
    } catch (e) {
      throw new KubeError(
        `kubernetes ${method} ${path}: ${e instanceof Error ? e.message : String(e)}`,
        0,
        "transient",
      );
    }
    if (read.over) {
      throw new KubeError(`kubernetes ${method} ${path}: response body exceeds ${MAX_KUBE_BODY} bytes`, 0, "transient");
    }
    const text = new TextDecoder().decode(read.bytes);
    let json: Record<string, unknown> = {};
    try {
      json = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      json = {};
    }
    return { status: res.status, body: json };
  }

  /** A typed error from a non-success response's Status object. */
  static error(method: string, path: string, r: KubeResponse): KubeError {
    const reason = typeof r.body.reason === "string" ? r.body.reason : "";
    const message = typeof r.body.message === "string" ? r.body.message : "";
    return new KubeError(
      `kubernetes ${method} ${path}: ${r.status}${reason ? ` ${reason}` : ""}${message ? `: ${message}` : ""}`,
      r.status,
      kindOf(r.status),
      reason,
    );
  }
}
