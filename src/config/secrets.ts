/**
 * Secret references. `${NAME}` references are swapped for inert tokens in the
 * raw text *before* YAML parsing and the real values are put back into scalar nodes *after*,
 * so a value can never inject YAML structure. `file:` references are resolved per scalar.
 */
import { readBoundedFile } from "../base/read-file.ts";
import { registerSecret } from "../log/redact.ts";
import { ConfigError } from "./errors.ts";

export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const TOKEN = /genai-otel-bridgeXsecretX(\d+)Xgenai-otel-bridge/g;

export interface Tokenised {
  /** Raw text with every reference replaced by a token that is a valid plain scalar anywhere. */
  text: string;
  /** Value per token index. */
  values: string[];
}

/**
 * Step 1 of the load pipeline: replace `${NAME}` references (comments included) with tokens.
 * An unset or empty variable is fatal, naming the first one in text order.
 */
export function tokeniseEnvRefs(raw: string, env: Record<string, string | undefined>): Tokenised {
  const values: string[] = [];
  const text = raw.replace(ENV_REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") throw new ConfigError(`config: required env "${name}" is unset`);
    values.push(v);
    return `genai-otel-bridgeXsecretX${values.length - 1}Xgenai-otel-bridge`;
  });
  return { text, values };
}

/** Put real values back into one scalar's text. Returns null when the text held no token. */
export function untokenise(text: string, values: string[]): string | null {
  if (!text.includes("XsecretX")) return null;
  let hit = false;
  const out = text.replace(TOKEN, (m, i: string) => {
    const v = values[Number(i)];
    if (v === undefined) return m;
    hit = true;
    return v;
  });
  return hit ? out : null;
}

/** Go's strings.TrimSpace: ASCII white space plus Unicode White_Space (not U+FEFF). */
const GO_SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]";
const TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, "g");
export function goTrimSpace(s: string): string {
  return s.replace(TRIM, "");
}

function osReason(err: unknown, path: string): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return `open ${path}: no such file or directory`;
    case "EACCES":
    case "EPERM":
      return `open ${path}: permission denied`;
    case "EISDIR":
      return `read ${path}: is a directory`;
    case "ENOTDIR":
      return `open ${path}: not a directory`;
    case "ENOTREG":
      return `read ${path}: not a regular file`;
    case "EFBIG":
      return `read ${path}: ${(err as Error).message}`;
    default:
      return `open ${path}: ${code ?? "read failed"}`;
  }
}

/** A secret is a token or a key, not a document. */
export const MAX_FILE_SECRET_BYTES = 64 * 1024;

/**
 * Resolve a `file:` reference if `text` is one; returns null otherwise. The content is trimmed,
 * never parsed, never expanded, and registered as a secret.
 */
export function resolveFileRef(text: string, key: string): string | null {
  if (!text.startsWith("file:")) return null;
  const path = goTrimSpace(text.slice("file:".length));
  let content: string;
  try {
    content = readBoundedFile(path, MAX_FILE_SECRET_BYTES);
  } catch (err) {
    throw new ConfigError(`config: ${key}: file secret ${JSON.stringify(path)}: ${osReason(err, path)}`);
  }
  const value = goTrimSpace(content);
  registerSecret(value);
  return value;
}

export { osReason };
