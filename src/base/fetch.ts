/**
 * The one transport signature every outbound caller takes, so tests and the demo can swap the
 * network for an in-process handler. `tls` and `proxy` are Bun's fetch extensions (the hardened
 * client pins the checked address and names the proxy per request).
 */
export type FetchLike = (
  url: string,
  init: RequestInit & { tls?: Record<string, unknown>; proxy?: string },
) => Promise<Response>;
