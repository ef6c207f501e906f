/**
 * Decode an ExportMetricsServiceRequest carrying gauges back into points, and an
 * ExportLogsServiceRequest back into records. Used by the demo's built-in sink and by tests to
 * read what was really sent; not on the production path.
 */
export interface DecodedPoint {
  resource: Record<string, string>;
  metric: string;
  unit: string;
  labels: Record<string, string>;
  timeUnixNano: bigint;
  value: number;
}

type Field = { no: number; wire: number; bytes?: Uint8Array; varint?: bigint; fixed?: Uint8Array };

function* fields(b: Uint8Array): Generator<Field> {
  let pos = 0;
  const readVarint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= b.length) throw new Error("protobuf: truncated varint");
      const byte = b[pos++] ?? 0;
      v |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (pos < b.length) {
    const tag = Number(readVarint());
    const no = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, varint: readVarint() };
    else if (wire === 1) {
      yield { no, wire, fixed: b.subarray(pos, pos + 8) };
      pos += 8;
    } else if (wire === 2) {
      const len = Number(readVarint());
      if (pos + len > b.length) throw new Error("protobuf: truncated field");
      yield { no, wire, bytes: b.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 5) pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

const text = (b?: Uint8Array) => new TextDecoder().decode(b ?? new Uint8Array(0));

function kv(b: Uint8Array): [string, string] {
  let k = "";
  let v = "";
  for (const f of fields(b)) {
    if (f.no === 1) k = text(f.bytes);
    if (f.no === 2 && f.bytes) for (const a of fields(f.bytes)) if (a.no === 1) v = text(a.bytes);
  }
  return [k, v];
}

export interface DecodedRecord {
  resource: Record<string, string>;
  timeUnixNano: bigint;
  severity: string;
  /** "" when the record has no body. */
  body: string;
  attributes: Record<string, string>;
  traceId: string;
}

function resourceOf(b: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of fields(b)) {
    if (a.no !== 1 || !a.bytes) continue;
    const [k, v] = kv(a.bytes);
    out[k] = v;
  }
  return out;
}

export function decodeLogsRequest(body: Uint8Array): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const rl of fields(body)) {
    if (rl.no !== 1 || !rl.bytes) continue;
    let resource: Record<string, string> = {};
    const scopes: Uint8Array[] = [];
    for (const f of fields(rl.bytes)) {
      if (f.no === 1 && f.bytes) resource = resourceOf(f.bytes);
      if (f.no === 2 && f.bytes) scopes.push(f.bytes);
    }
    for (const sl of scopes) {
      for (const r of fields(sl)) {
        if (r.no !== 2 || !r.bytes) continue;
        const rec: DecodedRecord = { resource, timeUnixNano: 0n, severity: "", body: "", attributes: {}, traceId: "" };
        for (const f of fields(r.bytes)) {
          if (f.no === 1 && f.fixed) rec.timeUnixNano = Buffer.from(f.fixed).readBigUInt64LE();
          if (f.no === 3) rec.severity = text(f.bytes);
          if (f.no === 5 && f.bytes) for (const a of fields(f.bytes)) if (a.no === 1) rec.body = text(a.bytes);
          if (f.no === 6 && f.bytes) {
            const [k, v] = kv(f.bytes);
            rec.attributes[k] = v;
          }
          if (f.no === 9 && f.bytes) rec.traceId = Buffer.from(f.bytes).toString("hex");
        }
        out.push(rec);
      }
    }
  }
  return out;
}

export function decodeMetricsRequest(body: Uint8Array): DecodedPoint[] {
  const out: DecodedPoint[] = [];
  for (const rm of fields(body)) {
    if (rm.no !== 1 || !rm.bytes) continue;
    const resource: Record<string, string> = {};
    const scopes: Uint8Array[] = [];
    for (const f of fields(rm.bytes)) {
      if (f.no === 1 && f.bytes)
        for (const a of fields(f.bytes)) if (a.no === 1 && a.bytes) resource[kv(a.bytes)[0]] = kv(a.bytes)[1];
      if (f.no === 2 && f.bytes) scopes.push(f.bytes);
    }
    for (const sm of scopes) {
      for (const m of fields(sm)) {
        if (m.no !== 2 || !m.bytes) continue;
        let metric = "";
        let unit = "";
        const gauges: Uint8Array[] = [];
        for (const f of fields(m.bytes)) {
          if (f.no === 1) metric = text(f.bytes);
          if (f.no === 3) unit = text(f.bytes);
          if (f.no === 5 && f.bytes) gauges.push(f.bytes);
        }
        for (const g of gauges) {
          for (const dp of fields(g)) {
            if (dp.no !== 1 || !dp.bytes) continue;
            const labels: Record<string, string> = {};
            let t = 0n;
            let value = 0;
            for (const f of fields(dp.bytes)) {
              if (f.no === 3 && f.fixed) t = Buffer.from(f.fixed).readBigUInt64LE();
              if (f.no === 4 && f.fixed) value = Buffer.from(f.fixed).readDoubleLE();
              if (f.no === 7 && f.bytes) {
                const [k, v] = kv(f.bytes);
                labels[k] = v;
              }
            }
            out.push({ resource, metric, unit, labels, timeUnixNano: t, value });
          }
        }
      }
    }
  }
  return out;
}
