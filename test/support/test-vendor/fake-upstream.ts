/**
 * The records loop's fake upstream: deterministic pages over one window, each record carrying
 * content fields (a canary in every one) that the loop must never let through.
 */
export const CANARY = "ZZCANARY-TESTLOGS-7f3aZZ";

export interface FakeRecords {
  url: string;
  /** Requests seen (path and query). */
  requests: URL[];
  stop(): void;
}

export function upstreamRecord(page: number, i: number, perPage: number) {
  const n = page * perPage + i;
  return {
    id: `r${n}`,
    offset_s: 60 + n * 7,
    run_type: n % 2 === 0 ? "llm" : "chain",
    status: n % 3 === 2 ? "error" : "success",
    latency_ms: 100 + n,
    trace_id: (n + 1).toString(16).padStart(32, "0"),
    inputs: { messages: [`${CANARY} prompt ${n}`] },
    outputs: `${CANARY} completion ${n}`,
    metadata: { user: `${CANARY} user` },
    error: `${CANARY} stack`,
  };
}

/** `pages` pages of `perPage` records; the cursor is `p<N>`; `mode` "malformed" breaks the body. */
export function startFakeRecords(o: { pages: number; mode?: () => "ok" | "malformed" | "hang" }): FakeRecords {
  const requests: URL[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      requests.push(u);
      const mode = o.mode?.() ?? "ok";
      if (mode === "malformed") return Response.json({ records: "not a list", next: null });
      if (mode === "hang") await new Promise((resolve) => req.signal.addEventListener("abort", resolve));
      const perPage = Number(u.searchParams.get("per_page") ?? "4");
      const cursor = u.searchParams.get("cursor") ?? "";
      const page = cursor === "" ? 0 : Number(cursor.slice(1));
      const recs = Array.from({ length: perPage }, (_, i) => upstreamRecord(page, i, perPage));
      return Response.json({ records: recs, next: page + 1 < o.pages ? `p${page + 1}` : null, prompt: CANARY });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}
