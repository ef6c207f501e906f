/** Go-style usage text, rendered from the citty command definitions. */
import type { ArgsDef, CommandDef } from "citty";
import { VERSION } from "../version.ts";

function meta(cmd: CommandDef): { name?: string; description?: string } {
  const m = cmd.meta;
  return m && typeof m === "object" && !("then" in m) ? (m as { name?: string; description?: string }) : {};
}

export function argsOf(cmd: CommandDef): ArgsDef {
  const a = cmd.args;
  return a && typeof a === "object" && !("then" in a) ? (a as ArgsDef) : {};
}

export function renderUsage(cmd: CommandDef, subs: Record<string, CommandDef>, isSub: boolean): string {
  const lines: string[] = [];
  const m = meta(cmd);
  if (isSub) {
    lines.push(`Usage: genai-otel-bridge ${m.name ?? ""} [flags]`, "", `  ${m.description ?? ""}`);
  } else {
    lines.push(`genai-otel-bridge ${VERSION} — ${m.description ?? ""}`, "", "Usage:");
    lines.push("  genai-otel-bridge [flags]            run the bridge (or a mode flag below)");
    for (const [name, s] of Object.entries(subs)) {
      lines.push(`  genai-otel-bridge ${name.padEnd(18)} ${meta(s).description ?? ""}`);
    }
  }
  lines.push("", "Flags (one or two dashes; -name=value, or -name value for non-boolean flags):");
  for (const [name, d] of Object.entries(argsOf(cmd))) {
    const kind = d.type === "boolean" ? "" : ` ${d.valueHint ?? "string"}`;
    const def =
      "default" in d && d.default !== undefined && d.default !== "" ? ` (default ${JSON.stringify(d.default)})` : "";
    lines.push(`  -${name}${kind}`, `        ${d.description ?? ""}${def}`);
  }
  lines.push("  -h, -help", "        Show this help");
  return `${lines.join("\n")}\n`;
}
