/**
 * Workspace-scope guardrail: before trusting workspace aggregates, check that
 * the key sees exactly the expected workspace. Matched ⇒ cached for the loop's lifetime; no
 * traffic ⇒ proceed unverified and probe again; mismatch or error ⇒ throw (emit nothing).
 */
import { formatRfc3339Seconds, NS_PER_MIN, type Time } from "../../model/time.ts";
import type { HttpClient } from "../../net/client.ts";
import type { LoopDeps } from "../loop.ts";

export class ScopeProbe {
  private verified = false;

  constructor(
    private readonly client: HttpClient,
    private readonly expected: string,
    private readonly deps: Pick<LoopDeps, "report" | "warn">,
  ) {}

  async check(now: Time, signal: AbortSignal): Promise<void> {
    if (this.expected === "" || this.verified) return;
    const q = new URLSearchParams({
      current_page: "0",
      page_size: "100",
      time_of_generation_max: formatRfc3339Seconds(now),
      time_of_generation_min: formatRfc3339Seconds(now - 7n * 24n * 60n * NS_PER_MIN),
    });
    const r = await this.client.getJson(`/analytics/groups/workspace?${q}`, signal);
    if (r.status !== 200) {
      if (r.status === 401 || r.status === 403) this.deps.report({ kind: "auth_error" });
      throw new Error(`portkey: workspace scope probe: status ${r.status}`);
    }
    const data = (r.json as { data?: unknown })?.data;
    if (data !== undefined && data !== null && !Array.isArray(data))
      throw new Error("portkey: workspace scope probe: data is not a list");
    const slugs = new Set<string>();
    for (const row of (data as unknown[] | null | undefined) ?? []) {
      const w = (row as { workspace?: unknown })?.workspace;
      if (typeof w === "string" && w !== "") slugs.add(w);
    }
    if (slugs.size === 0) {
      this.deps.warn("workspace scope undeterminable (no traffic in 7 days); proceeding unverified");
      return;
    }
    if (slugs.size === 1 && slugs.has(this.expected)) {
      this.verified = true;
      return;
    }
    this.deps.report({
      kind: "part_skipped",
      part: "workspace_scope_mismatch",
      reason: "the key sees another workspace",
    });
    throw new Error(
      `portkey: API key sees workspace(s) ${[...slugs].sort().join(",")}, expected ${this.expected}; refusing to emit`,
    );
  }
}
