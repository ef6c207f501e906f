/**
 * The three settings keys the core itself reads on every loop, whatever its vendor: the
 * content-free fields a loop promotes to indexed attributes (`extra_indexed_fields`) or keeps
 * as record attributes (`extra_record_fields`, `metadata_record_fields`). Promoted indexed keys
 * join the guard's allow-list (and must never be content-floor keys); every key named in the
 * three releases that key from the gray tier for that loop's log records only.
 */
import { csv } from "../base/csv.ts";

export const PROMOTED_INDEXED_KEY = "extra_indexed_fields";
const RECORD_KEYS = ["extra_record_fields", "metadata_record_fields"];

/** Keys a loop's settings promote to indexed attributes, in order. */
export function promotedIndexedKeys(settings: Readonly<Record<string, string>>): string[] {
  return csv(settings[PROMOTED_INDEXED_KEY]);
}

/** Keys a loop's settings name as indexed or record fields (what they release from the gray tier). */
export function releasedKeys(settings: Readonly<Record<string, string>>): string[] {
  return [...promotedIndexedKeys(settings), ...RECORD_KEYS.flatMap((k) => csv(settings[k]))];
}
