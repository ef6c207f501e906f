/**
 * URL gates with Go net/url + net.IP semantics. Deliberately not WHATWG
 * `URL`: it would lower-case hosts and turn `2130706433` into 127.0.0.1, changing answers.
 */
import { ipBytes, isLoopbackHost } from "../net/ip-literal.ts";

export function insecure(u: string): boolean {
  return !u.startsWith("https://");
}

/** RFC 3986 host, or undefined when there is no parseable authority. */
export function hostOf(u: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(u);
  if (!m) return undefined;
  let auth = m[1] ?? "";
  const at = auth.lastIndexOf("@");
  if (at >= 0) auth = auth.slice(at + 1);
  if (auth.startsWith("[")) {
    const end = auth.indexOf("]");
    if (end < 0) return undefined;
    const rest = auth.slice(end + 1);
    if (rest !== "" && !/^:[0-9]*$/.test(rest)) return undefined;
    return auth.slice(1, end);
  }
  const colon = auth.lastIndexOf(":");
  if (colon >= 0) {
    if (!/^[0-9]*$/.test(auth.slice(colon + 1))) return undefined;
    auth = auth.slice(0, colon);
  }
  return auth;
}

export function loopback(u: string): boolean {
  return isLoopbackHost(hostOf(u));
}

/** An IP literal that is not loopback, private, link-local unicast or link-local multicast. */
export function isPublic(u: string): boolean {
  const host = hostOf(u);
  if (host === undefined) return false;
  const ip = ipBytes(host);
  if (!ip || isLoopbackHost(host)) return false;
  const [a = 0, b = 0, c = 0] = ip;
  if (ip.length === 4) {
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return false;
    if (a === 169 && b === 254) return false;
    if (a === 224 && b === 0 && c === 0) return false;
    return true;
  }
  if ((a & 0xfe) === 0xfc) return false; // fc00::/7
  if (a === 0xfe && (b & 0xc0) === 0x80) return false; // fe80::/10
  if (a === 0xff && b === 0x02) return false; // ff02::/16
  return true;
}

export interface EmitTarget {
  endpoint: string;
  instance_id: string;
  token: string;
  allow_insecure: boolean;
}

/** Emit endpoint gate; `field` is `emit.telemetry.otlp` or `emit.self.otlp`. */
export function emitGate(field: string, t: EmitTarget): string[] {
  const ep = t.endpoint;
  if (ep === "" || !insecure(ep) || loopback(ep)) return [];
  if (!t.allow_insecure) {
    return [
      `${field}.endpoint must be https:// (got ${JSON.stringify(ep)}) — cleartext credentials; set ${field}.allow_insecure to emit to a token-less in-cluster cleartext receiver`,
    ];
  }
  const out: string[] = [];
  if (t.instance_id !== "" || t.token !== "") {
    out.push(
      `${field}.allow_insecure is set on a cleartext (http) endpoint but instance_id/token are also set — credentials must not ride a cleartext link; the in-cluster collector holds the Grafana Cloud credentials, so point allow_insecure at a token-less in-cluster receiver`,
    );
  }
  if (isPublic(ep)) {
    out.push(
      `${field}.allow_insecure permits cleartext only for private/in-cluster targets; ${JSON.stringify(ep)} is a public address`,
    );
  }
  return out;
}

export function baseUrlOk(url: string, allowPrivate: boolean): boolean {
  return url !== "" && (!insecure(url) || loopback(url) || allowPrivate);
}
