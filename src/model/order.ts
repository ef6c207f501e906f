/**
 * Canonical orderings. Strings compare by Unicode code point, which equals
 * UTF-8 byte order; JS `<` compares UTF-16 code units and differs for astral characters.
 */
import type { Labels } from "./types.ts";

export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) must sort after U+E000–U+FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** Keys of a label map in canonical order. */
export function sortedKeys(m: Labels): string[] {
  return Object.keys(m).sort(compareCodePoints);
}

/** Injective label-set key: `<bytelen(k)>:<k><bytelen(v)>:<v>` per sorted key. */
export function labelKey(m: Labels): string {
  let out = "";
  // Fast path: most product samples carry zero or one label.
  const keys = Object.keys(m);
  if (keys.length === 0) return out;
  if (keys.length === 1) {
    const k = keys[0] ?? "";
    const v = m[k] ?? "";
    return `${utf8Length(k)}:${k}${utf8Length(v)}:${v}`;
  }
  for (const k of sortedKeys(m)) {
    const v = m[k] ?? "";
    out += `${utf8Length(k)}:${k}${utf8Length(v)}:${v}`;
  }
  return out;
}
