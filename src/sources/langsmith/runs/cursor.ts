/**
 * The `runs` loop's position inside a window, kept in the watermark's cursor: the window's
 * bounds, the server's opaque next-page token and the pages read so far. `""` means idle
 * (between windows). A cursor that does not decode is idle (with a warning), never an error:
 * the loop then opens a new window from the watermark's time.
 */
import { formatRfc3339Nano, parseRfc3339, type Time } from "../../../model/time.ts";

export interface RunsCursor {
  winMin: Time;
  winMax: Time;
  next: string;
  page: number;
}

export function encodeCursor(c: RunsCursor): string {
  const out: Record<string, string | number> = {
    win_min: formatRfc3339Nano(c.winMin),
    win_max: formatRfc3339Nano(c.winMax),
  };
  if (c.next !== "") out.next = c.next;
  if (c.page !== 0) out.page = c.page;
  return JSON.stringify(out);
}

export type Decoded = { kind: "idle" } | { kind: "corrupt"; why: string } | { kind: "draining"; cursor: RunsCursor };

export function decodeCursor(text: string): Decoded {
  if (text === "") return { kind: "idle" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: "corrupt", why: "not JSON" };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { kind: "corrupt", why: "not an object" };
  const o = raw as Record<string, unknown>;
  const winMin = typeof o.win_min === "string" ? parseRfc3339(o.win_min) : undefined;
  const winMax = typeof o.win_max === "string" ? parseRfc3339(o.win_max) : undefined;
  if (winMin === undefined || winMax === undefined) return { kind: "corrupt", why: "window bounds missing or invalid" };
  const next = typeof o.next === "string" ? o.next : "";
  const page = typeof o.page === "number" && Number.isSafeInteger(o.page) && o.page > 0 ? o.page : 0;
  return { kind: "draining", cursor: { winMin, winMax, next, page } };
}
