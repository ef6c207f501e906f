/**
 * The one guard between derive and emit for every loop. It never throws and never blocks: a
 * sample or record with a denied, content-floor or un-allow-listed key is dropped and counted;
 * one that would exceed its series' cardinality budget is dropped and counted. It never
 * mutates its input; a log record only ever leaves with an empty body. All checks are
 * synchronous, so one shared instance needs no lock.
 */
import { sortedKeys } from "../model/order.ts";
import type { Labels, LogRecord, Sample } from "../model/types.ts";
import { ContentFloor } from "./content-floor.ts";

/** Keys that often hold content; denied by default, releasable per logs loop. */
export const GRAY_TIER: readonly string[] = ["events", "extra", "serialized", "manifest", "s3_urls", "error", "name"];

export interface GuardHooks {
  /** A newly admitted label set, or an over-budget rejection, for `series`. */
  newLabelValue?(series: string): void;
}

export interface GuardOptions {
  /** Keys a label or indexed attribute may have. */
  allowKeys: Iterable<string>;
  /** Distinct label sets per series; ≤ 0 = unlimited. */
  budget: number;
  /** The content floor (default: the generic keys only). */
  floor?: ContentFloor;
  /** Per logs loop (by checkpoint key): the gray-tier keys its settings release. */
  logsReleases?: ReadonlyMap<string, readonly string[]>;
  hooks?: GuardHooks;
}

const SIG_SPECIAL = /[\\=;]/;

/** A backslash before each `\\`, `=` and `;` (most keys and values have none). */
function esc(s: string): string {
  if (!SIG_SPECIAL.test(s)) return s;
  return s.replaceAll("\\", "\\\\").replaceAll("=", "\\=").replaceAll(";", "\\;");
}

/** `esc(k)=esc(v);` per sorted key; injective. */
export function labelSig(m: Labels): string {
  let out = "";
  for (const k of sortedKeys(m)) out += `${esc(k)}=${esc(m[k] ?? "")};`;
  return out;
}

export class Guard {
  private readonly allow: ReadonlySet<string>;
  private readonly deny: ReadonlySet<string>;
  private readonly logsDeny = new Map<string, ReadonlySet<string>>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly budget: number;
  private readonly hooks: GuardHooks;
  private readonly floor: ContentFloor;

  constructor(o: GuardOptions) {
    this.allow = new Set(o.allowKeys);
    this.deny = new Set(GRAY_TIER);
    this.budget = o.budget;
    this.hooks = o.hooks ?? {};
    this.floor = o.floor ?? new ContentFloor();
    // A loop's release never affects another loop; metrics never get one.
    for (const [loopId, released] of o.logsReleases ?? []) {
      this.logsDeny.set(loopId, new Set(GRAY_TIER.filter((k) => !released.includes(k))));
    }
  }

  /** Kept samples in input order, and how many were dropped. */
  sanitize(samples: readonly Sample[]): { kept: Sample[]; dropped: number } {
    const kept: Sample[] = [];
    let dropped = 0;
    for (const s of samples) {
      if (this.admitSample(s)) kept.push(s);
      else dropped++;
    }
    return { kept, dropped };
  }

  /**
   * Kept records (bodies blanked) in input order, and how many were dropped. Indexed keys must
   * be allow-listed; record attributes need not be, but neither may carry a denied key.
   */
  sanitizeLogs(loopId: string, records: readonly LogRecord[]): { kept: LogRecord[]; dropped: number } {
    const deny = this.logsDeny.get(loopId) ?? this.deny;
    const kept: LogRecord[] = [];
    let dropped = 0;
    for (const r of records) {
      if (this.admitRecord(loopId, deny, r)) kept.push(r.body === "" ? r : { ...r, body: "" });
      else dropped++;
    }
    return { kept, dropped };
  }

  private admitSample(s: Sample): boolean {
    for (const k of Object.keys(s.labels)) {
      if (this.deny.has(k) || this.floor.has(k) || !this.allow.has(k)) return false;
    }
    return this.withinBudget(s.name, s.labels);
  }

  private admitRecord(loopId: string, deny: ReadonlySet<string>, r: LogRecord): boolean {
    for (const k of Object.keys(r.indexedAttributes)) {
      if (deny.has(k) || this.floor.has(k) || !this.allow.has(k)) return false;
    }
    for (const k of Object.keys(r.recordAttributes)) {
      if (deny.has(k) || this.floor.has(k)) return false;
    }
    return this.withinBudget(`logs:${loopId}`, r.indexedAttributes);
  }

  private withinBudget(series: string, labels: Labels): boolean {
    if (this.budget <= 0) return true;
    const sig = labelSig(labels);
    let set = this.seen.get(series);
    if (!set) {
      set = new Set();
      this.seen.set(series, set);
    }
    if (set.has(sig)) return true;
    this.hooks.newLabelValue?.(series);
    if (set.size >= this.budget) return false;
    set.add(sig);
    return true;
  }
}
