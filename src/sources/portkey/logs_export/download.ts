/**
 * One chunk of an export page, streamed from its signed URL: at most `max` lines after the
 * `skip` lines (or the `byteOffset` bytes, with a Range request) already consumed. The object
 * is never buffered whole; malformed and over-long lines are counted and skipped, still
 * advancing the offsets so they are never read again. The signed URL's query string is a
 * bearer credential: it never appears in an error or a log line.
 */
import { contentCoding, readCapped } from "../../../base/body.ts";
import type { Time } from "../../../model/time.ts";
import type { LogRecord } from "../../../model/types.ts";
import { type HttpClient, safeUrl } from "../../../net/client.ts";
import type { LoopReport } from "../../outcome.ts";
import { LineReader, ObjectTooLarge } from "./lines.ts";
import { type StripPolicy, strip } from "./strip.ts";

export const MAX_OBJECT_BYTES = 512 * 1024 * 1024;
export const MAX_LINE_BYTES = 1024 * 1024;

export interface ChunkRequest {
  skip: number;
  byteOffset: number;
  max: number;
  fallback: Time;
  policy: StripPolicy;
  maxObjectBytes?: number;
  maxLineBytes?: number;
}

export interface Chunk {
  records: LogRecord[];
  linesRead: number;
  nextByteOffset: number;
  eof: boolean;
}

/** An error text with every query string, fragment and URL password taken out. */
export function scrub(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, "$1")
    .replace(/[?#]\S*/g, "")
    .trim();
}

/** Refuse a signed URL before any fetch: https (unless private hosts are allowed) to a listed host only. */
export function checkSignedUrl(raw: string, allowHosts: readonly string[], allowPrivate: boolean): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error("refusing download: the signed URL does not parse");
  }
  if (u.hostname === "") throw new Error("refusing download: the signed URL has no host");
  if (u.protocol !== "https:" && !allowPrivate) {
    throw new Error(`refusing download: the signed URL scheme ${u.protocol.replace(":", "")} is not https`);
  }
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (!allowHosts.some((h) => h.toLowerCase() === host)) {
    throw new Error(`refusing download: host ${host} is not in settings.signed_url_allow_hosts`);
  }
  return u;
}

export async function downloadChunk(
  client: HttpClient,
  url: URL,
  req: ChunkRequest,
  report: (r: LoopReport) => void,
  signal: AbortSignal,
): Promise<Chunk> {
  const headers: Record<string, string> = req.byteOffset > 0 ? { Range: `bytes=${req.byteOffset}-` } : {};
  let res: Response;
  try {
    res = await client.send(url.href, signal, { headers });
  } catch (e) {
    throw new Error(`signed-url download ${safeUrl(url.href)}: ${scrub(e instanceof Error ? e.message : String(e))}`);
  }
  let base = 0;
  let skip = req.skip;
  if (res.status === 206) {
    const start = /^bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1];
    if (req.byteOffset <= 0 || start === undefined || Number(start) !== req.byteOffset) {
      await res.body?.cancel();
      throw new Error(`signed-url download: 206 with Content-Range not starting at byte ${req.byteOffset}`);
    }
    base = req.byteOffset;
    skip = 0;
  } else if (res.status === 416 && req.byteOffset > 0) {
    // The page ended exactly at the previous chunk: nothing left past its last byte.
    await res.body?.cancel();
    return { records: [], linesRead: 0, nextByteOffset: req.byteOffset, eof: true };
  } else if (res.status !== 200) {
    const head = await readCapped(res, 256).catch(() => ({ bytes: new Uint8Array(0) }));
    const text = scrub(new TextDecoder().decode(head.bytes).replace(/\s+/g, " "));
    throw new Error(`signed-url download status ${res.status}${text ? `: ${text}` : ""}`);
  }
  const coding = contentCoding(res);
  if (coding !== "") {
    // Asked for identity: byte offsets and Range resumes index the stored object, and an
    // inflated stream would have no bound. A store that encodes anyway is an error, not data.
    await res.body?.cancel();
    throw new Error(`signed-url download: Content-Encoding ${JSON.stringify(coding.slice(0, 40))} is not supported`);
  }
  if (!res.body) return { records: [], linesRead: skip, nextByteOffset: base, eof: true };
  const lines = new LineReader(
    res.body.getReader(),
    req.maxLineBytes ?? MAX_LINE_BYTES,
    req.maxObjectBytes ?? MAX_OBJECT_BYTES,
  );
  try {
    let consumed = 0;
    for (let i = 0; i < skip; i++) {
      const l = await lines.next();
      if (l.kind === "eof") return { records: [], linesRead: req.skip, nextByteOffset: base + consumed, eof: true };
      consumed += l.raw;
    }
    const records: LogRecord[] = [];
    let linesRead = 0;
    const decoder = new TextDecoder();
    while (linesRead < req.max) {
      const l = await lines.next();
      if (l.kind === "eof") break;
      consumed += l.raw;
      linesRead++;
      if (l.kind === "oversize") {
        report({ kind: "part_skipped", part: "line_oversize", reason: "an export line over the line cap" });
        continue;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(decoder.decode(l.bytes));
      } catch {
        obj = undefined;
      }
      // A literal null is an empty object (a record with only `source`); anything else not an object is unparseable.
      if (obj === null) obj = {};
      if (typeof obj !== "object" || obj === undefined || Array.isArray(obj)) {
        report({ kind: "part_skipped", part: "line_unparseable", reason: "an export line that is not a JSON object" });
        continue;
      }
      const rec = strip(obj as Record<string, unknown>, req.fallback, req.policy);
      const traceKey = req.policy.traceIdField || req.policy.metadataTraceIdField;
      if (traceKey !== "" && rec.traceId.length === 0 && (rec.recordAttributes[traceKey] ?? "") !== "") {
        report({ kind: "part_skipped", part: "trace_id_unparsed", reason: "a trace id that is not a UUID" });
      }
      records.push(rec);
    }
    return { records, linesRead, nextByteOffset: base + consumed, eof: linesRead < req.max };
  } catch (e) {
    if (e instanceof ObjectTooLarge) {
      throw new Error(`signed-url object exceeds ${req.maxObjectBytes ?? MAX_OBJECT_BYTES} bytes (truncated)`);
    }
    throw new Error(`signed-url download ${safeUrl(url.href)}: ${scrub(e instanceof Error ? e.message : String(e))}`);
  } finally {
    await lines.cancel();
  }
}
