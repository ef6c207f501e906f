/** The SSRF predicate, the destination check and the redirect rule. */
import { describe, expect, test } from "bun:test";
import { checkRedirect } from "../../../src/net/client.ts";
import { checkDest, EgressError } from "../../../src/net/egress.ts";
import { blocked, parseIp } from "../../../src/net/ip.ts";
import { proxyFor } from "../../../src/net/proxy.ts";

const ip = (s: string) => {
  const p = parseIp(s);
  if (!p) throw new Error(`not an ip: ${s}`);
  return p;
};
const verdict = (s: string, ap: boolean) => (blocked(ip(s), ap) ? "deny" : "allow");

describe("predicate (S1–S15)", () => {
  test.each([
    ["169.254.169.254", false, "deny"],
    ["169.254.169.254", true, "deny"],
    ["10.0.0.5", false, "deny"],
    ["10.0.0.5", true, "allow"],
    ["192.168.1.1", false, "deny"],
    ["100.100.100.200", true, "deny"],
    ["100.64.1.1", true, "deny"],
    ["fd00:ec2::254", true, "deny"],
    ["0.0.0.0", false, "deny"],
    ["::", false, "deny"],
    ["::ffff:0.0.0.0", false, "deny"],
    ["93.184.216.34", false, "allow"],
    ["127.0.0.1", false, "deny"],
    ["::1", false, "deny"],
    ["127.0.0.1", true, "allow"],
    ["::1", true, "allow"],
    ["fe80::1", true, "deny"],
    ["169.254.1.1", true, "deny"],
    ["224.0.0.251", true, "deny"],
    ["ff02::1", true, "deny"],
    ["::ffff:169.254.169.254", true, "deny"],
    ["::ffff:127.0.0.1", false, "deny"],
    ["172.16.0.1", false, "deny"],
    ["172.32.0.1", false, "allow"],
    ["fc00::1", false, "deny"],
    ["fc00::1", true, "allow"],
    ["100.128.0.1", false, "allow"],
    ["0.0.0.0", true, "allow"],
    // Beyond the reference (TS): embedded IPv4 in NAT64, IPv4-compatible and 6to4 forms.
    ["64:ff9b::a9fe:a9fe", true, "deny"],
    ["64:ff9b::7f00:1", false, "deny"],
    ["64:ff9b::808:808", false, "allow"],
    ["::169.254.169.254", true, "deny"],
    ["2002:a9fe:a9fe::1", true, "deny"],
    ["2002:0a00:0001::", false, "deny"],
    ["2606:4700::1111", false, "allow"],
  ] as const)("%p allowPrivate=%p ⇒ %p", (addr, ap, want) => {
    expect(verdict(addr, ap)).toBe(want);
  });
  test("error texts", () => {
    expect(blocked(ip("169.254.169.254"), true)).toBe("egress: blocked cloud-metadata/CGNAT address 169.254.169.254");
    expect(blocked(ip("fe80::1"), true)).toBe("egress: blocked link-local/metadata fe80::1");
    expect(blocked(ip("10.1.2.3"), false)).toBe(
      "egress: blocked loopback/RFC-1918/unspecified 10.1.2.3 (set allow_private to permit)",
    );
  });
});

/** Resolver: names → fixed answers; unknown names fail. */
const dns: Record<string, string[]> = {
  "api.portkey.ai": ["104.18.0.1"],
  "metadata.evil.example": ["169.254.169.254"],
  "mixed.evil.example": ["93.184.216.34", "10.0.0.1"],
  "v6meta.evil.example": ["fd00:ec2::254"],
  "internal.corp": ["10.2.3.4"],
  "loopback.evil.example": ["127.0.0.1"],
  "mapped.evil.example": ["::ffff:169.254.169.254"],
  "nat64.evil.example": ["64:ff9b::a9fe:a9fe"],
  "cgnat.evil.example": ["100.64.0.9"],
  "linklocal6.evil.example": ["fe80::1"],
  "ok6.example": ["2606:4700::1111"],
  "empty.example": [],
};
const resolve = async (h: string) => {
  const a = dns[h];
  if (!a) throw new Error(`getaddrinfo ENOTFOUND ${h}`);
  return a;
};

describe("destination table (40+ targets, every literal spelling)", () => {
  const cases: [string, boolean, "allow" | string][] = [
    // literal IPv4 in the spellings a URL parser accepts
    ["http://169.254.169.254/latest/meta-data/", true, "cloud-metadata"],
    ["http://2852039166/", true, "cloud-metadata"],
    ["http://0xA9FEA9FE/", true, "cloud-metadata"],
    ["http://0251.0376.0251.0376/", true, "cloud-metadata"],
    ["http://0xa9.0xfe.0xa9.0xfe/", true, "cloud-metadata"],
    ["http://169.254.43518/", true, "cloud-metadata"],
    ["http://169.16689662/", true, "cloud-metadata"],
    ["http://127.0.0.1/", false, "loopback"],
    ["http://2130706433/", false, "loopback"],
    ["http://0x7f000001/", false, "loopback"],
    ["http://0177.0.0.1/", false, "loopback"],
    ["http://127.1/", false, "loopback"],
    ["http://0x7f.1/", false, "loopback"],
    ["http://017700000001/", false, "loopback"],
    ["http://0/", false, "unspecified"],
    ["http://0.0.0.0:8080/", false, "unspecified"],
    ["http://10.0.0.1/", false, "RFC-1918"],
    ["http://167772161/", false, "RFC-1918"],
    ["http://192.168.0.1/", false, "RFC-1918"],
    ["http://100.64.0.1/", true, "CGNAT"],
    ["http://100.100.100.200/", true, "cloud-metadata"],
    // literal IPv6 forms
    ["http://[::1]/", false, "loopback"],
    ["http://[0:0:0:0:0:0:0:1]/", false, "loopback"],
    ["http://[::ffff:127.0.0.1]/", false, "loopback"],
    ["http://[::ffff:7f00:1]/", false, "loopback"],
    ["http://[::ffff:a9fe:a9fe]/", true, "cloud-metadata"],
    ["http://[fd00:ec2::254]/", true, "cloud-metadata"],
    ["http://[fe80::1]/", true, "link-local"],
    ["http://[64:ff9b::169.254.169.254]/", true, "cloud-metadata"],
    ["http://[::]/", false, "unspecified"],
    // names through the resolver
    ["https://metadata.evil.example/", true, "cloud-metadata"],
    ["https://mixed.evil.example/", false, "RFC-1918"],
    ["https://v6meta.evil.example/", true, "cloud-metadata"],
    ["https://internal.corp/v1", false, "RFC-1918"],
    ["https://loopback.evil.example/", false, "loopback"],
    ["https://mapped.evil.example/", true, "cloud-metadata"],
    ["https://nat64.evil.example/", true, "cloud-metadata"],
    ["https://cgnat.evil.example/", true, "CGNAT"],
    ["https://linklocal6.evil.example/", true, "link-local"],
    ["https://nxdomain.example/", true, "cannot resolve"],
    ["https://empty.example/", true, "cannot resolve"],
    // allowed
    ["https://api.portkey.ai/v1", false, "allow"],
    ["https://ok6.example/", false, "allow"],
    ["https://internal.corp/v1", true, "allow"],
    ["http://10.0.0.1:8080/", true, "allow"],
    ["http://127.0.0.1:9/", true, "allow"],
    ["https://93.184.216.34/", false, "allow"],
    ["https://[2606:4700::1111]/", false, "allow"],
  ];
  test.each(cases)("%p allowPrivate=%p ⇒ %p", async (url, ap, want) => {
    const p = checkDest(new URL(url), { allowHosts: [], allowPrivate: ap, resolve });
    if (want === "allow") await expect(p).resolves.toBeDefined();
    else await expect(p).rejects.toThrow(want);
  });
  test("allow-list is checked first, exact and case-insensitive", async () => {
    const pol = { allowHosts: ["API.portkey.ai"], allowPrivate: false, resolve };
    await expect(checkDest(new URL("https://api.portkey.ai/v1"), pol)).resolves.toBeDefined();
    for (const u of ["https://evil.example.com/x", "https://x.api.portkey.ai/", "https://api.portkey.ai./"]) {
      await expect(checkDest(new URL(u), pol)).rejects.toThrow("not in allow-list");
    }
  });
});

describe("redirect rule (S24)", () => {
  const o = (u: string) => new URL(u);
  test.each([
    ["https://api.example.com/v1/x", "https://api.example.com/v1/x/", "allow"],
    ["https://api.example.com/v1/x", "http://api.example.com/v1/x", "downgrade"],
    ["http://api.example.com/v1/x", "https://api.example.com/v1/x", "cross-origin"],
    ["https://api.example.com/v1/x", "https://evil.example.com/v1/x", "cross-host"],
    ["http://api.example.com/x", "http://api.example.com/y", "allow"],
    ["https://api.example.com:443/x", "https://API.example.com:8443/y", "cross-origin"],
    ["https://api.example.com/x", "https://API.example.com:443/y", "allow"],
    ["http://api.example.com:8080/x", "http://api.example.com:9090/y", "cross-origin"],
    ["http://api.example.com/x", "http://api.example.com:80/y", "allow"],
  ])("%p → %p ⇒ %p", (from, to, want) => {
    if (want === "allow") expect(() => checkRedirect(o(from), o(to), 1)).not.toThrow();
    else expect(() => checkRedirect(o(from), o(to), 1)).toThrow(want);
  });
  test("a hop to another scheme is refused", () => {
    expect(() => checkRedirect(o("http://a/"), o("javascript://a/x"), 1)).toThrow(
      "redirect to scheme javascript blocked",
    );
    expect(() => checkRedirect(o("http://a/"), o("file://a/etc/passwd"), 1)).toThrow("blocked");
  });
  test("the 10th request is the last", () => {
    expect(() => checkRedirect(o("https://a/"), o("https://a/b"), 10)).toThrow("stopped after 10 redirects");
  });
  test("errors are EgressErrors", () => {
    try {
      checkRedirect(o("https://a/"), o("https://b/"), 1);
    } catch (e) {
      expect(e).toBeInstanceOf(EgressError);
    }
  });
});

describe("proxy rules", () => {
  const c = {
    http: "http://proxy:3128",
    https: "http://proxy:3128",
    noProxy: ["internal.corp", ".svc.cluster.local", "10.0.0.0/8", "api.example.com:8443"],
  };
  test.each([
    ["https://api.portkey.ai/v1", "http://proxy:3128"],
    ["https://internal.corp/x", ""],
    ["https://a.internal.corp/x", ""],
    ["http://otel.monitoring.svc.cluster.local:4318", ""],
    ["http://10.2.3.4/", ""],
    ["http://127.0.0.1:4318/", ""],
    ["http://localhost:4318/", ""],
    ["https://api.example.com:8443/", ""],
    ["https://api.example.com/", "http://proxy:3128"],
  ])("%p ⇒ %p", (u, want) => {
    expect(proxyFor(new URL(u), c)).toBe(want);
  });
  test("NO_PROXY=* disables", () => {
    expect(proxyFor(new URL("https://x.example/"), { ...c, noProxy: ["*"] })).toBe("");
  });
});
