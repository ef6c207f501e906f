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

const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether `s` holds a surrogate (an astral code point), where UTF-16 order and code-point order differ. */
export function hasSurrogate(s: string): boolean {
  return SURROGATE.test(s);
}

/** Code-point order, with the native comparison whenever neither string holds a surrogate. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (hasSurrogate(a) || hasSurrogate(b)) return compareCodePoints(a, b);
  return a < b ? -1 : 1;
}

/** The last few key lists sortedKeys saw (in insertion order) and their sorted forms. */
const SHAPES = 4;
const shapeKeys: string[][] = [];
const shapeSorted: (readonly string[])[] = [];
let shapeNext = 0;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Keys of a label map in canonical order (native sort unless a key holds a surrogate). The
 * result is shared and must not be changed: records and samples of one loop are built in the
 * same key order, so the last few key lists are remembered and a repeat costs one comparison
 * instead of a sort.
 */
export function sortedKeys(m: Labels): readonly string[] {
  const keys = Object.keys(m);
  for (let i = 0; i < shapeKeys.length; i++) {
    const known = shapeKeys[i];
    if (known !== undefined && sameKeys(known, keys)) return shapeSorted[i] ?? [];
  }
  const sorted = [...keys].sort();
  if (sorted.some(hasSurrogate)) sorted.sort(compareCodePoints);
  shapeKeys[shapeNext] = keys;
  shapeSorted[shapeNext] = sorted;
  shapeNext = (shapeNext + 1) % SHAPES;
  return sorted;
}

const NON_ASCII = /[^ -~\t\n\r]/;

export function utf8Length(s: string): number {
  // Most label keys and values are printable ASCII, where the byte length is the length;
  // anything else (controls included) takes the exact count.
  return NON_ASCII.test(s) ? Buffer.byteLength(s, "utf8") : s.length;
}

/** Injective label-set key: `<bytelen(k)>:<k><bytelen(v)>:<v>` per sorted key. */
export function labelKey(m: Labels): string {
  const keys = Object.keys(m);
  if (keys.length > 1) keys.sort();
  let out = "";
  for (const k of keys) {
    const v = m[k] ?? "";
    out += `${utf8Length(k)}:${k}${utf8Length(v)}:${v}`;
  }
  // Native sort is code-point order unless a key holds a surrogate: then sort again properly.
  if (keys.length > 1 && hasSurrogate(out) && keys.some(hasSurrogate)) {
    out = "";
    for (const k of keys.sort(compareCodePoints)) {
      const v = m[k] ?? "";
      out += `${utf8Length(k)}:${k}${utf8Length(v)}:${v}`;
    }
  }
  return out;
}
