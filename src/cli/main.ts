#!/usr/bin/env bun
/**
 * Entry point. The Go-compatible flag pre-pass runs first (exit 2 on a flag error, usage on
 * stderr for -h); citty then dispatches the normalised argv.
 */
import { runCommand } from "citty";
import { writeStderr, writeStdout } from "../base/stdio.ts";
import { bootstrapLogger } from "../log/logger.ts";
import { redact } from "../log/redact.ts";
import { captureProxyEnv } from "../net/proxy.ts";
import { commands, flagSpecs } from "./commands.ts";
import { prePass } from "./goflags.ts";
import { argsOf, renderUsage } from "./usage.ts";

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const io = {
    out: writeStdout,
    err: (s: string) => writeStderr(redact(s)),
  };
  const given = new Set<string>();
  const { root, sub } = commands({ env, io, given });
  const first = argv[0];
  const subCmd = first !== undefined ? sub[first] : undefined;
  const cmd = subCmd ?? root;
  const rest = subCmd ? argv.slice(1) : argv;
  const pre = prePass(rest, flagSpecs(argsOf(cmd)));
  // Rendered only when shown: run mode's start-up does not pay for it.
  const usage = () => renderUsage(cmd, sub, subCmd !== undefined);
  if (pre.kind === "help") {
    io.err(usage());
    return 0;
  }
  if (pre.kind === "error") {
    io.err(`${pre.message}\n${usage()}`);
    return 2;
  }
  for (const k of pre.values.keys()) given.add(k);
  const { result } = await runCommand(cmd, { rawArgs: pre.normalised });
  return typeof result === "number" ? result : 0;
}

if (import.meta.main) {
  // Outbound proxies are applied by the bridge's own rules only (src/net/proxy.ts).
  captureProxyEnv(process.env);
  let code: number;
  try {
    code = await main(process.argv.slice(2), process.env);
  } catch (e) {
    // Last resort for a failure no mode turned into its own fatal line (a missing /tmp, say):
    // the same one ERROR line on stderr as the other early fatals, instead of the runtime's
    // dump of minified source.
    bootstrapLogger().error("unexpected error", { err: e instanceof Error ? e.message : String(e) });
    code = 1;
  }
  process.exit(code);
}
