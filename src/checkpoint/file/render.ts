/**
 * The checkpoint file's text, written without the YAML library on the common path. The file is
 * rewritten on every commit — every tick of every loop, quiet ones included — and the library's
 * `stringify` runs too rarely to be compiled: 0.4–1.2 ms a call at a 10 s cadence, a third of a
 * quiet tick's CPU (issue 12). The layout is the one the library writes: a block map of keys to
 * `time`, `cursor`, `epoch`. A value is written plain when it cannot read back as anything but
 * that string, else double-quoted (printable ASCII, where JSON's escapes are YAML's); anything
 * else hands the whole file to the library.
 */
import { stringify } from "yaml";

export interface FileEntry {
  time: string;
  cursor: string;
  epoch: number;
}

/** Plain scalars that read back as another type in YAML 1.2 or, for older readers, 1.1. */
const KEYWORDS = new Set(["null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"]);
/** A plain scalar of safe characters, starting where no indicator or number can. */
const PLAIN_WORD = /^[A-Za-z_/][A-Za-z0-9_./+=-]*(?::[A-Za-z0-9_./+=-]+)*$/;
/** An RFC 3339 time, written plain as the library does (the core schema keeps it a string). */
const PLAIN_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The scalar as written, or undefined when only the library can write it safely. */
function scalar(value: string): string | undefined {
  if ((PLAIN_WORD.test(value) && !KEYWORDS.has(value.toLowerCase())) || PLAIN_TIME.test(value)) return value;
  if (PRINTABLE_ASCII.test(value)) return JSON.stringify(value);
  return undefined;
}

/** Entries in the given order (the caller sorts). */
export function renderCheckpointFile(entries: readonly (readonly [string, FileEntry])[]): string {
  let out = "";
  for (const [key, entry] of entries) {
    const k = scalar(key);
    const time = scalar(entry.time);
    const cursor = scalar(entry.cursor);
    if (k === undefined || time === undefined || cursor === undefined || !Number.isSafeInteger(entry.epoch)) {
      return stringify(Object.fromEntries(entries));
    }
    out += `${k}:\n  time: ${time}\n  cursor: ${cursor}\n  epoch: ${entry.epoch}\n`;
  }
  return out === "" ? "{}\n" : out;
}
