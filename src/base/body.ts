/**
 * Reading a response body within a byte budget. The runtime's automatic decompression is off
 * for every outbound request (`decompress: false`): it would inflate a small compressed body to
 * any size before a cap on the decoded bytes could trip. Instead the compressed bytes are read
 * up to the cap and inflated here with the same cap on the output, so a 2 MB body that inflates
 * to 2 GiB costs at most the cap.
 */

/** The encodings a JSON request advertises; Go's client asks for gzip the same way. */
export const ACCEPTED_ENCODINGS = "gzip";

export async function readCapped(res: Response, cap: number): Promise<{ bytes: Uint8Array; over: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(0), over: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      if (total + value.length > cap) {
        chunks.push(value.subarray(0, cap - total));
        total = cap;
        over = true;
        break;
      }
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { bytes: Buffer.concat(chunks), over };
}

/** The body's content coding, lower-cased; "" for none or identity. */
export function contentCoding(res: Response): string {
  const value = (res.headers.get("content-encoding") ?? "").trim().toLowerCase();
  return value === "identity" ? "" : value;
}

/** A body in a coding this reader does not know, or one that does not inflate. */
export class UndecodableBody extends Error {}

/**
 * The decoded body, read with at most `cap` bytes on the wire and at most `cap` bytes after
 * inflating. `over` is true when either budget was exhausted (the bytes are then cut short).
 * An unknown coding throws: its bytes cannot be read as JSON or text.
 */
export async function readDecoded(res: Response, cap: number): Promise<{ bytes: Uint8Array; over: boolean }> {
  const coding = contentCoding(res);
  const raw = await readCapped(res, cap);
  if (coding === "") return raw;
  // Loaded on the first compressed body, not at start-up: most APIs answer uncompressed.
  const zlib = coding === "gzip" || coding === "x-gzip" || coding === "deflate" ? await import("node:zlib") : undefined;
  const inflate = coding === "deflate" ? zlib?.inflateSync : zlib?.gunzipSync;
  if (!inflate) throw new UndecodableBody(`unsupported Content-Encoding ${JSON.stringify(coding.slice(0, 40))}`);
  if (raw.over) return { bytes: new Uint8Array(0), over: true };
  try {
    return { bytes: inflate(raw.bytes, { maxOutputLength: cap }), over: false };
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      return { bytes: new Uint8Array(0), over: true };
    }
    throw new UndecodableBody(`${coding} body does not decode`);
  }
}
