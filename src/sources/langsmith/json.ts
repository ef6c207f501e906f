/**
 * Strict readers for the fields LangSmith's loops take from a response: a present, non-null
 * value of the wrong JSON type makes the whole page undecodable (the collect fails and
 * nothing is emitted), absent or null means "no value". Nothing else of an object is read.
 */

export class DecodeError extends Error {}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function optNumber(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number") throw new DecodeError(`field ${key}: want a number, got ${typeName(v)}`);
  return v;
}

/** An integer count (a fractional number is a type error, as the reference's int64 decode). */
export function optInt(o: JsonObject, key: string): number | undefined {
  const v = optNumber(o, key);
  if (v !== undefined && !Number.isInteger(v)) throw new DecodeError(`field ${key}: want an integer, got ${v}`);
  return v;
}

export function optString(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new DecodeError(`field ${key}: want a string, got ${typeName(v)}`);
  return v;
}

const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A cost: a JSON number (0.13.5) or a decimal string (0.16.5). A string is trimmed; empty
 * means unset; anything but a finite decimal literal fails the decode (`NaN` and `Inf`
 * included: the reference accepts them, and a non-finite cost is never a real one).
 */
export function optMoney(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number") return v;
  if (typeof v !== "string")
    throw new DecodeError(`field ${key}: want a number or a decimal string, got ${typeName(v)}`);
  const t = v.trim();
  if (t === "") return undefined;
  if (!DECIMAL.test(t))
    throw new DecodeError(`field ${key}: ${JSON.stringify(t.slice(0, 40))} is not a decimal number`);
  const n = Number(t);
  if (!Number.isFinite(n)) throw new DecodeError(`field ${key}: ${JSON.stringify(t.slice(0, 40))} is not finite`);
  return n;
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
