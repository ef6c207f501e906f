/**
 * Pre-dial destination check: host allow-list, then the IP guard on the
 * literal or on EVERY address the name resolves to; resolution failure refuses (fail closed).
 * The host comes from the WHATWG URL parser, which canonicalises `2130706433`, `0x7f.1`,
 * `0177.0.0.1` and friends to dotted IPv4 before anything is judged.
 */
import { blocked, type Ip, parseIp } from "./ip.ts";

export class EgressError extends Error {
  override name = "EgressError";
}

/** All A and AAAA answers for a name. */
export type Resolver = (host: string) => Promise<string[]>;

/** Every address the system resolves a name to (the runtime's own lookup; node:dns costs start-up). */
export const systemResolver: Resolver = async (host) => (await Bun.dns.lookup(host)).map((a) => a.address);

export interface EgressPolicy {
  allowHosts: readonly string[];
  allowPrivate: boolean;
  resolve: Resolver;
}

/** Hostname as the URL parser canonicalised it, lower-case, IPv6 brackets removed. */
export function hostnameOf(url: URL): string {
  const h = url.hostname.toLowerCase();
  return h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
}

/** Returns the vetted addresses to connect to (the literal itself for an IP host). */
export async function checkDest(url: URL, p: EgressPolicy): Promise<Ip[]> {
  const host = hostnameOf(url);
  if (p.allowHosts.length > 0 && !p.allowHosts.some((h) => h.toLowerCase() === host)) {
    throw new EgressError(`httpx: host ${host} not in allow-list`);
  }
  if (host === "") throw new EgressError("httpx: empty destination host");
  const literal = parseIp(host);
  if (literal) {
    const why = blocked(literal, p.allowPrivate, host.includes("%"));
    if (why) throw new EgressError(why);
    return [literal];
  }
  let answers: string[];
  try {
    answers = await p.resolve(host);
  } catch (e) {
    throw new EgressError(
      `httpx: cannot resolve ${host} for egress check: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const ips: Ip[] = [];
  for (const a of answers) {
    const ip = parseIp(a);
    if (!ip) throw new EgressError(`egress: unresolved address ${JSON.stringify(a)} for ${host}`);
    const why = blocked(ip, p.allowPrivate, a.includes("%"));
    if (why) throw new EgressError(why);
    ips.push(ip);
  }
  if (ips.length === 0) throw new EgressError(`httpx: cannot resolve ${host} for egress check: no addresses`);
  return ips;
}
