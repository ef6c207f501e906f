/** What Portkey's loops of one source share: one rate-limited client, the resolved use cases. */
import type { SourceConfig } from "../../config/types.ts";
import { HttpClient } from "../../net/client.ts";
import type { SourceDeps } from "../loop.ts";
import { resolveUseCases, type UseCase } from "./use-cases.ts";

export interface PortkeyShared {
  client: HttpClient;
  useCases: UseCase[];
}

export function connectPortkey(s: SourceConfig, deps: SourceDeps): PortkeyShared {
  const client = new HttpClient({
    baseUrl: s.base_url,
    authHeader: s.auth.header,
    authValue: s.auth.value,
    userAgent: s.http.user_agent || deps.userAgent,
    rps: s.rate_limit.rps,
    burst: s.rate_limit.burst,
    allowPrivate: s.http.allow_private,
    allowHosts: s.http.allow_hosts,
    fetch: deps.fetch,
    resolve: deps.resolve,
    observer: deps.observeRequest,
  });
  return { client, useCases: resolveUseCases(s) };
}
