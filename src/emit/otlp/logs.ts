/**
 * Product log records → ExportLogsServiceRequest bytes. A pure function of the multiset of
 * records and the identity, so a window re-collected after a crash re-encodes to the same
 * bytes: one ResourceLogs per distinct indexed-attribute set (ascending label key), the
 * identity merged under it (an indexed value wins a key clash), one ScopeLogs each, records
 * ordered by time, severity, record attributes and trace id. `observed_time_unix_nano` and
 * `severity_number` are never written; an empty body or severity is omitted.
 */
import protobuf from "protobufjs/minimal.js";
import { compareStrings, labelKey, sortedKeys, utf8Length } from "../../model/order.ts";
import type { Labels, LogRecord } from "../../model/types.ts";
import { longBits, SCOPE_NAME, writeKv } from "./wire.ts";

interface Entry {
  r: LogRecord;
  /** The record attributes' keys in canonical order, sorted only when a tie needs them. */
  keys?: readonly string[];
}

interface Group {
  key: string;
  indexed: Labels;
  records: Entry[];
}

/** `<byte length>:<s>`: one piece of a label key. */
const piece = (s: string) => `${utf8Length(s)}:${s}`;

/**
 * The order of labelKey(recordAttributes), without building either key: the key is a run of
 * length-prefixed pieces, and no piece can be a proper prefix of another (the length fixes
 * where it ends), so comparing piece by piece and stopping at the first difference orders the
 * same as comparing the whole strings. Records of one loop share their keys, so the first
 * differing value usually decides at once.
 */
function compareAttrs(a: Entry, b: Entry): number {
  a.keys ??= sortedKeys(a.r.recordAttributes);
  b.keys ??= sortedKeys(b.r.recordAttributes);
  const n = Math.min(a.keys.length, b.keys.length);
  for (let i = 0; i < n; i++) {
    const ka = a.keys[i] ?? "";
    const kb = b.keys[i] ?? "";
    if (ka !== kb) return compareStrings(piece(ka), piece(kb));
    const va = a.r.recordAttributes[ka] ?? "";
    const vb = b.r.recordAttributes[kb] ?? "";
    if (va !== vb) return compareStrings(piece(va), piece(vb));
  }
  return a.keys.length - b.keys.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Records grouped by indexed set and sorted canonically; the order the encoder writes. */
export function canonicalGroups(records: readonly LogRecord[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of records) {
    const key = labelKey(r.indexedAttributes);
    let g = groups.get(key);
    if (!g) {
      g = { key, indexed: r.indexedAttributes, records: [] };
      groups.set(key, g);
    }
    g.records.push({ r });
  }
  const sorted = [...groups.values()].sort((a, b) => compareStrings(a.key, b.key));
  for (const g of sorted) {
    g.records.sort(
      (a, b) =>
        (a.r.timestamp < b.r.timestamp ? -1 : a.r.timestamp > b.r.timestamp ? 1 : 0) ||
        compareStrings(a.r.severity, b.r.severity) ||
        compareAttrs(a, b) ||
        compareBytes(a.r.traceId, b.r.traceId),
    );
  }
  return sorted;
}

/** Records in the order the encoder writes them (splitting cuts this order). */
export function canonicalLogOrder(records: readonly LogRecord[]): LogRecord[] {
  return canonicalGroups(records).flatMap((g) => g.records.map((x) => x.r));
}

export function encodeLogs(identity: Labels, records: readonly LogRecord[]): Uint8Array<ArrayBuffer> {
  const w = protobuf.Writer.create();
  for (const g of canonicalGroups(records)) {
    w.uint32(10).fork(); // resource_logs
    w.uint32(10).fork(); // resource (always present)
    const resource: Labels = { ...identity, ...g.indexed };
    for (const k of sortedKeys(resource)) writeKv(w, 1, k, resource[k] ?? "");
    w.ldelim();
    w.uint32(18).fork(); // scope_logs
    w.uint32(10).fork().uint32(10).string(SCOPE_NAME).ldelim(); // scope
    for (const e of g.records) {
      const r = e.r;
      w.uint32(18).fork(); // log_records
      if (r.timestamp !== 0n) w.uint32(9).fixed64(longBits(r.timestamp));
      if (r.severity !== "") w.uint32(26).string(r.severity);
      if (r.body !== "") w.uint32(42).fork().uint32(10).string(r.body).ldelim();
      // The tie-breaking comparison may have sorted these keys already.
      e.keys ??= sortedKeys(r.recordAttributes);
      for (const k of e.keys) writeKv(w, 6, k, r.recordAttributes[k] ?? "");
      if (r.traceId.length === 16) w.uint32(74).bytes(r.traceId);
      w.ldelim();
    }
    w.ldelim().ldelim(); // scope_logs, resource_logs
  }
  const out = w.finish();
  return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.length);
}
