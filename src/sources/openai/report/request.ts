/**
 * One GET against a provider's admin report API, with the outcomes both providers' loops act
 * on: 200 → the decoded JSON (body capped); 404 → NOT_FOUND for the caller to skip or fail;
 * 401/403 → an auth report and a throw; 429 → the shared cooldown armed from `Retry-After`, a
 * `rate_limited` report and a throw; anything else → a throw. Error texts carry only the
 * machine fields of the error body the provider's `errorText` picks (type, code, request id),
 * never its message: a 401 message echoes part of the key.
 */
import { readDecoded, UndecodableBody } from "../../../base/body.ts";
import type { HttpClient } from "../../../net/client.ts";
import type { LoopDeps } from "../../loop.ts";
import type { Cooldown } from "./cooldown.ts";

/** A success body is read up to this size; a longer one fails the collect. */
export const SUCCESS_BODY_CAP = 4 * 1024 * 1024;
const ERROR_BODY_CAP = 2048;

/** A per-request timeout covering connect, headers and the whole body. */
export const REQUEST_TIMEOUT_MS = 30_000;

export const NOT_FOUND = Symbol("not found");

/** What a provider's admin API is to the report loops. */
export interface AdminApi {
  /** `openai`, `anthropic`: the first word of every error. */
  vendor: string;
  /** The source's `base_url`, without a trailing slash. */
  baseUrl: string;
  client: HttpClient;
  /** Fixed headers every request carries (`anthropic-version`). */
  headers: Record<string, string>;
  cooldown: Cooldown;
  /** The machine-readable part of an error body; "" when it has none. */
  errorText(body: unknown): string;
}

/** An identifier-like token from an error body; anything else is dropped, not echoed. */
export function token(value: unknown): string {
  return typeof value === "string" && /^[A-Za-z0-9_.:-]{1,100}$/.test(value) ? value : "";
}

export interface RequestContext {
  api: AdminApi;
  loop: string;
  deps: Pick<LoopDeps, "report" | "now">;
  signal: AbortSignal;
}

export async function getReport(
  ctx: RequestContext,
  path: string,
  query: URLSearchParams,
): Promise<unknown | typeof NOT_FOUND> {
  const { api, loop, deps, signal } = ctx;
  const where = `${api.vendor} ${loop}`;
  const res = await api.client.send(`${api.baseUrl}${path}?${query}`, signal, {
    headers: { ...api.headers, "Accept-Encoding": "gzip" },
  });
  if (res.status === 200) {
    const { bytes, over } = await readDecoded(res, SUCCESS_BODY_CAP);
    if (over) throw new Error(`${where}: ${path}: response body exceeds ${SUCCESS_BODY_CAP} bytes`);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new Error(`${where}: ${path}: malformed JSON body`);
    }
  }
  const detail = await errorDetail(api, res);
  if (res.status === 404) return NOT_FOUND;
  if (res.status === 401 || res.status === 403) deps.report({ kind: "auth_error" });
  if (res.status === 429) {
    api.cooldown.arm(res.headers.get("retry-after"), deps.now());
    deps.report({ kind: "part_skipped", part: "rate_limited", reason: "429 from the provider" });
  }
  throw new Error(`${where}: ${path}: status ${res.status}${detail === "" ? "" : ` (${detail})`}`);
}

async function errorDetail(api: AdminApi, res: Response): Promise<string> {
  const { bytes } = await readDecoded(res, ERROR_BODY_CAP).catch((e) => {
    if (e instanceof UndecodableBody) return { bytes: new Uint8Array(0) };
    throw e;
  });
  try {
    return api.errorText(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return "";
  }
}
