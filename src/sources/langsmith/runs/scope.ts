/**
 * Which projects a `runs/query` covers. A static `session_ids` list wins (no request). Else
 * the projects matching `session_filter` are discovered and cached in memory: the cache is
 * reused while a window drains (the server's cursor is bound to page 1's scope) and refreshed
 * only on an idle tick past `session_refresh`. A failed discovery never falls back to a stale
 * list, and an empty one is an error: a query without scope would ask for every project.
 */
import type { Duration } from "../../../model/duration.ts";
import type { Time } from "../../../model/time.ts";
import type { HttpClient, JsonResponse } from "../../../net/client.ts";
import type { LoopReport } from "../../outcome.ts";
import { QuotaExhausted } from "../../outcome.ts";
import { DecodeError, isObject, optString } from "../json.ts";
import { errorText, pageProjects, sessionsPath } from "../projects.ts";

export interface ScopeSettings {
  sessionIds: readonly string[];
  sessionFilter: string;
  maxSessions: number;
  sessionRefresh: Duration;
  maxResponseBytes: number;
}

/** Discovery pages are a fixed 100 projects. */
export const DISCOVERY_PAGE = 100;

export class RunsScope {
  private cache: string[] = [];
  private cachedAt: Time = 0n;

  constructor(
    private readonly s: ScopeSettings,
    private readonly client: HttpClient,
    private readonly report: (r: LoopReport) => void,
    private readonly warn: (msg: string, attrs?: Record<string, unknown>) => void,
  ) {}

  async resolve(now: Time, draining: boolean, signal: AbortSignal): Promise<string[]> {
    if (this.s.sessionIds.length > 0) return [...this.s.sessionIds];
    const fresh = now - this.cachedAt < BigInt(Math.trunc(this.s.sessionRefresh));
    if (this.cache.length > 0 && (draining || fresh)) return this.cache;
    const ids = await this.discover(signal);
    if (ids.length === 0) throw new Error("langsmith runs: session_filter matched no projects (scope is empty)");
    this.cache = ids;
    this.cachedAt = now;
    return ids;
  }

  private async discover(signal: AbortSignal): Promise<string[]> {
    const { items, capped } = await pageProjects(
      (offset) => this.page(offset, signal),
      DISCOVERY_PAGE,
      this.s.maxSessions,
      (p) => p.id !== "",
    );
    if (capped) {
      this.warn("langsmith runs: project discovery capped at settings.max_sessions", {
        max_sessions: this.s.maxSessions,
      });
      this.report({ kind: "part_skipped", part: "sessions_truncated", reason: "discovery reached max_sessions" });
    }
    return items.map((p) => p.id);
  }

  /** One discovery page's ids (only `id` is read). */
  private async page(offset: number, signal: AbortSignal): Promise<{ id: string }[]> {
    const path = sessionsPath({ limit: DISCOVERY_PAGE, offset, filter: this.s.sessionFilter });
    let res: JsonResponse;
    try {
      res = await this.client.getJson(path, signal, { successCap: this.s.maxResponseBytes, errorCap: 512 });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new Error(`langsmith runs: discover sessions (offset ${offset}): ${errorText(e)}`);
    }
    if (res.status === 429) throw new QuotaExhausted("langsmith runs: discover sessions status 429");
    if (res.status !== 200) {
      // No auth signal here: only runs/query reports one (the reference's rule).
      // The client's snippet: whitespace collapsed, cut at the 512-byte error cap asked for above.
      const text = res.snippet;
      throw new Error(`langsmith runs: discover sessions status ${res.status}${text ? `: ${text}` : ""}`);
    }
    try {
      if (!Array.isArray(res.json)) throw new DecodeError("the body is not a JSON array");
      const out: { id: string }[] = [];
      for (const [i, item] of res.json.entries()) {
        if (!isObject(item)) throw new DecodeError(`element ${i} is not an object`);
        out.push({ id: optString(item, "id") ?? "" });
      }
      return out;
    } catch (e) {
      throw new Error(`langsmith runs: discover sessions (offset ${offset}): decode: ${errorText(e)}`);
    }
  }
}
