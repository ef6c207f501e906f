/**
 * Line formats of the bridge's own log: logfmt and JSON with stable field
 * order `time level msg [instance] attrs…`.
 */
import { formatDuration } from "../model/duration.ts";

/** Wrap a nanosecond count so it logs as `1m0s` (logfmt) or an integer (JSON). */
export class Dur {
  constructor(readonly ns: number) {}
}

export type Level = "DEBUG" | "INFO" | "WARN" | "ERROR";
export type Attrs = Record<string, unknown>;

export interface Record_ {
  time: Date;
  level: Level;
  msg: string;
  attrs: [string, unknown][];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be quoted
const NEEDS_QUOTE = /[\s="\u0000-\u001f\u007f-\u009f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

function escapeLogfmt(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

export function logfmtValue(s: string): string {
  return s === "" || NEEDS_QUOTE.test(s) ? `"${escapeLogfmt(s)}"` : s;
}

function text(v: unknown): string {
  if (v instanceof Dur) return formatDuration(v.ns);
  if (v instanceof Error) return v.message;
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Dur) return v.ns;
  if (v instanceof Error) return v.message;
  return v;
}

export function formatLogfmt(r: Record_, clean: (s: string) => string): string {
  const parts = [`time=${r.time.toISOString()}`, `level=${r.level}`, `msg=${logfmtValue(clean(r.msg))}`];
  for (const [k, v] of r.attrs) parts.push(`${logfmtValue(k)}=${logfmtValue(clean(text(v)))}`);
  return parts.join(" ");
}

function jsonTime(d: Date): string {
  // RFC 3339 UTC, fractional seconds with trailing zeros trimmed.
  return d.toISOString().replace(/\.?0+Z$/, "Z");
}

export function formatJson(r: Record_, clean: (s: string) => string): string {
  const obj: Record<string, unknown> = { time: jsonTime(r.time), level: r.level, msg: clean(r.msg) };
  for (const [k, v] of r.attrs) {
    const j = jsonValue(v);
    obj[k] = typeof j === "string" ? clean(j) : j;
  }
  return JSON.stringify(obj);
}
