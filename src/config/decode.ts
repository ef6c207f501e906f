/**
 * Typed decode of YAML nodes, reproducing Go yaml.v3 into the reference
 * structs: a plain scalar keeps its source text for string fields; a quoted, block, `!!str`
 * or substituted scalar is "string-tagged" and is refused by bool (unless yes/no/on/off),
 * int and float fields. Unknown keys are refused at every level with their path and the
 * nearest valid key. Every error is collected.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, Scalar } from "yaml";
import { DurationError, parseDuration } from "../model/duration.ts";
import type { Kind } from "./kinds.ts";
import { nearest } from "./suggest.ts";

export interface DecodeIssue {
  line: number;
  message: string;
}

export interface DecodeContext {
  lines: LineCounter;
  /** Scalars whose value came from a `${}` or `file:` substitution. */
  substituted: WeakSet<Scalar>;
  /** Scalars whose value is the content of a `file:` reference: never shown in a message. */
  fromFile?: WeakSet<Scalar>;
  issues: DecodeIssue[];
  /** Resolves aliases. */
  resolveAlias: (n: Node) => Node | undefined;
}

const NULLS = new Set(["~", "null", "Null", "NULL", ""]);
const TRUE_WORDS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const FALSE_WORDS = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
const PLAIN_TRUE = new Set(["true", "True", "TRUE"]);
const PLAIN_FALSE = new Set(["false", "False", "FALSE"]);
const INT_RE = /^[-+]?(0|[1-9][0-9]*|0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+)$/;
const FLOAT_RE = /^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

const KIND_NAME: Record<Kind["k"], string> = {
  string: "string",
  bool: "bool",
  int: "int",
  float: "float64",
  duration: "duration",
  list: "list",
  map: "map[string]string",
  object: "object",
};

function isStringTagged(n: Scalar, ctx: DecodeContext): boolean {
  return (
    ctx.substituted.has(n) ||
    n.type === Scalar.QUOTE_DOUBLE ||
    n.type === Scalar.QUOTE_SINGLE ||
    n.type === Scalar.BLOCK_FOLDED ||
    n.type === Scalar.BLOCK_LITERAL ||
    n.tag === "tag:yaml.org,2002:str"
  );
}

function text(n: Scalar): string {
  return String(n.value ?? "");
}

export function isNullNode(n: Node | null | undefined, ctx: DecodeContext): boolean {
  if (n == null) return true;
  if (!isScalar(n)) return false;
  if (isStringTagged(n, ctx)) return false;
  return NULLS.has(text(n)) || n.tag === "tag:yaml.org,2002:null";
}

/** The tag yaml.v3 would give a node, for `cannot unmarshal !!<tag>` messages. */
function tagOf(n: Node, ctx: DecodeContext): string {
  if (isMap(n)) return "!!map";
  if (isSeq(n)) return "!!seq";
  if (!isScalar(n)) return "!!str";
  if (isStringTagged(n, ctx)) return "!!str";
  const t = text(n);
  if (NULLS.has(t)) return "!!null";
  if (PLAIN_TRUE.has(t) || PLAIN_FALSE.has(t)) return "!!bool";
  if (INT_RE.test(t)) return "!!int";
  if (FLOAT_RE.test(t)) return "!!float";
  return "!!str";
}

function lineOf(n: Node | null | undefined, ctx: DecodeContext): number {
  const off = n?.range?.[0] ?? 0;
  return ctx.lines.linePos(off).line;
}

/** What a message may show of a file's content: nothing. */
const FILE_CONTENT = "(the content of a file: reference, not shown)";
const hidden = (n: Node, ctx: DecodeContext) => isScalar(n) && ctx.fromFile?.has(n) === true;

function cannot(n: Node, kind: Kind, path: string, ctx: DecodeContext): undefined {
  const shown = hidden(n, ctx) ? ` ${FILE_CONTENT}` : isScalar(n) ? ` \`${text(n)}\`` : "";
  ctx.issues.push({
    line: lineOf(n, ctx),
    message: `cannot unmarshal ${tagOf(n, ctx)}${shown} into ${KIND_NAME[kind.k]} (${path || "config"})`,
  });
  return undefined;
}

function deref(n: Node | null | undefined, ctx: DecodeContext): Node | null | undefined {
  if (n && isAlias(n)) return ctx.resolveAlias(n);
  return n;
}

/** A `<<` key as yaml.v3 reads it: plain (or tagged `!!merge`), never quoted. */
function isMergeKey(n: Node | null | undefined): boolean {
  if (!isScalar(n) || text(n) !== "<<") return false;
  if (n.tag === "tag:yaml.org,2002:merge") return true;
  return n.tag === undefined && n.type === Scalar.PLAIN;
}

/** Keys a mapping node names itself (for the first-wins rule of merges). */
function ownKeys(n: Node, ctx: DecodeContext): string[] {
  if (!isMap(n)) return [];
  return n.items.flatMap((pair) => {
    const key = isPair(pair) ? deref(pair.key as Node, ctx) : undefined;
    return isScalar(key) && !isMergeKey(key) ? [text(key)] : [];
  });
}

/**
 * Merge keys (`<<: *base`, `<<: [*a, *b]`) as yaml.v3 applies them: the value is a mapping or a
 * sequence of mappings; keys the mapping names itself win, then earlier merged mappings over
 * later ones. Merged fields are checked exactly like written ones (unknown keys, types).
 */
function mergeInto(
  out: Record<string, unknown>,
  taken: Set<string>,
  value: Node,
  kind: Kind,
  path: string,
  ctx: DecodeContext,
): void {
  const target = deref(value, ctx);
  const sources = isSeq(target) ? target.items.map((item) => deref(item as Node, ctx)) : [target];
  for (const source of sources) {
    if (!isMap(source)) {
      ctx.issues.push({
        line: lineOf(source ?? value, ctx),
        message: `${path || "config"}: map merge requires map or sequence of maps as the value`,
      });
      return;
    }
  }
  for (const source of sources as Node[]) {
    const decoded = (decodeNode(source, kind, path, ctx) ?? {}) as Record<string, unknown>;
    for (const [key, v] of Object.entries(decoded)) if (!taken.has(key)) out[key] = v;
    for (const key of [...ownKeys(source, ctx), ...Object.keys(decoded)]) taken.add(key);
  }
}

function joinPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

/** Decode `node` as `kind`; returns undefined for absent/null or on error (with an issue). */
export function decodeNode(raw: Node | null | undefined, kind: Kind, path: string, ctx: DecodeContext): unknown {
  const n = deref(raw, ctx);
  if (isNullNode(n, ctx) || n == null) return undefined;
  switch (kind.k) {
    case "string":
      return isScalar(n) ? text(n) : cannot(n, kind, path, ctx);
    case "duration": {
      const t = isScalar(n) ? text(n) : "";
      try {
        parseDuration(t);
        return t;
      } catch (e) {
        const msg = e instanceof DurationError ? e.message : String(e);
        const message = hidden(n, ctx)
          ? `${path}: invalid duration ${FILE_CONTENT}`
          : `${path}: invalid duration ${JSON.stringify(t)}: ${msg}`;
        ctx.issues.push({ line: lineOf(n, ctx), message });
        return undefined;
      }
    }
    case "bool": {
      if (!isScalar(n)) return cannot(n, kind, path, ctx);
      const t = text(n);
      if (TRUE_WORDS.has(t)) return true;
      if (FALSE_WORDS.has(t)) return false;
      if (!isStringTagged(n, ctx)) {
        if (PLAIN_TRUE.has(t)) return true;
        if (PLAIN_FALSE.has(t)) return false;
      }
      return cannot(n, kind, path, ctx);
    }
    case "int": {
      if (!isScalar(n) || isStringTagged(n, ctx) || !INT_RE.test(text(n))) return cannot(n, kind, path, ctx);
      const t = text(n);
      const neg = t.startsWith("-");
      const body = t.replace(/^[-+]/, "");
      const v = Number(body);
      if (!Number.isSafeInteger(v)) return cannot(n, kind, path, ctx);
      return neg ? -v : v;
    }
    case "float": {
      if (!isScalar(n) || isStringTagged(n, ctx)) return cannot(n, kind, path, ctx);
      const t = text(n);
      if (INT_RE.test(t)) return Number(t.replace(/^\+/, ""));
      if (FLOAT_RE.test(t)) return Number.parseFloat(t);
      return cannot(n, kind, path, ctx);
    }
    case "list": {
      if (!isSeq(n)) return cannot(n, kind, path, ctx);
      const out: unknown[] = [];
      n.items.forEach((item, i) => {
        const v = decodeNode(item as Node, kind.item, `${path}[${i}]`, ctx);
        if (v !== undefined) out.push(v);
      });
      return out;
    }
    case "map":
    case "object": {
      if (!isMap(n)) return cannot(n, kind, path, ctx);
      const out: Record<string, unknown> = {};
      const seen = new Map<string, number>();
      const merges: { key: Node; value: Node }[] = [];
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        if (isMergeKey(pair.key as Node)) {
          // yaml.v3 checks `<<` for duplicates like any key, then merges the last one.
          const line = lineOf(pair.key as Node, ctx);
          const earlier = merges.length > 0 ? lineOf(merges[0]?.key, ctx) : undefined;
          if (earlier !== undefined) {
            ctx.issues.push({ line, message: `mapping key "<<" already defined at line ${earlier}` });
          }
          merges.push({ key: pair.key as Node, value: pair.value as Node });
          continue;
        }
        const keyNode = deref(pair.key as Node, ctx);
        if (!isScalar(keyNode)) {
          ctx.issues.push({ line: lineOf(keyNode, ctx), message: `${path || "config"}: mapping keys must be scalars` });
          continue;
        }
        const key = text(keyNode);
        const line = lineOf(keyNode, ctx);
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.issues.push({ line, message: `mapping key ${JSON.stringify(key)} already defined at line ${first}` });
          continue;
        }
        seen.set(key, line);
        const sub = joinPath(path, key);
        let fieldKind: Kind | undefined;
        if (kind.k === "map") fieldKind = kind.value;
        else fieldKind = kind.fields.get(key);
        if (fieldKind === undefined && kind.k === "object") {
          const hint = nearest(key, kind.fields.keys());
          ctx.issues.push({
            line,
            message: `field ${key} not found at ${sub}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ""}`,
          });
          continue;
        }
        if (fieldKind === undefined) continue;
        const valueNode = deref(pair.value as Node, ctx);
        if (kind.k === "map" && fieldKind.k === "string" && valueNode && !isScalar(valueNode)) {
          cannot(valueNode, fieldKind, sub, ctx);
          continue;
        }
        const v = decodeNode(valueNode, fieldKind, kind.k === "map" ? `${path}.${key}` : sub, ctx);
        if (v !== undefined) out[key] = v;
        else if (kind.k === "map" && fieldKind.k === "string" && isNullNode(valueNode, ctx)) out[key] = "";
      }
      const merged = merges.at(-1);
      if (merged) mergeInto(out, new Set(seen.keys()), merged.value, kind, path, ctx);
      return out;
    }
  }
}
