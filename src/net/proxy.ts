/**
 * HTTP(S)_PROXY / NO_PROXY, decided by the bridge itself. Bun's fetch
 * applies these variables on its own and cannot be told not to per request, so at start-up the
 * bridge takes them into a ProxyConfig and removes them from the environment; every outbound
 * call then passes `proxy` explicitly when these rules say so. Loopback is never proxied.
 */

import { hostnameOf } from "./egress.ts";
import { parseIp } from "./ip.ts";
import { isLoopbackHost } from "./ip-literal.ts";

export interface ProxyConfig {
  http: string;
  https: string;
  noProxy: string[];
}

export const NO_PROXY_CONFIG: ProxyConfig = { http: "", https: "", noProxy: [] };

let current: ProxyConfig = NO_PROXY_CONFIG;

const VARS = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"];

/** Read the proxy variables (upper-case wins) and remove them from `env`. */
export function captureProxyEnv(env: Record<string, string | undefined>): ProxyConfig {
  const get = (k: string) => env[k] || env[k.toLowerCase()] || "";
  const cfg: ProxyConfig = {
    http: get("HTTP_PROXY"),
    https: get("HTTPS_PROXY"),
    noProxy: get("NO_PROXY")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ""),
  };
  for (const v of VARS) delete env[v];
  current = cfg;
  return cfg;
}

export function proxyConfig(): ProxyConfig {
  return current;
}

export function setProxyConfig(c: ProxyConfig): void {
  current = c;
}

function inCidr(ip: number[], cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const net = parseIp(base ?? "");
  const bits = Number(bitsText);
  if (!net || !Number.isInteger(bits) || net.b.length !== ip.length) return false;
  for (let i = 0; i < bits; i++) {
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i % 8);
    if (((ip[byte] ?? 0) & mask) !== ((net.b[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** The proxy URL for `url`, or "" to connect directly (Go httpproxy semantics). */
export function proxyFor(url: URL, c: ProxyConfig = current): string {
  const proxy = url.protocol === "https:" ? c.https : url.protocol === "http:" ? c.http : "";
  if (proxy === "") return "";
  const host = hostnameOf(url);
  if (isLoopbackHost(host)) return "";
  const ip = parseIp(host);
  for (const entry of c.noProxy) {
    if (entry === "*") return "";
    if (entry.includes("/") && ip && inCidr(ip.b, entry)) return "";
    const [eHost = "", ePort] = entry.startsWith("[")
      ? [entry.slice(1, entry.indexOf("]")), entry.split("]:")[1]]
      : entry.split(":");
    if (ePort && ePort !== (url.port || (url.protocol === "https:" ? "443" : "80"))) continue;
    const d = eHost.replace(/^\*?\./, "");
    if (
      host === d ||
      (eHost.startsWith(".") || eHost.startsWith("*.") ? host.endsWith(`.${d}`) : host.endsWith(`.${d}`))
    )
      return "";
  }
  return proxy;
}
