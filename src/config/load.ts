/**
 * The load pipeline: env references → YAML (first document) → scalar
 * substitution and `file:` → typed decode → arktype check → defaults. Secrets are registered
 * with the redactor as soon as they are resolved, so no later error can carry one.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, type Scalar, visit } from "yaml";
import { readRawBytes } from "../base/read-file.ts";
import { REDACTED, redact, registerBasicAuth, registerSecret, renderings } from "../log/redact.ts";
import { decodeNode, isNullNode } from "./decode.ts";
import { applyDefaults, type SourceTypes } from "./defaults.ts";
import { ConfigError } from "./errors.ts";
import { configKind } from "./kinds.ts";
import type { FileConfig } from "./schema.ts";
import { osReason, resolveFileRef, tokeniseEnvRefs, untokenise } from "./secrets.ts";
import type { AppliedDefault, Config } from "./types.ts";

export { DEFAULT_CONFIG_PATH } from "./paths.ts";

/** `sources[0].auth.value`: where a scalar sits, for messages. */
function keyPath(ancestors: readonly unknown[], leaf: unknown): string {
  let out = "";
  const chain = [...ancestors, leaf];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isPair(parent) && child === parent.value) {
      const k = isScalar(parent.key) ? String(parent.key.value) : "?";
      out += out === "" ? k : `.${k}`;
    } else if (isSeq(parent)) {
      out += `[${parent.items.indexOf(child as never)}]`;
    }
  }
  return out === "" ? "(top level)" : out;
}

export interface Loaded {
  config: Config;
  /** Defaults this build applied where the reference binary would refuse the config. */
  applied: AppliedDefault[];
}

/** Far above any real config, far below what would strain the process. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function readConfigFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readRawBytes(path, MAX_CONFIG_BYTES);
  } catch (err) {
    throw new ConfigError(`config: read ${path}: ${osReason(err, path)}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // The Go build refuses a file that is not UTF-8. Name the key whose value holds the first
    // bad byte, as every other config error does; outside any value, name its line.
    const text = bytes.toString("utf8");
    const at = validPrefixChars(bytes);
    const key = keyAtOffset(text, at);
    const line = text.slice(0, at).split("\n").length;
    throw new ConfigError(
      key === undefined
        ? `config: read ${path}: invalid UTF-8 at line ${line}`
        : `config: ${key}: value contains invalid UTF-8 (line ${line})`,
    );
  }
}

/** How many characters decode before the first invalid UTF-8 sequence (binary search on prefixes). */
function validPrefixChars(bytes: Uint8Array): number {
  const decodes = (n: number) => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (decodes(mid)) good = mid;
    else bad = mid;
  }
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, good), { stream: true }).length;
}

/** The key path of the scalar value that covers character `offset`, if any. */
function keyAtOffset(text: string, offset: number): string | undefined {
  const doc = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false });
  const first = Array.isArray(doc) ? doc[0] : undefined;
  if (!first) return undefined;
  let found: string | undefined;
  visit(first, {
    Pair(_key, pair, path) {
      const value = pair.value as Node | null;
      const range = isScalar(value) ? value.range : undefined;
      if (range && offset >= range[0] && offset < range[1]) {
        found = keyPath([...path, pair], value);
        return visit.BREAK;
      }
    },
    Scalar(_key, node, path) {
      const range = node.range;
      if (found === undefined && range && offset >= range[0] && offset < range[1] && isSeq(path.at(-1))) {
        found = keyPath(path, node);
        return visit.BREAK;
      }
    },
  });
  return found;
}

/**
 * Replace env values (> 3 bytes, the reference rule) in a decode message, then everything the
 * global redactor knows (resolved `file:` values among them).
 */
function redactValues(msg: string, values: string[]): string {
  let out = redact(msg);
  const forms = values.filter((v) => Buffer.byteLength(v) > 3).flatMap(renderings);
  for (const v of [...new Set(forms)].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
  return out;
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

/** Steps 1–4: parse raw text into the file document (no defaults). */
export function parseConfigText(raw: string, env: Record<string, string | undefined>): FileConfig {
  const { text, values } = tokeniseEnvRefs(raw, env);
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false, lineCounter: lines });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) return {};
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = syntax.linePos?.[0];
    const where = pos ? `line ${pos.line}: ` : "";
    throw new ConfigError(redactValues(`config: parse: yaml: ${where}${firstLine(syntax.message)}`, values));
  }
  const substituted = new WeakSet<Scalar>();
  const fromFile = new WeakSet<Scalar>();
  visit(doc, {
    Scalar(_key, node, path) {
      const s = untokenise(String(node.value ?? ""), values);
      if (s !== null) {
        node.value = s;
        substituted.add(node);
      }
      // The key path is built only where a message or a file reference needs it: for every
      // scalar it was a measurable part of start-up.
      const text = String(node.value ?? "");
      const f = text.startsWith("file:") ? resolveFileRef(text, keyPath(path, node)) : null;
      if (f !== null) {
        node.value = f;
        substituted.add(node);
        fromFile.add(node);
      }
      // As the Go build does: these never belong in a value (nor can a log line carry them safely).
      const v = String(node.value ?? "");
      const bad = v.includes("\u0000") ? "a NUL byte" : v.includes("\u2028") ? "U+2028 (line separator)" : "";
      if (bad !== "") {
        throw new ConfigError(redactValues(`config: ${keyPath(path, node)}: value contains ${bad}`, values));
      }
    },
  });
  const issues: { line: number; message: string }[] = [];
  const ctx = {
    lines,
    substituted,
    fromFile,
    issues,
    resolveAlias: (n: Node) => {
      const r = (n as unknown as { resolve(d: unknown): Node | undefined }).resolve(doc);
      if (r === undefined) issues.push({ line: lines.linePos(n.range?.[0] ?? 0).line, message: "unknown anchor" });
      return r;
    },
  };
  const root = doc.contents as Node | null;
  if (root && !isMap(root) && !isNullNode(root, ctx)) {
    const shown = isScalar(root) ? ` \`${String(root.value)}\`` : "";
    const tag = isScalar(root) ? "!!str" : "!!seq";
    throw new ConfigError(
      redactValues(
        `config: parse: yaml: unmarshal errors:\n  line 1: cannot unmarshal ${tag}${shown} into config`,
        values,
      ),
    );
  }
  const decoded = (decodeNode(root, configKind(), "", ctx) ?? {}) as FileConfig;
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line);
    const body = issues.map((i) => `  line ${i.line}: ${i.message}`).join("\n");
    throw new ConfigError(redactValues(`config: parse: yaml: unmarshal errors:\n${body}`, values));
  }
  // The decode enforces the arktype schema through its committed JSON Schema (kinds.ts); the
  // unit suites run arktype itself over every config they load, so the two cannot drift apart.
  return decoded;
}

function registerConfigSecrets(c: Config): void {
  registerBasicAuth(c.emit.telemetry.otlp.instance_id, c.emit.telemetry.otlp.token);
  if (c.emit.self) registerBasicAuth(c.emit.self.otlp.instance_id, c.emit.self.otlp.token);
  registerBasicAuth(c.selfobs.profiling.push.instance_id, c.selfobs.profiling.push.token);
  for (const s of c.sources) registerSecret(s.auth.value);
}

/** Steps 1–5. Throws ConfigError with a redacted message. */
export function loadConfigText(raw: string, env: Record<string, string | undefined>, types: SourceTypes): Loaded {
  const file = parseConfigText(raw, env);
  const { config, applied } = applyDefaults(file, types);
  registerConfigSecrets(config);
  return { config, applied };
}
