/**
 * Product metrics → ExportMetricsServiceRequest bytes (emit.md §3, §5). A pure function of the
 * multiset of samples and the identity: inputs are sorted canonically, so a re-collected window
 * re-encodes to the same bytes whatever order the source produced.
 */

import { compareCodePoints, labelKey, sortedKeys, utf8Length } from "../../model/order.ts";
import type { Labels, Sample } from "../../model/types.ts";
import { lenFieldSize, Writer } from "./writer.ts";

export const SCOPE_NAME = "genai-otel-bridge";

export class EncodeError extends Error {}

interface Kv {
  key: string;
  keyLen: number;
  value: string;
  valueLen: number;
  /** AnyValue payload size (string_value is a oneof member: written even when empty). */
  anyLen: number;
  size: number;
}

function kvs(m: Labels): Kv[] {
  return sortedKeys(m).map((key) => {
    const value = m[key] ?? "";
    const keyLen = utf8Length(key);
    const valueLen = utf8Length(value);
    const anyLen = lenFieldSize(valueLen);
    return { key, keyLen, value, valueLen, anyLen, size: lenFieldSize(keyLen) + lenFieldSize(anyLen) };
  });
}

function writeKv(w: Writer, field: number, kv: Kv): void {
  w.lenHeader(field, kv.size);
  w.string(1, kv.key, kv.keyLen);
  w.lenHeader(2, kv.anyLen);
  w.string(1, kv.value, kv.valueLen);
}

interface Point {
  s: Sample;
  attrs: Kv[];
  size: number;
}

interface MetricGroup {
  name: string;
  nameLen: number;
  unit: string;
  unitLen: number;
  points: Point[];
  gaugeSize: number;
  size: number;
}

/** Sort key per emit.md §5.3: (name, unit, labelKey, timestamp). */
export function canonicalSort(samples: readonly Sample[]): Sample[] {
  const keyed = samples.map((s) => ({ s, lk: labelKey(s.labels) }));
  keyed.sort(
    (a, b) =>
      compareCodePoints(a.s.name, b.s.name) ||
      compareCodePoints(a.s.unit, b.s.unit) ||
      compareCodePoints(a.lk, b.lk) ||
      (a.s.timestamp < b.s.timestamp ? -1 : a.s.timestamp > b.s.timestamp ? 1 : 0),
  );
  return keyed.map((k) => k.s);
}

export function encodeMetrics(identity: Labels, samples: readonly Sample[]): Uint8Array<ArrayBuffer> {
  const sorted = canonicalSort(samples);
  for (const s of sorted) {
    if (s.temporality === "delta") throw new EncodeError(`sample ${s.name}: delta temporality is not accepted`);
    if (s.kind !== "gauge") throw new EncodeError(`sample ${s.name}: gauge only`);
  }
  const groups: MetricGroup[] = [];
  let cur: MetricGroup | undefined;
  for (const s of sorted) {
    if (!cur || cur.name !== s.name || cur.unit !== s.unit) {
      cur = {
        name: s.name,
        nameLen: utf8Length(s.name),
        unit: s.unit,
        unitLen: utf8Length(s.unit),
        points: [],
        gaugeSize: 0,
        size: 0,
      };
      groups.push(cur);
    }
    const attrs = kvs(s.labels);
    let size = 9 + 9; // time_unix_nano (fixed64) + as_double
    for (const a of attrs) size += lenFieldSize(a.size);
    cur.points.push({ s, attrs, size });
  }
  let metricsSize = 0;
  for (const g of groups) {
    for (const p of g.points) g.gaugeSize += lenFieldSize(p.size);
    g.size = lenFieldSize(g.nameLen) + (g.unitLen > 0 ? lenFieldSize(g.unitLen) : 0) + lenFieldSize(g.gaugeSize);
    metricsSize += lenFieldSize(g.size);
  }
  const resAttrs = kvs(identity);
  let resourceSize = 0;
  for (const a of resAttrs) resourceSize += lenFieldSize(a.size);
  const scopeNameLen = utf8Length(SCOPE_NAME);
  const scopeSize = lenFieldSize(scopeNameLen);
  const scopeMetricsSize = lenFieldSize(scopeSize) + metricsSize;
  const rmSize = lenFieldSize(resourceSize) + lenFieldSize(scopeMetricsSize);
  const total = lenFieldSize(rmSize);

  const w = new Writer(total);
  w.lenHeader(1, rmSize); // resource_metrics
  w.lenHeader(1, resourceSize); // resource
  for (const a of resAttrs) writeKv(w, 1, a);
  w.lenHeader(2, scopeMetricsSize); // scope_metrics
  w.lenHeader(1, scopeSize); // scope
  w.string(1, SCOPE_NAME, scopeNameLen);
  for (const g of groups) {
    w.lenHeader(2, g.size); // metrics
    w.string(1, g.name, g.nameLen);
    if (g.unitLen > 0) w.string(3, g.unit, g.unitLen);
    w.lenHeader(5, g.gaugeSize); // gauge
    for (const p of g.points) {
      w.lenHeader(1, p.size); // data_points
      w.fixed64(3, p.s.timestamp);
      w.double(4, p.s.value);
      for (const a of p.attrs) writeKv(w, 7, a);
    }
  }
  return w.finish();
}
