/**
 * Decode `partial_success` from an Export*ServiceResponse: top-level field 1
 * (last one wins) holds field 1 = rejected count (varint) and field 2 = error message.
 * Tolerant by design: anything malformed reads as "no partial success" — except a body cut
 * short inside the message, whose rejected count (written first) still counts: a gateway's
 * long explanation must not hide that points were dropped.
 */
function readVarint(b: Uint8Array, pos: number): [number, number] | undefined {
  let result = 0;
  let mul = 1;
  for (let i = pos; i < b.length && i < pos + 10; i++) {
    const byte = b[i] ?? 0;
    result += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return [result, i + 1];
    mul *= 128;
  }
  return undefined;
}

/** Skip one field's value; returns the next position or undefined when malformed. */
function skip(b: Uint8Array, pos: number, wire: number): number | undefined {
  switch (wire) {
    case 0:
      return readVarint(b, pos)?.[1];
    case 1:
      return pos + 8 <= b.length ? pos + 8 : undefined;
    case 2: {
      const r = readVarint(b, pos);
      if (!r || r[1] + r[0] > b.length) return undefined;
      return r[1] + r[0];
    }
    case 5:
      return pos + 4 <= b.length ? pos + 4 : undefined;
    default:
      return undefined;
  }
}

export function decodePartialSuccess(body: Uint8Array): { rejected: number; message: string } {
  let sub: Uint8Array | undefined;
  let pos = 0;
  while (pos < body.length) {
    const t = readVarint(body, pos);
    if (!t) break;
    const [tag, after] = t;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) {
      const l = readVarint(body, after);
      if (!l) break;
      if (l[1] + l[0] > body.length) {
        sub = body.subarray(l[1]); // cut short: decode what arrived
        break;
      }
      sub = body.subarray(l[1], l[1] + l[0]);
      pos = l[1] + l[0];
      continue;
    }
    const next = skip(body, after, wire);
    if (next === undefined) break;
    pos = next;
  }
  if (!sub) return { rejected: 0, message: "" };
  let rejected = 0;
  let message = "";
  pos = 0;
  while (pos < sub.length) {
    const t = readVarint(sub, pos);
    if (!t) return { rejected: 0, message: "" };
    const [tag, after] = t;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) {
      const v = readVarint(sub, after);
      if (!v) return { rejected: 0, message: "" };
      rejected = v[0];
      pos = v[1];
    } else if (field === 2 && wire === 2) {
      const l = readVarint(sub, after);
      if (!l) return { rejected: 0, message: "" };
      if (l[1] + l[0] > sub.length) {
        message = new TextDecoder().decode(sub.subarray(l[1])); // the part that arrived
        break;
      }
      message = new TextDecoder().decode(sub.subarray(l[1], l[1] + l[0]));
      pos = l[1] + l[0];
    } else {
      const next = skip(sub, after, wire);
      if (next === undefined) return { rejected: 0, message: "" };
      pos = next;
    }
  }
  return { rejected, message };
}
