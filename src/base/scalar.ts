/**
 * How a JSON scalar becomes an attribute value: strings as they are, numbers as plain decimals
 * (never an exponent: `1e21` is written out), booleans as `true`/`false`; anything else has no
 * rendering and the caller drops the field rather than stringify it.
 */

/** A plain decimal with no exponent, shortest round-trip digits (Go's FormatFloat 'f', -1). */
export function plainNumber(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = "", int = "", frac = "", expText = "0"] = m;
  const digits = int + frac;
  const point = int.length + Number(expText);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function scalarToString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return plainNumber(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return undefined;
}
