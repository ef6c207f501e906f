/**
 * `npm run build`: compile bin/genai-otel-bridge with the version from `git describe`.
 * The binary must not pick up a `.env` or `bunfig.toml` from wherever it is started, so both
 * autoloads are off. Options: `--target=bun-linux-arm64 --executable-path=… --outfile=…` for
 * cross builds (scripts/release.ts), `--no-bytecode` to compare start-up.
 */
import { spawnSync } from "node:child_process";

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
  if (opts.bytecode) args.push("--bytecode", "--format=esm");
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
