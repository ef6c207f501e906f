/**
 * `npm run release`: cross-compile linux x64 and arm64, glibc and musl, with the Bun runtime
 * binaries npm ships (@oven/bun-linux-*, same version as the pinned bun) — no download from
 * elsewhere. Writes dist/genai-otel-bridge-<version>-linux-<arch>[-musl] and dist/SHA256SUMS,
 * then runs both x64 binaries (`--version` and `demo`; the musl one in an Alpine-like chroot).
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

function run(cmd: string, args: string[], cwd = ROOT): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
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
const sums = readdirSync(DIST)
  .filter((f) => f.startsWith("genai-otel-bridge-"))
  .sort()
  .map(
    (f) =>
      `${createHash("sha256")
        .update(readFileSync(join(DIST, f)))
        .digest("hex")}  ${f}`,
  );
writeFileSync(join(DIST, "SHA256SUMS"), `${sums.join("\n")}\n`);
console.log(sums.join("\n"));

// Prove the x64 builds run: `--version`, then `demo` (the whole pipeline against its local fakes
// and receiver). The glibc build runs on this machine as it is. The musl build runs in a chroot
// laid out like Alpine — musl's loader and libc, a musl-built libstdc++.so.6 and libgcc_s.so.1
// (scripts/musl-runtime.sh builds them once from Debian's GCC source) and /proc, nothing else —
// in a private mount and PID namespace, so nothing of the host's glibc can be picked up.
function runX64(suffix: string, file: string): void {
  const musl = suffix.endsWith("musl");
  let argv = [file];
  let cleanup = () => {};
  if (musl) {
    // Progress of a first (long) build goes straight to the terminal.
    const built = spawnSync("bash", [join(ROOT, "scripts/musl-runtime.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (built.status !== 0) throw new Error("scripts/musl-runtime.sh failed (see above)");
    const runtime = built.stdout.trim();
    const root = mkdtempSync(join(tmpdir(), "release-musl-"));
    cp(join(runtime, "lib"), join(root, "lib"), { recursive: true, verbatimSymlinks: true });
    cp(join(runtime, "usr"), join(root, "usr"), { recursive: true });
    mkdirSync(join(root, "proc"));
    mkdirSync(join(root, "tmp"), { mode: 0o1777 });
    copyFileSync(file, join(root, "genai-otel-bridge"));
    chmodSync(join(root, "genai-otel-bridge"), 0o755);
    argv = ["unshare", "--mount", "--pid", "--fork", `--mount-proc=${root}/proc`, "chroot", root, "/genai-otel-bridge"];
    cleanup = () => rmSync(root, { recursive: true, force: true });
  }
  try {
    const [cmd = "", ...rest] = argv;
    const out = run(cmd, [...rest, "--version"]).trim();
    if (out !== version) throw new Error(`${suffix} --version printed ${JSON.stringify(out)}, want ${version}`);
    const demo = run(cmd, [...rest, "demo"]);
    const landed = /^(\d+) points landed/m.exec(demo);
    if (!landed || Number(landed[1]) === 0) throw new Error(`${suffix} demo landed no points:\n${demo}`);
    console.log(`ran ${suffix}${musl ? " (musl chroot)" : ""}: --version = ${out}; demo: ${landed[0]}`);
  } finally {
    cleanup();
  }
}

for (const t of TARGETS.filter((x) => x.target.startsWith("bun-linux-x64"))) {
  runX64(t.suffix, join(DIST, `genai-otel-bridge-${version}-${t.suffix}`));
}
