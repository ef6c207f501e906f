/** `fetch` with the bridge's proxy rules applied (the OTLP legs; sources go through HttpClient). */
import { proxyConfig, proxyFor } from "./proxy.ts";

export function proxiedFetch(url: string, init: RequestInit): Promise<Response> {
  const proxy = proxyFor(new URL(url), proxyConfig());
  return fetch(url, proxy === "" ? init : { ...init, proxy });
}
