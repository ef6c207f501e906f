/**
 * `-validate-config` runs without the real environment: every referenced but
 * unset variable gets a placeholder — a URL when its name or the key it feeds looks like one,
 * else `x` — so validation can run in CI. Real values are never overwritten. A duration or
 * number fed by a placeholder fails: a false FAIL, never a false OK.
 */
import { ENV_REF } from "./secrets.ts";

export const URL_PLACEHOLDER = "https://placeholder.example";

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function placeholderEnv(
  raw: string,
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const m of raw.matchAll(ENV_REF)) {
    const name = m[1] ?? "";
    if (out[name] !== undefined && out[name] !== "") continue;
    const urlish =
      /ENDPOINT|URL|GATEWAY/.test(name) ||
      new RegExp(`^\\s*(-\\s*)?(endpoint|url|base_url)\\s*:\\s*"?\\$\\{${escapeRe(name)}\\}`, "im").test(raw);
    out[name] = urlish ? URL_PLACEHOLDER : "x";
  }
  return out;
}
