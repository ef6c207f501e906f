/**
 * `npm run build`: compile bin/genai-otel-bridge with the version from `git describe`.
 * The binary must not pick up a `.env` or `bunfig.toml` from wherever it is started, so both
 * autoloads are off. Options: `--target=bun-linux-arm64 --executable-path=… --outfile=…` for
 * cross builds (scripts/release.ts), `--no-bytecode` to compare start-up.
 *
 * Two runtime settings are baked in, each measured in `npm run bench` (BENCHMARKS.md):
 * - the JIT's tier-up thresholds scaled by JIT_POLICY for the whole run. Nearly all of the
 *   bridge's code runs once at start-up or once per tick; compiling it costs more than
 *   interpreting it (exec → ready 24 → 19 ms, CPU to ready 30 → 22 ms, CPU per steady tick and
 *   steady RSS lower too), while the loops that do run hot — a 100-use-case tick, a log
 *   export's lines — still reach the optimising tiers;
 * - with bytecode, its layout from the order file recorded by `npm run bytecode-order` (the
 *   functions a start-up to ready uses, placed together at the front: fewer page faults).
 *   An order file from an older build still applies; functions it does not know go after.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** The JIT tier-up threshold scale the binary runs with (1 is the runtime's default). */
export const JIT_POLICY = 16;

/** The recorded bytecode order (see scripts/bytecode-order.ts). */
export const BYTECODE_ORDER = join(import.meta.dir, "bytecode-order", "run.order");

function gitVersion(): string {
  const r = spawnSync("git", ["describe", "--tags", "--always", "--dirty"], { encoding: "utf8" });
  const v = r.status === 0 ? r.stdout.trim() : "";
  return v === "" ? "dev" : v;
}

function option(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

export function buildArgs(opts: {
  version: string;
  outfile: string;
  target?: string;
  executablePath?: string;
  bytecode: boolean;
  /** Lay the bytecode out by the committed order file (default: when it exists). */
  bytecodeOrder?: boolean;
  /** Another program built the same way (the bench's bare-server floor); the bridge by default. */
  entry?: string;
}): string[] {
  const args = [
    "build",
    "--compile",
    "--minify",
    "--sourcemap=none",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    `--define=BRIDGE_VERSION=${JSON.stringify(opts.version)}`,
    `--outfile=${opts.outfile}`,
  ];
  args.push(`--compile-jit-policy=${JIT_POLICY}`);
  if (opts.bytecode) {
    args.push("--bytecode", "--format=esm");
    if (opts.bytecodeOrder !== false && existsSync(BYTECODE_ORDER)) args.push(`--bytecode-order=${BYTECODE_ORDER}`);
  }
  if (opts.target) args.push(`--target=${opts.target}`);
  if (opts.executablePath) args.push(`--compile-executable-path=${opts.executablePath}`);
  args.push(opts.entry ?? "src/cli/main.ts");
  return args;
}

if (import.meta.main) {
  const version = option("version") ?? gitVersion();
  const args = buildArgs({
    version,
    outfile: option("outfile") ?? "bin/genai-otel-bridge",
    target: option("target"),
    executablePath: option("executable-path"),
    bytecode: !process.argv.includes("--no-bytecode"),
  });
  const r = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.error(`built ${option("outfile") ?? "bin/genai-otel-bridge"} (${version})`);
}
