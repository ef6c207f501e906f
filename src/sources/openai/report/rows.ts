/** Reading one result row's numbers and dimension values, strictly. */

export type Row = Record<string, unknown>;

export function asRow(value: unknown, where: string): Row {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where}: a result is not an object`);
  }
  return value as Row;
}

/**
 * A counter field: undefined when the row does not carry it (never fabricated), 0 for JSON
 * null, the number itself when finite; anything else is a decode error naming the field.
 */
export function count(row: Row | undefined, field: string, where: string): number | undefined {
  if (row === undefined) return undefined;
  const value = row[field];
  if (value === undefined) return undefined;
  if (value === null) return 0;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${where}: ${field} is not a number`);
  }
  return value;
}

/** A nested object (`cache_creation`): undefined when absent or null, so its counters are absent too. */
export function nested(row: Row, field: string, where: string): Row | undefined {
  const value = row[field];
  if (value === undefined || value === null) return undefined;
  return asRow(value, `${where}: ${field}`);
}

/** A dimension's label value: "" for null or absent (the label is then left off). */
export function dimension(row: Row, field: string, where: string): string {
  const value = row[field];
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  throw new Error(`${where}: ${field} is not a scalar`);
}

/** Labels without the empty values: an empty label is an absent one downstream anyway. */
export function present(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (v !== "") out[k] = v;
  return out;
}
