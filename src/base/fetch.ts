/**
 * The one transport signature every outbound caller takes, so tests and the demo can swap the
 * network for an in-process handler. `tls`, `proxy` and `decompress` are Bun's fetch extensions
 * (the hardened client pins the checked address, names the proxy per request and inflates bodies
 * itself within a budget).
 */
export type FetchLike = (
  url: string,
  init: RequestInit & { tls?: Record<string, unknown>; proxy?: string; decompress?: boolean },
) => Promise<Response>;
