/**
 * The one guard between derive and emit for every loop (emit.md §9). It never throws and never
 * blocks: a sample with a denied, content-floor or un-allow-listed label is dropped and counted;
 * a sample that would exceed its metric's cardinality budget is dropped and counted. It never
 * mutates samples. All checks are synchronous, so one shared instance needs no lock.
 */
import { sortedKeys } from "../model/order.ts";
import type { Labels, Sample } from "../model/types.ts";
import { isFloorKey } from "./content-floor.ts";

/** Denied by default on every sample (emit.md §9.3 gray tier). */
export const GRAY_TIER: readonly string[] = ["events", "extra", "serialized", "manifest", "s3_urls", "error", "name"];

export interface GuardHooks {
  /** A newly admitted label set, or an over-budget rejection, for `series`. */
  newLabelValue?(series: string): void;
}

/** `esc(k)=esc(v);` per sorted key; injective (emit.md §9.6). */
export function labelSig(m: Labels): string {
  const esc = (s: string) => s.replaceAll("\\", "\\\\").replaceAll("=", "\\=").replaceAll(";", "\\;");
  let out = "";
  for (const k of sortedKeys(m)) out += `${esc(k)}=${esc(m[k] ?? "")};`;
  return out;
}

export class Guard {
  private readonly allow: ReadonlySet<string>;
  private readonly deny: ReadonlySet<string>;
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    allowKeys: Iterable<string>,
    private readonly budget: number,
    private readonly hooks: GuardHooks = {},
  ) {
    this.allow = new Set(allowKeys);
    this.deny = new Set(GRAY_TIER);
  }

  /** Kept samples in input order, and how many were dropped. */
  sanitize(samples: readonly Sample[]): { kept: Sample[]; dropped: number } {
    const kept: Sample[] = [];
    let dropped = 0;
    for (const s of samples) {
      if (this.admit(s)) kept.push(s);
      else dropped++;
    }
    return { kept, dropped };
  }

  private admit(s: Sample): boolean {
    for (const k of Object.keys(s.labels)) {
      if (this.deny.has(k) || isFloorKey(k) || !this.allow.has(k)) return false;
    }
    if (this.budget <= 0) return true;
    const sig = labelSig(s.labels);
    let set = this.seen.get(s.name);
    if (!set) {
      set = new Set();
      this.seen.set(s.name, set);
    }
    if (set.has(sig)) return true;
    this.hooks.newLabelValue?.(s.name);
    if (set.size >= this.budget) return false;
    set.add(sig);
    return true;
  }
}
