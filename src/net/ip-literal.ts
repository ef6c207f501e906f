/**
 * IP literals with Go's net.ParseIP semantics (no leading zeros, no zones, embedded dotted
 * quads), shared by the config URL gates and the egress guard.
 */
/** Dotted-quad without leading zeros → 4 octets. */
export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** IPv6 literal → 16 bytes (accepts an embedded dotted quad). */
export function parseIPv6(s: string): number[] | undefined {
  if (!s.includes(":") || s.includes("%")) return undefined;
  let head = s;
  let tailV4: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tailV4 = v4;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const dbl = head.split("::");
  if (dbl.length > 2) return undefined;
  const groups = (x: string) => (x === "" ? [] : x.split(":"));
  const left = groups(dbl[0] ?? "");
  const right = dbl.length === 2 ? groups(dbl[1] ?? "") : [];
  const missing = 8 - left.length - right.length;
  if ((dbl.length === 1 && missing !== 0) || (dbl.length === 2 && missing < 1)) return undefined;
  const all = [...left, ...Array(dbl.length === 2 ? missing : 0).fill("0"), ...right];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = Number.parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tailV4.length) bytes.splice(12, 4, ...tailV4);
  return bytes;
}

/** 4-byte form for IPv4 and IPv4-mapped IPv6, else 16 bytes; undefined for a DNS name. */
export function ipBytes(host: string): number[] | undefined {
  const v4 = parseIPv4(host);
  if (v4) return v4;
  const v6 = parseIPv6(host);
  if (!v6) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  if (host === "localhost") return true;
  const ip = ipBytes(host);
  if (!ip) return false;
  if (ip.length === 4) return ip[0] === 127;
  return ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
}
