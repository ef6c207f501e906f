/** What Portkey's loops of one source share: one rate-limited client, the resolved use cases. */
import type { SourceConfig } from "../../config/types.ts";
import { HttpClient } from "../../net/client.ts";
import { sourceClient } from "../client.ts";
import type { SourceDeps } from "../loop.ts";
import { resolveUseCases, type UseCase } from "./use-cases.ts";

export interface PortkeyShared {
  client: HttpClient;
  useCases: UseCase[];
  /**
   * A client for signed object URLs: no auth header ever, only the listed hosts, the source's
   * egress rules and transport, its own timeout.
   */
  objectClient(allowHosts: string[], timeoutMs: number): HttpClient;
}

export function connectPortkey(s: SourceConfig, deps: SourceDeps): PortkeyShared {
  return {
    client: sourceClient(s, deps),
    useCases: resolveUseCases(s),
    objectClient: (allowHosts, timeoutMs) =>
      new HttpClient({
        baseUrl: "",
        authHeader: "",
        authValue: "",
        userAgent: s.http.user_agent || deps.userAgent,
        rps: s.rate_limit.rps,
        burst: s.rate_limit.burst,
        allowPrivate: s.http.allow_private,
        allowHosts,
        timeoutMs,
        fetch: deps.fetch,
        resolve: deps.resolve,
        observer: deps.observeRequest,
      }),
  };
}
