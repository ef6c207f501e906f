/**
 * A test-only logs loop, written against the same seam as the product loops: it pages through
 * one fixed window of records from a fake upstream (`fake-upstream.ts`) with an opaque cursor,
 * keeps only content-free fields, and moves the watermark to the window end after the last
 * page. It exists so the logs plane can be proven end to end before a vendor's logs loop does.
 */

import { promotedIndexedKeys } from "../../../src/governance/promotions.ts";
import { formatDuration } from "../../../src/model/duration.ts";
import { formatRfc3339Seconds, NS_PER_S, parseRfc3339, type Time } from "../../../src/model/time.ts";
import type { Batch, LogRecord, Watermark } from "../../../src/model/types.ts";
import type { HttpClient } from "../../../src/net/client.ts";
import { defineLoop } from "../../../src/sources/define.ts";
import type { Loop, LoopDeps } from "../../../src/sources/loop.ts";
import { SettingsReader, warnUnknown } from "../../../src/sources/settings.ts";

export interface RecordsSettings {
  cadence: number;
  perPage: number;
  windowStart: Time;
  windowEnd: Time;
  indexedKeys: string[];
}

/** One upstream record as the fake serves it (content fields included, to be stripped). */
interface UpstreamRecord {
  id: string;
  offset_s: number;
  run_type: string;
  status: string;
  latency_ms: number;
  trace_id: string;
  [content: string]: unknown;
}

function decodePage(json: unknown): { records: UpstreamRecord[]; next: string } {
  const o = json as { records?: unknown; next?: unknown } | null;
  if (!o || !Array.isArray(o.records)) throw new Error("records: response has no records list");
  if (o.next !== null && typeof o.next !== "string") throw new Error("records: next is neither a string nor null");
  for (const r of o.records as unknown[]) {
    const x = r as Partial<UpstreamRecord> | null;
    if (!x || typeof x.id !== "string" || typeof x.offset_s !== "number" || typeof x.trace_id !== "string") {
      throw new Error("records: a record lacks id, offset_s or trace_id");
    }
  }
  return { records: o.records as UpstreamRecord[], next: (o.next as string | null) ?? "" };
}

/** Keep the content-free fields only; nothing the upstream adds can reach a record. */
function strip(r: UpstreamRecord, windowStart: Time, indexedKeys: string[]): LogRecord {
  const fields: Record<string, string> = {
    run_type: String(r.run_type),
    status: String(r.status),
    id: r.id,
    latency_ms: String(r.latency_ms),
  };
  const indexed: Record<string, string> = {};
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) (indexedKeys.includes(k) ? indexed : attrs)[k] = v;
  return {
    timestamp: windowStart + BigInt(r.offset_s) * NS_PER_S,
    body: "",
    severity: r.status === "error" ? "ERROR" : "INFO",
    indexedAttributes: indexed,
    recordAttributes: attrs,
    traceId: /^[0-9a-f]{32}$/.test(r.trace_id) ? Buffer.from(r.trace_id, "hex") : new Uint8Array(0),
  };
}

class RecordsLoop implements Loop {
  readonly name = "records";
  readonly sourceInstance: string;
  readonly cadence: number;
  readonly window = 0;
  readonly maxBackfill = 0;

  constructor(
    readonly key: Loop["key"],
    private readonly s: RecordsSettings,
    private readonly client: HttpClient,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = s.cadence;
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    if (since.time >= this.s.windowEnd) return { key: this.key, samples: [], logs: [], watermark: since };
    const q = new URLSearchParams({
      start: formatRfc3339Seconds(this.s.windowStart),
      end: formatRfc3339Seconds(this.s.windowEnd),
      per_page: String(this.s.perPage),
      cursor: since.cursor,
    });
    const r = await this.client.getJson(`/records?${q}`, signal);
    if (r.status === 401 || r.status === 403) this.deps.report({ kind: "auth_error" });
    if (r.status !== 200) throw new Error(`records: status ${r.status}`);
    const page = decodePage(r.json);
    const logs = page.records.map((x) => strip(x, this.s.windowStart, this.s.indexedKeys));
    // Mid-window the cursor carries the position; the window end is the watermark once done.
    const watermark: Watermark =
      page.next !== "" ? { ...since, cursor: page.next } : { ...since, time: this.s.windowEnd, cursor: "" };
    return { key: this.key, samples: [], logs, watermark };
  }
}

export const records = defineLoop<RecordsSettings, HttpClient>({
  name: "records",
  signal: "logs",
  summary: "Test-only: pages through one window of records.",
  parse({ loop: l, warn }) {
    const where = "testlogs records";
    if (l.window !== 0) throw new Error(`${where}: window must be 0; got ${formatDuration(l.window)}`);
    const r = new SettingsReader(where, l.settings);
    const perPage = r.int("per_page", 4);
    r.check(perPage > 0, "settings.per_page must be > 0");
    const startText = r.raw("window_start") ?? "";
    const start = parseRfc3339(startText);
    r.check(start !== undefined, `settings.window_start must be an RFC 3339 time, got ${JSON.stringify(startText)}`);
    const span = r.duration("window_span", 3600e9);
    r.check(span > 0, "settings.window_span must be > 0");
    r.csv("extra_indexed_fields");
    r.done();
    warnUnknown(r, "records", warn);
    const windowStart = start ?? 0n;
    return {
      cadence: l.cadence,
      perPage,
      windowStart,
      windowEnd: windowStart + BigInt(Math.trunc(span)),
      indexedKeys: [...new Set(["run_type", "status", ...promotedIndexedKeys(l.settings)])].sort(),
    };
  },
  instances: (s) => [{ indexedKeys: s.indexedKeys, naming: "records" }],
  create: (s, planned, client, deps) => new RecordsLoop(planned.key, s, client, deps),
});
