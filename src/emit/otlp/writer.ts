/**
 * A minimal protobuf writer for the canonical OTLP layout (emit.md §5.2): sizes are computed
 * first, then everything is written into one buffer, so nested lengths are minimal varints and
 * no bytes are moved or copied.
 */
export const LEN = 2;
export const I64 = 1;
export const VARINT = 0;

export function varintSize(n: number): number {
  let size = 1;
  let v = n;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/** Size of a length-delimited field (tag < 16 ⇒ one tag byte) with a payload of `len` bytes. */
export function lenFieldSize(len: number): number {
  return 1 + varintSize(len) + len;
}

export class Writer {
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
      // Canonical quiet NaN 0x7FF8000000000000 (emit.md §5.2 rule 7).
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
