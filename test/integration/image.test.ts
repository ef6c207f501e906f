/**
 * The scratch image's file set, without Docker: scripts/image-rootfs.sh assembles exactly the
 * Dockerfile's files, and the binary runs inside it by chroot in a private mount and PID
 * namespace with /proc mounted (as a container runtime provides), as UID 65532, with nothing
 * else present — --version, validate, and a short real run emitting to a local receiver.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { requireBinary } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { Recorder } from "../support/recorder.ts";

const ROOT = resolve(import.meta.dir, "../..");
let dir = "";
let rootfs = "";

function inImage(args: string[], env: Record<string, string> = {}) {
  // PATH is for finding unshare/chroot on the host; the image itself has no PATH to search.
  return Bun.spawn(
    [
      "unshare",
      "--mount",
      "--pid",
      "--fork",
      `--mount-proc=${rootfs}/proc`,
      "chroot",
      "--userspec=65532:65532",
      rootfs,
      "/genai-otel-bridge",
      ...args,
    ],
    { env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env }, stdout: "pipe", stderr: "pipe" },
  );
}

function walk(d: string): string[] {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    return statSync(p).isDirectory() ? [`${relative(rootfs, p)}/`, ...walk(p)] : [relative(rootfs, p)];
  });
}

beforeAll(() => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "image-"));
  rootfs = join(dir, "rootfs");
  const r = spawnSync("bash", [join(ROOT, "scripts/image-rootfs.sh"), rootfs], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scratch image file set", () => {
  test("exactly the binary, the loader and libraries of the list, passwd/group; no shell", () => {
    expect(walk(rootfs).sort()).toEqual(
      [
        "etc/",
        "etc/group",
        "etc/passwd",
        "genai-otel-bridge",
        "lib/",
        "lib/x86_64-linux-gnu/",
        "lib/x86_64-linux-gnu/libc.so.6",
        "lib/x86_64-linux-gnu/libdl.so.2",
        "lib/x86_64-linux-gnu/libm.so.6",
        "lib/x86_64-linux-gnu/libpthread.so.0",
        "lib64/",
        "lib64/ld-linux-x86-64.so.2",
        "proc/",
      ].sort(),
    );
  });
  test("the list covers every NEEDED library of the binary", () => {
    const needed =
      spawnSync("readelf", ["-d", join(rootfs, "genai-otel-bridge")], { encoding: "utf8" }).stdout.match(
        /\[([^\]]+)\]/g,
      ) ?? [];
    const have = new Set(walk(rootfs).map((p) => p.split("/").at(-1)));
    for (const n of needed) expect(have.has(n.slice(1, -1))).toBe(true);
  });
  test("--version as UID 65532 in an empty root", async () => {
    const p = inImage(["--version"]);
    const [out, code] = [await new Response(p.stdout).text(), await p.exited];
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^[0-9a-f]{7}|^v|^dev/);
  });
  test("validate a config inside the image", async () => {
    mkdirSync(join(rootfs, "etc/genai-otel-bridge"), { recursive: true });
    writeFileSync(
      join(rootfs, "etc/genai-otel-bridge/config.yaml"),
      `emit: {telemetry: {otlp: {endpoint: "\${GC_OTLP_ENDPOINT}"}}}
sources:
  - {type: portkey, enabled: true, source_instance: p, auth: {header: x-portkey-api-key, value: "\${PORTKEY_API_KEY}"}, loops: {analytics: {enabled: true}}}
`,
    );
    const p = inImage(["validate", "--config", "/etc/genai-otel-bridge/config.yaml"], {
      GC_OTLP_ENDPOINT: "https://otlp.example",
      PORTKEY_API_KEY: "pk-img-secret",
    });
    const [out, code] = [await new Response(p.stdout).text(), await p.exited];
    expect(code).toBe(0);
    expect(out).toStartWith("validate: OK");
    expect(out).not.toContain("pk-img-secret");
  });
  test("a short real run inside the image emits to a local receiver", async () => {
    const pk = new FakePortkey().start();
    const rec = new Recorder().start();
    mkdirSync(join(rootfs, "state"), { recursive: true });
    mkdirSync(join(rootfs, "etc/genai-otel-bridge"), { recursive: true });
    chmodSync(join(rootfs, "state"), 0o777);
    writeFileSync(
      join(rootfs, "etc/genai-otel-bridge/run.yaml"),
      `emit: {telemetry: {otlp: {endpoint: "${rec.url}"}}}
identity: {service_namespace: img, deployment_environment: test}
sources:
  - type: portkey
    enabled: true
    base_url: ${pk.url}
    source_instance: img
    http: {allow_private: true}
    auth: {header: x-portkey-api-key, value: "${pk.apiKey}"}
    loops: {analytics: {enabled: true, cadence: 10s, window: 50m, bucket_settle: 3m, bootstrap_lookback: 8m}}
`,
    );
    const p = inImage([
      "-config=/etc/genai-otel-bridge/run.yaml",
      "-checkpoint-file=/state/cp.yaml",
      "-health-addr=127.0.0.1:0",
    ]);
    const outP = new Response(p.stdout).text();
    const errP = new Response(p.stderr).text();
    const until = Date.now() + 15_000;
    while (rec.points.size < 50 && Date.now() < until) await Bun.sleep(100);
    // SIGTERM the bridge itself (unshare's child), as a container runtime signals PID 1.
    const child =
      spawnSync("pgrep", ["-P", String(p.pid)], { encoding: "utf8" })
        .stdout.trim()
        .split("\n")[0] ?? "";
    if (child !== "") process.kill(Number(child), "SIGTERM");
    else p.kill("SIGKILL");
    const [out, code] = [await outP, await p.exited];
    if (rec.points.size !== 50) console.error(out, await errP);
    pk.stop();
    rec.stop();
    expect(rec.points.size).toBe(5 * 10);
    expect(out).toContain("leader elected; starting loops");
    expect(code).toBe(0);
  }, 30_000);
});
