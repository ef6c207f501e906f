/**
 * What OpenAI's loops of one source share: one client (the source's rate limit covers both
 * loops) and one 429 cooldown. Also the envelope readers: pages, buckets, error bodies.
 */
import type { SourceConfig } from "../../config/types.ts";
import { NS_PER_S } from "../../model/time.ts";
import { sourceClient } from "../client.ts";
import type { SourceDeps } from "../loop.ts";
import type { Bucket } from "./report/buckets.ts";
import { Cooldown } from "./report/cooldown.ts";
import { decodePageFields, type Page } from "./report/pages.ts";
import { type AdminApi, REQUEST_TIMEOUT_MS, token } from "./report/request.ts";

export interface OpenaiShared {
  api: AdminApi;
}

/** `{"error":{"type":…,"code":…,"message":…}}`: the type and code, never the message (it echoes the key). */
export function openaiErrorText(body: unknown): string {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (typeof error !== "object" || error === null) return "";
  const type = token(error.type);
  const code = token(error.code);
  return [type && `type=${type}`, code && `code=${code}`].filter(Boolean).join(" ");
}

export function connectOpenai(s: SourceConfig, deps: SourceDeps): OpenaiShared {
  return {
    api: {
      vendor: "openai",
      baseUrl: s.base_url.replace(/\/+$/, ""),
      client: sourceClient(s, deps, { timeoutMs: REQUEST_TIMEOUT_MS }),
      headers: {},
      cooldown: new Cooldown("openai"),
      errorText: openaiErrorText,
    },
  };
}

/** `{"object":"page","data":[…],"has_more":…,"next_page":…}`. */
export function decodeOpenaiPage(json: unknown, where: string): Page {
  const page = decodePageFields(json, where);
  if (page.body.object !== "page") throw new Error(`${where}: page.object is not "page"`);
  return page;
}

/** `{"object":"bucket","start_time":<unix s>,"end_time":<unix s>,"results":[…]}`. */
export function decodeOpenaiBucket(raw: unknown, where: string): Bucket {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${where}: a bucket is not an object`);
  const b = raw as Record<string, unknown>;
  const seconds = (field: string): bigint => {
    const v = b[field];
    if (typeof v !== "number" || !Number.isSafeInteger(v))
      throw new Error(`${where}: bucket.${field} is not an integer`);
    return BigInt(v) * NS_PER_S;
  };
  if (!Array.isArray(b.results)) throw new Error(`${where}: bucket.results is not an array`);
  return { start: seconds("start_time"), end: seconds("end_time"), results: b.results };
}

/** Unix seconds of an aligned instant, as OpenAI's `start_time`/`end_time` take them. */
export const unixSeconds = (t: bigint): string => String(t / NS_PER_S);
