/** `-healthcheck`: probe the local health server; exit 0 iff `/healthz` is 200. */

/** Local base URL for a `[host]:port` listen address. */
export function localHealthUrl(addr: string): string {
  const m = /^(.*):([^:\]]*)$/.exec(addr);
  if (!m) return `http://127.0.0.1:${addr}`;
  let host = m[1] ?? "";
  const port = m[2] ?? "";
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" || host === "0.0.0.0" || host === "::") host = "127.0.0.1";
  if (host.includes(":")) host = `[${host}]`;
  return `http://${host}:${port}`;
}

export async function healthcheck(addr: string): Promise<number> {
  try {
    const res = await fetch(`${localHealthUrl(addr)}/healthz`, {
      signal: AbortSignal.timeout(3000),
      redirect: "manual",
    });
    await res.body?.cancel();
    return res.status === 200 ? 0 : 1;
  } catch {
    return 1;
  }
}
