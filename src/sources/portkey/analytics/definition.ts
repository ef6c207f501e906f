/**
 * The `analytics` loop's definition: its settings, parsed and checked once, name its series
 * and checkpoint key at start-up and build the runnable loop later.
 */
import { formatDuration, MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { seriesPrefix } from "../naming.ts";
import { ScopeProbe } from "../scope.ts";
import type { PortkeyShared } from "../shared.ts";
import { passesFor } from "../use-cases.ts";
import { GRAPH_SUFFIX } from "./derive.ts";
import { AnalyticsLoop, type AnalyticsSettings } from "./loop.ts";

export const DEFAULT_GRAPHS = ["requests", "cost", "tokens", "latency", "errors"];

export const analytics = defineLoop<AnalyticsSettings, PortkeyShared>({
  name: "analytics",
  signal: "metrics",
  summary:
    "Per-minute gauges from the analytics graphs `requests`, `cost`, `tokens`, `latency`, `errors`, `users`, named `<metric_prefix>_<graph>` (prefix default `portkey_api`); a time-windowed loop with settle, watermark and backfill.",
  defaults: { window: 50 * MINUTE, bootstrap_lookback: 50 * MINUTE, max_backfill: 90 * MINUTE, graphs: DEFAULT_GRAPHS },
  parse({ loop: l, warn }) {
    const where = "portkey: analytics";
    if (!(l.window > 0)) {
      throw new Error(
        `${where} loop requires a positive window (time-bucketed source); got ${formatDuration(l.window)}`,
      );
    }
    if (!(l.bootstrap_lookback > l.bucket_settle)) {
      throw new Error(
        `${where}: bootstrap_lookback ${formatDuration(l.bootstrap_lookback)} must be > bucket_settle ${formatDuration(l.bucket_settle)}`,
      );
    }
    if (!(l.max_backfill > l.bucket_settle)) {
      throw new Error(
        `${where}: max_backfill ${formatDuration(l.max_backfill)} must be > bucket_settle ${formatDuration(l.bucket_settle)}`,
      );
    }
    if (l.graphs.length === 0) throw new Error(`${where} loop enabled but no graphs configured`);
    for (const g of l.graphs) {
      if (GRAPH_SUFFIX[g] === undefined) {
        throw new Error(
          `${where}: unknown graph ${JSON.stringify(g)} (supported: cost,errors,latency,requests,tokens,users)`,
        );
      }
    }
    const r = new SettingsReader(where, l.settings);
    const apiKeyIds = r.csv("api_key_ids");
    const expectedWorkspace = (r.raw("expected_workspace") ?? "").trim();
    r.done();
    warnUnknown(r, "analytics", warn);
    return {
      cadence: l.cadence,
      window: l.window,
      bucketSettle: l.bucket_settle,
      bootstrapLookback: l.bootstrap_lookback,
      maxBackfill: l.max_backfill,
      prefix: seriesPrefix(l.metric_prefix),
      graphs: [...new Set(l.graphs)],
      apiKeyIds,
      expectedWorkspace,
    };
  },
  instances(s) {
    return [{ series: s.graphs.map((g) => `${s.prefix}_${GRAPH_SUFFIX[g]}`), naming: `prefix=${s.prefix}` }];
  },
  create(s, planned, shared, deps) {
    const passes = passesFor(shared.useCases, s.apiKeyIds);
    const scope = new ScopeProbe(shared.client, s.expectedWorkspace, deps);
    return new AnalyticsLoop(planned.key, s, passes, shared.client, scope, deps);
  },
});
