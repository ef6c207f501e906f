/**
 * One run object → one content-free log record, default-deny: a field survives only when the
 * policy lists it (indexed first, then record), and only as a scalar or a list of scalars.
 * Objects, nulls, empty lists and lists holding anything but scalars are dropped, never
 * stringified. The body is never set; `source=langsmith` is always there. Whatever content the
 * server returns (inputs, outputs, messages, events, extra, error text, names) ends here.
 */
import { scalarToString } from "../../../base/scalar.ts";
import { parseRfc3339, type Time } from "../../../model/time.ts";
import type { LogRecord } from "../../../model/types.ts";

export interface RunPolicy {
  indexed: ReadonlySet<string>;
  record: ReadonlySet<string>;
}

const ERROR_STATUSES = new Set(["error", "timeout", "interrupted"]);

/** A scalar, or a non-empty list of scalars joined with `,`; undefined for anything else. */
export function renderField(v: unknown): string | undefined {
  if (!Array.isArray(v)) return scalarToString(v);
  if (v.length === 0) return undefined;
  const parts: string[] = [];
  for (const item of v) {
    const s = scalarToString(item);
    if (s === undefined) return undefined;
    parts.push(s);
  }
  return parts.join(",");
}

const NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;

/**
 * `start_time` as LangSmith writes it — naive UTC with microseconds — or RFC 3339 with a zone;
 * nanoseconds kept, so a re-emitted record is byte-identical. Undefined when it is neither.
 */
export function runTime(v: unknown): Time | undefined {
  if (typeof v !== "string" || v === "") return undefined;
  return parseRfc3339(NAIVE.test(v) ? `${v}Z` : v);
}

export function stripRun(run: Record<string, unknown>, fallback: Time, p: RunPolicy): LogRecord {
  const indexed: Record<string, string> = {};
  const record: Record<string, string> = {};
  for (const [key, value] of Object.entries(run)) {
    const target = p.indexed.has(key) ? indexed : p.record.has(key) ? record : undefined;
    if (!target) continue;
    const rendered = renderField(value);
    if (rendered !== undefined) target[key] = rendered;
  }
  record.source = "langsmith";
  return {
    timestamp: runTime(run.start_time) ?? fallback,
    body: "",
    severity: ERROR_STATUSES.has(indexed.status ?? "") ? "ERROR" : "INFO",
    indexedAttributes: indexed,
    recordAttributes: record,
    traceId: new Uint8Array(0),
  };
}
