/**
 * One `POST /runs/query` page: the request body (an explicit `select` that never names a
 * content field, second-truncated bounds, the cursor only when resuming) and the strict decode
 * of the answer (`runs` objects and the opaque `cursors.next`).
 */
import { formatRfc3339Seconds, type Time } from "../../../model/time.ts";
import type { HttpClient, JsonResponse } from "../../../net/client.ts";
import { type LoopReport, QuotaExhausted } from "../../outcome.ts";
import { DecodeError, isObject, type JsonObject } from "../json.ts";
import { errorText } from "../projects.ts";

export interface QueryRequest {
  scope: readonly string[];
  select: readonly string[];
  winMin: Time;
  winMax: Time;
  pageSize: number;
  /** The previous page's `cursors.next`; "" on a window's first page. */
  cursor: string;
  rootOnly: boolean;
  runType: string;
}

export interface QueryPage {
  runs: JsonObject[];
  /** "" when the window is exhausted. */
  next: string;
}

/** The body, keys in alphabetical order (as the reference marshals it). */
export function queryBody(q: QueryRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (q.cursor !== "") body.cursor = q.cursor;
  body.end_time = formatRfc3339Seconds(q.winMax);
  if (q.rootOnly) body.is_root = true;
  body.limit = q.pageSize;
  body.order = "asc";
  if (q.runType !== "") body.run_type = q.runType;
  body.select = [...q.select];
  body.session = [...q.scope];
  body.start_time = formatRfc3339Seconds(q.winMin);
  return body;
}

export function decodeQueryPage(json: unknown): QueryPage {
  if (!isObject(json)) throw new DecodeError("the body is not a JSON object");
  const runs: JsonObject[] = [];
  const list = json.runs;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) throw new DecodeError("field runs: want an array");
    for (const [i, run] of list.entries()) {
      // A null run is an empty one (a record carrying only `source`).
      if (run === null) runs.push({});
      else if (isObject(run)) runs.push(run);
      else throw new DecodeError(`runs[${i}] is not an object`);
    }
  }
  let next = "";
  const cursors = json.cursors;
  if (cursors !== undefined && cursors !== null) {
    if (!isObject(cursors)) throw new DecodeError("field cursors: want an object");
    const n = cursors.next;
    if (n !== undefined && n !== null) {
      if (typeof n !== "string") throw new DecodeError("field cursors.next: want a string");
      next = n;
    }
  }
  return { runs, next };
}

export async function queryRuns(
  client: HttpClient,
  q: QueryRequest,
  maxResponseBytes: number,
  report: (r: LoopReport) => void,
  signal: AbortSignal,
): Promise<QueryPage> {
  let res: JsonResponse;
  try {
    res = await client.postJson("/runs/query", queryBody(q), signal, { successCap: maxResponseBytes, errorCap: 512 });
  } catch (e) {
    if (signal.aborted) throw e;
    const text = errorText(e);
    const hint = text.includes("exceeds") ? " (lower settings.page_size or raise settings.max_response_bytes)" : "";
    throw new Error(`langsmith runs: query: ${text}${hint}`);
  }
  if (res.status === 429) throw new QuotaExhausted("langsmith runs: status 429");
  if (res.status !== 200) {
    if (res.status === 401 || res.status === 403) report({ kind: "auth_error" });
    // The client's snippet: whitespace collapsed, cut at the 512-byte error cap asked for above.
    const text = res.snippet;
    throw new Error(`langsmith runs: status ${res.status}${text ? `: ${text}` : ""}`);
  }
  try {
    return decodeQueryPage(res.json);
  } catch (e) {
    throw new Error(`langsmith runs: decode: ${errorText(e)}`);
  }
}
