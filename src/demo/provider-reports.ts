/**
 * The simulated providers' report pages: OpenAI's usage endpoints and costs, Anthropic's
 * messages usage report and cost report, built from the world's per-minute traffic.
 */
import { ANTHROPIC_MODELS, json, OPENAI_MODELS, type ProviderWorld } from "./providers.ts";

const seconds = (ms: number) => Math.floor(ms / 1000);

/** An OpenAI usage or costs page. */
export function openaiReport(world: ProviderWorld, url: URL, nowMs: number): Response {
  const q = url.searchParams;
  const startMs = Number(q.get("start_time")) * 1000;
  const endMs = q.has("end_time") ? Number(q.get("end_time")) * 1000 : Number.MAX_SAFE_INTEGER;
  const grouped = q.getAll("group_by[]").flatMap((g) => g.split(","));
  const { shown, hasMore, nextPage } = world.page(q, startMs, endMs, nowMs);
  const endpoint = url.pathname.split("/").at(-1) ?? "";
  const isCosts = endpoint === "costs";
  if (!isCosts && endpoint !== "completions" && endpoint !== "embeddings") {
    return json({ error: { message: "not found", type: "invalid_request_error", param: null, code: null } }, 404);
  }
  const c = world.content;
  const data = shown.map(([s, e]) => {
    const results: Record<string, unknown>[] = [];
    OPENAI_MODELS.forEach(([model, inPrice, outPrice], m) => {
      if (isCosts) {
        const t = world.total(1, m, s, Math.min(e, nowMs - world.costLagMs), nowMs);
        const input = Math.round(t.input * inPrice) / 1e6;
        const output = Math.round(t.output * outPrice) / 1e6;
        for (const [kind, value] of [
          ["input", input],
          ["output", output],
        ] as const) {
          if (value === 0) continue;
          // Input amounts as JSON numbers, output amounts as decimal strings: both forms are seen.
          const amount = { value: kind === "input" ? value : value.toFixed(6), currency: "usd" };
          results.push({
            object: "organization.costs.result",
            amount,
            line_item: `${model}, ${kind}`,
            project_id: null,
            api_key_id: null,
            quantity: null,
            quantity_unit: null,
          });
        }
        return;
      }
      const t = world.total(endpoint === "embeddings" ? 3 : 1, m, s, e, nowMs);
      if (t.requests === 0) return;
      const row: Record<string, unknown> =
        endpoint === "embeddings"
          ? { object: "organization.usage.embeddings.result", input_tokens: t.input, num_model_requests: t.requests }
          : {
              object: "organization.usage.completions.result",
              input_tokens: t.input,
              output_tokens: t.output,
              input_cached_tokens: t.cached,
              num_model_requests: t.requests,
              batch: null,
              service_tier: null,
            };
      results.push({
        ...row,
        project_id: null,
        user_id: null,
        api_key_id: null,
        model: grouped.includes("model") ? model : null,
        prompt: c,
      });
    });
    return {
      object: "bucket",
      start_time: seconds(s),
      end_time: seconds(e),
      results: grouped.length > 0 || isCosts ? results : merged(results),
    };
  });
  return json({ object: "page", data, has_more: hasMore, next_page: nextPage });
}

/** An Anthropic messages usage report or cost report page. */
export function anthropicReport(world: ProviderWorld, url: URL, nowMs: number): Response {
  const q = url.searchParams;
  const startMs = Date.parse(q.get("starting_at") ?? "");
  const endMs = q.has("ending_at") ? Date.parse(q.get("ending_at") ?? "") : Number.MAX_SAFE_INTEGER;
  const grouped = q.getAll("group_by[]");
  const isCosts = url.pathname.endsWith("/cost_report");
  if (!isCosts && !url.pathname.endsWith("/usage_report/messages")) {
    return json(
      { type: "error", error: { type: "not_found_error", message: "not found" }, request_id: "req_demo" },
      404,
    );
  }
  const { shown, hasMore, nextPage } = world.page(q, startMs, endMs, nowMs);
  const c = world.content;
  const data = shown.map(([s, e]) => {
    const results: Record<string, unknown>[] = [];
    ANTHROPIC_MODELS.forEach(([model, inPrice, outPrice], m) => {
      if (isCosts) {
        const t = world.total(2, m, s, Math.min(e, nowMs - world.costLagMs), nowMs);
        const lines: [string, string, number][] = [
          ["uncached_input_tokens", "Input Tokens", ((t.input - t.cached) * inPrice) / 1e4],
          ["cache_read_input_tokens", "Cache Read", (t.cached * inPrice) / 1e5],
          ["output_tokens", "Output Tokens", (t.output * outPrice) / 1e4],
        ];
        for (const [tokenType, what, cents] of lines) {
          if (cents === 0) continue;
          const description = `${model} Usage - ${what} ${c}`;
          results.push(
            grouped.includes("description")
              ? {
                  amount: cents.toFixed(4),
                  currency: "USD",
                  description,
                  cost_type: "tokens",
                  model,
                  token_type: tokenType,
                  service_tier: "standard",
                  context_window: "0-200k",
                  inference_geo: "global",
                  workspace_id: null,
                }
              : {
                  amount: cents.toFixed(4),
                  currency: "USD",
                  description: null,
                  cost_type: null,
                  model: null,
                  token_type: null,
                  service_tier: null,
                  context_window: null,
                  inference_geo: null,
                  workspace_id: null,
                },
          );
        }
        return;
      }
      const t = world.total(2, m, s, e, nowMs);
      if (t.requests === 0) return;
      results.push({
        uncached_input_tokens: t.input - t.cached,
        cache_read_input_tokens: t.cached,
        cache_creation: { ephemeral_5m_input_tokens: Math.floor(t.cached / 4), ephemeral_1h_input_tokens: 0 },
        output_tokens: t.output,
        server_tool_use: { web_search_requests: t.webSearches },
        model: grouped.includes("model") ? model : null,
        service_tier: null,
        context_window: null,
        inference_geo: null,
        workspace_id: null,
        api_key_id: null,
        account_id: null,
        service_account_id: null,
        prompt: c,
      });
    });
    const rows = grouped.length > 0 || isCosts ? results : merged(results);
    return {
      starting_at: new Date(s).toISOString().replace(".000Z", "Z"),
      ending_at: new Date(e).toISOString().replace(".000Z", "Z"),
      results: rows,
    };
  });
  return json({ data, has_more: hasMore, next_page: nextPage });
}

/** Ungrouped: one row per bucket, every number summed (nested objects too), dimensions null. */
function merged(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  if (rows.length <= 1) return rows;
  const add = (a: unknown, b: unknown): unknown => {
    if (typeof a === "number" && typeof b === "number") return a + b;
    if (a && b && typeof a === "object" && typeof b === "object") {
      const out: Record<string, unknown> = { ...(a as object) };
      for (const [k, v] of Object.entries(b)) out[k] = add(out[k], v);
      return out;
    }
    return a;
  };
  return [rows.slice(1).reduce((acc, r) => add(acc, r) as Record<string, unknown>, rows[0] as Record<string, unknown>)];
}
