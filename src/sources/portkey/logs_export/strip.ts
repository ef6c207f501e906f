/**
 * One export line → one content-free log record, default-deny: only the listed top-level
 * fields survive (indexed or record tier), plus listed sub-keys lifted out of `metadata`.
 * Objects, arrays and nulls never become attributes; the body is never set; `source=portkey`
 * is always there. Whatever the server injects (metadata, portkeyHeaders, prompt, bodies) is
 * dropped here, and the guard drops it again if a setting ever let it through.
 */
import { scalarToString } from "../../../base/scalar.ts";
import { NS_PER_S, parseRfc3339, type Time } from "../../../model/time.ts";
import type { LogRecord } from "../../../model/types.ts";

export interface StripPolicy {
  indexed: ReadonlySet<string>;
  record: ReadonlySet<string>;
  /** Sub-keys of `metadata` lifted into the record tier (hard-denied names already removed). */
  metadata: readonly string[];
  /** Top-level field whose value, when a UUID, becomes the trace id ("" = none). */
  traceIdField: string;
  /** `metadata` sub-key whose value, when a UUID, becomes the trace id ("" = none). */
  metadataTraceIdField: string;
  /** Use-case slug of this instance ("" = none): a record attribute, never indexed. */
  slug: string;
}

/** 16 bytes from a UUID or 32 hex digits (dashes ignored), never all zeros; else undefined. */
export function parseTraceId(s: string): Uint8Array | undefined {
  const hex = s.replaceAll("-", "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || /^0+$/.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const JS_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2})(\d{2})$/;

/** `created_at` as RFC 3339, or as JavaScript's `Date.toString()` (the part before " ("). */
export function parseCreatedAt(s: string): Time | undefined {
  const rfc = parseRfc3339(s);
  if (rfc !== undefined) return rfc;
  const cut = s.includes(" (") ? s.slice(0, s.indexOf(" (")) : s;
  const m = JS_DATE.exec(cut);
  if (!m) return undefined;
  const [, mon = "", day, year, hh, mm, ss, sign, oh, om] = m;
  const month = MONTHS.indexOf(mon);
  if (month < 0) return undefined;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  const check = new Date(utc);
  if (check.getUTCDate() !== Number(day) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return undefined;
  const offset = (Number(oh) * 60 + Number(om)) * (sign === "-" ? -1 : 1);
  return (BigInt(utc / 1000) - BigInt(offset * 60)) * NS_PER_S;
}

/** The trace id of a record without one; shared, never written to. */
const NO_TRACE = new Uint8Array(0);

export function strip(obj: Record<string, unknown>, fallback: Time, p: StripPolicy): LogRecord {
  const indexed: Record<string, string> = {};
  const record: Record<string, string> = {};
  let traceId: Uint8Array = NO_TRACE;
  for (const k in obj) {
    const tier = p.indexed.has(k) ? indexed : p.record.has(k) ? record : undefined;
    if (!tier) continue;
    const s = scalarToString(obj[k]);
    if (s === undefined) continue;
    tier[k] = s;
    if (k === p.traceIdField) traceId = parseTraceId(s) ?? traceId;
  }
  const meta = obj.metadata;
  if (p.metadata.length > 0 && typeof meta === "object" && meta !== null && !Array.isArray(meta)) {
    for (const sub of p.metadata) {
      const s = scalarToString((meta as Record<string, unknown>)[sub]);
      if (s === undefined) continue;
      // Never clobber a top-level attribute of the same name.
      if (!(sub in record)) record[sub] = s;
      if (sub === p.metadataTraceIdField) traceId = parseTraceId(s) ?? traceId;
    }
  }
  const created = typeof obj.created_at === "string" ? parseCreatedAt(obj.created_at) : undefined;
  record.source = "portkey";
  if (p.slug !== "") record.api_key_use_case = p.slug;
  return {
    timestamp: created ?? fallback,
    body: "",
    severity: "",
    indexedAttributes: indexed,
    recordAttributes: record,
    traceId,
  };
}
