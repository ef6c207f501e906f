/** The two validation modes: Go-compatible `-validate-config` and the strict `validate` command. */
import { planBuild } from "../app/plan.ts";
import { ConfigError } from "../config/errors.ts";
import { loadConfigText, readConfigFile } from "../config/load.ts";
import { placeholderEnv } from "../config/placeholders.ts";
import { printableConfig } from "../config/printable.ts";
import { configText } from "../config/source.ts";
import { validateConfig } from "../config/validate.ts";
import { redact } from "../log/redact.ts";
import { registry } from "../sources/registry.ts";

import type { Io } from "./commands.ts";

const message = (e: unknown) => redact(e instanceof Error ? e.message : String(e));

/**
 * `-validate-config`: the `-config` file only, placeholders for unset
 * variables, load + validation; build-phase rules are not run.
 */
export function validateConfigMode(path: string, env: Record<string, string | undefined>, io: Io): number {
  let raw: string;
  try {
    raw = readConfigFile(path);
  } catch (e) {
    io.err(`validate-config: FAIL: ${message(e).replace(/^config: /, "")}\n`);
    return 1;
  }
  try {
    const { config } = loadConfigText(raw, placeholderEnv(raw, env), registry);
    const problems = validateConfig(config, registry.types());
    if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  } catch (e) {
    io.err(`validate-config: FAIL: ${message(e)}\n`);
    return 1;
  }
  io.out(`validate-config: OK (${path})\n`);
  return 0;
}

/**
 * `validate`: the real environment, every rule including the build phase, then the resolved
 * config with secrets shown as `<redacted>`.
 */
export function validateCommand(
  path: string,
  explicitPath: boolean,
  env: Record<string, string | undefined>,
  io: Io,
): number {
  const warnings: string[] = [];
  try {
    const { text, origin } = explicitPath ? { text: readConfigFile(path), origin: path } : configText(path, env);
    const { config, applied } = loadConfigText(text, env, registry);
    const problems = validateConfig(config, registry.types());
    if (problems.length > 0) throw new ConfigError(`config invalid: ${problems.join("\n")}`);
    planBuild(config, registry, (msg, attrs) => warnings.push(`${msg} ${JSON.stringify(attrs ?? {})}`));
    io.out(`validate: OK (${origin})\n`);
    for (const w of warnings) io.out(redact(`# warning: ${w}\n`));
    for (const a of applied) io.out(redact(`# default applied: ${a.path} = ${a.value}\n`));
    io.out(printableConfig(config));
    return 0;
  } catch (e) {
    io.err(`validate: FAIL: ${message(e)}\n`);
    return 1;
  }
}
