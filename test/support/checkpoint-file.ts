/** Reading the file checkpoint of a running bridge from a test, and a replayable random source. */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";

export interface FileEntry {
  /** Watermark time in ms; 0 for the zero watermark (written as year 1, before the epoch). */
  time: number;
  cursor: string;
}

/** The entry whose key contains `loopPart` (e.g. `/runs/`), or undefined (absent, or caught mid-rename). */
export function fileEntry(path: string, loopPart: string): FileEntry | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const doc = parse(readFileSync(path, "utf8"), { schema: "core" }) as Record<string, FileEntry & { time: string }>;
    const e = Object.entries(doc ?? {}).find(([k]) => k.includes(loopPart))?.[1];
    return e ? { time: Math.max(0, Date.parse(e.time) || 0), cursor: e.cursor } : undefined;
  } catch {
    return undefined;
  }
}

/** A small deterministic PRNG (xorshift32), so a failing run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
