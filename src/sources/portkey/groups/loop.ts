/**
 * The Portkey groups loop: window totals over `[now − window_span, now − settle]`, stamped at
 * the minute of `now − settle`, per endpoint and per use-case pass. Each endpoint is
 * all-or-nothing across its pages; one failing endpoint never stops the others, all failing
 * fails the collect. The watermark is a liveness heartbeat (`now`), never a window bound; it
 * also says which stamp minute was delivered, so a second poll in that minute sends nothing.
 */
import type { CheckpointKey } from "../../../model/checkpoint-key.ts";
import type { Duration } from "../../../model/duration.ts";
import { formatRfc3339Seconds, NS_PER_MIN, type Time } from "../../../model/time.ts";
import type { Batch, Sample, Watermark } from "../../../model/types.ts";
import type { HttpClient } from "../../../net/client.ts";
import type { Loop, LoopDeps } from "../../loop.ts";
import { deliveredThisMinute } from "../../snapshot.ts";
import type { ScopeProbe } from "../scope.ts";
import type { Pass } from "../use-cases.ts";
import { decodeGroupsPage, type GroupRow } from "./decode.ts";
import { deriveGroups } from "./derive.ts";
import { type Endpoint, endpoints } from "./endpoints.ts";

export interface GroupsSettings {
  cadence: Duration;
  windowSpan: Duration;
  settle: Duration;
  pageSize: number;
  maxGroups: number;
  metadataKeys: string[];
  emitCost: boolean;
  emitPrompts: boolean;
  expectedWorkspace: string;
  apiKeyIds: string[];
  prefix: string;
  /** Declared series (what the checkpoint fingerprint covers). */
  series: string[];
}

const ns = (d: Duration): Time => BigInt(Math.trunc(d));

export class GroupsLoop implements Loop {
  readonly name = "groups";
  readonly sourceInstance: string;
  readonly cadence: Duration;
  readonly window = 0;
  readonly maxBackfill = 0;
  private readonly endpoints: Endpoint[];

  constructor(
    readonly key: CheckpointKey,
    private readonly s: GroupsSettings,
    private readonly passes: Pass[],
    private readonly client: HttpClient,
    private readonly scope: ScopeProbe,
    private readonly deps: LoopDeps,
  ) {
    this.sourceInstance = key.sourceInstance;
    this.cadence = s.cadence;
    this.endpoints = endpoints(s.metadataKeys, s.emitPrompts);
  }

  async collect(signal: AbortSignal, since: Watermark): Promise<Batch> {
    const now = this.deps.now();
    if (deliveredThisMinute(since, now, ns(this.s.settle))) {
      return { key: this.key, samples: [], logs: [], watermark: since };
    }
    await this.scope.check(now, signal);
    const until = now - ns(this.s.settle);
    const from = now - ns(this.s.windowSpan);
    const stamp = until - (((until % NS_PER_MIN) + NS_PER_MIN) % NS_PER_MIN);
    let total = 0;
    let skipped = 0;
    const samples: Sample[] = [];
    for (const pass of this.passes) {
      for (const ep of this.endpoints) {
        total++;
        const rows = await this.collectEndpoint(ep, from, until, pass.apiKeyIds, signal);
        if (!rows) {
          skipped++;
          this.deps.report({ kind: "part_skipped", part: ep.label, reason: "endpoint failed; nothing emitted for it" });
          continue;
        }
        samples.push(...deriveGroups(this.s.prefix, ep, rows, stamp, this.s.emitCost, pass.slug));
      }
    }
    if (skipped === total) throw new Error(`portkey groups: all ${total} endpoint fetch(es) failed`);
    return { key: this.key, samples, logs: [], watermark: { ...since, time: now } };
  }

  /** Every page of one endpoint, or undefined when any page failed (all-or-nothing). */
  private async collectEndpoint(
    ep: Endpoint,
    from: Time,
    until: Time,
    apiKeyIds: string[],
    signal: AbortSignal,
  ): Promise<GroupRow[] | undefined> {
    const seen = new Set<string>();
    const rows: GroupRow[] = [];
    let dup = 0;
    // A backstop for servers that ignore current_page and return the first page forever.
    const maxPages = Math.max(Math.ceil(this.s.maxGroups / this.s.pageSize), 1);
    const done = () => {
      if (dup > 0)
        this.deps.report({ kind: "part_skipped", part: `${ep.label}_dup_dim`, reason: `${dup} duplicate rows` });
      return rows;
    };
    for (let page = 0; ; page++) {
      const q = new URLSearchParams({
        time_of_generation_min: formatRfc3339Seconds(from),
        time_of_generation_max: formatRfc3339Seconds(until),
        page_size: String(this.s.pageSize),
        current_page: String(page),
      });
      if (apiKeyIds.length > 0) q.set("api_key_ids", apiKeyIds.join(","));
      let pageRows: GroupRow[];
      try {
        const r = await this.client.getJson(`/analytics/groups/${ep.path}?${q}`, signal);
        if (r.status !== 200) {
          if (r.status === 401 || r.status === 403) this.deps.report({ kind: "auth_error" });
          return undefined;
        }
        const decoded = decodeGroupsPage(ep.label, ep.dimField, r.json);
        if (decoded.quotaExceeded) return undefined;
        pageRows = decoded.rows;
      } catch (e) {
        if (signal.aborted) throw e;
        this.deps.warn("groups endpoint failed", {
          endpoint: ep.label,
          err: e instanceof Error ? e.message : String(e),
        });
        return undefined;
      }
      for (const r of pageRows) {
        // The first row of a dimension value wins; never sum (a repeated page would double it).
        if (seen.has(r.dim)) {
          dup++;
          continue;
        }
        seen.add(r.dim);
        rows.push(r);
        if (rows.length >= this.s.maxGroups) {
          this.deps.warn("groups endpoint truncated at max_groups", {
            endpoint: ep.label,
            max_groups: this.s.maxGroups,
          });
          return done();
        }
      }
      if (pageRows.length === 0 || pageRows.length < this.s.pageSize) break;
      if (page + 1 >= maxPages) break;
    }
    return done();
  }
}
