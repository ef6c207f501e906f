/**
 * Source types by name. Adding a vendor: its folder plus one line in VENDORS. The first vendor
 * is what a source without `type` means (as in the Go implementation's configs).
 */
import { ContentFloor } from "../governance/content-floor.ts";
import { anthropic } from "./anthropic/index.ts";
import type { Vendor } from "./define.ts";
import { langsmith } from "./langsmith/index.ts";
import { openai } from "./openai/index.ts";
import { portkey } from "./portkey/index.ts";

const VENDORS: readonly Vendor[] = [portkey, langsmith, openai, anthropic];

/** Lookup by type; refuses a list that names one type twice. */
export class Registry {
  private readonly byType = new Map<string, Vendor>();
  readonly defaultType: string;
  /** The generic content floor plus every registered vendor's content field names. */
  readonly floor: ContentFloor;

  constructor(vendors: readonly Vendor[]) {
    this.defaultType = vendors[0]?.type ?? "";
    for (const v of vendors) {
      if (this.byType.has(v.type)) throw new Error(`source type ${JSON.stringify(v.type)} is registered twice`);
      this.byType.set(v.type, v);
    }
    this.floor = new ContentFloor(vendors.flatMap((v) => v.contentKeys));
  }

  lookup(type: string): Vendor | undefined {
    return this.byType.get(type);
  }

  types(): ReadonlySet<string> {
    return new Set(this.byType.keys());
  }

  /** Every registered vendor, in registration order. */
  vendors(): readonly Vendor[] {
    return [...this.byType.values()];
  }
}

export const registry = new Registry(VENDORS);
