/**
 * The health port under a hostile probe, on the compiled binary: request targets that are not
 * a path (CONNECT's authority form, IP literals, an empty host) each get a 4xx, the server
 * keeps answering, and nothing at all reaches stderr.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countingServer, requireBinary, start } from "../support/binary.ts";
import { freePort } from "../support/peers.ts";

/** One raw HTTP/1.1 request; resolves with the status line. */
function raw(port: number, requestLine: string): Promise<string> {
  return new Promise((resolve) => {
    let buf = "";
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(s) {
          s.write(`${requestLine}\r\nHost: probe.example\r\nConnection: close\r\n\r\n`);
        },
        data(_s, d) {
          buf += d.toString();
        },
        close() {
          resolve(buf.split("\r\n")[0] ?? "");
        },
        error() {
          resolve("");
        },
      },
    }).catch(() => resolve("")); // not listening yet
  });
}

test("non-path request targets get a 4xx and print nothing", async () => {
  requireBinary();
  const dir = mkdtempSync(join(tmpdir(), "probe-"));
  const sink = countingServer();
  const cfg = join(dir, "c.yaml");
  writeFileSync(
    cfg,
    `emit: {telemetry: {otlp: {endpoint: "${sink.url}"}}}
identity: {service_namespace: probe, deployment_environment: t}
log: {level: error}
sources:
  - {type: portkey, enabled: true, base_url: "${sink.url}/v1", source_instance: pk, http: {allow_private: true},
     auth: {header: x-portkey-api-key, value: probe-key-123}, loops: {analytics: {enabled: true}}}
`,
  );
  const port = await freePort();
  const run = start([`-config=${cfg}`, `-checkpoint-file=${join(dir, "cp.yaml")}`, `-health-addr=127.0.0.1:${port}`]);
  for (let i = 0; i < 100 && !(await raw(port, "GET /readyz HTTP/1.1")).includes(" 200 "); i++) await Bun.sleep(50);
  const targets = [
    "CONNECT [::1]:443 HTTP/1.1",
    "CONNECT 127.0.0.1:80 HTTP/1.1",
    "CONNECT :443 HTTP/1.1",
    "CONNECT example.com:443 HTTP/1.1",
    "OPTIONS * HTTP/1.1",
    "GET * HTTP/1.1",
    "GET %zz HTTP/1.1",
  ];
  const statuses: string[] = [];
  for (let i = 0; i < 20; i++) for (const t of targets) statuses.push(await raw(port, t));
  const after = await raw(port, "GET /readyz HTTP/1.1");
  const r = await run.stop("SIGTERM");
  sink.stop();
  rmSync(dir, { recursive: true, force: true });
  expect(statuses.filter((s) => !/^HTTP\/1\.1 4\d\d /.test(s))).toEqual([]);
  expect(after).toContain(" 200 ");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}, 30_000);
