/**
 * The scratch image's file set, without Docker: scripts/image-rootfs.sh assembles exactly the
 * Dockerfile's files, and the binary runs inside them the way the chart runs the container — a
 * private mount and PID namespace with /proc mounted, the root file system read-only, `/tmp` and
 * the state directory as separate writable mounts, the config directory mounted read-only, UID
 * and GID 65532, every capability dropped (bounding set included), no_new_privs, no HOME and
 * nothing else present: --version, validate, -healthcheck and a short real run emitting to a
 * local receiver.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { requireBinary } from "../support/binary.ts";
import { FakePortkey } from "../support/fake-portkey.ts";
import { IMAGE_FILES_X86_64, tree } from "../support/image-files.ts";
import { freePort } from "../support/peers.ts";
import { Recorder } from "../support/recorder.ts";

const ROOT = resolve(import.meta.dir, "../..");
let dir = "";
let rootfs = "";
let conf = "";
let assembled: string[] = [];

// Runs as root in the new mount namespace, then becomes the pod: the container runtime's part
// (read-only root, emptyDir and ConfigMap mounts) followed by the kubelet's securityContext
// (runAsUser/runAsGroup/fsGroup 65532, capabilities.drop ALL, allowPrivilegeEscalation false).
// RW_ROOT=1 instead runs it as a plain `docker run -v CONF:/etc/genai-otel-bridge:ro` would:
// writable root, no other mounts.
const POD = `set -e
r=$1; conf=$2; shift 2
mkdir -p "$r/etc/genai-otel-bridge" # the runtime creates a ConfigMap's mount point
mount --bind "$r" "$r"
[ -n "$RW_ROOT" ] || mount -o remount,bind,ro "$r"
mount -t proc proc "$r/proc"
if [ -z "$RW_ROOT" ]; then # the chart's emptyDirs; plain docker run has neither
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
mount -t tmpfs -o mode=2770,gid=65532 tmpfs "$r/var/lib/genai-otel-bridge"
fi
mount --bind "$conf" "$r/etc/genai-otel-bridge" && mount -o remount,bind,ro "$r/etc/genai-otel-bridge"
exec capsh --drop=all --no-new-privs --chroot="$r" --gid=65532 --groups=65532 --uid=65532 \
  --shell=/genai-otel-bridge -- "$@"`;

function inImage(args: string[], env: Record<string, string> = {}, root = rootfs) {
  // PATH is for finding unshare, mount and capsh on the host; the image has no PATH to search.
  return Bun.spawn(
    [
      "unshare",
      "--mount",
      "--pid",
      "--fork",
      "--propagation",
      "private",
      "bash",
      "-c",
      POD,
      "pod",
      root,
      conf,
      ...args,
    ],
    { env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env }, stdout: "pipe", stderr: "pipe" },
  );
}

async function outcome(p: ReturnType<typeof inImage>) {
  const [out, err, code] = [await new Response(p.stdout).text(), await new Response(p.stderr).text(), await p.exited];
  return { out, err, code };
}

/** The bridge process itself: the PID namespace's init, the child of unshare. */
function bridgePid(p: ReturnType<typeof inImage>): number {
  const child =
    spawnSync("pgrep", ["-P", String(p.pid)], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")[0] ?? "";
  return Number(child);
}

beforeAll(() => {
  requireBinary();
  dir = mkdtempSync(join(tmpdir(), "image-"));
  rootfs = join(dir, "rootfs");
  conf = join(dir, "config");
  mkdirSync(conf);
  const r = spawnSync("bash", [join(ROOT, "scripts/image-rootfs.sh"), rootfs], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  assembled = tree(rootfs);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("scratch image file set", () => {
  test("exactly the binary, loader, libraries, licences, passwd/group; no shell", () => {
    expect(assembled).toEqual(IMAGE_FILES_X86_64);
  });
  test("PT_INTERP and every NEEDED library exist in the image (D42)", () => {
    const bin = join(rootfs, "genai-otel-bridge");
    const interp = /program interpreter: ([^\]]+)\]/.exec(
      spawnSync("readelf", ["-l", bin], { encoding: "utf8" }).stdout,
    )?.[1];
    expect(interp).toBe("/lib64/ld-linux-x86-64.so.2");
    expect(assembled).toContain(String(interp).slice(1));
    const needed = [
      ...spawnSync("readelf", ["-d", bin], { encoding: "utf8" }).stdout.matchAll(/NEEDED.*\[([^\]]+)\]/g),
    ];
    expect(needed.length).toBeGreaterThan(0);
    const have = new Set(assembled.map((p) => p.split("/").at(-1)));
    for (const [, lib] of needed) expect({ lib, present: have.has(lib) }).toEqual({ lib, present: true });
  });
  test("licences: the project's licence and notices for every bundled package and the runtime", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.license).toBe("AGPL-3.0-only");
    expect(readFileSync(join(rootfs, "licenses/LICENSE"), "utf8")).toContain("GNU AFFERO GENERAL PUBLIC LICENSE");
    const notices = readFileSync(join(rootfs, "licenses/THIRD_PARTY_NOTICES.md"), "utf8");
    for (const dep of Object.keys(pkg.dependencies)) {
      const v = JSON.parse(readFileSync(join(ROOT, "node_modules", dep, "package.json"), "utf8")).version;
      expect(notices).toContain(`## ${dep} ${v} (`);
    }
    expect(notices).toContain(`## Bun runtime ${pkg.devDependencies.bun}`);
    expect(notices).toContain("JavaScriptCore");
    expect(notices).toContain("/usr/share/doc/libc6/copyright");
  });
  test("--version as UID 65532, read-only root, no capabilities (D42)", async () => {
    const r = await outcome(inImage(["--version"]));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^[0-9a-f]{7}|^v|^dev/);
  });
  test("validate a config inside the image", async () => {
    writeFileSync(
      join(conf, "config.yaml"),
      `emit: {telemetry: {otlp: {endpoint: "\${GC_OTLP_ENDPOINT}"}}}
sources:
  - {type: portkey, enabled: true, source_instance: p, auth: {header: x-portkey-api-key, value: "\${PORTKEY_API_KEY}"}, loops: {analytics: {enabled: true}}}
`,
    );
    const r = await outcome(
      inImage(["validate", "--config", "/etc/genai-otel-bridge/config.yaml"], {
        GC_OTLP_ENDPOINT: "https://otlp.example",
        PORTKEY_API_KEY: "pk-img-secret",
      }),
    );
    expect(r.code).toBe(0);
    expect(r.out).toStartWith("validate: OK");
    expect(r.out + r.err).not.toContain("pk-img-secret");
  });
  test("-healthcheck exits 1 with no server (D42)", async () => {
    const r = await outcome(inImage(["-healthcheck", `-health-addr=:${await freePort()}`]));
    expect(r.code).toBe(1);
  });
  test("a real run as the pod runs it: default checkpoint path, emits, healthy, no capabilities", async () => {
    const pk = new FakePortkey().start();
    const rec = new Recorder().start();
    const port = await freePort();
    writeFileSync(
      join(conf, "config.yaml"),
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
    // No -config and no -checkpoint-file: the image's defaults, /etc/genai-otel-bridge/config.yaml
    // (read-only mount) and /var/lib/genai-otel-bridge/checkpoints.yaml (the writable state mount).
    const p = inImage([`-health-addr=127.0.0.1:${port}`]);
    const outP = new Response(p.stdout).text();
    const errP = new Response(p.stderr).text();
    const until = Date.now() + 15_000;
    while (rec.points.size < 50 && Date.now() < until) await Bun.sleep(100);
    const pid = bridgePid(p);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    // Mount points as the bridge sees them (relative to its root): "/" read-only, state writable.
    const mounts = new Map(
      readFileSync(`/proc/${pid}/mountinfo`, "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(" "))
        .map((f) => [f[4], (f[5] ?? "").split(",")[0]] as const),
    );
    const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, "m").exec(status)?.[1]?.trim();
    // The image's own health probe, in a second container process, against the running bridge.
    const hc = await outcome(inImage(["-healthcheck", `-health-addr=:${port}`]));
    // SIGTERM the bridge (the namespace's PID 1), as a container runtime stops a container.
    if (pid > 0) process.kill(pid, "SIGTERM");
    else p.kill("SIGKILL");
    const [out, code] = [await outP, await p.exited];
    if (rec.points.size !== 50) console.error(out, await errP);
    pk.stop();
    rec.stop();
    expect(rec.points.size).toBe(5 * 10);
    expect(out).toContain("leader elected; starting loops");
    expect(out).toContain("checkpoint=/var/lib/genai-otel-bridge/checkpoints.yaml");
    expect(out).not.toContain("not writable");
    expect(hc.code).toBe(0);
    expect([field("Uid"), field("Gid"), field("Groups")]).toEqual([
      "65532\t65532\t65532\t65532",
      "65532\t65532\t65532\t65532",
      "65532",
    ]);
    expect([field("CapInh"), field("CapPrm"), field("CapEff"), field("CapBnd"), field("CapAmb")]).toEqual(
      Array(5).fill("0000000000000000"),
    );
    expect(field("NoNewPrivs")).toBe("1");
    expect([mounts.get("/"), mounts.get("/etc/genai-otel-bridge"), mounts.get("/var/lib/genai-otel-bridge")]).toEqual([
      "ro",
      "ro",
      "rw",
    ]);
    expect(code).toBe(0);
  }, 40_000);
  test("a plain docker run (writable root, only the config mounted): demo uses the image's /tmp; the state directory takes a checkpoint", async () => {
    const root = join(dir, "docker-root");
    expect(spawnSync("cp", ["-a", rootfs, root]).status).toBe(0);
    const demo = await outcome(inImage(["demo", "--duration=3s"], { RW_ROOT: "1" }, root));
    expect(demo.err).toBe("");
    expect(demo.out).toMatch(/^[1-9]\d* points landed/m);
    const state = await outcome(
      inImage(
        ["demo", "--duration=3s", "--checkpoint-file=/var/lib/genai-otel-bridge/checkpoints.yaml"],
        { RW_ROOT: "1" },
        root,
      ),
    );
    expect(state.code).toBe(0);
    const cp = statSync(join(root, "var/lib/genai-otel-bridge/checkpoints.yaml"));
    expect([cp.uid, cp.gid]).toEqual([65532, 65532]);
  }, 30_000);
});
