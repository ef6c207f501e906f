/**
 * The `groups` loop's definition: window totals per model, metadata value and prompt. A
 * snapshot loop (`window` 0); its span and settle are settings.
 */
import { formatDuration, HOUR, MINUTE } from "../../../model/duration.ts";
import { defineLoop } from "../../define.ts";
import { SettingsReader, warnUnknown } from "../../settings.ts";
import { seriesPrefix } from "../naming.ts";
import { ScopeProbe } from "../scope.ts";
import type { PortkeyShared } from "../shared.ts";
import { passesFor } from "../use-cases.ts";
import { GroupsLoop, type GroupsSettings } from "./loop.ts";

export const groups = defineLoop<GroupsSettings, PortkeyShared>({
  name: "groups",
  signal: "metrics",
  summary:
    "Window totals per model (`requests_by_model`, `cost_usd_by_model`), metadata value (`requests_by_metadata`, `cost_usd_by_metadata`, one endpoint per `settings.metadata_keys` entry) and saved prompt (`requests_by_prompt`) over `settings.window_span` up to `settings.settle` ago, stamped at that minute. A snapshot loop (`window` 0).",
  parse({ loop: l, warn }) {
    const where = "portkey groups";
    if (l.window !== 0) {
      throw new Error(
        `${where}: window must be 0 (snapshot loop; the span is settings.window_span); got ${formatDuration(l.window)}`,
      );
    }
    const r = new SettingsReader(where, l.settings);
    const windowSpan = r.duration("window_span", HOUR);
    const settle = r.duration("settle", 10 * MINUTE);
    r.check(windowSpan > 0, "settings.window_span must be > 0");
    r.check(settle >= 0, "settings.settle must be >= 0");
    const pageSize = r.int("page_size", 1000);
    r.check(pageSize > 0, "settings.page_size must be > 0");
    const maxGroups = r.int("max_groups", 10000);
    r.check(maxGroups > 0, "settings.max_groups must be > 0");
    const metadataKeys = r.csv("metadata_keys");
    const emitCost = r.bool("emit_cost", true);
    const emitPrompts = r.bool("emit_prompts", true);
    const expectedWorkspace = (r.raw("expected_workspace") ?? "").trim();
    const apiKeyIds = r.csv("api_key_ids");
    r.check(
      settle < windowSpan,
      `settings.settle ${formatDuration(settle)} must be < settings.window_span ${formatDuration(windowSpan)}`,
    );
    r.done();
    warnUnknown(r, "groups", warn);
    const prefix = seriesPrefix(l.metric_prefix);
    const names = ["requests_by_model"];
    if (emitCost) names.push("cost_usd_by_model");
    if (metadataKeys.length > 0) {
      names.push("requests_by_metadata");
      if (emitCost) names.push("cost_usd_by_metadata");
    }
    if (emitPrompts) names.push("requests_by_prompt");
    return {
      cadence: l.cadence,
      windowSpan,
      settle,
      pageSize,
      maxGroups,
      metadataKeys,
      emitCost,
      emitPrompts,
      expectedWorkspace,
      apiKeyIds,
      prefix,
      series: names.map((n) => `${prefix}_${n}`),
    };
  },
  instances: (s) => [{ series: s.series, naming: `prefix=${s.prefix}` }],
  create(s, planned, shared, deps) {
    const passes = passesFor(shared.useCases, s.apiKeyIds);
    return new GroupsLoop(
      planned.key,
      s,
      passes,
      shared.client,
      new ScopeProbe(shared.client, s.expectedWorkspace, deps),
      deps,
    );
  },
});
