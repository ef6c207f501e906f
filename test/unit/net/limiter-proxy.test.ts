/** The per-source token bucket and the bridge-owned proxy configuration. */
import { describe, expect, test } from "bun:test";
import { captureProxyEnv, NO_PROXY_CONFIG, proxyConfig, setProxyConfig } from "../../../src/net/proxy.ts";
import { TokenBucket } from "../../../src/net/token-bucket.ts";

describe("token bucket", () => {
  test("starts full (burst), then one token per 1/rps", async () => {
    const b = new TokenBucket(20, 3);
    const signal = new AbortController().signal;
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) await b.acquire(signal);
    expect(performance.now() - t0).toBeLessThan(20);
    await b.acquire(signal);
    await b.acquire(signal);
    // Two more tokens at 20/s take about 100 ms.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });
  test("a wait is cancellable and takes no token", async () => {
    const b = new TokenBucket(0.5, 1);
    const ac = new AbortController();
    await b.acquire(ac.signal);
    const t0 = performance.now();
    const waiting = b.acquire(ac.signal);
    setTimeout(() => ac.abort(new Error("leader lost")), 30);
    await expect(waiting).rejects.toThrow("leader lost");
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe("proxy environment", () => {
  test("captured (upper case wins), then removed so fetch cannot apply it on its own", () => {
    const env: Record<string, string | undefined> = {
      HTTPS_PROXY: "http://proxy:3128",
      https_proxy: "http://other:1",
      http_proxy: "http://plain:8080",
      NO_PROXY: " internal.corp, .svc ,, 10.0.0.0/8 ",
      PATH: "/bin",
    };
    const c = captureProxyEnv(env);
    expect(c).toEqual({
      http: "http://plain:8080",
      https: "http://proxy:3128",
      noProxy: ["internal.corp", ".svc", "10.0.0.0/8"],
    });
    expect(Object.keys(env)).toEqual(["PATH"]);
    expect(proxyConfig()).toEqual(c);
    setProxyConfig(NO_PROXY_CONFIG);
  });
});
