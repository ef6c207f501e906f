/**
 * The one `GET /sessions` list request (a LangSmith "session" is a project), shared by the
 * `sessions` and `usage` loops and the `runs` loop's discovery so the three cannot drift:
 * `sort_by=start_time` is always sent (the edge refuses a bare offset/limit list), and paging
 * stops on a short page, on the cap, or on a page that adds nothing new (a server that ignores
 * `offset` would otherwise be paged forever).
 */
import { formatRfc3339Seconds, type Time } from "../../model/time.ts";
import type { HttpClient, JsonResponse } from "../../net/client.ts";
import { type LoopReport, QuotaExhausted } from "../outcome.ts";
import { DecodeError, isObject, type JsonObject } from "./json.ts";
import type { ProjectListSettings } from "./settings.ts";
import { STATS_BODY_CAP } from "./shared.ts";

export interface ListQuery {
  limit: number;
  offset: number;
  /** A LangSmith filter expression, sent only when non-empty. */
  filter: string;
  /** With statistics from this time on (sessions, usage); absent for discovery. */
  statsStart?: Time;
  /** `use_approx_stats=true` (sessions only; never sent as false). */
  approx?: boolean;
}

/** `/sessions?…`, parameters in alphabetical order, form-encoded. */
export function sessionsPath(q: ListQuery): string {
  const params: [string, string][] = [
    ["limit", String(q.limit)],
    ["offset", String(q.offset)],
    ["sort_by", "start_time"],
    ["sort_by_desc", "true"],
  ];
  if (q.filter !== "") params.push(["filter", q.filter]);
  if (q.statsStart !== undefined) {
    params.push(["include_stats", "true"], ["stats_start_time", formatRfc3339Seconds(q.statsStart)]);
  }
  if (q.approx) params.push(["use_approx_stats", "true"]);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `/sessions?${new URLSearchParams(params)}`;
}

export interface Paged<T> {
  items: T[];
  capped: boolean;
}

/**
 * Every page from offset 0: first occurrence of an id wins, at most `cap` kept. `fetchPage`
 * returns one page's items (already decoded) or throws; items `keep` refuses are skipped.
 */
export async function pageProjects<T extends { id: string }>(
  fetchPage: (offset: number) => Promise<T[]>,
  pageSize: number,
  cap: number,
  keep: (item: T) => boolean = () => true,
): Promise<Paged<T>> {
  const seen = new Set<string>();
  const items: T[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await fetchPage(offset);
    let added = 0;
    for (const item of page) {
      if (seen.has(item.id) || !keep(item)) continue;
      seen.add(item.id);
      items.push(item);
      added++;
      if (items.length >= cap) return { items, capped: true };
    }
    if (page.length < pageSize || added === 0) return { items, capped: false };
  }
}

/** How a stats page request failed, for the loop's message and signals. */
export interface PageContext {
  client: HttpClient;
  /** `langsmith` (sessions) or `langsmith usage`: the head of every error message. */
  where: string;
  report(r: LoopReport): void;
  signal: AbortSignal;
}

/**
 * One `/sessions` page with statistics, as a bare JSON array: 429 is the quota sentinel,
 * 401/403 also report an auth error, any other non-200 or an undecodable body fails the collect.
 */
export async function fetchStatsPage<T>(
  ctx: PageContext,
  query: ListQuery,
  decode: (o: JsonObject) => T,
): Promise<T[]> {
  let res: JsonResponse;
  try {
    res = await ctx.client.getJson(sessionsPath(query), ctx.signal, { successCap: STATS_BODY_CAP, errorCap: 2048 });
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    throw new Error(`${ctx.where}: fetch sessions (offset ${query.offset}): ${errorText(e)}`);
  }
  if (res.status === 429) throw new QuotaExhausted(`${ctx.where}: sessions status 429`);
  if (res.status !== 200) {
    if (res.status === 401 || res.status === 403) ctx.report({ kind: "auth_error" });
    throw new Error(`${ctx.where}: sessions status ${res.status}`);
  }
  try {
    if (!Array.isArray(res.json)) throw new DecodeError("the body is not a JSON array");
    return res.json.map((item, i) => {
      if (!isObject(item)) throw new DecodeError(`element ${i} is not an object`);
      return decode(item);
    });
  } catch (e) {
    throw new Error(`${ctx.where}: fetch sessions (offset ${query.offset}): decode: ${errorText(e)}`);
  }
}

/**
 * Every `/sessions` page with statistics since `statsStart`, up to `max_sessions` (a cap reached
 * is a warning, not a counted gap: the reference's rule). `loop` names the loop in the warning.
 */
export async function listWithStats<T extends { id: string }>(
  ctx: PageContext & { warn: (msg: string, attrs?: Record<string, unknown>) => void },
  s: ProjectListSettings,
  statsStart: Time,
  decode: (o: JsonObject) => T,
  loop: string,
  approx = false,
): Promise<T[]> {
  const { items, capped } = await pageProjects(
    (offset) =>
      fetchStatsPage(ctx, { limit: s.pageLimit, offset, filter: s.sessionFilter, statsStart, approx }, decode),
    s.pageLimit,
    s.maxSessions,
  );
  if (capped) {
    ctx.warn(`langsmith ${loop}: project list capped at settings.max_sessions`, { max_sessions: s.maxSessions });
  }
  return items;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
