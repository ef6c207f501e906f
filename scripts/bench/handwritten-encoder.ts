/** The earlier hand-written pre-sizing encoder, kept only as a benchmark baseline (same bytes). */

import { canonicalSort, EncodeError } from "../../src/emit/otlp/metrics.ts";
import { SCOPE_NAME } from "../../src/emit/otlp/wire.ts";
import { sortedKeys, utf8Length } from "../../src/model/order.ts";
import type { Labels, Sample } from "../../src/model/types.ts";

const LEN = 2;
const I64 = 1;

function varintSize(n: number): number {
  let size = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Size of a length-delimited field (tag < 16 ⇒ one tag byte) with a payload of `len` bytes. */
function lenFieldSize(len: number): number {
  return 1 + varintSize(len) + len;
}

class Writer {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly buf: Buffer;
  pos = 0;
  private readonly f64 = new Float64Array(1);
  private readonly f64bytes = new Uint8Array(this.f64.buffer);

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.buf = Buffer.from(this.bytes.buffer, 0, size);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  /** Field header of a length-delimited field. */
  lenHeader(field: number, len: number): void {
    this.tag(field, LEN);
    this.varint(len);
  }

  string(field: number, s: string, byteLen: number): void {
    this.lenHeader(field, byteLen);
    this.pos += this.buf.write(s, this.pos, byteLen, "utf8");
  }

  fixed64(field: number, v: bigint): void {
    this.tag(field, I64);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
  }

  double(field: number, v: number): void {
    this.tag(field, I64);
    if (Number.isNaN(v)) {
      // Canonical quiet NaN 0x7FF8000000000000.
      this.buf.writeBigUInt64LE(0x7ff8000000000000n, this.pos);
    } else {
      this.f64[0] = v;
      this.buf.set(this.f64bytes, this.pos);
    }
    this.pos += 8;
  }

  finish(): Uint8Array<ArrayBuffer> {
    if (this.pos !== this.buf.length) throw new Error(`protobuf writer: sized ${this.buf.length}, wrote ${this.pos}`);
    return this.bytes;
  }
}
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
export function encodeMetricsHandwritten(identity: Labels, samples: readonly Sample[]): Uint8Array<ArrayBuffer> {
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
