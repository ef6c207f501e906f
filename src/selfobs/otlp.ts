/**
 * Self-metrics → ExportMetricsServiceRequest: cumulative monotonic sums for
 * counters, gauges, explicit-bucket histograms, under the self resource identity. A cold path
 * (once a minute), so it builds nested messages by concatenation rather than pre-sizing.
 */
import { sortedKeys } from "../model/order.ts";
import type { Labels } from "../model/types.ts";
import type { Registry } from "./registry.ts";

type Bytes = Uint8Array;

function varint(n: number | bigint): Bytes {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
const tag = (field: number, wire: number) => varint(field * 8 + wire);
const cat = (parts: Bytes[]) => new Uint8Array(Buffer.concat(parts));
const len = (field: number, payload: Bytes) => cat([tag(field, 2), varint(payload.length), payload]);
const str = (field: number, s: string) => len(field, new TextEncoder().encode(s));
function fixed64(field: number, v: bigint): Bytes {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return cat([tag(field, 1), b]);
}
function double(field: number, v: number): Bytes {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return cat([tag(field, 1), b]);
}
const packedFixed64 = (field: number, vs: bigint[]) => {
  const b = Buffer.alloc(vs.length * 8);
  vs.forEach((v, i) => {
    b.writeBigUInt64LE(v, i * 8);
  });
  return len(field, b);
};
const packedDouble = (field: number, vs: number[]) => {
  const b = Buffer.alloc(vs.length * 8);
  vs.forEach((v, i) => {
    b.writeDoubleLE(v, i * 8);
  });
  return len(field, b);
};

function kvs(field: number, m: Labels): Bytes[] {
  return sortedKeys(m).map((k) => len(field, cat([str(1, k), len(2, str(1, m[k] ?? ""))])));
}

const CUMULATIVE = 2;

export function encodeSelfMetrics(resource: Labels, reg: Registry, nowNs: bigint): Uint8Array {
  const start = BigInt(reg.startMs) * 1_000_000n;
  const metrics: Bytes[] = [];
  for (const { instrument: i, series } of reg.snapshot()) {
    if (series.length === 0) continue;
    const head = [
      str(1, i.name),
      ...(i.description ? [str(2, i.description)] : []),
      ...(i.unit ? [str(3, i.unit)] : []),
    ];
    if (i.kind === "histogram") {
      const points = series
        .filter((s) => s.hist)
        .map((s) => {
          const h = s.hist as NonNullable<typeof s.hist>;
          return len(
            1,
            cat([
              fixed64(2, start),
              fixed64(3, nowNs),
              fixed64(4, BigInt(h.count)),
              double(5, h.sum),
              packedFixed64(
                6,
                h.counts.map((c) => BigInt(c)),
              ),
              packedDouble(7, i.bounds ?? []),
              ...kvs(9, s.labels),
              double(11, h.min),
              double(12, h.max),
            ]),
          );
        });
      metrics.push(len(2, cat([...head, len(9, cat([...points, tag(2, 0), varint(CUMULATIVE)]))])));
      continue;
    }
    const points = series.map((s) =>
      len(
        1,
        cat([
          ...(i.kind === "counter" ? [fixed64(2, start)] : []),
          fixed64(3, nowNs),
          double(4, s.value),
          ...kvs(7, s.labels),
        ]),
      ),
    );
    if (i.kind === "counter") {
      metrics.push(
        len(2, cat([...head, len(7, cat([...points, tag(2, 0), varint(CUMULATIVE), tag(3, 0), varint(1)]))])),
      );
    } else {
      metrics.push(len(2, cat([...head, len(5, cat(points))])));
    }
  }
  const scope = len(1, str(1, "genai-otel-bridge/selfobs"));
  const scopeMetrics = len(2, cat([scope, ...metrics]));
  const res = len(1, cat(kvs(1, resource)));
  return len(1, cat([res, scopeMetrics]));
}
