/**
 * The SSRF predicate over parsed addresses, never strings. IPv4-mapped,
 * IPv4-compatible, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) IPv6 forms are judged by the IPv4
 * address they carry — the last three go beyond the reference, which lets them through.
 */
import { parseIPv4, parseIPv6 } from "./ip-literal.ts";

export type Ip = { v: 4; b: number[] } | { v: 6; b: number[] };

/** Canonical dotted-quad or IPv6 literal (optional brackets; a zone makes it link-local). */
export function parseIp(text: string): Ip | undefined {
  const s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIPv4(s);
  if (v4) return { v: 4, b: v4 };
  const zone = s.indexOf("%");
  const v6 = parseIPv6(zone >= 0 ? s.slice(0, zone) : s);
  if (v6) return { v: 6, b: v6 };
  return undefined;
}

export function formatIp(ip: Ip): string {
  if (ip.v === 4) return ip.b.join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((ip.b[i] ?? 0) << 8) | (ip.b[i + 1] ?? 0)).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

const eq = (a: number[], prefix: number[]) => prefix.every((x, i) => a[i] === x);

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedV4(b: number[]): number[] | undefined {
  const zero10 = b.slice(0, 10).every((x) => x === 0);
  if (zero10 && b[10] === 0xff && b[11] === 0xff) return b.slice(12, 16); // ::ffff:a.b.c.d
  if (zero10 && b[10] === 0 && b[11] === 0) {
    const v4 = b.slice(12, 16);
    // ::a.b.c.d (IPv4-compatible), but not :: and ::1 themselves.
    if (!(v4[0] === 0 && v4[1] === 0 && v4[2] === 0 && (v4[3] === 0 || v4[3] === 1))) return v4;
  }
  if (eq(b, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return b.slice(12, 16); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002:AABB:CCDD::/48
  return undefined;
}

function blockedV4(b: number[], allowPrivate: boolean, shown: string): string | undefined {
  const [a = 0, c = 0, d = 0, e = 0] = b;
  if (
    (a === 169 && c === 254 && d === 169 && e === 254) ||
    (a === 100 && c === 100 && d === 100 && e === 200) ||
    (a === 100 && c >= 64 && c <= 127)
  ) {
    return `egress: blocked cloud-metadata/CGNAT address ${shown}`;
  }
  if ((a === 169 && c === 254) || (a === 224 && c === 0 && d === 0))
    return `egress: blocked link-local/metadata ${shown}`;
  if (allowPrivate) return undefined;
  if (
    a === 127 ||
    a === 10 ||
    (a === 172 && c >= 16 && c <= 31) ||
    (a === 192 && c === 168) ||
    (a === 0 && c === 0 && d === 0 && e === 0)
  ) {
    return `egress: blocked loopback/RFC-1918/unspecified ${shown} (set allow_private to permit)`;
  }
  return undefined;
}

/** The refusal for `ip`, or undefined when it may be dialled. */
export function blocked(ip: Ip, allowPrivate: boolean, zoned = false): string | undefined {
  const shown = formatIp(ip);
  if (ip.v === 4) return blockedV4(ip.b, allowPrivate, shown);
  const b = ip.b;
  const v4 = embeddedV4(b);
  if (v4) return blockedV4(v4, allowPrivate, shown);
  if (eq(b, [0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]))
    return `egress: blocked cloud-metadata/CGNAT address ${shown}`;
  if (zoned || (b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80) || (b[0] === 0xff && ((b[1] ?? 0) & 0x0f) === 0x02)) {
    return `egress: blocked link-local/metadata ${shown}`;
  }
  if (allowPrivate) return undefined;
  const loop = b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const unspecified = b.every((x) => x === 0);
  if (loop || unspecified || ((b[0] ?? 0) & 0xfe) === 0xfc) {
    return `egress: blocked loopback/RFC-1918/unspecified ${shown} (set allow_private to permit)`;
  }
  return undefined;
}
