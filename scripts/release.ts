/**
 * `npm run release`: cross-compile linux x64 and arm64, glibc and musl, with the Bun runtime
 * binaries npm ships (@oven/bun-linux-*, same version as the pinned bun) — no download from
 * elsewhere. Writes dist/genai-otel-bridge-<version>-linux-<arch>[-musl] and dist/SHA256SUMS,
 * then runs each x64 binary that can run on this machine once (`--version`).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// Prove the x64 builds start. A musl build needs a musl loader and musl libstdc++/libgcc; it is
// run when this machine has them (Alpine-like), and reported otherwise rather than skipped silently.
const musl = ["/lib/ld-musl-x86_64.so.1"].every((f) => existsSync(f));
for (const t of TARGETS.filter((x) => x.target.startsWith("bun-linux-x64"))) {
  const f = join(DIST, `genai-otel-bridge-${version}-${t.suffix}`);
  if (t.target.endsWith("musl") && !musl) {
    console.log(
      `NOT RUN ${t.suffix}: no musl loader on this machine (${run("file", [f]).trim().split(": ")[1]?.slice(0, 80)})`,
    );
    continue;
  }
  const out = run(f, ["--version"]).trim();
  if (out !== version) throw new Error(`${f} --version printed ${JSON.stringify(out)}, want ${version}`);
  console.log(`ran ${t.suffix}: --version = ${out}`);
}
