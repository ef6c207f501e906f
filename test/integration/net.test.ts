/**
 * The hardened client against real sockets on loopback:
 * redirects between two loopback hosts (127.0.0.1 and 127.0.0.2) with the vendor key header
 * captured, connection pinning to the checked address, TLS with the original server name and a
 * TLS 1.1-only peer, proxies, and a fuzz run in which no connection goes unchecked.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FetchLike } from "../../src/base/fetch.ts";
import { type ClientOptions, HttpClient } from "../../src/net/client.ts";
import { blocked, parseIp } from "../../src/net/ip.ts";
import { NO_PROXY_CONFIG, setProxyConfig } from "../../src/net/proxy.ts";
import { freePort } from "../support/peers.ts";

const KEY = "pk-live-SECRET-0123456789";
type Seen = { path: string; headers: Record<string, string> };

function server(hostname: string, handler: (req: Request, seen: Seen[]) => Response) {
  const seen: Seen[] = [];
  const s = Bun.serve({
    hostname,
    port: 0,
    fetch(req) {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      seen.push({ path: new URL(req.url).pathname, headers });
      return handler(req, seen);
    },
  });
  return { seen, port: s.port ?? 0, url: `http://${hostname}:${s.port}`, stop: () => s.stop(true) };
}

function client(o: Partial<ClientOptions> & { baseUrl: string }) {
  const observed: [string, string, number][] = [];
  const c = new HttpClient({
    authHeader: "x-portkey-api-key",
    authValue: KEY,
    userAgent: "genai-otel-bridge/0.1",
    rps: 1000,
    burst: 1000,
    allowPrivate: true,
    allowHosts: [],
    observer: (t, m, s) => observed.push([t, m, s]),
    ...o,
  });
  return { c, observed };
}
const signal = () => AbortSignal.timeout(10_000);

describe("client basics", () => {
  test("S16 user agent and auth header reach the configured host", async () => {
    const a = server("127.0.0.1", () => Response.json({ ok: 1 }));
    const { c } = client({ baseUrl: a.url });
    expect((await c.getJson("/v1/x", signal())).json).toEqual({ ok: 1 });
    expect(a.seen[0]?.headers["user-agent"]).toBe("genai-otel-bridge/0.1");
    expect(a.seen[0]?.headers["x-portkey-api-key"]).toBe(KEY);
    a.stop();
  });
  test("S18 observer once per request with status; S19 refused ⇒ status 0", async () => {
    const a = server("127.0.0.1", () => new Response("", { status: 503 }));
    const { c, observed } = client({ baseUrl: a.url });
    expect((await c.getJson("/x", signal())).status).toBe(503);
    expect(observed).toEqual([["127.0.0.1", "GET", 503]]);
    a.stop();
    await expect(c.getJson("/x", signal())).rejects.toThrow();
    expect(observed[1]).toEqual(["127.0.0.1", "GET", 0]);
  });
  test("S20 a metadata literal is refused before anything: no observer, no token", async () => {
    let fetched = 0;
    const { c, observed } = client({
      baseUrl: "http://169.254.169.254",
      fetch: async () => {
        fetched++;
        return new Response("");
      },
    });
    await expect(c.getJson("/latest/meta-data/", signal())).rejects.toThrow("cloud-metadata");
    expect([fetched, observed.length]).toEqual([0, 0]);
  });
  test("loopback without allow_private is refused", async () => {
    const a = server("127.0.0.1", () => new Response("{}"));
    const { c } = client({ baseUrl: a.url, allowPrivate: false });
    await expect(c.getJson("/x", signal())).rejects.toThrow("loopback");
    expect(a.seen).toHaveLength(0);
    a.stop();
  });
});

describe("compressed bodies (bounded while inflating)", () => {
  const gz = (body: string | Uint8Array<ArrayBuffer>) =>
    Bun.gzipSync(typeof body === "string" ? new TextEncoder().encode(body) : body);
  test("gzip is asked for and inflated by the client", async () => {
    const a = server("127.0.0.1", () => new Response(gz('{"ok":2}'), { headers: { "Content-Encoding": "gzip" } }));
    const { c } = client({ baseUrl: a.url });
    expect((await c.getJson("/x", signal())).json).toEqual({ ok: 2 });
    expect(a.seen[0]?.headers["accept-encoding"]).toBe("gzip");
    a.stop();
  });
  test("a small body that inflates past the cap is refused without inflating it", async () => {
    // 64 MiB of zeros is ~65 KB of gzip: well inside the 1 MiB cap on the wire.
    const bomb = gz(new Uint8Array(64 << 20));
    const a = server("127.0.0.1", () => new Response(bomb, { headers: { "Content-Encoding": "gzip" } }));
    const inits: { decompress?: boolean }[] = [];
    const { c } = client({
      baseUrl: a.url,
      fetch: (url, init) => {
        inits.push(init);
        return fetch(url, init);
      },
    });
    await expect(c.getJson("/x", signal())).rejects.toThrow("exceeds 1048576 bytes (compressed or inflated)");
    expect(inits.map((i) => i.decompress)).toEqual([false]);
    a.stop();
  });
  test("an unknown coding or a corrupt gzip body is an error; an error body keeps its status", async () => {
    const codings = ["br", "gzip"];
    const a = server("127.0.0.1", (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/err") return new Response(gz("quota"), { status: 429, headers: { "Content-Encoding": "gzip" } });
      return new Response("not gzip at all", { headers: { "Content-Encoding": codings.shift() ?? "" } });
    });
    const { c } = client({ baseUrl: a.url });
    await expect(c.getJson("/x", signal())).rejects.toThrow('unsupported Content-Encoding "br"');
    await expect(c.getJson("/x", signal())).rejects.toThrow("gzip body does not decode");
    expect(await c.getJson("/err", signal())).toEqual({ status: 429, snippet: "quota" });
    a.stop();
  });
});

describe("redirects between two loopback hosts", () => {
  test("S23 cross-host: refused, the other host never sees the key (or anything)", async () => {
    const b = server("127.0.0.2", () => Response.json({ stolen: true }));
    const a = server("127.0.0.1", () => new Response("", { status: 302, headers: { Location: `${b.url}/collect` } }));
    const { c } = client({ baseUrl: a.url });
    await expect(c.getJson("/v1/analytics", signal())).rejects.toThrow("cross-host redirect to 127.0.0.2 blocked");
    expect(b.seen).toHaveLength(0);
    expect(a.seen).toHaveLength(1);
    a.stop();
    b.stop();
  });
  test("S22 127.0.0.1 → localhost is cross-host too, also with an allow-list", async () => {
    const b = server("127.0.0.1", () => Response.json({}));
    const a = server(
      "127.0.0.1",
      () => new Response("", { status: 302, headers: { Location: `http://localhost:${b.port}/` } }),
    );
    const { c } = client({ baseUrl: a.url, allowHosts: ["127.0.0.1"] });
    await expect(c.getJson("/x", signal())).rejects.toThrow();
    expect(b.seen).toHaveLength(0);
    a.stop();
    b.stop();
  });
  test("another port of the same host is another origin: refused, the key never reaches it", async () => {
    const b = server("127.0.0.1", () => Response.json({ stolen: true }));
    const a = server("127.0.0.1", () => new Response("", { status: 302, headers: { Location: `${b.url}/collect` } }));
    const { c } = client({ baseUrl: a.url });
    await expect(c.getJson("/v1/analytics", signal())).rejects.toThrow("cross-origin redirect");
    expect(b.seen).toHaveLength(0);
    expect(a.seen).toHaveLength(1);
    a.stop();
    b.stop();
  });
  test("same-host redirect is followed, headers re-sent; the key only ever reaches 127.0.0.1", async () => {
    const b = server("127.0.0.2", () => Response.json({}));
    const a = server("127.0.0.1", (req) =>
      new URL(req.url).pathname === "/old"
        ? new Response("", { status: 301, headers: { Location: "/new" } })
        : Response.json({ moved: true }),
    );
    const { c } = client({ baseUrl: a.url });
    expect((await c.getJson("/old", signal())).json).toEqual({ moved: true });
    expect(a.seen.map((s) => [s.path, s.headers["x-portkey-api-key"]])).toEqual([
      ["/old", KEY],
      ["/new", KEY],
    ]);
    expect(b.seen).toHaveLength(0);
    a.stop();
    b.stop();
  });
  test("S26 a redirect loop stops after 10 requests", async () => {
    const a = server("127.0.0.1", () => new Response("", { status: 307, headers: { Location: "/again" } }));
    const { c } = client({ baseUrl: a.url });
    await expect(c.getJson("/start", signal())).rejects.toThrow("stopped after 10 redirects");
    expect(a.seen).toHaveLength(10);
    a.stop();
  });
  test("a redirect to a metadata address is refused at the hop", async () => {
    const a = server(
      "127.0.0.1",
      () => new Response("", { status: 302, headers: { Location: "http://169.254.169.254/latest/" } }),
    );
    const { c } = client({ baseUrl: a.url });
    await expect(c.getJson("/x", signal())).rejects.toThrow();
    a.stop();
  });
});

describe("connection pinning (DNS rebinding, S37)", () => {
  test("the connection goes to the address that was checked, with the original Host", async () => {
    const checked = server("127.0.0.2", () => Response.json({ from: "checked" }));
    const port = checked.port;
    // The rebinding target listens on the same port on 127.0.0.1.
    const rebound = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => Response.json({ from: "rebound" }) });
    let lookups = 0;
    const resolve = async () => (lookups++ === 0 ? ["127.0.0.2"] : ["127.0.0.1"]);
    const { c } = client({ baseUrl: `http://rebind.test:${port}`, resolve });
    expect((await c.getJson("/x", signal())).json).toEqual({ from: "checked" });
    expect(checked.seen[0]?.headers.host).toBe(`rebind.test:${port}`);
    expect(lookups).toBe(1);
    checked.stop();
    rebound.stop(true);
  });
  test("a rebinding to a blocked address on the next request is refused before connecting", async () => {
    const a = server("127.0.0.2", () => Response.json({}));
    let n = 0;
    const resolve = async () => (n++ === 0 ? ["127.0.0.2"] : ["169.254.169.254"]);
    const { c } = client({ baseUrl: `http://rebind.test:${a.port}`, resolve });
    await c.getJson("/x", signal());
    await expect(c.getJson("/x", signal())).rejects.toThrow("cloud-metadata");
    expect(a.seen).toHaveLength(1);
    a.stop();
  });
});

describe("TLS", () => {
  let dir = "";
  let cert = "";
  let key = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tls-"));
    const r = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=example.test",
      "-addext",
      "subjectAltName=DNS:example.test",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    key = readFileSync(join(dir, "key.pem"), "utf8");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("pinned connection verifies the certificate against the original name (SNI kept)", async () => {
    const s = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert, key },
      fetch: (req) => Response.json({ host: req.headers.get("host") }),
    });
    const { c } = client({ baseUrl: `https://example.test:${s.port}`, resolve: async () => ["127.0.0.1"], ca: cert });
    expect((await c.getJson("/x", signal())).json).toEqual({ host: `example.test:${s.port}` });
    // Same server, a name the certificate does not carry: refused.
    const { c: bad } = client({
      baseUrl: `https://other.test:${s.port}`,
      resolve: async () => ["127.0.0.1"],
      ca: cert,
    });
    await expect(bad.getJson("/x", signal())).rejects.toThrow();
    s.stop(true);
  });

  test("S30 a TLS 1.1-only peer is refused by the source client and by the OTLP leg", async () => {
    const port = await freePort();
    const p = spawn(
      "openssl",
      [
        "s_server",
        "-accept",
        `127.0.0.1:${port}`,
        "-cert",
        join(dir, "cert.pem"),
        "-key",
        join(dir, "key.pem"),
        "-tls1_1",
        "-cipher",
        "DEFAULT@SECLEVEL=0",
        "-www",
        "-quiet",
      ],
      { stdio: "ignore" },
    );
    try {
      for (let i = 0; i < 50; i++) {
        if (
          await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })
            .then((s) => {
              s.end();
              return true;
            })
            .catch(() => false)
        )
          break;
        await Bun.sleep(100);
      }
      const { c } = client({ baseUrl: `https://example.test:${port}`, resolve: async () => ["127.0.0.1"], ca: cert });
      await expect(c.getJson("/", signal())).rejects.toThrow();
      await expect(
        fetch(`https://127.0.0.1:${port}/v1/metrics`, {
          method: "POST",
          tls: { ca: cert, servername: "example.test" },
        }),
      ).rejects.toThrow();
    } finally {
      p.kill();
    }
  });
});

describe("proxies", () => {
  afterAll(() => setProxyConfig(NO_PROXY_CONFIG));
  test("S25 a metadata destination never reaches the proxy; an allowed one goes through it", async () => {
    let proxied = 0;
    const proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        proxied++;
        return Response.json({ via: "proxy" });
      },
    });
    setProxyConfig({ http: `http://127.0.0.1:${proxy.port}`, https: `http://127.0.0.1:${proxy.port}`, noProxy: [] });
    const { c } = client({ baseUrl: "http://169.254.169.254" });
    await expect(c.getJson("/latest/meta-data/", signal())).rejects.toThrow("cloud-metadata");
    expect(proxied).toBe(0);
    const { c: ok } = client({ baseUrl: "http://api.vendor.test", resolve: async () => ["203.0.113.5"] });
    expect((await ok.getJson("/v1/x", signal())).json).toEqual({ via: "proxy" });
    expect(proxied).toBe(1);
    proxy.stop(true);
  });
  test("a proxy on a private address needs allow_private", async () => {
    setProxyConfig({ http: "http://10.9.9.9:3128", https: "", noProxy: [] });
    let fetched = 0;
    setProxyConfig({ http: "", https: "http://10.9.9.9:3128", noProxy: [] });
    const { c } = client({
      baseUrl: "https://api.vendor.test",
      allowPrivate: false,
      resolve: async () => ["203.0.113.5"],
      fetch: async () => {
        fetched++;
        return new Response("{}");
      },
    });
    await expect(c.getJson("/x", signal())).rejects.toThrow("RFC-1918");
    expect(fetched).toBe(0);
  });
});

describe("fuzz: no unchecked connection", () => {
  test("thousands of generated URLs, redirects and headers", async () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)] as T;
    const hosts = [
      "127.0.0.1",
      "2130706433",
      "0x7f000001",
      "0177.0.0.1",
      "127.1",
      "169.254.169.254",
      "0xa9fea9fe",
      "10.0.0.1",
      "0",
      "[::1]",
      "[::ffff:169.254.169.254]",
      "[fe80::1]",
      "[64:ff9b::a9fe:a9fe]",
      "[2606:4700::1]",
      "93.184.216.34",
      "api.portkey.ai",
      "rebind.test",
      "evil.example",
      "x.y.z",
      "%31%32%37.0.0.1",
      "localhost",
      "LOCALHOST",
      "[::]",
      "1.1.1.1",
      "100.64.0.1",
    ];
    const answers = [
      ["93.184.216.34"],
      ["10.0.0.1"],
      ["169.254.169.254"],
      ["2606:4700::1", "::1"],
      ["203.0.113.9"],
      [],
      ["fe80::2"],
      ["not-an-ip"],
    ];
    const schemes = ["http", "https", "HTTP", "ftp", "javascript", "file"];
    const connects: string[] = [];
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const ap = rnd(2) === 0;
      const url = `${pick(schemes)}://${rnd(4) === 0 ? "user:pw@" : ""}${pick(hosts)}${rnd(3) === 0 ? `:${rnd(70000)}` : ""}/${"a".repeat(rnd(5))}?q=${rnd(100)}#f`;
      const fetchSpy: FetchLike = async (u) => {
        connects.push(`${ap ? "ap" : "--"} ${u}`);
        const hops = rnd(3);
        if (hops === 0) return new Response("{}", { status: 200 });
        return new Response("", { status: 302, headers: { Location: `${pick(schemes)}://${pick(hosts)}/next` } });
      };
      const { c } = client({
        baseUrl: url,
        allowPrivate: ap,
        fetch: fetchSpy,
        resolve: async () => {
          const a = pick(answers);
          if (a.length === 0 && rnd(2) === 0) throw new Error("SERVFAIL");
          return a;
        },
        authHeader: pick(["x-portkey-api-key", "x-api-key"]),
        authValue: `v${rnd(1000)}`,
      });
      try {
        await c.getJson("", signal());
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        failures++;
      }
    }
    expect(connects.length).toBeGreaterThan(100);
    expect(failures).toBeGreaterThan(100);
    for (const line of connects) {
      const ap = line.startsWith("ap");
      const u = new URL(line.slice(3));
      const host = u.hostname.replace(/^\[|\]$/g, "");
      const ip = parseIp(host);
      // Every connection targets a literal address, and that address passes the guard.
      expect({ line, literal: ip !== undefined }).toEqual({ line, literal: true });
      if (ip) expect({ line, blocked: blocked(ip, ap) ?? "" }).toEqual({ line, blocked: "" });
      expect(["http:", "https:"]).toContain(u.protocol);
    }
  }, 60_000);
});
