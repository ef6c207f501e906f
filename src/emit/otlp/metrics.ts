/**
 * Product metrics → ExportMetricsServiceRequest bytes. A pure function of the
 * multiset of samples and the identity: inputs are sorted canonically, so a re-collected window
 * re-encodes to the same bytes whatever order the source produced.
 */

import protobuf from "protobufjs/minimal.js";
import { compareCodePoints, labelKey, sortedKeys } from "../../model/order.ts";
import type { Labels, Sample } from "../../model/types.ts";
import { longBits, SCOPE_NAME, writeKv } from "./wire.ts";

export class EncodeError extends Error {}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Sort key: (name, unit, labelKey, timestamp). The first three are joined with
 * U+0000 (below every other code point, so the joined string orders like the tuple), and the
 * join is compared natively — UTF-16 order equals code-point order unless a string holds a
 * surrogate pair, in which case the whole sort falls back to the code-point comparator.
 */
export function canonicalSort(samples: readonly Sample[]): Sample[] {
  return sortKeyed(samples).map((k) => k.s);
}

interface Keyed {
  s: Sample;
  /** labelKey(s.labels) */
  lk: string;
  /** name U+0000 unit U+0000 lk */
  k: string;
}

function sortKeyed(samples: readonly Sample[]): Keyed[] {
  let astral = false;
  const keyed = samples.map((s) => {
    const lk = labelKey(s.labels);
    const k = `${s.name}\u0000${s.unit}\u0000${lk}`;
    if (!astral && SURROGATE.test(k)) astral = true;
    return { s, lk, k };
  });
  const byTime = (a: Sample, b: Sample) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0);
  if (astral) keyed.sort((a, b) => compareCodePoints(a.k, b.k) || byTime(a.s, b.s));
  else keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : byTime(a.s, b.s)));
  return keyed;
}

const NAN_BITS = { low: 0, high: 0x7ff80000, unsigned: true };

/**
 * Encode with protobufjs' Writer (fork/ldelim). Measured against a hand-written pre-sizing
 * writer producing the same bytes, it was consistently 5–10 % faster (scripts/bench.ts).
 */
export function encodeMetrics(identity: Labels, samples: readonly Sample[]): Uint8Array<ArrayBuffer> {
  const sorted = sortKeyed(samples);
  for (const { s } of sorted) {
    if (s.temporality === "delta") throw new EncodeError(`sample ${s.name}: delta temporality is not accepted`);
    if (s.kind !== "gauge") throw new EncodeError(`sample ${s.name}: gauge only`);
  }
  const w = protobuf.Writer.create();
  w.uint32(10).fork(); // resource_metrics
  w.uint32(10).fork(); // resource (always present)
  for (const k of sortedKeys(identity)) writeKv(w, 1, k, identity[k] ?? "");
  w.ldelim();
  w.uint32(18).fork(); // scope_metrics
  w.uint32(10).fork().uint32(10).string(SCOPE_NAME).ldelim(); // scope
  let open: Sample | undefined;
  const keysCache = new Map<string, readonly string[]>();
  for (const { s, lk } of sorted) {
    if (!open || open.name !== s.name || open.unit !== s.unit) {
      if (open) w.ldelim().ldelim(); // gauge, metric
      w.uint32(18).fork().uint32(10).string(s.name);
      if (s.unit !== "") w.uint32(26).string(s.unit);
      w.uint32(42).fork();
      open = s;
    }
    w.uint32(10).fork(); // data_points
    w.uint32(25).fixed64(longBits(s.timestamp));
    // as_double: a oneof member, written even for 0; NaN as the canonical quiet NaN.
    if (Number.isNaN(s.value)) w.uint32(33).fixed64(NAN_BITS);
    else w.uint32(33).double(s.value);
    let keys = keysCache.get(lk);
    if (!keys) {
      keys = sortedKeys(s.labels);
      keysCache.set(lk, keys);
    }
    for (const k of keys) writeKv(w, 7, k, s.labels[k] ?? "");
    w.ldelim();
  }
  if (open) w.ldelim().ldelim();
  w.ldelim().ldelim();
  const out = w.finish();
  return new Uint8Array(out.buffer as ArrayBuffer, out.byteOffset, out.length);
}
