/**
 * `fetchAll`: one query, followed through its `next_page` cursors. Both providers page by
 * buckets with `has_more` and `next_page`; a cursor that is missing while more is promised, a
 * cursor seen before, or more pages than `max_pages` fails the collect (and is reported as
 * `pagination`) rather than emitting a window with a hole in it.
 */
import { getReport, NOT_FOUND, type RequestContext } from "./request.ts";

/** One decoded page: its buckets still raw, and where the next one is. */
export interface Page {
  buckets: unknown[];
  hasMore: boolean;
  nextPage: string | null;
}

export async function fetchAll(
  ctx: RequestContext,
  path: string,
  query: URLSearchParams,
  decodePage: (json: unknown) => Page,
  maxPages: number,
): Promise<unknown[] | typeof NOT_FOUND> {
  const buckets: unknown[] = [];
  const seen = new Set<string>();
  let cursor = "";
  for (let n = 1; ; n++) {
    const q = new URLSearchParams(query);
    if (cursor !== "") q.set("page", cursor);
    const json = await getReport(ctx, path, q);
    if (json === NOT_FOUND) return NOT_FOUND;
    const page = decodePage(json);
    buckets.push(...page.buckets);
    if (!page.hasMore) return buckets;
    const next = page.nextPage ?? "";
    const problem =
      next === ""
        ? "has_more without a next_page"
        : seen.has(next)
          ? "a next_page seen before"
          : n >= maxPages
            ? `more than max_pages ${maxPages} pages`
            : "";
    if (problem !== "") {
      ctx.deps.report({ kind: "part_skipped", part: "pagination", reason: problem });
      throw new Error(`${ctx.api.vendor} ${ctx.loop}: ${path}: pagination stopped: ${problem}`);
    }
    seen.add(next);
    cursor = next;
  }
}

/** The fields both envelopes share; `object: "page"` is OpenAI's and checked by its decoder. */
export function decodePageFields(json: unknown, where: string): Page & { body: Record<string, unknown> } {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new Error(`${where}: page is not an object`);
  const body = json as Record<string, unknown>;
  if (!Array.isArray(body.data)) throw new Error(`${where}: page.data is not an array`);
  if (typeof body.has_more !== "boolean") throw new Error(`${where}: page.has_more is not a boolean`);
  const next = body.next_page;
  if (next !== null && next !== undefined && typeof next !== "string") {
    throw new Error(`${where}: page.next_page is not a string`);
  }
  return { body, buckets: body.data, hasMore: body.has_more, nextPage: typeof next === "string" ? next : null };
}
