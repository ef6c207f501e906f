/** Protobuf building blocks both OTLP encoders share. */
import type protobuf from "protobufjs/minimal.js";

/** `InstrumentationScope.name` of every product request (no version: it would split series). */
export const SCOPE_NAME = "genai-otel-bridge";

/** fixed64 from a bigint without going through a lossy Number. */
export function longBits(t: bigint): { low: number; high: number; unsigned: boolean } {
  const u = BigInt.asUintN(64, t);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true };
}

export function writeKv(w: protobuf.Writer, field: number, k: string, v: string): void {
  w.uint32((field << 3) | 2).fork();
  w.uint32(10).string(k);
  // AnyValue{string_value}: a oneof member, written even when empty.
  w.uint32(18).fork().uint32(10).string(v).ldelim();
  w.ldelim();
}
