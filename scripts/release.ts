/**
 * `npm run release`: cross-compile linux x64 and arm64, glibc and musl, with the Bun runtime
 * binaries npm ships (@oven/bun-linux-*, same version as the pinned bun) — no download from
 * elsewhere. Writes dist/genai-otel-bridge-<version>-linux-<arch>[-musl] and dist/SHA256SUMS,
 * with the licence files beside them (scripts/notices.ts), then runs all four (`--version` and
 * `demo`): x64 natively, arm64 under qemu-user on Debian's multiarch libc6:arm64, the musl builds
 * in an Alpine-like chroot. Each glibc build also runs inside the scratch image's file set for
 * its architecture (scripts/image-rootfs.sh), which is what the Dockerfile ships for linux/amd64
 * and linux/arm64.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  cpSync as cp,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildArgs } from "./build.ts";
import { noticesMarkdown, projectLicenseText } from "./notices.ts";

const ROOT = join(import.meta.dir, "..");
const BUN_VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies.bun as string;
const CACHE = join(ROOT, ".cache", "bun-targets");
const DIST = join(ROOT, "dist");

const TARGETS = [
  { target: "bun-linux-x64", pkg: "@oven/bun-linux-x64", suffix: "linux-x64" },
  { target: "bun-linux-x64-musl", pkg: "@oven/bun-linux-x64-musl", suffix: "linux-x64-musl" },
  { target: "bun-linux-arm64", pkg: "@oven/bun-linux-aarch64", suffix: "linux-arm64" },
  { target: "bun-linux-arm64-musl", pkg: "@oven/bun-linux-aarch64-musl", suffix: "linux-arm64-musl" },
];

/**
 * Run a command to completion. Every step here finishes in seconds (a demo in under a minute,
 * also under qemu), so a step that runs past the limit is stuck: it is killed and reported
 * rather than left to hold CI until its own time runs out.
 */
function run(cmd: string, args: string[], cwd = ROOT, limitMs = 180_000): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: limitMs, killSignal: "SIGKILL" });
  if (r.error !== undefined && "code" in r.error && r.error.code === "ETIMEDOUT") {
    throw new Error(`${cmd} ${args.join(" ")} did not finish within ${limitMs / 1000} s; killed`);
  }
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The runtime binary of a target package, fetched with `npm pack` (no platform check) and cached. */
function runtimeFor(pkg: string): string {
  const dir = join(CACHE, `${pkg.replace("/", "+")}@${BUN_VERSION}`);
  const bin = join(dir, "package", "bin", "bun");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tgz =
    run("npm", ["pack", `${pkg}@${BUN_VERSION}`, "--silent"], dir)
      .trim()
      .split("\n")
      .at(-1) ?? "";
  run("tar", ["xzf", tgz], dir);
  if (!existsSync(bin)) throw new Error(`${pkg}@${BUN_VERSION}: no bin/bun in the package`);
  return bin;
}

const version = (() => {
  const r = spawnSync("git", ["describe", "--tags", "--always", "--dirty"], { encoding: "utf8", cwd: ROOT });
  return r.status === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : "dev";
})();

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
for (const t of TARGETS) {
  const outfile = join(DIST, `genai-otel-bridge-${version}-${t.suffix}`);
  const args = buildArgs({ version, outfile, target: t.target, executablePath: runtimeFor(t.pkg), bytecode: true });
  run(process.execPath, args);
  console.error(`built ${outfile}`);
}
writeFileSync(join(DIST, "LICENSE"), projectLicenseText());
writeFileSync(join(DIST, "THIRD_PARTY_NOTICES.md"), noticesMarkdown(false));
const sums = readdirSync(DIST)
  .filter((f) => f !== "SHA256SUMS")
  .sort()
  .map(
    (f) =>
      `${createHash("sha256")
        .update(readFileSync(join(DIST, f)))
        .digest("hex")}  ${f}`,
  );
writeFileSync(join(DIST, "SHA256SUMS"), `${sums.join("\n")}\n`);
console.log(sums.join("\n"));

// Prove every build runs: `--version`, then `demo` (the whole pipeline against its in-process
// fakes and sink). linux-x64 runs on this machine as it is; arm64 runs under qemu-user (Debian's
// qemu-user-static), with Debian's arm64 glibc for the glibc build. Each musl build runs in a
// chroot laid out like Alpine — musl's loader and libc, a musl-built libstdc++.so.6 and
// libgcc_s.so.1 (scripts/musl-runtime.sh builds them once from Debian's GCC source), /proc and,
// for arm64, the static qemu — in a private mount and PID namespace, so nothing of the host's
// glibc can be picked up.
interface Runner {
  argv: string[];
  how: string;
  cleanup: () => void;
}

function script(name: string, args: string[]): string {
  // Progress of a first (long) build goes straight to the terminal.
  const r = spawnSync("bash", [join(ROOT, "scripts", name), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`scripts/${name} ${args.join(" ")} failed (see above)`);
  return r.stdout.trim();
}

const QEMU = "/usr/bin/qemu-aarch64-static";

/**
 * The argv that runs /genai-otel-bridge inside root: a private mount and PID namespace with
 * /proc, chrooted (as `userspec` when given); for arm64 the static qemu is copied in and runs it.
 */
function chrooted(root: string, arm: boolean, userspec?: string): string[] {
  const emulator: string[] = [];
  if (arm) {
    copyFileSync(QEMU, join(root, "qemu-aarch64"));
    chmodSync(join(root, "qemu-aarch64"), 0o755);
    emulator.push("/qemu-aarch64");
  }
  const as = userspec === undefined ? [] : [`--userspec=${userspec}`];
  return [
    "unshare",
    "--mount",
    "--pid",
    "--fork",
    `--mount-proc=${root}/proc`,
    "chroot",
    ...as,
    root,
    ...emulator,
    "/genai-otel-bridge",
  ];
}

function muslChroot(file: string, arch: "x86_64" | "aarch64"): Runner {
  const runtime = script("musl-runtime.sh", [arch]);
  const root = mkdtempSync(join(tmpdir(), `release-musl-${arch}-`));
  cp(join(runtime, "lib"), join(root, "lib"), { recursive: true, verbatimSymlinks: true });
  cp(join(runtime, "usr"), join(root, "usr"), { recursive: true });
  mkdirSync(join(root, "proc"));
  mkdirSync(join(root, "tmp"));
  chmodSync(join(root, "tmp"), 0o1777); // as /tmp is; mkdir's mode would be cut by the umask
  copyFileSync(file, join(root, "genai-otel-bridge"));
  chmodSync(join(root, "genai-otel-bridge"), 0o755);
  return {
    argv: chrooted(root, arch === "aarch64"),
    how: arch === "aarch64" ? "musl chroot, qemu-user" : "musl chroot",
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function runnerFor(suffix: string, file: string): Runner {
  const arm = suffix.startsWith("linux-arm64");
  // One arm64 glibc: Debian's libc6:arm64 through multiarch, the same version as the host's, at
  // the paths an arm64 system has (/lib/ld-linux-aarch64.so.1, /lib/aarch64-linux-gnu). Not the
  // libc6-arm64-cross tree with `qemu -L`: qemu falls back to host paths for files missing under
  // the prefix, so with both installed the loader mixed two glibc builds and start-up hung.
  if (arm) script("debian-packages.sh", ["qemu-user-static", "libc6:arm64"]);
  if (suffix.endsWith("musl")) return muslChroot(file, arm ? "aarch64" : "x86_64");
  if (arm) return { argv: [QEMU, file], how: "qemu-user", cleanup: () => {} };
  return { argv: [file], how: "native", cleanup: () => {} };
}

/** `--version` prints the stamped version and `demo` lands points: the build starts and works. */
function prove(what: string, argv: string[]): void {
  const [cmd = "", ...rest] = argv;
  const out = run(cmd, [...rest, "--version"]).trim();
  if (out !== version) throw new Error(`${what}: --version printed ${JSON.stringify(out)}, want ${version}`);
  const demo = run(cmd, [...rest, "demo"]);
  const landed = /^(\d+) points landed/m.exec(demo);
  if (!landed || Number(landed[1]) === 0) throw new Error(`${what}: demo landed no points:\n${demo}`);
  console.log(`ran ${what}: --version = ${out}; demo: ${landed[0]}`);
}

for (const t of TARGETS) {
  const runner = runnerFor(t.suffix, join(DIST, `genai-otel-bridge-${version}-${t.suffix}`));
  try {
    prove(`${t.suffix} (${runner.how})`, runner.argv);
  } finally {
    runner.cleanup();
  }
}

// The scratch image's file set for each glibc build: the binary, the loader and libraries that
// deploy/image/rootfs.list names for its architecture (arm64: Debian's libc6:arm64 through
// multiarch, the same paths as on an arm64 builder), nothing else but the static qemu for arm64
// — run like the image test runs x64, chrooted as UID 65532 in a private mount and PID namespace.
for (const t of TARGETS.filter((x) => !x.suffix.endsWith("musl"))) {
  const arm = t.suffix === "linux-arm64";
  const root = mkdtempSync(join(tmpdir(), `release-image-${t.suffix}-`));
  try {
    const rootfs = join(root, "rootfs");
    run("bash", [
      join(ROOT, "scripts", "image-rootfs.sh"),
      rootfs,
      join(DIST, `genai-otel-bridge-${version}-${t.suffix}`),
    ]);
    prove(`${t.suffix} in the image file set${arm ? " (qemu-user)" : ""}`, chrooted(rootfs, arm, "65532:65532"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
