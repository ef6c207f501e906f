/**
 * Go `flag` package grammar as an argv pre-pass in front of citty: `-name`
 * and `--name` are equal; `-name=v`, `-name v` for non-bool flags; parsing stops at the first
 * positional or after `--`; unknown flags and bad values are errors (exit 2). The result is a
 * normalised `--name=value` argv that citty parses without surprises.
 */
export type FlagKind = "string" | "bool" | "int64";

export interface FlagSpec {
  name: string;
  kind: FlagKind;
}

export type PrePass =
  | { kind: "ok"; values: Map<string, string | boolean>; normalised: string[]; rest: string[] }
  | { kind: "help" }
  | { kind: "error"; message: string };

const BOOL_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const BOOL_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b/leading-0 octal, `_` only with a base prefix. */
export function parseGoInt64(s: string): bigint | undefined {
  const m = /^([+-]?)(.*)$/.exec(s);
  let body = m?.[2] ?? "";
  const neg = m?.[1] === "-";
  let base = 10;
  if (/^0[xX]/.test(body)) [base, body] = [16, body.slice(2)];
  else if (/^0[oO]/.test(body)) [base, body] = [8, body.slice(2)];
  else if (/^0[bB]/.test(body)) [base, body] = [2, body.slice(2)];
  else if (/^0[0-9_]/.test(body)) [base, body] = [8, body.slice(1)];
  if (base !== 10) {
    if (/^_|__|_$/.test(body)) return undefined;
    body = body.replaceAll("_", "");
  }
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!digits.test(body)) return undefined;
  const prefix = { 2: "0b", 8: "0o", 10: "", 16: "0x" }[base as 2 | 8 | 10 | 16];
  let v = BigInt(prefix + body);
  if (neg) v = -v;
  if (v > (1n << 63n) - 1n || v < -(1n << 63n)) return undefined;
  return v;
}

export function prePass(argv: readonly string[], specs: readonly FlagSpec[]): PrePass {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, string | boolean>();
  let i = 0;
  while (i < argv.length) {
    const a = argv[i] ?? "";
    if (a.length < 2 || a[0] !== "-") break;
    let dashes = 1;
    if (a[1] === "-") {
      dashes = 2;
      if (a.length === 2) {
        i++;
        break;
      }
    }
    let name = a.slice(dashes);
    if (name.length === 0 || name[0] === "-" || name[0] === "=") {
      return { kind: "error", message: `bad flag syntax: ${a}` };
    }
    i++;
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = byName.get(name);
    if (!spec) {
      if (name === "help" || name === "h") return { kind: "help" };
      return { kind: "error", message: `flag provided but not defined: -${name}` };
    }
    if (spec.kind === "bool") {
      if (value === undefined) values.set(name, true);
      else if (BOOL_TRUE.has(value)) values.set(name, true);
      else if (BOOL_FALSE.has(value)) values.set(name, false);
      else
        return { kind: "error", message: `invalid boolean value ${JSON.stringify(value)} for -${name}: parse error` };
      continue;
    }
    if (value === undefined) {
      if (i >= argv.length) return { kind: "error", message: `flag needs an argument: -${name}` };
      value = argv[i] ?? "";
      i++;
    }
    if (spec.kind === "int64" && parseGoInt64(value) === undefined) {
      return { kind: "error", message: `invalid value ${JSON.stringify(value)} for flag -${name}: parse error` };
    }
    values.set(name, value);
  }
  const normalised: string[] = [];
  for (const [k, v] of values) {
    if (v === true) normalised.push(`--${k}`);
    else if (v === false) normalised.push(`--no-${k}`);
    else normalised.push(`--${k}=${v}`);
  }
  return { kind: "ok", values, normalised, rest: argv.slice(i) };
}
