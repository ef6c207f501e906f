/**
 * What Anthropic's loops of one source share: one client, one 429 cooldown, the fixed
 * `anthropic-version` header; and the envelope readers. Built on the Usage and Cost Admin API
 * (`/v1/organizations/usage_report/messages`, `/cost_report`), now labelled legacy but still
 * supported: it is the family with a complete public reference and minute buckets that appear
 * within minutes, which a settle-and-watermark loop needs (see the README).
 */
import type { SourceConfig } from "../../config/types.ts";
import { parseRfc3339 } from "../../model/time.ts";
import { sourceClient } from "../client.ts";
import type { SourceDeps } from "../loop.ts";
import type { Bucket } from "../openai/report/buckets.ts";
import { Cooldown } from "../openai/report/cooldown.ts";
import { decodePageFields, type Page } from "../openai/report/pages.ts";
import { type AdminApi, REQUEST_TIMEOUT_MS, token } from "../openai/report/request.ts";

export const ANTHROPIC_VERSION = "2023-06-01";

export interface AnthropicShared {
  api: AdminApi;
}

/** `{"type":"error","error":{"type":…,"message":…},"request_id":…}`: type and request id, never the message. */
export function anthropicErrorText(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const b = body as { error?: { type?: unknown }; request_id?: unknown };
  const type = token(b.error?.type);
  const requestId = token(b.request_id);
  return [type && `type=${type}`, requestId && `request_id=${requestId}`].filter(Boolean).join(" ");
}

export function connectAnthropic(s: SourceConfig, deps: SourceDeps): AnthropicShared {
  return {
    api: {
      vendor: "anthropic",
      baseUrl: s.base_url.replace(/\/+$/, ""),
      client: sourceClient(s, deps, { timeoutMs: REQUEST_TIMEOUT_MS }),
      // No anthropic-beta header: nothing this source reads needs one.
      headers: { "anthropic-version": ANTHROPIC_VERSION },
      cooldown: new Cooldown("anthropic"),
      errorText: anthropicErrorText,
    },
  };
}

export function decodeAnthropicPage(json: unknown, where: string): Page {
  return decodePageFields(json, where);
}

/** `{"starting_at":<RFC 3339>,"ending_at":<RFC 3339>,"results":[…]}`. */
export function decodeAnthropicBucket(raw: unknown, where: string): Bucket {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${where}: a bucket is not an object`);
  const b = raw as Record<string, unknown>;
  const time = (field: string): bigint => {
    const v = b[field];
    const t = typeof v === "string" ? parseRfc3339(v) : undefined;
    if (t === undefined) throw new Error(`${where}: bucket.${field} is not an RFC 3339 time`);
    return t;
  };
  if (!Array.isArray(b.results)) throw new Error(`${where}: bucket.results is not an array`);
  return { start: time("starting_at"), end: time("ending_at"), results: b.results };
}
