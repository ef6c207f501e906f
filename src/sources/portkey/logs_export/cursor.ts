/**
 * The export job's position, persisted in `watermark.cursor` between ticks and across
 * failovers: a JSON object with a fixed key order, each key left out when zero or empty, so
 * encode(decode(x)) is x for every cursor this loop writes. Anything unreadable decodes as idle:
 * the window then restarts from page 0 (at-least-once), never skips ahead.
 */

export type Phase = "idle" | "created" | "polling" | "downloading" | "blocked";
const PHASES: readonly Phase[] = ["idle", "created", "polling", "downloading", "blocked"];

export interface Cursor {
  phase: Phase;
  job_id?: string;
  /** RFC 3339 (nanosecond) window bounds. */
  win_min?: string;
  win_max?: string;
  /** Current page (0-based). */
  page?: number;
  /** Page count learned at the first create. */
  pages?: number;
  total_records?: number;
  /** Lines of the current page already consumed. */
  page_offset_done?: number;
  /** Bytes of the current page already consumed (always a line boundary). */
  page_byte_offset?: number;
  /** RFC 3339 (nanosecond) deadline for the running job, by the writing leader's clock. */
  poll_deadline?: string;
}

const ORDER = [
  "phase",
  "job_id",
  "win_min",
  "win_max",
  "page",
  "pages",
  "total_records",
  "page_offset_done",
  "page_byte_offset",
  "poll_deadline",
] as const;
const NUMBERS = new Set(["page", "pages", "total_records", "page_offset_done", "page_byte_offset"]);

export function encodeCursor(c: Cursor): string {
  const out: Record<string, string | number> = {};
  for (const k of ORDER) {
    const v = c[k];
    if (v === undefined || v === "" || v === 0) continue;
    out[k] = v;
  }
  return JSON.stringify(out);
}

export function decodeCursor(text: string): Cursor {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { phase: "idle" };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { phase: "idle" };
  const o = v as Record<string, unknown>;
  const phase = PHASES.find((p) => p === o.phase);
  if (!phase) return { phase: "idle" };
  const c: Cursor = { phase };
  for (const k of ORDER) {
    if (k === "phase") continue;
    const x = o[k];
    if (NUMBERS.has(k)) {
      if (typeof x === "number" && Number.isSafeInteger(x) && x > 0) (c as unknown as Record<string, number>)[k] = x;
    } else if (typeof x === "string" && x !== "") {
      (c as unknown as Record<string, string>)[k] = x;
    }
  }
  return c;
}
