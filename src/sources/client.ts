/**
 * The vendor HTTP client a source's loops share, configured from the source's own keys:
 * base URL, auth header, user agent, rate limit, egress allow-list. Brings the egress guard,
 * the rate limiter and the per-request observer with it.
 */
import type { SourceConfig } from "../config/types.ts";
import { type ClientOptions, HttpClient } from "../net/client.ts";
import type { SourceDeps } from "./loop.ts";

export function sourceClient(
  s: SourceConfig,
  deps: SourceDeps,
  vendor: Pick<ClientOptions, "timeoutMs"> = {},
): HttpClient {
  return new HttpClient({
    ...vendor,
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
}
